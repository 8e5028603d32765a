// `npm run retreat`: the whole simulated retreat day (12 peers, three minutes cut off), or with
// `--quick` the short day `.ci/run` runs. Prints the report and exits non-zero when anything a
// member wrote is missing, doubled or different on any peer, or the book fails its check.
import { runRetreat, type RetreatOptions } from "./day.ts";

const quick = process.argv.includes("--quick");
const options: RetreatOptions = quick
  ? {
      peers: 6,
      writers: 4,
      beforeMs: 15_000,
      partitionMs: 30_000,
      convergeMs: 120_000,
      wordEveryMs: 700,
      dropEveryMs: 8_000,
      log: (line) => console.log(line),
    }
  : {
      peers: 12,
      writers: 6,
      beforeMs: 60_000,
      partitionMs: 180_000,
      convergeMs: 300_000,
      wordEveryMs: 900,
      dropEveryMs: 10_000,
      log: (line) => console.log(line),
    };

const report = await runRetreat(options);
const ok =
  report.problems.length === 0 &&
  report.identical &&
  report.epubErrors.length === 0 &&
  report.sentencesTyped > 0 &&
  report.wordsFound.every((n) => n === report.wordsTyped);
console.log(
  [
    "",
    `Retreat day${quick ? " (quick)" : ""}: ${ok ? "every word kept" : "FAILED"}`,
    `  peers ${report.peers} (${report.writers} writing one story, ${report.loggers} keeping the log and the map)`,
    `  typed: ${report.sentencesTyped} sentences, ${report.wordsTyped} words; ${report.logEntries} log entries; ${report.mapNodes} map nodes`,
    `  words found on each peer: ${report.wordsFound.join(", ")}`,
    `  partition: ${report.partitionMinutes.toFixed(1)} min; every peer "in sync" ${report.peersInSyncSeconds.toFixed(1)} s and every window the same ${report.convergeSeconds.toFixed(1)} s after healing`,
    `  documents: ${report.documents}, byte-identical on every peer: ${report.identical ? "yes" : "no"}`,
    `  window reconnects survived: ${report.windowReconnects}`,
    `  longest event-loop block per peer (ms): ${report.longestLoopBlockMs.join(", ")}`,
    `  bytes sent per peer (KB): ${report.bytesSent.map((b) => Math.round(b / 1024)).join(", ")}`,
    `  EPUB of the collection: ${report.epubErrors.length === 0 ? "epubcheck 0 errors" : report.epubErrors.join("; ")}`,
    ...report.problems.slice(0, 30).map((p) => `  problem: ${p}`),
  ].join("\n"),
);
process.exit(ok ? 0 : 1);
