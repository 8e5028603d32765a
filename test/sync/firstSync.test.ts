// A new device's first sync of a community of hundreds of stories (docs/DESIGN.md, "First sync"):
// the documents come whole by catch-up, the progress the Sync screen shows only ever grows and
// never says "in sync" early, a link cut half-way resumes with only what is missing (counted in
// bytes through a relay), and the whole of it completes while two threads keep both cores busy.
// The devices are PeerNodes in this process, linked over the real secure transport on 127.0.0.1.
import type { DocHandle } from "@automerge/automerge-repo";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { PeerNode } from "../../peer/peerNode.ts";
import type { SyncStatus } from "../../shared/contract.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { initStory } from "../../shared/ops/story.ts";
import type { Story } from "../../shared/schema/story.ts";
import { startRelay, type Relay } from "../helpers/relay.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

const nodes: PeerNode[] = [];
const dirs: string[] = [];
const relays: Relay[] = [];

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close().catch(() => undefined)));
  await Promise.all(relays.splice(0).map((r) => r.close()));
  // automerge-repo saves sync states on a timer after close; let them land before the folders go.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await Promise.all(dirs.splice(0).map((d) => removeDir(d)));
});

async function peer(name: string, advertise?: string): Promise<PeerNode> {
  const dataDir = await makeTempDir(`meitheal-first-sync-${name}-`);
  dirs.push(dataDir);
  const node = await PeerNode.start({
    dataDir,
    sync: {
      listen: { host: "127.0.0.1", port: 0 },
      retryMs: 200,
      ...(advertise ? { advertise: [advertise] } : {}),
    },
  });
  nodes.push(node);
  return node;
}

/** A founds a community of `count` stories, listed in its index in batches (as days of use do). */
async function community(
  a: PeerNode,
  count: number,
): Promise<{ id: string; titles: Map<string, string> }> {
  const created = await a.createCommunity({ name: "Harbour stories" });
  if (!created.ok) throw new Error(created.error.message);
  const id = created.value.id;
  const open = a.community(id);
  if (!open?.index) throw new Error("no index");
  const ctx = systemContext();
  const titles = new Map<string, string>();
  for (let start = 0; start < count; start += 100) {
    const batch: [string, string][] = [];
    for (let i = start; i < Math.min(count, start + 100); i++) {
      const title = `Story ${i + 1} of the harbour`;
      const handle: DocHandle<Story> = open.repo.create<Story>();
      handle.change((d) => initStory(d, { communityId: id, title }, ctx));
      batch.push([handle.documentId, title]);
      titles.set(handle.documentId, title);
    }
    const now = ctx.now();
    open.index.change((d) => {
      for (const [doc, title] of batch)
        addEntry(d, doc, { kind: "story", title, status: "seed", createdAt: now, updatedAt: now });
    });
    await a.flush();
  }
  return { id, titles };
}

async function join(a: PeerNode, b: PeerNode, id: string): Promise<void> {
  const invite = await a.sync!.invite(a.community(id)!);
  if (!invite.ok) throw new Error(invite.error.message);
  const joined = await b.sync!.join({ code: invite.value.uri, name: "Newcomer" });
  if (!joined.ok) throw new Error(joined.error.message);
}

const statusOf = (node: PeerNode, id: string): SyncStatus | undefined => {
  const open = node.community(id);
  if (!open) return undefined;
  const status = node.sync!.status(open);
  return status.ok ? status.value : undefined;
};

type Seen = { at: number; here: number; total: number; state: SyncStatus["state"] };

/**
 * Polls B's status every 10 ms until it is in sync with every listed document, recording each
 * change; throws when nothing changes for `stallMs`, naming where it stuck.
 */
async function watchUntilInSync(
  b: PeerNode,
  id: string,
  stallMs = 10_000,
  until: (s: SyncStatus) => boolean = (s) =>
    s.state === "in-sync" && s.documents.total > 2 && s.documents.here === s.documents.total,
): Promise<Seen[]> {
  const seen: Seen[] = [];
  const started = performance.now();
  let changedAt = started;
  for (;;) {
    const s = statusOf(b, id);
    const now = performance.now();
    const last = seen[seen.length - 1];
    if (s) {
      const entry = {
        at: now - started,
        here: s.documents.here,
        total: s.documents.total,
        state: s.state,
      };
      if (
        !last ||
        last.here !== entry.here ||
        last.total !== entry.total ||
        last.state !== entry.state
      ) {
        seen.push(entry);
        changedAt = now;
      }
      if (until(s)) return seen;
    }
    if (now - changedAt > stallMs)
      throw new Error(`no progress for ${stallMs / 1000} s: ${JSON.stringify(seen.slice(-3))}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The progress B showed was honest: it only grew, never passed the total, never said in sync early. */
function expectHonest(seen: Seen[], listed: number): void {
  let here = 0;
  for (const s of seen) {
    expect(s.here, JSON.stringify(s)).toBeGreaterThanOrEqual(here);
    expect(s.here).toBeLessThanOrEqual(s.total);
    if (s.total > 2) expect(s.total, "the total, once the index is here").toBe(listed);
    if (s.here < s.total) expect(s.state, JSON.stringify(s)).not.toBe("in-sync");
    here = s.here;
  }
  expect(seen[seen.length - 1]).toMatchObject({ here: listed, total: listed, state: "in-sync" });
}

/** Every story on B reads as A wrote it (every tenth opened, to keep the test short). */
async function expectStories(b: PeerNode, id: string, titles: Map<string, string>): Promise<void> {
  const repo = b.community(id)!.repo;
  const ids = [...titles.keys()].filter((_, i) => i % 10 === 0);
  const read = await Promise.all(
    ids.map(async (doc) => (await repo.find<Story>(`automerge:${doc}` as never)).doc().title),
  );
  expect(read).toEqual(ids.map((doc) => titles.get(doc)));
  const entries = Object.keys(b.community(id)!.index!.doc().entries);
  expect(entries.sort()).toEqual([...titles.keys()].sort());
}

describe("a new device's first sync", () => {
  it("brings 600 stories by catch-up, with progress that only grows, and then says in sync", async () => {
    const a = await peer("a");
    const b = await peer("b");
    const { id, titles } = await community(a, 600);
    await join(a, b, id);
    const seen = await watchUntilInSync(b, id);
    expectHonest(seen, 602);
    // Progress was shown on the way, not one jump from nothing to everything.
    expect(
      seen.some((s) => s.here > 2 && s.here < 602),
      JSON.stringify(seen),
    ).toBe(true);
    await expectStories(b, id, titles);
  });

  it("then syncs a change to any story, made on either device, opened or not", async () => {
    const a = await peer("a");
    const b = await peer("b");
    const { id, titles } = await community(a, 300);
    await join(a, b, id);
    await watchUntilInSync(b, id);
    const [first, second, third] = [...titles.keys()];
    const title = async (node: PeerNode, doc: string | undefined) =>
      (await node.community(id)!.repo.find<Story>(`automerge:${doc}` as never)).doc().title;
    const retitle = async (node: PeerNode, doc: string | undefined, to: string) =>
      (await node.community(id)!.repo.find<Story>(`automerge:${doc}` as never)).change((s) => {
        s.title = to;
      });
    const arrives = async (node: PeerNode, doc: string | undefined, to: string) => {
      const deadline = Date.now() + 10_000;
      while ((await title(node, doc)) !== to) {
        if (Date.now() > deadline) throw new Error(`"${to}" never arrived`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    // On the newcomer, where the story came whole and was never opened.
    await retitle(b, first, "Renamed on the newcomer");
    await arrives(a, first, "Renamed on the newcomer");
    // On the device that sent it, to a newcomer that has not opened it.
    await retitle(a, second, "Renamed where it came from");
    await arrives(b, second, "Renamed where it came from");
    // Both, one after the other, on a third.
    await retitle(b, third, "First name");
    await arrives(a, third, "First name");
    await retitle(a, third, "Second name");
    await arrives(b, third, "Second name");
  });

  it("resumes a link cut half-way with only what is missing", async () => {
    // A's invites name a relay, so every link of a newcomer goes through it and is counted. Two
    // newcomers one after the other: one uninterrupted (what a whole first sync takes), then one
    // whose link is cut once half of it is here, and healed.
    const relay = await startRelay(0);
    relays.push(relay);
    const a = await peer("a", relay.address);
    relay.retarget(a.sync!.port!);
    const { id, titles } = await community(a, 600);

    const whole = await peer("whole");
    await join(a, whole, id);
    await watchUntilInSync(whole, id);
    await whole.close();
    const wholeBytes = relay.bytes.back;
    expect(relay.accepted, "the newcomer linked through the relay").toBeGreaterThanOrEqual(1);

    const before = relay.bytes.back;
    const accepted = relay.accepted;
    const cut = await peer("cut");
    await join(a, cut, id);
    await watchUntilInSync(
      cut,
      id,
      10_000,
      (s) => s.documents.total > 2 && s.documents.here * 2 >= s.documents.total,
    );
    relay.cut();
    const hereAtCut = statusOf(cut, id)!.documents.here;
    const bytesAtCut = relay.bytes.back;
    expect(hereAtCut).toBeLessThan(602);
    await new Promise((resolve) => setTimeout(resolve, 500));
    relay.heal();
    const seen = await watchUntilInSync(cut, id);
    expect(seen[seen.length - 1]).toMatchObject({ here: 602, total: 602, state: "in-sync" });
    expect(relay.accepted - accepted, "linked again after the cut").toBeGreaterThanOrEqual(2);
    const again = relay.bytes.back - bytesAtCut;
    // Starting over would send about everything again; resuming sends what was not here yet.
    const missing = 1 - hereAtCut / 602;
    expect(
      again,
      `${again} bytes after the cut (${bytesAtCut - before} before it); a whole first sync took ${wholeBytes}; ${hereAtCut} of 602 were here at the cut`,
    ).toBeLessThan(wholeBytes * (missing + 0.15));
    await expectStories(cut, id, titles);
  });

  it("completes while two threads keep both cores busy", async () => {
    const spinners = [0, 1].map(() => new Worker("for (;;) {}", { eval: true }));
    try {
      const a = await peer("a");
      const b = await peer("b");
      const { id, titles } = await community(a, 300);
      await join(a, b, id);
      const seen = await watchUntilInSync(b, id);
      expectHonest(seen, 302);
      await expectStories(b, id, titles);
    } finally {
      await Promise.all(spinners.map((w) => w.terminate()));
    }
  });
});
