// Backup benchmarks: writing a backup of a community of 1,000 stories (1,002 documents with the
// index and the roster), and restoring it onto a fresh data folder — what a person waits for
// before a retreat and on a new laptop. Each sample is one fresh process (backup.child.ts), with
// the peer started before the clock starts; samples run one after another. A quick run (registry.ts)
// backs up and restores once, the 100-story community of fixtures.ts.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import type { BackupSample } from "./backup.child.ts";
import { communityWith1000Stories } from "./fixtures.ts";
import { afterAllBenches, median, once, quick, round, type Bench } from "./registry.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CHILD = fileURLToPath(new URL("./backup.child.ts", import.meta.url));
const runs = () => (quick() ? 1 : 3);

const runChild = (args: string[]): Promise<BackupSample> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", CHILD, ...args],
      { cwd: REPO_ROOT, timeout: 180_000, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        const last = stdout.trim().split("\n").pop() ?? "";
        if (error || !last.startsWith("{")) {
          reject(new Error(`backup child failed: ${stderr.trim().slice(-500) || error?.message}`));
          return;
        }
        resolve(JSON.parse(last) as BackupSample);
      },
    );
  });

const spread = (values: number[]) =>
  `${round(Math.min(...values))}–${round(Math.max(...values))} ms over ${values.length} runs`;

const backups = once(async () => {
  const fixture = await communityWith1000Stories();
  const stick = await makeTempDir("meitheal-bench-stick-");
  afterAllBenches(() => removeDir(stick));
  const samples: BackupSample[] = [];
  for (let i = 0; i < runs(); i++)
    samples.push(
      await runChild(["backup", fixture.dataDir, fixture.communityId, join(stick, `bench-${i}`)]),
    );
  return samples;
});

export const benches: Bench[] = [
  {
    name: "backup.1000docs.ms",
    unit: "ms",
    async run() {
      const samples = await backups();
      const times = samples.map((s) => s.ms);
      const last = samples.at(-1);
      return {
        value: round(median(times)),
        note: `${last?.documents} documents, ${((last?.bytes ?? 0) / 1024 ** 2).toFixed(1)} MB; ${spread(times)}`,
      };
    },
  },
  {
    name: "restore.1000docs.ms",
    unit: "ms",
    async run() {
      const path = (await backups()).at(-1)?.path ?? "";
      const samples: BackupSample[] = [];
      for (let i = 0; i < runs(); i++) {
        const dataDir = await makeTempDir("meitheal-bench-restore-");
        try {
          samples.push(await runChild(["restore", dataDir, path]));
        } finally {
          await removeDir(dataDir);
        }
      }
      const times = samples.map((s) => s.ms);
      return {
        value: round(median(times)),
        note: `${samples.at(-1)?.documents} documents onto a fresh data folder (checked, staged, fsynced, listed); ${spread(times)}`,
      };
    },
  },
];
