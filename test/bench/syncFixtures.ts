// In-process peers for the sync benchmarks (sync.bench.ts): PeerNodes with LAN sync on 127.0.0.1
// only (no discovery, so no mDNS), paired by invite the way people pair them, and a stock
// automerge-repo pair over a plain WebSocket to compare against. Every peer here shares this
// process's event loop: a latency is both sides' work plus the wire, on the same cores.
import { splice, type DocHandle, type Repo } from "@automerge/automerge-repo";
import { PeerNode } from "../../peer/peerNode.ts";
import type { SafeFsStorageAdapter } from "../../peer/storage/fsStorage.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { initStory } from "../../shared/ops/story.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { quick } from "./registry.ts";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns something other than undefined; throws after `ms`. */
export async function waitFor<T>(
  check: () => T | undefined,
  ms: number,
  what: string | (() => string),
  everyMs = 20,
): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (performance.now() > deadline)
      throw new Error(`timed out after ${ms} ms: ${typeof what === "string" ? what : what()}`);
    await sleep(everyMs);
  }
}

/**
 * Waits until this process's event loop is mostly idle (under 10 % busy over 200 ms), e.g. until
 * a peer that just started has finished its own start-up work (a data folder's temp-file sweep,
 * loading): so a timing that should exclude set-up does. Gives up after `ms`.
 */
export async function settleCpu(ms = 10_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const before = performance.eventLoopUtilization();
    await sleep(200);
    const busy = performance.eventLoopUtilization(before).utilization;
    if (busy < 0.1 || performance.now() - started > ms) return performance.now() - started;
  }
}

/** Storage quiet for this long after the nodes closed: no throttled save is still due. */
const QUIET_MS = 500;
const QUIET_DEADLINE_MS = 30_000;

type Storage = Pick<SafeFsStorageAdapter, "save" | "remove" | "removeRange">;

/** Temp folders and nodes of one benchmark, torn down by `close()`. */
export class Lab {
  readonly nodes: PeerNode[] = [];
  readonly dirs: string[] = [];
  readonly #tracked = new WeakSet<object>();
  #writes = 0;
  #lastWrite = 0;

  async dir(prefix: string): Promise<string> {
    const dir = await makeTempDir(prefix);
    this.dirs.push(dir);
    return dir;
  }

  /** A PeerNode with LAN sync listening on 127.0.0.1 (a free port), no discovery. */
  async peer(name: string, dataDir?: string): Promise<PeerNode> {
    const node = await PeerNode.start({
      dataDir: dataDir ?? (await this.dir(`meitheal-bench-sync-${name}-`)),
      sync: { listen: { host: "127.0.0.1", port: 0 }, retryMs: 200 },
    });
    this.nodes.push(node);
    this.track(node);
    return node;
  }

  /**
   * Counts the storage writes in flight of every community open on `node` (call again after a
   * community is added). PeerNode.close() returns while automerge-repo's throttled sync-state saves
   * are still due (Repo#saveSyncState, never awaited by close): removing the folder under one
   * rejects with ENOENT, unhandled, which would end the whole run. close() waits them out.
   */
  track(node: PeerNode): void {
    for (const id of node.communityIds()) {
      const storage = node.community(id)?.storage;
      if (storage) this.trackStorage(storage);
    }
  }

  trackStorage(storage: Storage): void {
    if (this.#tracked.has(storage)) return;
    this.#tracked.add(storage);
    const counted =
      <A extends unknown[]>(fn: (...args: A) => Promise<void>) =>
      async (...args: A): Promise<void> => {
        this.#writes++;
        try {
          await fn(...args);
        } finally {
          this.#writes--;
          this.#lastWrite = performance.now();
        }
      };
    storage.save = counted(storage.save.bind(storage));
    storage.remove = counted(storage.remove.bind(storage));
    storage.removeRange = counted(storage.removeRange.bind(storage));
  }

  async found(node: PeerNode, name: string): Promise<string> {
    const created = await node.createCommunity({ name });
    if (!created.ok) throw new Error(`createCommunity failed: ${created.error.message}`);
    this.track(node);
    return created.value.id;
  }

  /** `joiner` joins by a fresh invite; resolves when paired (join's own promise, nothing more). */
  async invite(inviter: PeerNode, joiner: PeerNode, communityId: string): Promise<void> {
    const code = await inviter.sync!.invite(inviter.community(communityId)!);
    if (!code.ok) throw new Error(`invite failed: ${code.error.message}`);
    const joined = await joiner.sync!.join({ code: code.value.uri, name: "Joiner" });
    if (!joined.ok) throw new Error(`join failed: ${joined.error.message}`);
    this.track(joiner);
  }

  async close(): Promise<void> {
    const errors: unknown[] = [];
    const nodes = this.nodes.splice(0);
    await Promise.all(nodes.map((n) => n.close().catch((e: unknown) => errors.push(e))));
    const deadline = performance.now() + QUIET_DEADLINE_MS;
    for (;;) {
      const now = performance.now();
      if (this.#writes === 0 && now - this.#lastWrite >= QUIET_MS) break;
      if (now > deadline) {
        errors.push(`storage still writing ${QUIET_DEADLINE_MS / 1000} s after close`);
        break;
      }
      await sleep(50);
    }
    for (const dir of this.dirs.splice(0)) await removeDir(dir);
    if (errors.length > 0) console.warn(`  bench teardown: ${errors.map(String).join("; ")}`);
  }
}

export function statusOf(node: PeerNode, communityId: string) {
  const status = node.sync!.status(node.community(communityId)!);
  if (!status.ok) throw new Error(`status failed: ${status.error.message}`);
  return status.value;
}

/** In sync with at least `peers` linked devices, every listed document here. */
export function settled(node: PeerNode, communityId: string, peers = 1): boolean {
  const s = statusOf(node, communityId);
  return s.state === "in-sync" && s.peers.length >= peers && s.documents.here === s.documents.total;
}

export function repoOf(node: PeerNode, communityId: string): Repo {
  const community = node.community(communityId);
  if (!community) throw new Error("the community is not open on this peer");
  return community.repo;
}

export function indexOf(node: PeerNode, communityId: string): DocHandle<CommunityIndex> {
  const index = node.community(communityId)?.index;
  if (!index) throw new Error("the community has no index here (yet)");
  return index;
}

/** As the UI creates a story: create, init, then list it in the index. */
export function createStory(node: PeerNode, communityId: string, title: string): DocHandle<Story> {
  const ctx = systemContext();
  const story = repoOf(node, communityId).create<Story>();
  story.change((d) => initStory(d, { communityId, title }, ctx));
  indexOf(node, communityId).change((d) =>
    addEntry(d, story.documentId, {
      kind: "story",
      title,
      status: "seed",
      createdAt: ctx.now(),
      updatedAt: ctx.now(),
    }),
  );
  return story;
}

/** The sync throttle (ms) automerge-repo actually uses for this document in this repo. */
export function throttleOf(repo: Repo, handle: DocHandle<unknown>): number | undefined {
  const synchronizer: unknown = repo.synchronizer.docSynchronizers[handle.documentId];
  const rate = (synchronizer as { syncDebounceRate?: unknown } | undefined)?.syncDebounceRate;
  return typeof rate === "number" ? rate : undefined;
}

// ---------------------------------------------------------------------------------------------
// Typing: the cadence and text of story.remote.bench.ts, so the two benchmarks type alike.

// A quick run (registry.ts) times 20. Read when this file is imported: run.ts sets quick mode
// before it imports any benchmark, and sync.bench.ts reads the number.
export const KEYSTROKES = quick() ? 20 : 200;
export const WARM_UP = 12;
export const GAP_MIN_MS = 40;
export const GAP_MAX_MS = 210;
const WORDS = ["river", "kettle", "lantern", "harvest", "meadow", "circle", "bridge", "thread"];

/** The same uneven gaps (mean 125 ms) every run (the seed of story.remote.bench.ts). */
export function typingGaps(count: number): number[] {
  let seed = 20_250_601;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  return Array.from({ length: count }, () => GAP_MIN_MS + next() * (GAP_MAX_MS - GAP_MIN_MS));
}

export function typedText(count: number): string {
  let out = "";
  for (let i = 0; out.length < count; i++) out += `${WORDS[(i * 5) % WORDS.length] ?? "word"} `;
  return out.slice(0, count);
}

export type Typing = { latencies: number[]; lost: number };

/**
 * Types WARM_UP + KEYSTROKES characters into `writer`'s story body, one change per character at
 * typing cadence (warm-up at 125 ms, not counted), and times each until `reader` (the same
 * document on the other device) has that character: the body grows by exactly one per keystroke
 * since nobody else writes, so "has character i" is "body longer than i".
 */
export async function typeAndTime(
  writer: DocHandle<Story>,
  reader: DocHandle<Story>,
): Promise<Typing> {
  const start = reader.doc().body.length;
  if (writer.doc().body.length !== start) throw new Error("the two sides differ before typing");
  const typed = typedText(WARM_UP + KEYSTROKES);
  const sentAt: number[] = [];
  const seenAt: number[] = [];
  const onChange = () => {
    const now = performance.now();
    const have = reader.doc().body.length - start;
    while (seenAt.length < typed.length && have > seenAt.length) seenAt.push(now);
  };
  reader.on("change", onChange);
  try {
    const schedule = [...Array<number>(WARM_UP).fill(125), ...typingGaps(KEYSTROKES)];
    const began = performance.now();
    let due = 0;
    for (let i = 0; i < typed.length; i++) {
      sentAt.push(performance.now());
      writer.change((d) => splice(d, ["body"], start + i, 0, typed[i] ?? " "));
      due += schedule[i] ?? 125;
      const wait = began + due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    for (let i = 0; i < 200 && seenAt.length < typed.length; i++) await sleep(25);
  } finally {
    reader.off("change", onChange);
  }
  const latencies = sentAt
    .slice(WARM_UP)
    .map((t, i) => (seenAt[WARM_UP + i] ?? Number.NaN) - t)
    .filter(Number.isFinite);
  return { latencies, lost: KEYSTROKES - latencies.length };
}
