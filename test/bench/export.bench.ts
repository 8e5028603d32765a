// Exporting a collection of 200 stories of about 2,000 words each: from the story documents stored
// in a peer's data folder to the file on disk, as `export:collection` does it (read the documents
// from storage, build the book, build the EPUB or HTML, write it atomically). Each run starts a
// fresh peer on the folder first (not timed), so the documents come from disk, not from memory.
// A quick run (registry.ts) exports 20 stories of about 500 words, once per format.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { exportCollection } from "../../peer/export/collection.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import type { ExportFormat } from "../../shared/contract.ts";
import { makePeerCollection, storyBody, type PeerCollection } from "../export/peerCollection.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { afterAllBenches, median, once, quick, round, type Bench } from "./registry.ts";

const stories = () => (quick() ? 20 : 200);
const words = () => (quick() ? 500 : 2_000);
const runs = () => (quick() ? 1 : 3);

const fixture = once(async (): Promise<PeerCollection & { out: string }> => {
  const started = performance.now();
  const dir = await makeTempDir("meitheal-bench-export-");
  afterAllBenches(() => removeDir(dir));
  const collection = await makePeerCollection(
    join(dir, "data"),
    Array.from({ length: stories() }, (_, i) => ({
      title: `Story ${i + 1} of the retreat`,
      status: i % 2 === 0 ? ("ready" as const) : ("published" as const),
      body: storyBody(i + 1, words()),
    })),
  );
  console.log(`  (export fixture: ${stories()} stories built in ${round((performance.now() - started) / 1000)} s)`);
  return { ...collection, out: dir };
});

async function timeExport(format: ExportFormat): Promise<{ value: number; note: string }> {
  const f = await fixture();
  const samples: number[] = [];
  let bytes = 0;
  let exported = 0;
  for (let run = 0; run < runs(); run++) {
    const node = await PeerNode.start({ dataDir: f.dataDir });
    try {
      const community = node.community(f.communityId);
      if (!community) throw new Error("the bench community is not in the data folder");
      const path = join(f.out, `book-${run}.${format === "markdown" ? "zip" : format}`);
      const started = performance.now();
      const result = await exportCollection(community, { collectionId: f.collectionId, format, path });
      samples.push(performance.now() - started);
      if (!result.ok) throw new Error(result.error.message);
      exported = result.value.stories;
      bytes = (await stat(path)).size;
    } finally {
      await node.close();
    }
  }
  if (exported !== stories()) throw new Error(`only ${exported} of ${stories()} stories were exported`);
  return {
    value: round(median(samples)),
    note: `${stories()} stories × ~${words().toLocaleString("en")} words from a peer's storage to disk, ${(bytes / 1e6).toFixed(1)} MB; median of ${samples.length} (${samples.map((s) => round(s, 0)).join(", ")} ms)`,
  };
}

export const benches: Bench[] = [
  { name: "export.epub200.ms", unit: "ms", goal: "< 3000 ms", run: () => timeExport("epub") },
  { name: "export.html200.ms", unit: "ms", run: () => timeExport("html") },
];
