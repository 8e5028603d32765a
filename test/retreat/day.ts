// A retreat day, simulated: separate `meitheal-peer serve` processes on 127.0.0.1, each with its
// own data folder and a window attached the way the browser attaches (a storage-less repo on the
// peer's /ws/sync socket, dropped and re-made now and then as under load). All pair by invite and
// link into a mesh through relays (a TCP relay per pair of devices, which the day can cut); half
// the room co-writes one story (each writer typing its own known sentences word by word, with Enter
// and deletions), the other half keeps the practice log and the inquiry map. Half the room's links
// are cut for a while as both halves keep writing; one peer is killed with SIGKILL mid-write and
// restarted; the links heal. Then every peer must say "in sync", hold the same documents, byte for
// byte, with every sentence typed anywhere present exactly once, and one peer's EPUB of the
// collection must pass epubcheck. `npm run retreat` runs the whole day; `.ci/run` a short one.
import * as A from "@automerge/automerge";
import { ImmutableString } from "@automerge/automerge";
import { Repo, type AutomergeUrl, type DocHandle, type PeerId } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SyncStatus } from "../../shared/contract.ts";
import { asCollectionId, type CommunityId } from "../../shared/ids.ts";
import { addEntryToLog } from "../../shared/logs/write.ts";
import { addStory, initCollection, setIntroduction } from "../../shared/ops/collection.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { initLog } from "../../shared/ops/log.ts";
import { addNode, initMap } from "../../shared/ops/map.ts";
import type { Collection } from "../../shared/schema/collection.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Log } from "../../shared/schema/log.ts";
import type { LogVolume } from "../../shared/schema/logVolume.ts";
import type { InquiryMap } from "../../shared/schema/map.ts";
import type { Story } from "../../shared/schema/story.ts";
import { epubcheck, epubErrors } from "../export/tools.ts";
import { sentence } from "../export/fixtures.ts";
import { connectRpc, eventually, type PeerRpc } from "../helpers/peerRpc.ts";
import { startRelay, type Relay } from "../helpers/relay.ts";
import { servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { listStory } from "../helpers/stories.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

export type RetreatOptions = {
  peers: number;
  /** How many of them co-write the story (half in each half of the room); the rest log and map. */
  writers: number;
  /** Writing before the cut, during it, and (writing stopped) the wait for "in sync" at most. */
  beforeMs: number;
  partitionMs: number;
  convergeMs: number;
  /** A writer types a word this often; a logger adds an entry and a node 4 times as seldom. */
  wordEveryMs: number;
  /** Each window's socket is dropped about this often (it re-makes itself, as the page does). */
  dropEveryMs: number;
  log: (line: string) => void;
};

export type RetreatReport = {
  peers: number;
  writers: number;
  loggers: number;
  sentencesTyped: number;
  wordsTyped: number;
  /** Per peer: words of the typed sentences found in its story, each sentence counted once. */
  wordsFound: number[];
  logEntries: number;
  mapNodes: number;
  partitionMinutes: number;
  /** From the heal until every window holds the same documents as every other. */
  convergeSeconds: number;
  /** From the heal until every peer said "in sync". */
  peersInSyncSeconds: number;
  windowReconnects: number;
  longestLoopBlockMs: number[];
  /** Per peer: bytes it sent over its links (as the relays counted them). */
  bytesSent: number[];
  documents: number;
  identical: boolean;
  epubErrors: string[];
  problems: string[];
};

const NAMES = [
  "Aoife",
  "Brian",
  "Ciara",
  "Dara",
  "Eimear",
  "Fionn",
  "Gráinne",
  "Hugh",
  "Íde",
  "Joe",
  "Kate",
  "Liam",
  "Muireann",
  "Niall",
  "Orla",
  "Pádraig",
] as const;

const MONITOR = fileURLToPath(new URL("./loopMonitor.ts", import.meta.url));
const paragraph = () => ({
  type: new ImmutableString("paragraph"),
  parents: [],
  attrs: {},
  isEmbed: false,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Device = {
  index: number;
  name: string;
  dir: string;
  peer: ServedPeer;
  rpc: PeerRpc;
  window: Repo;
  adapter: WebSocketClientAdapter;
  loopMax: number;
  reconnects: number;
};

const syncUrl = (peer: ServedPeer, communityId: string) =>
  `${peer.origin.replace("http", "ws")}/ws/sync/${communityId}?token=${peer.token}`;

/** The longest event-loop block the peer reported after it started serving. */
const loopMaxOf = (output: string) => {
  const serving = output.search(/http:\/\/127\.0\.0\.1:\d+\/#token=/);
  const after = serving < 0 ? "" : output.slice(serving);
  return Math.max(0, ...[...after.matchAll(/\[loop\] max (\d+)/g)].map((m) => Number(m[1])));
};

/** The story's text as a person reads it: one line per block. */
export function storyText(doc: A.Doc<Story>): string {
  return A.spans(doc, ["body"])
    .map((s) => (s.type === "text" ? s.value : "\n"))
    .join("");
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

export async function runRetreat(o: RetreatOptions): Promise<RetreatReport> {
  const problems: string[] = [];
  const devices: Device[] = [];
  const relays: Relay[] = [];
  const pairRelays = new Map<string, { relay: Relay; from: number; to: number }>();
  const startedAt = Date.now();
  const say = (line: string) =>
    o.log(`[${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${line}`);
  const ctx = systemContext();
  let communityId = "" as CommunityId;

  const openWindow = async (peer: ServedPeer) => {
    const adapter = new WebSocketClientAdapter(syncUrl(peer, communityId), 500);
    const window = new Repo({
      network: [adapter],
      isEphemeral: true,
      peerId: `ui-${randomUUID()}` as PeerId,
    });
    await eventually(() => (window.peers.length > 0 ? true : undefined), 20_000, "window linked");
    return { window, adapter };
  };
  const startPeer = (dir: string) => servePeer(dir, [], ["--import", MONITOR]);
  const status = (d: Device): Promise<SyncStatus> => d.rpc.call("sync:status", { communityId });

  try {
    // The room: every laptop starts, two at a time, so start-up does not starve those already up.
    say(`starting ${o.peers} peers`);
    for (let i = 0; i < o.peers; i += 2) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(2, o.peers - i) }, async (_, k) => {
          const index = i + k;
          const dir = await makeTempDir(`meitheal-retreat-${index}-`);
          const peer = await startPeer(dir);
          const rpc = await connectRpc(peer);
          const name = `${NAMES[index % NAMES.length]}${index >= NAMES.length ? ` ${index}` : ""}`;
          await rpc.call("profile:set", { displayName: name, colour: "#2a6f97" });
          return { index, name, dir, peer, rpc };
        }),
      );
      for (const d of batch) devices.push(d as Device);
    }
    const first = devices[0]!;
    communityId = (await first.rpc.call("communities:create", { name: "Retreat day" })).id;

    // Everyone joins by invite, through a path that is then taken away, so that every later link
    // runs through a relay the day can cut.
    for (const d of devices.slice(1)) {
      const joinPath = await startRelay(port(first.peer));
      const invite = await first.rpc.call("sync:invite", { communityId });
      await d.rpc.call("sync:join", { code: invite.code, name: d.name, at: joinPath.address });
      await eventually(
        async () => ((await status(d)).state === "in-sync" ? true : undefined),
        30_000,
        `${d.name} in sync after joining`,
      );
      await joinPath.close();
    }
    say("everyone joined");
    for (const a of devices)
      for (const b of devices) {
        if (a.index >= b.index) continue;
        const relay = await startRelay(port(b.peer));
        relays.push(relay);
        pairRelays.set(`${a.index}-${b.index}`, { relay, from: a.index, to: b.index });
        await a.rpc.call("sync:connect", { address: relay.address });
      }
    await allInSync(devices, status, o.peers - 1, 120_000);
    say(`mesh of ${pairRelays.size} links in sync`);

    // Windows, and what the day writes into: a story in a collection, a log, a map.
    for (const d of devices)
      Object.assign(d, await openWindow(d.peer), { loopMax: 0, reconnects: 0 });
    const win0 = first.window;
    const index0 = await win0.find<CommunityIndex>(`automerge:${communityId}` as AutomergeUrl);
    const story0 = win0.create<Story>();
    listStory(index0, story0, "The day we met", ctx);
    const log0 = win0.create<Log>();
    log0.change((d) => initLog(d, { communityId, title: "Retreat log" }, ctx));
    const map0 = win0.create<InquiryMap>();
    map0.change((d) => initMap(d, { communityId, title: "Questions" }, ctx));
    const collection0 = win0.create<Collection>();
    collection0.change((d) => {
      initCollection(d, { communityId, title: "Retreat stories" }, ctx);
      addStory(d, story0.documentId, ctx);
      setIntroduction(d, [{ type: "paragraph", text: "What we wrote together on the day." }], ctx);
    });
    index0.change((d) => {
      const now = ctx.now();
      addEntry(d, log0.documentId, {
        kind: "log",
        title: "Retreat log",
        createdAt: now,
        updatedAt: now,
      });
      addEntry(d, map0.documentId, {
        kind: "map",
        title: "Questions",
        createdAt: now,
        updatedAt: now,
      });
      addEntry(d, collection0.documentId, {
        kind: "collection",
        title: "Retreat stories",
        createdAt: now,
        updatedAt: now,
      });
    });

    const half = Math.floor(o.peers / 2);
    const inFirstHalf = (i: number) => i < half;
    const writerIdx = [
      ...Array.from({ length: Math.ceil(o.writers / 2) }, (_, k) => k),
      ...Array.from({ length: Math.floor(o.writers / 2) }, (_, k) => half + k),
    ];
    const loggerIdx = devices.map((d) => d.index).filter((i) => !writerIdx.includes(i));

    const handles = new Map<
      number,
      {
        story: DocHandle<Story>;
        log: DocHandle<Log>;
        map: DocHandle<InquiryMap>;
        index: DocHandle<CommunityIndex>;
      }
    >();
    const openDocs = async (d: Device) => {
      const find = <T>(id: string, what: string) =>
        eventually<DocHandle<T>>(
          () => d.window.find<T>(`automerge:${id}` as AutomergeUrl).catch(() => undefined),
          30_000,
          `${d.name} finds ${what}`,
        );
      handles.set(d.index, {
        index: await find<CommunityIndex>(communityId, "the index"),
        story: await find<Story>(story0.documentId, "the story"),
        log: await find<Log>(log0.documentId, "the log"),
        map: await find<InquiryMap>(map0.documentId, "the map"),
      });
    };
    for (const d of devices) await openDocs(d);
    say("every window has the story, the log and the map");

    // Writing. Each writer types after its own last character (an Automerge cursor), so its words
    // stay together whatever the others do at the same moment.
    const typed: string[] = [];
    const noted: string[] = [];
    const nodes: string[] = [];
    let writing = true;
    const writer = async (d: Device, w: number) => {
      let anchor: A.Cursor | undefined;
      let seq = 0;
      while (writing) {
        const text = `${d.name} ${seq}: ${sentence(w * 1_000 + seq, 8).replace(/\.$/, "")}.`;
        const parts = text.split(" ");
        for (let p = 0; p < parts.length && writing; p++) {
          await sleep(o.wordEveryMs * (0.5 + Math.random()));
          const h = handles.get(d.index)!.story;
          const word = p === 0 ? parts[p]! : ` ${parts[p]}`;
          h.change((doc) => {
            if (anchor === undefined) {
              // A new paragraph at the end for this writer's first sentence.
              const end = doc.body.length;
              A.splitBlock(doc, ["body"], end, paragraph());
              anchor = A.getCursor(doc, ["body"], end);
            }
            const at = A.getCursorPosition(doc, ["body"], anchor) + 1;
            A.splice(doc, ["body"], at, 0, word);
            anchor = A.getCursor(doc, ["body"], at + word.length - 1);
          });
          // Now and then a slip of the fingers, deleted at once.
          if (Math.random() < 0.15) {
            h.change((doc) => {
              const at = A.getCursorPosition(doc, ["body"], anchor!) + 1;
              A.splice(doc, ["body"], at, 0, " qzxv");
            });
            await sleep(o.wordEveryMs / 3);
            h.change((doc) => {
              const at = A.getCursorPosition(doc, ["body"], anchor!) + 1;
              A.splice(doc, ["body"], at, 5);
            });
          }
        }
        if (!writing) break;
        typed.push(text);
        // Enter: a new paragraph after the sentence.
        handles.get(d.index)!.story.change((doc) => {
          const at = A.getCursorPosition(doc, ["body"], anchor!) + 1;
          A.splitBlock(doc, ["body"], at, paragraph());
          anchor = A.getCursor(doc, ["body"], at);
        });
        seq++;
      }
    };
    const logger = async (d: Device) => {
      let seq = 0;
      while (writing) {
        await sleep(o.wordEveryMs * 4 * (0.5 + Math.random()));
        if (!writing) break;
        const h = handles.get(d.index)!;
        const note = `${d.name} noted ${seq}`;
        await addEntryToLog(
          { repo: d.window, index: h.index, communityId, logId: log0.documentId },
          { date: "2026-12-07", kind: "gathering", by: d.name, byName: d.name, happened: note },
          ctx,
        );
        noted.push(note);
        const question = `${d.name} asks ${seq}?`;
        h.map.change(
          (m) =>
            void addNode(
              m,
              {
                kind: "question",
                text: question,
                at: { x: seq * 10, y: d.index * 10 },
                by: d.name,
                byName: d.name,
              },
              ctx,
            ),
        );
        nodes.push(question);
        seq++;
      }
    };
    // Windows drop their sockets now and then; the adapter re-makes them.
    const dropper = async () => {
      while (writing) {
        await sleep(o.dropEveryMs / devices.length);
        const d = devices[Math.floor(Math.random() * devices.length)]!;
        const socket = d.adapter.socket;
        if (socket?.readyState === 1) {
          socket.terminate();
          d.reconnects++;
        }
      }
    };
    const tasks = [
      ...writerIdx.map((i, w) => writer(devices[i]!, w)),
      ...loggerIdx.map((i) => logger(devices[i]!)),
      dropper(),
    ];

    await sleep(o.beforeMs);
    const cut = [...pairRelays.values()].filter((r) => inFirstHalf(r.from) !== inFirstHalf(r.to));
    for (const r of cut) r.relay.cut();
    const cutAt = Date.now();
    say(`half the room cut off (${cut.length} links)`);

    // Mid-partition, a writer's peer is killed and restarted on its data folder. Its writer types
    // on meanwhile: the window holds the words until its peer is back.
    await sleep(o.partitionMs / 2);
    const victim = devices[writerIdx[writerIdx.length - 1]!]!;
    victim.loopMax = Math.max(victim.loopMax, loopMaxOf(victim.peer.output()));
    // The window's link goes with its peer. (Node's ws throws on a socket still connecting when it
    // is closed, and the adapter's retries against a dead port would too: unlinked first.)
    victim.adapter.socket?.on("error", () => undefined);
    victim.window.networkSubsystem.removeNetworkAdapter(victim.adapter);
    victim.peer.child.kill("SIGKILL");
    await victim.peer.stop().catch(() => undefined);
    victim.rpc.close();
    say(`${victim.name}'s peer killed`);
    victim.peer = await startPeer(victim.dir);
    victim.rpc = await connectRpc(victim.peer);
    for (const r of pairRelays.values())
      if (r.to === victim.index) r.relay.retarget(port(victim.peer));
    // The window finds its peer again (the desktop app restarts its peer and re-links its windows).
    victim.adapter = new WebSocketClientAdapter(syncUrl(victim.peer, communityId), 500);
    victim.window.networkSubsystem.addNetworkAdapter(victim.adapter);
    say(`${victim.name}'s peer restarted`);
    await sleep(Math.max(0, o.partitionMs - (Date.now() - cutAt)));

    writing = false;
    await Promise.all(tasks);
    for (const r of cut) r.relay.heal();
    const healedAt = Date.now();
    const partitionMinutes = (healedAt - cutAt) / 60_000;
    say(
      `healed; ${typed.length} sentences, ${noted.length} log entries, ${nodes.length} map nodes`,
    );

    await allInSync(devices, status, o.peers - 1, o.convergeMs);
    const peersInSyncSeconds = (Date.now() - healedAt) / 1000;
    say(`every peer says "in sync" ${peersInSyncSeconds.toFixed(1)} s after the heal`);
    // ... and every window holds what its peer holds.
    const docIds = () => {
      const entries = handles.get(0)!.index.doc().entries;
      return [communityId, ...Object.keys(entries)].sort();
    };
    // Converged: every window has the same heads for every document. Byte-identical: the same
    // changes, compared as their sorted bytes (Automerge's save of one set of changes may order
    // them differently on two replicas, so the saves themselves are not compared).
    let identical = false;
    let documents = 0;
    let differing = "";
    await eventually(
      async () => {
        const ids = docIds();
        documents = ids.length;
        const seen = await Promise.all(
          devices.map(async (d) =>
            Promise.all(
              ids.map((id) =>
                d.window.find(`automerge:${id}` as AutomergeUrl).then(
                  (h) => A.getHeads(h.doc()).sort().join(),
                  // A window that cannot get the document differs, and the report says so.
                  () => "unavailable",
                ),
              ),
            ),
          ),
        );
        differing = ids
          .filter((_, k) => seen.some((s) => s[k] !== seen[0]![k]))
          .map(
            (id) =>
              `${id} (${devices
                .filter((_, i) => seen[i]![ids.indexOf(id)] !== seen[0]![ids.indexOf(id)])
                .map((d) => d.name)
                .join(", ")} differ from ${first.name})`,
          )
          .join("; ");
        return differing === "" ? true : undefined;
      },
      o.convergeMs,
      "every window holding the same documents",
    ).catch((e: Error) => problems.push(`${e.message}: ${differing}`));
    const changeSets = await Promise.all(
      devices.map(async (d) => {
        const all: string[] = [];
        for (const id of docIds()) {
          const h = await d.window.find(`automerge:${id}` as AutomergeUrl).catch(() => undefined);
          if (!h) {
            all.push(`${id} unavailable`);
            continue;
          }
          all.push(
            ...A.getAllChanges(h.doc())
              .map((c) => Buffer.from(c).toString("base64"))
              .sort(),
          );
        }
        return all.join();
      }),
    );
    identical = differing === "" && changeSets.every((c) => c === changeSets[0]);
    const convergeSeconds = (Date.now() - healedAt) / 1000;
    say(`every window holds the same documents ${convergeSeconds.toFixed(1)} s after the heal`);

    // What each peer holds: every sentence exactly once, no slip left, every entry and node.
    const wordsFound: number[] = [];
    for (const d of devices) {
      const h = handles.get(d.index)!;
      const text = storyText(h.story.doc());
      let found = 0;
      for (const s of typed) {
        const n = occurrences(text, s);
        if (n === 1) found += s.split(" ").length;
        else problems.push(`${d.name}: "${s}" is there ${n} times`);
      }
      if (text.includes("qzxv")) problems.push(`${d.name}: a deleted slip is still in the story`);
      wordsFound.push(found);
      const volumes = Object.entries(h.index.doc().entries).filter(
        ([, e]) => e.kind === "log-volume",
      );
      const happened: string[] = [];
      for (const [id] of volumes) {
        const v = await d.window
          .find<LogVolume>(`automerge:${id}` as AutomergeUrl)
          .catch(() => undefined);
        if (!v) {
          problems.push(`${d.name}: log volume ${id} unavailable`);
          continue;
        }
        for (const e of Object.values(v.doc().entries)) happened.push(e.happened);
      }
      for (const note of noted)
        if (happened.filter((x) => x === note).length !== 1)
          problems.push(`${d.name}: log entry "${note}" missing or twice`);
      const texts = Object.values(h.map.doc().nodes).map((n) => n.text);
      for (const q of nodes)
        if (texts.filter((x) => x === q).length !== 1)
          problems.push(`${d.name}: map node "${q}" missing or twice`);
    }

    // The book of the day, from one peer.
    const out = join(first.dir, "retreat.epub");
    await first.rpc.call("export:collection", {
      communityId,
      collectionId: asCollectionId(collection0.documentId),
      format: "epub",
      target: { kind: "path", path: out },
      statuses: ["seed", "draft", "ready", "published"],
    });
    const check = await epubcheck(
      await makeTempDir("meitheal-retreat-epub-"),
      "retreat.epub",
      await readFile(out),
    );
    const epubProblems = epubErrors(check.output);

    for (const d of devices) d.loopMax = Math.max(d.loopMax, loopMaxOf(d.peer.output()));
    const bytesSent = devices.map(() => 0);
    for (const r of pairRelays.values()) {
      bytesSent[r.from]! += r.relay.bytes.forward;
      bytesSent[r.to]! += r.relay.bytes.back;
    }
    return {
      peers: o.peers,
      writers: writerIdx.length,
      loggers: loggerIdx.length,
      sentencesTyped: typed.length,
      wordsTyped: typed.reduce((n, s) => n + s.split(" ").length, 0),
      wordsFound,
      logEntries: noted.length,
      mapNodes: nodes.length,
      partitionMinutes,
      convergeSeconds,
      peersInSyncSeconds,
      windowReconnects: devices.reduce((n, d) => n + d.reconnects, 0),
      longestLoopBlockMs: devices.map((d) => d.loopMax),
      bytesSent,
      documents,
      identical,
      epubErrors: epubProblems,
      problems,
    };
  } finally {
    for (const d of devices) await d.window?.shutdown().catch(() => undefined);
    for (const d of devices) d.rpc?.close();
    for (const r of relays) await r.close();
    for (const d of devices) {
      await d.peer.stop().catch(() => undefined);
      await removeDir(d.dir);
    }
  }
}

const port = (peer: ServedPeer) => Number(peer.syncAddress?.split(":")[1]);

async function allInSync(
  devices: Device[],
  status: (d: Device) => Promise<SyncStatus>,
  links: number,
  ms: number,
) {
  let last = "";
  try {
    await eventually(
      async () => {
        const all = await Promise.all(devices.map(status));
        last = all
          .map(
            (s, i) =>
              `${devices[i]!.name}: ${s.state}, ${s.peers.length} links, ${s.documents.here}/${s.documents.total}`,
          )
          .join("; ");
        return all.every((s) => s.state === "in-sync" && s.peers.length === links)
          ? true
          : undefined;
      },
      ms,
      `every peer in sync with ${links} links`,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${last}`);
  }
}
