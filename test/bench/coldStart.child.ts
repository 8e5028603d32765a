// One cold start, in a fresh process:
//   node --import tsx --expose-gc test/bench/coldStart.child.ts <dataDir> <stories listed>
// A fresh process because a warm one has automerge's wasm compiled, the JIT warmed and the files in
// its own caches, none of which a user opening the app has. Prints one JSON line (ColdStartSample).
//
// The storage adapter's prototype is wrapped to count what the peer reads while starting (the point
// of the index document is that a list needs one document, so anything more is a finding) and to
// split the time into phases, so a slow number comes with where it went.
import type { AutomergeUrl, StorageKey } from "@automerge/automerge-repo";
import { PeerNode } from "../../peer/peerNode.ts";
import { SafeFsStorageAdapter } from "../../peer/storage/fsStorage.ts";

export type ColdStartSample = {
  /** From just before PeerNode.start until listCommunities() shows the community with all its entries. */
  ms: number;
  /** Resident set after the listing (after a GC when run with --expose-gc). */
  rssMB: number;
  heapUsedMB: number;
  /** Resident set after the imports, before PeerNode.start: Node, tsx, automerge's wasm. */
  rssBeforeMB: number;
  /** From process start to just before PeerNode.start (imports; the app pays it too, not timed here). */
  importMs: number;
  /** repo.find of one story, after the cold start, until it is ready. */
  openStoryMs: number;
  /** Distinct documents the storage adapter was asked for during the cold start. */
  docsRead: number;
  /** Time spent inside the adapter's load/loadRange during the cold start (overlapping calls summed). */
  storageMs: number;
  /** From just before PeerNode.start to the adapter's first read: key, profile, registry, lock. */
  beforeFirstReadMs: number;
  /** In the adapter's sweepTempFiles, which walks the whole storage folder on every start. */
  sweepMs: number;
  /** From the adapter's last read to the listing: automerge loading the index, validation, summary. */
  afterLastReadMs: number;
};

const [dataDir, stories] = process.argv.slice(2);
// The fixture's size: 1,000 stories, fewer in a quick run (fixtures.ts).
const EXPECTED = Number(stories);
if (!dataDir || !Number.isInteger(EXPECTED) || EXPECTED <= 0) {
  process.stderr.write("usage: coldStart.child.ts <dataDir> <stories listed>\n");
  process.exit(2);
}

const reads = { docs: new Set<string>(), ms: 0, first: Number.NaN, last: Number.NaN, sweepMs: 0 };
const proto = SafeFsStorageAdapter.prototype;
// Unbound on purpose: the wrappers below call them with the real adapter as `this`.
// eslint-disable-next-line @typescript-eslint/unbound-method
const { load, loadRange, sweepTempFiles } = proto;
const timed = async <T>(key: StorageKey, fn: () => Promise<T>): Promise<T> => {
  const t = performance.now();
  if (Number.isNaN(reads.first)) reads.first = t;
  if (key[0] !== undefined && key[0] !== "storage-adapter-id") reads.docs.add(key[0]);
  try {
    return await fn();
  } finally {
    reads.last = performance.now();
    reads.ms += reads.last - t;
  }
};
proto.loadRange = function (this: SafeFsStorageAdapter, prefix: StorageKey) {
  return timed(prefix, () => loadRange.call(this, prefix));
};
proto.sweepTempFiles = async function (this: SafeFsStorageAdapter) {
  const t = performance.now();
  try {
    return await sweepTempFiles.call(this);
  } finally {
    reads.sweepMs += performance.now() - t;
  }
};
proto.load = function (this: SafeFsStorageAdapter, key: StorageKey) {
  return timed(key, () => load.call(this, key));
};

const LIST_TIMEOUT_MS = 60_000;

globalThis.gc?.();
const rssBeforeMB = process.memoryUsage().rss / 2 ** 20;
// performance.now() counts from process start, so this is what loading the modules cost.
const importMs = performance.now();

const t0 = performance.now();
const node = await PeerNode.start({ dataDir });
// start() already waits for every index, but a listing that is not yet complete is polled rather
// than trusted, so the number is "until the user sees every story", whatever start() does.
let listed = node.listCommunities();
while (listed[0]?.entryCount !== EXPECTED) {
  if (performance.now() - t0 > LIST_TIMEOUT_MS) {
    process.stderr.write(`listing never showed ${EXPECTED} entries: ${JSON.stringify(listed)}\n`);
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 1));
  listed = node.listCommunities();
}
const listedAt = performance.now();
const ms = listedAt - t0;
const docsRead = reads.docs.size;
const storageMs = reads.ms;
const beforeFirstReadMs = reads.first - t0;
const afterLastReadMs = listedAt - reads.last;

globalThis.gc?.();
const memory = process.memoryUsage();

const summary = listed[0];
const index = summary ? node.community(summary.id)?.index?.doc() : undefined;
const storyId = index ? Object.keys(index.entries)[0] : undefined;
const community = summary ? node.community(summary.id) : undefined;
if (!community || !storyId) {
  process.stderr.write("no story to open\n");
  process.exit(1);
}
const t1 = performance.now();
const story = await community.repo.find(`automerge:${storyId}` as AutomergeUrl);
const openStoryMs = performance.now() - t1;
if (!story.isReady()) {
  process.stderr.write("story handle not ready\n");
  process.exit(1);
}

await node.close();

const sample: ColdStartSample = {
  ms,
  rssMB: memory.rss / 2 ** 20,
  heapUsedMB: memory.heapUsed / 2 ** 20,
  rssBeforeMB,
  importMs,
  openStoryMs,
  docsRead,
  storageMs,
  beforeFirstReadMs,
  afterLastReadMs,
  sweepMs: reads.sweepMs,
};
process.stdout.write(JSON.stringify(sample) + "\n");
