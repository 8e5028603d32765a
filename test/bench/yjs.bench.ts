// A Yjs reference beside our sync benchmarks: what people would pick instead of Meitheal's
// Automerge stack (`yjs` + `y-prosemirror`, linked the way y-websocket links documents), measured
// on the same loopback and the same fixture, so the numbers in bench/results.json sit side by side:
// - yjs.remote.p50/p99: a keystroke's trip between two Y.Docs in this process over one plain `ws`
//   WebSocket on 127.0.0.1, speaking y-protocols/sync (step 1/2, then one update message per
//   transaction, as y-websocket does). The document is a story shaped like ours (fields of
//   `initStory`, body converted by y-prosemirror from the ProseMirror document of OUR schema that
//   our own body reads as); each keystroke inserts one character into the paragraph's Y.XmlText.
//   Same text, gaps, count and warm-up as sync.remote (syncFixtures.ts). Mirrors sync.remote.*.
// - yjs.firstSync1000: the 1,000 stories of our cold-start fixture (fixtures.ts), each read from
//   our storage and rebuilt as a Y.Doc (same title, summary, fields and body), held by a "server";
//   a fresh client opens ONE WebSocket and fetches them all with sync step 1/2, multiplexed by a
//   small frame (document id + y-protocols message). Timed from opening the socket until the client
//   has applied all 1,000. 5 runs, median. Mirrors sync.firstSync1000 (and its stock reference).
// - yjs.rss1000: a fresh process holding those 1,000 Y.Docs, loaded from their encoded state files;
//   yjs.rss1000.automerge: the same process loading the same stories' Automerge bytes instead.
// What differs, so nobody misreads the comparison: Yjs here has no storage (nothing is written to
// disk on either side), no encryption (plain WebSocket, no Noise), no access checks, no index
// document (the client is handed the ids, like the stock automerge-repo reference), no sync
// throttle (every keystroke is sent at once), and Yjs keeps no history (it garbage-collects deleted
// content; ours keeps every change, for versions): ours pays for all of these. y-websocket opens
// one socket per document; the multiplexed frame is ours, to match our one link per device. Both
// ends of every link share this process's event loop, as in sync.bench.ts. And peer.rss1000 is a
// whole peer after listing a community (it reads the index, 1 document), not 1,000 stories in
// memory: yjs.rss1000.automerge is the like-for-like.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as Automerge from "@automerge/automerge";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import type { Node as PmNode } from "prosemirror-model";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { prosemirrorToYXmlFragment } from "y-prosemirror";
import * as sync from "y-protocols/sync";
import * as Y from "yjs";
import { communityDir } from "../../peer/communities.ts";
import { SafeFsStorageAdapter } from "../../peer/storage/fsStorage.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { initStory } from "../../shared/ops/story.ts";
import { readBody } from "../../shared/richtext/body.ts";
import { storySchemaAdapter } from "../../shared/richtext/schema.ts";
import type { Story } from "../../shared/schema/story.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { communityWith1000Stories } from "./fixtures.ts";
import { median, once, quantile, quick, round, runJsonChild, type Bench } from "./registry.ts";
import {
  KEYSTROKES,
  WARM_UP,
  settleCpu,
  sleep,
  typedText,
  typingGaps,
  waitFor,
  type Typing,
} from "./syncFixtures.ts";
import type { YjsMemorySample } from "./yjs.child.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RESULTS = join(REPO_ROOT, "bench", "results.json");
const CHILD = fileURLToPath(new URL("./yjs.child.ts", import.meta.url));

/** Runs of the first sync and of each memory child (min / median / max are reported). */
const runs = () => (quick() ? 1 : 5);
/** Timed keystrokes: sync.remote's count, fewer in a quick run (the same gaps, cut short). */
const keystrokes = () => (quick() ? 40 : KEYSTROKES);
const FIRST_SYNC_DEADLINE_MS = 60_000;

/**
 * A number from bench/results.json as an earlier run saved it (this run's are merged only at its
 * end), to put ours beside the Yjs number in a note without paying for our benchmark again.
 */
async function saved(name: string): Promise<number | undefined> {
  try {
    const all = JSON.parse(await readFile(RESULTS, "utf8")) as Record<string, { value?: unknown }>;
    const value = all[name]?.value;
    return typeof value === "number" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** "min 812 / median 1026 / max 1203 ms (5 runs)", as sync.bench.ts writes it. */
const spread = (values: readonly number[], unit = "ms") =>
  `min ${round(Math.min(...values))} / median ${round(median(values))} / max ${round(Math.max(...values))} ${unit} (${values.length} run${values.length === 1 ? "" : "s"})`;

const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;

// ---------------------------------------------------------------------------------------------
// Stories as Yjs holds them.

const RECORDS = new Set(["themes", "contributors", "actors", "comments", "versions"]);

/**
 * One of our stories as a Y.Doc, the way a Yjs app would shape it: the fields in a Y.Map (title
 * and summary as plain values, set whole like ours), every record a nested Y.Map (created with the
 * story, as ours are), and the body a Y.XmlFragment converted by y-prosemirror from the ProseMirror
 * document our editor reads the Automerge body as.
 */
function yjsStory(story: Automerge.Doc<Story>): Y.Doc {
  const body: PmNode = readBody(storySchemaAdapter, Automerge.spans(story, ["body"])).doc;
  const doc = new Y.Doc();
  doc.transact(() => {
    const fields = doc.getMap<unknown>("story");
    for (const [key, value] of Object.entries(story)) {
      if (key === "body") continue;
      if (RECORDS.has(key) && typeof value === "object" && value !== null) {
        fields.set(key, new Y.Map<unknown>(Object.entries(value)));
      } else fields.set(key, value);
    }
    prosemirrorToYXmlFragment(body, doc.getXmlFragment("body"));
  });
  return doc;
}

type Corpus = {
  ids: string[];
  /** Each story's Automerge bytes as our storage holds them. */
  automerge: Uint8Array[];
  /** The same stories as Y.Docs: the server side of the first sync. */
  yjs: Y.Doc[];
  /** Sums of Automerge's stored bytes and of Y.encodeStateAsUpdate, and the index we also sync. */
  automergeBytes: number;
  yjsBytes: number;
  indexBytes: number;
};

/** The cold-start fixture's stories, read from our storage and rebuilt as Y.Docs (untimed). */
const corpus = once(async (): Promise<Corpus> => {
  const fixture = await communityWith1000Stories();
  const storage = new SafeFsStorageAdapter({
    dir: join(communityDir(fixture.dataDir, fixture.communityId), "docs"),
    quarantineDir: join(fixture.dataDir, "quarantine-yjs"),
  });
  const bytesOf = (docId: string) => {
    const bytes = storage.documentBytesSync(docId);
    if (!bytes) throw new Error(`document ${docId} is not in the fixture`);
    return bytes;
  };
  const automerge = fixture.storyIds.map(bytesOf);
  const yjs = automerge.map((bytes) => yjsStory(Automerge.load<Story>(bytes)));
  const sum = (list: Uint8Array[]) => list.reduce((n, b) => n + b.byteLength, 0);
  return {
    ids: fixture.storyIds,
    automerge,
    yjs,
    automergeBytes: sum(automerge),
    yjsBytes: sum(yjs.map((d) => Y.encodeStateAsUpdate(d))),
    indexBytes: bytesOf(fixture.communityId).byteLength,
  };
});

// ---------------------------------------------------------------------------------------------
// The wire: y-websocket's sync over plain `ws`, written small.

/** y-websocket's first byte for a sync message (awareness, its other kind, is not used here). */
const MESSAGE_SYNC = 0;

const bytesOf = (data: RawData): Uint8Array =>
  Array.isArray(data)
    ? Buffer.concat(data)
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : data;

async function listen(): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` };
}

async function closeAll(wss: WebSocketServer, client: WebSocket | undefined): Promise<void> {
  client?.terminate();
  // ws's close() waits for the connections it accepted, which it does not end itself.
  for (const socket of wss.clients) socket.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
}

/**
 * Links one Y.Doc to one socket as y-websocket does: sends sync step 1 now, answers step 1 with
 * step 2, applies step 2 and updates, and sends each local transaction as an update message at
 * once (an update that came from this socket is not sent back).
 */
function linkDoc(doc: Y.Doc, socket: WebSocket): void {
  const send = (encoder: encoding.Encoder) => socket.send(encoding.toUint8Array(encoder));
  const message = () => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    return encoder;
  };
  doc.on("update", (update: Uint8Array, origin: unknown) => {
    if (origin === socket) return;
    const encoder = message();
    sync.writeUpdate(encoder, update);
    send(encoder);
  });
  socket.on("message", (data: RawData) => {
    const decoder = decoding.createDecoder(bytesOf(data));
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return;
    const reply = message();
    sync.readSyncMessage(decoder, reply, doc, socket);
    if (encoding.length(reply) > 1) send(reply);
  });
  const step1 = message();
  sync.writeSyncStep1(step1, doc);
  send(step1);
}

// ---------------------------------------------------------------------------------------------
// Remote keystroke latency.

/** The Y.XmlText of the body's first paragraph, once the document has one. */
function paragraphText(doc: Y.Doc): Y.XmlText | undefined {
  const paragraph = doc.getXmlFragment("body").get(0);
  const text = paragraph instanceof Y.XmlElement ? paragraph.get(0) : undefined;
  return text instanceof Y.XmlText ? text : undefined;
}

/**
 * syncFixtures' typeAndTime for Yjs: the same text at the same cadence (warm-up at 125 ms, not
 * counted), one transaction per character on A, each timed until B's paragraph is that long.
 */
async function typeAndTimeYjs(
  writer: Y.XmlText,
  reader: Y.XmlText,
  count: number,
): Promise<Typing> {
  const start = reader.length;
  if (writer.length !== start) throw new Error("the two sides differ before typing");
  const typed = typedText(WARM_UP + count);
  const sentAt: number[] = [];
  const seenAt: number[] = [];
  const onChange = () => {
    const now = performance.now();
    const have = reader.length - start;
    while (seenAt.length < typed.length && have > seenAt.length) seenAt.push(now);
  };
  reader.observe(onChange);
  try {
    const schedule = [...Array<number>(WARM_UP).fill(125), ...typingGaps(count)];
    const began = performance.now();
    let due = 0;
    for (let i = 0; i < typed.length; i++) {
      sentAt.push(performance.now());
      writer.insert(start + i, typed[i] ?? " ");
      due += schedule[i] ?? 125;
      const wait = began + due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    for (let i = 0; i < 200 && seenAt.length < typed.length; i++) await sleep(25);
  } finally {
    reader.unobserve(onChange);
  }
  const latencies = sentAt
    .slice(WARM_UP)
    .map((t, i) => (seenAt[WARM_UP + i] ?? Number.NaN) - t)
    .filter(Number.isFinite);
  return { latencies, lost: count - latencies.length };
}

/**
 * A new story (initStory, blank template, as sync.remote's "Latency" story) on A, served over
 * the socket; B connects with an empty Y.Doc, syncs, and A types into the body's paragraph.
 */
const remoteYjs = once(async (): Promise<Typing & { bytes: number }> => {
  const story = Automerge.change(Automerge.init<Story>(), (d) =>
    initStory(d, { communityId: "yjs", title: "Latency" }, systemContext()),
  );
  const a = yjsStory(story);
  // A blank body is one empty paragraph with no text in it yet: the first keystroke a Yjs editor
  // sends would create the Y.XmlText, so it is made here, before timing, and only typing is timed.
  const paragraph = a.getXmlFragment("body").get(0);
  if (!(paragraph instanceof Y.XmlElement)) throw new Error("the blank body has no paragraph");
  paragraph.insert(0, [new Y.XmlText()]);
  const { wss, url } = await listen();
  let client: WebSocket | undefined;
  try {
    wss.on("connection", (socket) => linkDoc(a, socket));
    const b = new Y.Doc();
    client = new WebSocket(url);
    const opened = client;
    await new Promise<void>((resolve, reject) => {
      opened.once("open", resolve);
      opened.once("error", reject);
    });
    linkDoc(b, opened);
    const theirs = await waitFor(() => paragraphText(b), 10_000, "the story on B");
    const ours = paragraphText(a);
    if (!ours) throw new Error("A lost its paragraph text");
    const bytes = Y.encodeStateAsUpdate(b).byteLength;
    await settleCpu();
    return { ...(await typeAndTimeYjs(ours, theirs, keystrokes())), bytes };
  } finally {
    await closeAll(wss, client);
  }
});

const sample = (r: Typing) =>
  `${r.latencies.length} keystrokes` +
  (r.lost > 0 ? ` (${r.lost} NEVER ARRIVED)` : "") +
  `, gaps median ${round(median(typingGaps(keystrokes())))} ms (40–210), after ${WARM_UP} warm-up`;

// ---------------------------------------------------------------------------------------------
// First sync of 1,000 stories.

type FirstSync = { ms: number; frames: number; bytes: number };

/** A frame of the multiplexed link: the document id, then one y-protocols sync message. */
const frame = (id: string) => {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, id);
  return encoder;
};

/**
 * The server answers each document's step 1 with step 2 followed by its own step 1 (y-protocols'
 * client-server order); the client creates an empty Y.Doc per id on open, sends step 1 for each,
 * applies each step 2 and answers the server's step 1 with its (empty) step 2.
 */
async function firstSyncOnce(c: Corpus): Promise<FirstSync> {
  const served = new Map(c.ids.map((id, i) => [id, c.yjs[i]]));
  const { wss, url } = await listen();
  wss.on("connection", (socket) => {
    socket.on("message", (data: RawData) => {
      const decoder = decoding.createDecoder(bytesOf(data));
      const id = decoding.readVarString(decoder);
      const doc = served.get(id);
      if (!doc) return;
      const reply = frame(id);
      if (sync.readSyncMessage(decoder, reply, doc, socket) !== sync.messageYjsSyncStep1) return;
      socket.send(encoding.toUint8Array(reply));
      const step1 = frame(id);
      sync.writeSyncStep1(step1, doc);
      socket.send(encoding.toUint8Array(step1));
    });
  });
  let client: WebSocket | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    await settleCpu();
    const docs = new Map<string, Y.Doc>();
    const applied = new Set<string>();
    let frames = 0;
    let bytes = 0;
    const started = performance.now();
    const socket = new WebSocket(url);
    client = socket;
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `${applied.size} of ${c.ids.length} documents after ${FIRST_SYNC_DEADLINE_MS / 1000} s`,
            ),
          ),
        FIRST_SYNC_DEADLINE_MS,
      );
      socket.once("error", reject);
      socket.once("open", () => {
        for (const id of c.ids) {
          const doc = new Y.Doc();
          docs.set(id, doc);
          const step1 = frame(id);
          sync.writeSyncStep1(step1, doc);
          socket.send(encoding.toUint8Array(step1));
        }
      });
      socket.on("message", (data: RawData) => {
        const message = bytesOf(data);
        frames++;
        bytes += message.byteLength;
        const decoder = decoding.createDecoder(message);
        const id = decoding.readVarString(decoder);
        const doc = docs.get(id);
        if (!doc) return;
        const reply = frame(id);
        const kind = sync.readSyncMessage(decoder, reply, doc, socket);
        if (kind === sync.messageYjsSyncStep1) socket.send(encoding.toUint8Array(reply));
        else if (kind === sync.messageYjsSyncStep2) {
          applied.add(id);
          if (applied.size === c.ids.length) resolve();
        }
      });
    });
    const ms = performance.now() - started;
    // What arrived is what was served (outside the timing): a fast wrong answer is no answer.
    for (const [i, id] of c.ids.entries()) {
      const mine = docs.get(id);
      const theirs = c.yjs[i];
      if (!mine || !theirs) throw new Error(`story ${i} is missing`);
      const same = (d: Y.Doc) =>
        `${String(d.getMap("story").get("title"))}|${d.getXmlFragment("body").toJSON()}`;
      if (same(mine) !== same(theirs)) throw new Error(`story ${i} arrived different`);
    }
    return { ms, frames, bytes };
  } finally {
    clearTimeout(timer);
    await closeAll(wss, client);
  }
}

const firstSyncSeries = once(async (): Promise<{ runs: FirstSync[]; corpus: Corpus }> => {
  const c = await corpus();
  const out: FirstSync[] = [];
  for (let i = 0; i < runs(); i++) out.push(await firstSyncOnce(c));
  return { runs: out, corpus: c };
});

// ---------------------------------------------------------------------------------------------
// Memory: a fresh process per sample, as peer.rss1000 measures.

const runChild = (mode: "yjs" | "automerge", dir: string): Promise<YjsMemorySample> =>
  runJsonChild<YjsMemorySample>(CHILD, [mode, dir], `memory child (${mode})`);

/** One file per story in each of two folders, then fresh processes taking turns (untimed setup). */
const memory = once(async () => {
  const c = await corpus();
  const dir = await makeTempDir("meitheal-bench-yjs-");
  try {
    const write = async (mode: "yjs" | "automerge", states: Uint8Array[]) => {
      await mkdir(join(dir, mode));
      for (const [i, state] of states.entries())
        await writeFile(join(dir, mode, String(i).padStart(5, "0")), state);
    };
    await write(
      "yjs",
      c.yjs.map((d) => Y.encodeStateAsUpdate(d)),
    );
    await write("automerge", c.automerge);
    const out = { yjs: [] as YjsMemorySample[], automerge: [] as YjsMemorySample[] };
    for (let i = 0; i < runs(); i++) {
      out.yjs.push(await runChild("yjs", join(dir, "yjs")));
      out.automerge.push(await runChild("automerge", join(dir, "automerge")));
    }
    return out;
  } finally {
    await removeDir(dir);
  }
});

const range = (values: number[]) => `${round(Math.min(...values))}–${round(Math.max(...values))}`;

const memoryNote = (samples: YjsMemorySample[]) => {
  const rss = samples.map((s) => s.rssMB);
  const before = median(samples.map((s) => s.rssBeforeMB));
  const pick = (f: (s: YjsMemorySample) => number) => round(median(samples.map(f)));
  return (
    `after loading ${samples[0]?.documents} stories (${kib(samples[0]?.bytes ?? 0)} of files) and gc, ` +
    `median of ${samples.length} fresh processes (${range(rss)}); ${round(before)} MB before loading ` +
    `(node + tsx + yjs + automerge), so +${round(median(rss) - before)} MB; heap used ${pick((s) => s.heapUsedMB)} MB; ` +
    `loaded in ${pick((s) => s.loadMs)} ms`
  );
};

// ---------------------------------------------------------------------------------------------

export const benches: Bench[] = [
  {
    name: "yjs.remote.p50.ms",
    unit: "ms",
    async run() {
      const r = await remoteYjs();
      const p50 = quantile(r.latencies, 0.5);
      const ours = await saved("sync.remote.p50.ms");
      return {
        value: p50,
        note:
          `Y.Doc to Y.Doc in one process, y-protocols sync over plain ws 127.0.0.1, no throttle; ${sample(r)}; ` +
          `the story ${r.bytes} bytes encoded before typing` +
          (ours === undefined
            ? ""
            : `; ours: sync.remote.p50 ${ours} ms in bench/results.json before this run, ${round(ours / p50, 1)}× the Yjs p50`),
      };
    },
  },
  {
    name: "yjs.remote.p99.ms",
    unit: "ms",
    async run() {
      const r = await remoteYjs();
      const ours = await saved("sync.remote.p99.ms");
      return {
        value: quantile(r.latencies, 0.99),
        note:
          `max ${round(Math.max(...r.latencies))} ms` +
          (ours === undefined
            ? ""
            : `; ours: sync.remote.p99 ${ours} ms in bench/results.json before this run`),
      };
    },
  },
  {
    name: "yjs.firstSync1000.ms",
    unit: "ms",
    async run() {
      const { runs: series, corpus: c } = await firstSyncSeries();
      const ms = series.map((r) => r.ms);
      const last = series[series.length - 1];
      const ours = await saved("sync.firstSync1000.ms");
      return {
        value: median(ms),
        note:
          `median of ${spread(ms)}; ${c.ids.length} stories over one ws 127.0.0.1, step 1/2 per story by id, client handed the ids; ` +
          `last run ${last?.frames} frames, ${kib(last?.bytes ?? 0)} received; ` +
          `Yjs encoded ${kib(c.yjsBytes)} vs our stored ${kib(c.automergeBytes)} for the same stories (+ ${kib(c.indexBytes)} index, which ours also syncs)` +
          (ours === undefined
            ? ""
            : `; ours: sync.firstSync1000 ${ours} ms in bench/results.json before this run (1,001 documents, Noise, storage)`),
      };
    },
  },
  {
    name: "yjs.rss1000.MB",
    unit: "MB",
    async run() {
      const samples = (await memory()).yjs;
      const ours = await saved("peer.rss1000.MB");
      return {
        value: median(samples.map((s) => s.rssMB)),
        note:
          `Y.Docs from their encoded state; ${memoryNote(samples)}` +
          (ours === undefined
            ? ""
            : `; not comparable to peer.rss1000 (${ours} MB in bench/results.json before this run), a whole peer after listing that has read 1 document: yjs.rss1000.automerge is the like-for-like`),
      };
    },
  },
  {
    name: "yjs.rss1000.automerge.MB",
    unit: "MB",
    async run() {
      const samples = (await memory()).automerge;
      return {
        value: median(samples.map((s) => s.rssMB)),
        note: `the same child with Automerge.load of the same stories' stored bytes; ${memoryNote(samples)}`,
      };
    },
  },
];
