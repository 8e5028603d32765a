// Memory of 1,000 story documents held in memory, in a fresh process (yjs.bench.ts runs it):
//   node --import tsx --expose-gc test/bench/yjs.child.ts yjs|automerge <dir>
// <dir> holds one file per story: its Yjs encoded state (Y.encodeStateAsUpdate) or its Automerge
// bytes as our storage holds them. The child loads every file into a document it keeps
// (Y.applyUpdate into a fresh Y.Doc, or Automerge.load), lets the bytes go, collects garbage and
// reports its resident set: the same stories, one file each, loaded the same way, so the two modes
// compare. Both libraries are imported in either mode, so the baseline before loading is the same.
// Prints one JSON line (YjsMemorySample).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as Automerge from "@automerge/automerge";
import * as Y from "yjs";

export type YjsMemorySample = {
  /** Resident set after loading and a GC. */
  rssMB: number;
  heapUsedMB: number;
  /** Resident set after the imports and a GC, before the first file is read. */
  rssBeforeMB: number;
  documents: number;
  /** Sum of the files' sizes. */
  bytes: number;
  /** Reading and loading every file, not counting the GC. */
  loadMs: number;
};

const [mode, dir] = process.argv.slice(2);
if ((mode !== "yjs" && mode !== "automerge") || !dir) {
  process.stderr.write("usage: yjs.child.ts yjs|automerge <dir>\n");
  process.exit(2);
}

// Touch both libraries once, so that each mode pays for the same compiled code and wasm.
Automerge.save(Automerge.init());
Y.encodeStateAsUpdate(new Y.Doc());

globalThis.gc?.();
const rssBeforeMB = process.memoryUsage().rss / 2 ** 20;

const held: unknown[] = [];
let bytes = 0;
const started = performance.now();
for (const name of readdirSync(dir).sort()) {
  const data = readFileSync(join(dir, name));
  bytes += data.byteLength;
  if (mode === "yjs") {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, data);
    held.push(doc);
  } else {
    held.push(Automerge.load(data));
  }
}
const loadMs = performance.now() - started;

globalThis.gc?.();
const memory = process.memoryUsage();
const sample: YjsMemorySample = {
  rssMB: memory.rss / 2 ** 20,
  heapUsedMB: memory.heapUsed / 2 ** 20,
  rssBeforeMB,
  documents: held.length,
  bytes,
  loadMs,
};
process.stdout.write(JSON.stringify(sample) + "\n");
