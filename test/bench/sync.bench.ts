// LAN sync benchmarks, with PeerNodes in this process linked over the secure transport (Noise over
// TCP on 127.0.0.1, paired by invite, no discovery):
// - a keystroke's trip from one device's repo to the other's, against stock automerge-repo (two
//   Repos, same storage adapter, plain WebSocket, stock 100 ms throttle) in the same run;
// - a new device's first sync of a 1,000-story community (5 runs), quiet and with two threads
//   spinning, beside stock automerge-repo fetching the same documents and the floor (loading them
//   from memory);
// - 12 devices converging after each made a change at the same moment.
// Every peer shares this process's event loop, so a time is both sides' work plus the wire.
import type { AddressInfo } from "node:net";
import { cp } from "node:fs/promises";
import { join } from "node:path";
import * as Automerge from "@automerge/automerge";
import { Repo, type AutomergeUrl, type DocHandle, type PeerId } from "@automerge/automerge-repo";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import {
  WebSocketClientAdapter,
  WebSocketServerAdapter,
} from "@automerge/automerge-repo-network-websocket";
import { WebSocketServer } from "ws";
import { SafeFsStorageAdapter } from "../../peer/storage/fsStorage.ts";
import type { PeerNode } from "../../peer/peerNode.ts";
import { initStory } from "../../shared/ops/story.ts";
import { systemContext } from "../../shared/ops/context.ts";
import {
  LIVE_SYNC_THROTTLE_MS,
  STOCK_SYNC_THROTTLE_MS,
  effectiveSyncThrottle,
  resetSyncThrottle,
} from "../../shared/syncTuning.ts";
import type { Story } from "../../shared/schema/story.ts";
import { communityWith1000Stories } from "./fixtures.ts";
import { communityDir } from "../../peer/communities.ts";
import { median, once, quantile, quick, round, type Bench } from "./registry.ts";
import {
  KEYSTROKES,
  Lab,
  createStory,
  indexOf,
  repoOf,
  settleCpu,
  settled,
  sleep,
  statusOf,
  throttleOf,
  typeAndTime,
  typingGaps,
  waitFor,
  type Typing,
} from "./syncFixtures.ts";

type Remote = Typing & { throttles: string };

/** The port a `ws` server on 127.0.0.1 listens on, once it does. */
async function listening(wss: WebSocketServer): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  return (wss.address() as AddressInfo).port;
}

const rates = (a: number | undefined, b: number | undefined) =>
  `A ${a ?? "?"} ms, B ${b ?? "?"} ms`;

/** Two PeerNodes paired by invite; a story made and listed on A; B's copy timed per keystroke. */
const remoteOurs = once(async (): Promise<Remote> => {
  const lab = new Lab();
  try {
    const a = await lab.peer("a");
    const b = await lab.peer("b");
    const id = await lab.found(a, "Bench");
    await lab.invite(a, b, id);
    const bothSettled = () => (settled(a, id) && settled(b, id)) || undefined;
    await waitFor(bothSettled, 20_000, "A and B in sync after pairing");
    const story = createStory(a, id, "Latency");
    const theirs = await waitFor(
      () => {
        const h = repoOf(b, id).handles[story.documentId] as DocHandle<Story> | undefined;
        return h?.isReady() && h.doc().title === "Latency" ? h : undefined;
      },
      20_000,
      "the story on B",
    );
    await waitFor(bothSettled, 20_000, "A and B in sync with the story");
    const throttles = rates(throttleOf(repoOf(a, id), story), throttleOf(repoOf(b, id), theirs));
    return { ...(await typeAndTime(story, theirs)), throttles };
  } finally {
    await lab.close();
  }
});

/**
 * Stock automerge-repo: two Repos on the same storage adapter as the peers (temp folders, not
 * ephemeral), a WebSocketServerAdapter on a `ws` server on 127.0.0.1 and a WebSocketClientAdapter,
 * automerge-repo's own 100 ms throttle (the peers' tuning is undone first: it is process-wide).
 */
const remoteStock = once(async (): Promise<Remote> => {
  resetSyncThrottle();
  if (effectiveSyncThrottle() !== STOCK_SYNC_THROTTLE_MS)
    throw new Error(`the stock throttle did not come back (${effectiveSyncThrottle()} ms)`);
  const lab = new Lab();
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  const repos: Repo[] = [];
  try {
    const port = await listening(wss);
    const repo = async (name: string, network: Repo["networkSubsystem"]["adapters"]) => {
      const dir = await lab.dir(`meitheal-bench-stock-${name}-`);
      const storage = new SafeFsStorageAdapter({
        dir: join(dir, "docs"),
        quarantineDir: join(dir, "quarantine"),
      });
      lab.trackStorage(storage);
      const r = new Repo({
        storage,
        network,
        peerId: `stock-${name}` as PeerId,
        isEphemeral: false,
      });
      repos.push(r);
      return r;
    };
    const server = new WebSocketServerAdapter(
      wss as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0],
    );
    const repoA = await repo("a", [server]);
    const repoB = await repo("b", [new WebSocketClientAdapter(`ws://127.0.0.1:${port}`)]);
    await waitFor(
      () => (repoA.peers.length > 0 && repoB.peers.length > 0) || undefined,
      10_000,
      "the stock repos connected",
    );
    const story = repoA.create<Story>();
    story.change((d) => initStory(d, { communityId: "stock", title: "Latency" }, systemContext()));
    let theirs: DocHandle<Story> | undefined;
    for (let i = 0; i < 100 && !theirs; i++) {
      try {
        theirs = await repoB.find<Story>(story.url);
      } catch {
        await sleep(50);
      }
    }
    if (!theirs) throw new Error("the stock reader never found the story");
    const throttles = rates(throttleOf(repoA, story), throttleOf(repoB, theirs));
    return { ...(await typeAndTime(story, theirs)), throttles };
  } finally {
    for (const r of repos.reverse()) await r.shutdown().catch(() => undefined);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await lab.close();
  }
});

const sample = (r: Remote) =>
  `${r.latencies.length} keystrokes` +
  (r.lost > 0 ? ` (${r.lost} NEVER ARRIVED)` : "") +
  `, gaps median ${round(median(typingGaps(KEYSTROKES)))} ms (40–210), after 12 warm-up`;

// ---------------------------------------------------------------------------------------------

type FirstSync = {
  ms: number;
  total: number;
  marks: string;
  polls: number;
  statusMs: number;
};

/** No change in B's progress for this long: report where it stuck instead of waiting out the deadline. */
const FIRST_SYNC_STALL_MS = 10_000;
const FIRST_SYNC_DEADLINE_MS = 90_000;
/** Runs of each first-sync measure (min / median / max are reported). */
const FIRST_SYNC_RUNS = 5;
const runs = () => (quick() ? 1 : FIRST_SYNC_RUNS);

/**
 * A device with a 1,000-story community (a copy of the cold-start fixture; its setup untimed)
 * invites a fresh device; timed from calling join until the new device says in sync with every
 * listed document here (status polled every 20 ms, its own cost reported).
 */
async function firstSyncOnce(): Promise<FirstSync> {
  const fixture = await communityWith1000Stories();
  const lab = new Lab();
  try {
    const dirA = await lab.dir("meitheal-bench-sync-first-a-");
    await cp(fixture.dataDir, dirA, { recursive: true });
    const a = await lab.peer("first-a", dirA);
    const b = await lab.peer("first-b");
    // A's start-up (its sweep of 1,001 files) is A's setup, not part of B's first sync.
    await settleCpu();
    const id = fixture.communityId;
    const marks: [string, number][] = [];
    const started = performance.now();
    const mark = (what: string) => marks.push([what, performance.now() - started]);
    await lab.invite(a, b, id);
    mark("paired");
    const reached = new Set<string>();
    const markOnce = (key: string, when: boolean, what = key) => {
      if (when && !reached.has(key)) {
        reached.add(key);
        mark(what);
      }
    };
    let polls = 0;
    let statusMs = 0;
    let progress = "";
    let progressAt = performance.now();
    const entriesOnB = () => {
      const index = b.community(id)?.index;
      return index?.isReady() ? Object.keys(index.doc().entries).length : 0;
    };
    for (;;) {
      const t = performance.now();
      const st = statusOf(b, id);
      statusMs += performance.now() - t;
      polls++;
      const { here, total } = st.documents;
      markOnce("index", entriesOnB() === fixture.storyIds.length, "index here");
      markOnce("listed", total > 2, `${total} listed`);
      markOnce("half", total > 2 && here * 2 >= total, "half here");
      markOnce("all", total > 2 && here === total, "all here");
      if (total > 2 && here === total && st.state === "in-sync") break;
      const now = performance.now();
      const key = `${st.state} ${here}/${total} ${st.gaps.length}`;
      if (key !== progress) [progress, progressAt] = [key, now];
      if (now - progressAt > FIRST_SYNC_STALL_MS || now - started > FIRST_SYNC_DEADLINE_MS) {
        throw new Error(
          `no progress for ${Math.round((now - progressAt) / 1000)} s: B at ${st.state}, ${here}/${total} here, ${st.gaps.length} gaps; ms from join: ${marks.map(([w, ms]) => `${w} ${Math.round(ms)}`).join(", ")}`,
        );
      }
      await sleep(20);
    }
    const ms = performance.now() - started;
    return {
      ms,
      total: statusOf(b, id).documents.total,
      marks: marks.map(([w, t]) => `${w} ${Math.round(t)}`).join(", "),
      polls,
      statusMs,
    };
  } finally {
    await lab.close();
  }
}

/** Two threads that spin for as long as `work` runs: the other jobs of a busy laptop. */
async function underContention<T>(work: () => Promise<T>): Promise<T> {
  const spinners = [0, 1].map(() => new Worker("for (;;) {}", { eval: true }));
  try {
    return await work();
  } finally {
    await Promise.all(spinners.map((w) => w.terminate()));
  }
}

const firstSyncSeries = (contended: boolean) =>
  once(async (): Promise<FirstSync[]> => {
    const out: FirstSync[] = [];
    for (let i = 0; i < runs(); i++)
      out.push(await (contended ? underContention(firstSyncOnce) : firstSyncOnce()));
    return out;
  });
const firstSyncQuiet = firstSyncSeries(false);
const firstSyncLoaded = firstSyncSeries(true);

/**
 * Stock automerge-repo fetching the same community: one Repo on a copy of the fixture's storage
 * (same storage adapter), an empty one linked by a plain WebSocket on 127.0.0.1 that finds every
 * document (it is handed the ids: stock's best case, no index to read first). Timed from the link
 * until every document is ready on the new side.
 */
async function stockFirstSyncOnce(): Promise<number> {
  resetSyncThrottle();
  const fixture = await communityWith1000Stories();
  const lab = new Lab();
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  const repos: Repo[] = [];
  try {
    const port = await listening(wss);
    const dirA = await lab.dir("meitheal-bench-stock-first-a-");
    await cp(communityDir(fixture.dataDir, fixture.communityId), dirA, { recursive: true });
    const dirB = await lab.dir("meitheal-bench-stock-first-b-");
    const repo = (name: string, dir: string, network: Repo["networkSubsystem"]["adapters"]) => {
      const storage = new SafeFsStorageAdapter({
        dir: join(dir, "docs"),
        quarantineDir: join(dir, "quarantine"),
      });
      lab.trackStorage(storage);
      const r = new Repo({ storage, network, peerId: `stock-${name}` as PeerId, isEphemeral: false });
      repos.push(r);
      return r;
    };
    const ids = [fixture.communityId, ...fixture.storyIds];
    repo("a", dirA, [
      new WebSocketServerAdapter(
        wss as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0],
      ),
    ]);
    await settleCpu();
    const started = performance.now();
    const b = repo("b", dirB, [new WebSocketClientAdapter(`ws://127.0.0.1:${port}`)]);
    await waitFor(() => (b.peers.length > 0 ? true : undefined), 10_000, "the stock repos linked");
    await Promise.all(ids.map((docId) => b.find(`automerge:${docId}` as AutomergeUrl)));
    return performance.now() - started;
  } finally {
    for (const r of repos.reverse()) await r.shutdown().catch(() => undefined);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await lab.close();
  }
}

const stockFirstSync = once(async (): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < runs(); i++) out.push(await stockFirstSyncOnce());
  return out;
});

/** The floor: `Automerge.load` of every document's stored bytes, already in memory. */
const firstSyncFloor = once(async (): Promise<{ ms: number[]; bytes: number; docs: number }> => {
  const fixture = await communityWith1000Stories();
  const storage = new SafeFsStorageAdapter({
    dir: join(communityDir(fixture.dataDir, fixture.communityId), "docs"),
    quarantineDir: join(fixture.dataDir, "quarantine-floor"),
  });
  const all = [fixture.communityId, ...fixture.storyIds].map((docId) => {
    const bytes = storage.documentBytesSync(docId);
    if (!bytes) throw new Error(`document ${docId} is not in the fixture`);
    return bytes;
  });
  const ms: number[] = [];
  for (let i = 0; i < runs(); i++) {
    await settleCpu();
    const started = performance.now();
    for (const bytes of all) Automerge.load(bytes);
    ms.push(performance.now() - started);
  }
  return { ms, bytes: all.reduce((sum, b) => sum + b.byteLength, 0), docs: all.length };
});

/** "min 812 / median 1026 / max 1203 ms (5 runs)". */
const spread = (values: readonly number[], unit = "ms") =>
  `min ${round(Math.min(...values))} / median ${round(median(values))} / max ${round(Math.max(...values))} ${unit} (${values.length} run${values.length === 1 ? "" : "s"})`;

// ---------------------------------------------------------------------------------------------

const PEERS = 12;

/** Who is not in sync, and on what: "p3 syncing 14/14: story 7 differs for p5,p9". */
function describeMesh(nodes: PeerNode[], id: string, stories: string[]): string {
  const name = new Map(nodes.map((n, i) => [n.device.publicKey as string, `p${i}`]));
  const doc = (docId: string) => {
    const i = stories.indexOf(docId);
    return i >= 0 ? `story ${i}` : docId === id ? "index" : docId.slice(0, 6);
  };
  const stuck = nodes.flatMap((n, i) => {
    const s = statusOf(n, id);
    if (s.state === "in-sync") return [];
    const gaps = s.gaps
      .slice(0, 4)
      .map(
        (g) => `${doc(g.documentId)} ${g.reason} for ${g.peers.map((k) => name.get(k)).join(",")}`,
      );
    return [`p${i} ${s.state} ${s.documents.here}/${s.documents.total}: ${gaps.join("; ")}`];
  });
  return stuck.length === 0 ? "all in sync" : stuck.join(" | ");
}

type Converge = {
  ms: number;
  allChanges: number;
  links: number;
  topology: string;
  setup: number;
  statusMs: number;
};

/**
 * 12 devices: A founds and invites the others one by one; then every device is given the others'
 * addresses (sync.connect) so they link as a mesh. Once all are in sync, each adds a story at the
 * same moment; timed until all 12 say in sync and every index lists all 12 stories.
 */
const converge12 = once(async (): Promise<Converge> => {
  const lab = new Lab();
  const setupStarted = performance.now();
  try {
    const nodes: PeerNode[] = [];
    for (let i = 0; i < PEERS; i++) nodes.push(await lab.peer(`p${i}`));
    const [founder, ...others] = nodes;
    if (!founder) throw new Error("no peers");
    const id = await lab.found(founder, "Twelve");
    for (const node of others) await lab.invite(founder, node, id);
    const members = (n: PeerNode) => {
      const m = n.sync!.members(n.community(id)!);
      return m.ok ? m.value.length : 0;
    };
    await waitFor(
      () => nodes.every((n) => members(n) === PEERS) || undefined,
      30_000,
      () => `every roster lists ${PEERS} (${nodes.map(members).join(",")})`,
    );
    // A mesh: every joiner already links the founder (the invite's address); each other pair is
    // dialled from one side, the later joiner to the earlier one's listener.
    for (let i = 0; i < PEERS; i++)
      for (let j = 1; j < i; j++) {
        const address = nodes[j]?.sync!.listening()[0];
        if (address) nodes[i]?.sync!.connect(address);
      }
    const linked = (n: PeerNode) => statusOf(n, id).peers.length;
    await waitFor(
      () => nodes.every((n) => linked(n) === PEERS - 1 && settled(n, id)) || undefined,
      60_000,
      () => `a full mesh in sync (links per peer ${nodes.map(linked).join(",")})`,
    );
    const links = nodes.reduce((sum, n) => sum + linked(n), 0) / 2;
    const setup = performance.now() - setupStarted;

    const started = performance.now();
    const stories = nodes.map((n, i) => createStory(n, id, `Change ${i + 1}`).documentId);
    const hasAll = (n: PeerNode) => {
      const entries = indexOf(n, id).doc().entries;
      return stories.every((s) => s in entries);
    };
    let allChanges = Number.NaN;
    let statusMs = 0;
    await waitFor(
      () => {
        if (Number.isNaN(allChanges) && nodes.every(hasAll))
          allChanges = performance.now() - started;
        if (Number.isNaN(allChanges)) return undefined;
        const t = performance.now();
        const done = nodes.every((n) => settled(n, id, PEERS - 1));
        statusMs += performance.now() - t;
        return done || undefined;
      },
      60_000,
      () => `all ${PEERS} in sync with ${PEERS} changes; ${describeMesh(nodes, id, stories)}`,
    );
    const ms = performance.now() - started;
    return { ms, allChanges, links, topology: "mesh", setup, statusMs };
  } finally {
    await lab.close();
  }
});

export const benches: Bench[] = [
  {
    name: "sync.remote.p50.ms",
    unit: "ms",
    goal: "≤ 1.2 × stock",
    async run() {
      const r = await remoteOurs();
      return {
        value: quantile(r.latencies, 0.5),
        note: `repo to repo, 2 PeerNodes in one process, Noise/TCP 127.0.0.1; ${sample(r)}; throttle ${r.throttles} (live ${LIVE_SYNC_THROTTLE_MS})`,
      };
    },
  },
  {
    name: "sync.remote.p99.ms",
    unit: "ms",
    async run() {
      const r = await remoteOurs();
      return {
        value: quantile(r.latencies, 0.99),
        note: `max ${round(Math.max(...r.latencies))} ms`,
      };
    },
  },
  {
    name: "sync.remoteStock.p50.ms",
    unit: "ms",
    async run() {
      const r = await remoteStock();
      return {
        value: quantile(r.latencies, 0.5),
        note: `stock automerge-repo, plain WebSocket 127.0.0.1, same storage adapter; ${sample(r)}; throttle ${r.throttles}; p99 ${round(quantile(r.latencies, 0.99))} ms`,
      };
    },
  },
  {
    name: "sync.ratioVsStock.ratio",
    unit: "ratio",
    goal: "<= 1.2",
    async run() {
      const ours = await remoteOurs();
      const stock = await remoteStock();
      const p50 = quantile(ours.latencies, 0.5);
      const stockP50 = quantile(stock.latencies, 0.5);
      return {
        value: p50 / stockP50,
        note: `p50 ${round(p50)} / ${round(stockP50)} ms (ours throttle ${ours.throttles}; stock ${stock.throttles}); p99 ${round(quantile(ours.latencies, 0.99))} / ${round(quantile(stock.latencies, 0.99))} ms`,
      };
    },
  },
  {
    name: "sync.firstSync1000.ms",
    unit: "ms",
    goal: "< 2000 ms",
    async run() {
      const series = await firstSyncQuiet();
      const ms = series.map((r) => r.ms);
      const last = series[series.length - 1];
      return {
        value: median(ms),
        note: `median of ${spread(ms)}; join → B in sync, ${last?.total} documents, catch-up then sync; last run, ms from join: ${last?.marks}; ${last?.polls} status polls took ${round(last?.statusMs ?? 0)} ms of it`,
      };
    },
  },
  {
    name: "sync.firstSync1000.stock.ms",
    unit: "ms",
    async run() {
      const ms = await stockFirstSync();
      return {
        value: median(ms),
        note: `median of ${spread(ms)}; stock automerge-repo, plain WebSocket 127.0.0.1, same storage adapter, finding all 1,001 documents by id`,
      };
    },
  },
  {
    name: "sync.firstSyncVsStock.ratio",
    unit: "ratio",
    goal: "<= 0.4",
    async run() {
      const ours = median((await firstSyncQuiet()).map((r) => r.ms));
      const stock = median(await stockFirstSync());
      return { value: ours / stock, note: `median ${round(ours)} / ${round(stock)} ms` };
    },
  },
  {
    name: "sync.firstSync1000.loaded.ms",
    unit: "ms",
    goal: "< 4000 ms",
    async run() {
      const series = await firstSyncLoaded();
      const ms = series.map((r) => r.ms);
      const last = series[series.length - 1];
      return {
        value: median(ms),
        note: `median of ${spread(ms)}; the same with two threads spinning on this machine's ${availableParallelism()} cores; last run: ${last?.marks}`,
      };
    },
  },
  {
    name: "sync.firstSync.floor.ms",
    unit: "ms",
    async run() {
      const floor = await firstSyncFloor();
      return {
        value: median(floor.ms),
        note: `median of ${spread(floor.ms)}; Automerge.load of the ${floor.docs} documents' stored bytes (${Math.round(floor.bytes / 1024)} KiB) from memory, nothing else`,
      };
    },
  },
  {
    name: "sync.peers12.converge.ms",
    unit: "ms",
    async run() {
      const r = await converge12();
      return {
        value: r.ms,
        note: `${PEERS} PeerNodes, ${r.topology}, ${r.links} links; each adds a story at once; every index has all ${PEERS} after ${round(r.allChanges)} ms, then polled status of all ${PEERS} every 20 ms (${round(r.statusMs)} ms of it); all in one process; setup ${round(r.setup / 1000)} s`,
      };
    },
  },
];
