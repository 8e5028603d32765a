// Storage benchmarks: the crash-safe adapter (peer/storage/fsStorage.ts) on its own, without a Repo.
// Its saves fsync a temp file and the directory (docs/DESIGN.md, "Durability"); those fsyncs are what
// these numbers are about, so they run on the real disk under the OS temp dir. A quick run
// (registry.ts): 20 saves, and one load of the 100-story community of fixtures.ts.
import * as A from "@automerge/automerge";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { communityDir } from "../../peer/communities.ts";
import { SafeFsStorageAdapter } from "../../peer/storage/fsStorage.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { communityWith1000Stories } from "./fixtures.ts";
import { median, quantile, quick, round, type Bench } from "./registry.ts";

const saves = () => (quick() ? 20 : 200);
const loadRuns = () => (quick() ? 1 : 5);
/** Characters of prose per edit: automerge stores inserted text nearly as is, so ≈ 2 KB chunks. */
const EDIT_CHARS = 1900;

const WORDS = (
  "we met by the river and talked late about the kitchen garden what we tried this week who came " +
  "the circle listened slowly a small fire of questions next steps together harvest lantern commons"
).split(" ");

/** Deterministic prose, so every run saves the same bytes. */
const prose = (seed: number, chars: number): string => {
  let s = seed;
  const out: string[] = [];
  let length = 0;
  while (length < chars) {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    const word = WORDS[s % WORDS.length] ?? "and";
    out.push(word);
    length += word.length + 1;
  }
  return out.join(" ") + "\n";
};

/** saves() incremental chunks of one story body, as automerge-repo would write them after each edit. */
const editChunks = (): Uint8Array[] => {
  let doc = A.from<{ body: string }>({ body: "" });
  A.saveIncremental(doc);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < saves(); i++) {
    doc = A.change(doc, (d) => A.splice(d, ["body"], d.body.length, 0, prose(i + 1, EDIT_CHARS)));
    chunks.push(A.saveIncremental(doc));
  }
  return chunks;
};

export const benches: Bench[] = [
  {
    name: "storage.save.p50.ms",
    unit: "ms",
    async run() {
      const chunks = editChunks();
      const dir = await makeTempDir("meitheal-bench-save-");
      try {
        const storage = new SafeFsStorageAdapter({ dir: join(dir, "docs"), quarantineDir: join(dir, "quarantine") });
        const docId = "4NMNnkMhL8jXrdJ9jamS58PAVdXu";
        const times: number[] = [];
        for (const chunk of chunks) {
          // Keyed like automerge-repo's incrementals: [doc, "incremental", hash of the bytes].
          const key = [docId, "incremental", createHash("sha256").update(chunk).digest("hex")];
          const t = performance.now();
          await storage.save(key, chunk);
          times.push(performance.now() - t);
        }
        const kb = chunks.reduce((n, c) => n + c.length, 0) / chunks.length / 1024;
        return {
          value: quantile(times, 0.5),
          note: `${saves()} sequential saves of ${round(kb, 2)} KB chunks; p95 ${round(quantile(times, 0.95), 2)} ms, max ${round(Math.max(...times), 1)} ms`,
        };
      } finally {
        await removeDir(dir);
      }
    },
  },
  {
    name: "storage.load1000.ms",
    unit: "ms",
    async run() {
      const fixture = await communityWith1000Stories();
      const dir = join(communityDir(fixture.dataDir, fixture.communityId), "docs");
      const times: number[] = [];
      let chunks = 0;
      let bytes = 0;
      for (let run = 0; run < loadRuns(); run++) {
        // A fresh adapter per run, as after a restart; the files are in the page cache either way.
        const storage = new SafeFsStorageAdapter({ dir, quarantineDir: join(fixture.dataDir, "quarantine", fixture.communityId) });
        chunks = 0;
        bytes = 0;
        const t = performance.now();
        for (const id of fixture.storyIds) {
          for (const chunk of await storage.loadRange([id])) {
            chunks++;
            bytes += chunk.data?.length ?? 0;
          }
        }
        times.push(performance.now() - t);
      }
      return {
        value: median(times),
        note: `loadRange([doc]) of ${fixture.storyIds.length} story docs one after another, median of ${times.length}; ${chunks} chunks, ${round(bytes / 1024)} KB, warm page cache`,
      };
    },
  },
];
