// Peer benchmarks: what a user waits for when the app opens a community of 1,000 stories (100 and
// one cold start in a quick run, registry.ts).
import { fileURLToPath } from "node:url";
import type { ColdStartSample } from "./coldStart.child.ts";
import { communityWith1000Stories } from "./fixtures.ts";
import { median, once, quick, round, runJsonChild, type Bench } from "./registry.ts";

const CHILD = fileURLToPath(new URL("./coldStart.child.ts", import.meta.url));
const runs = () => (quick() ? 1 : 5);

const runChild = (dataDir: string, stories: number): Promise<ColdStartSample> =>
  runJsonChild<ColdStartSample>(CHILD, [dataDir, String(stories)], "cold-start child");

/** Five cold starts (one when quick), one fresh process each, one after another (in parallel they would share the cores). */
const coldStarts = once(async () => {
  const fixture = await communityWith1000Stories();
  const samples: ColdStartSample[] = [];
  for (let i = 0; i < runs(); i++) samples.push(await runChild(fixture.dataDir, fixture.storyIds.length));
  return samples;
});

const spread = (values: number[]) => `${round(Math.min(...values))}–${round(Math.max(...values))}`;

export const benches: Bench[] = [
  {
    name: "peer.coldStartList1000.ms",
    unit: "ms",
    goal: "< 1000 ms",
    async run() {
      const samples = await coldStarts();
      const { storyIds } = await communityWith1000Stories();
      const ms = samples.map((s) => s.ms);
      const docs = [...new Set(samples.map((s) => s.docsRead))].join("/");
      const phase = (pick: (s: ColdStartSample) => number) => round(median(samples.map(pick)));
      return {
        value: median(ms),
        note:
          `${storyIds.length} stories listed, median of ${samples.length} fresh processes (${spread(ms)}); docs read ${docs}; ` +
          `sweepTempFiles ${phase((s) => s.sweepMs)} ms, other storage ${phase((s) => s.storageMs)} ms, ` +
          `index load+validate ${phase((s) => s.afterLastReadMs)} ms; imports before start ${phase((s) => s.importMs)} ms (untimed)`,
      };
    },
  },
  {
    name: "peer.rss1000.MB",
    unit: "MB",
    goal: "< 250 MB",
    async run() {
      const samples = await coldStarts();
      const rss = samples.map((s) => s.rssMB);
      return {
        value: median(rss),
        note:
          `after listing and gc, median of ${samples.length} (${spread(rss)}); ${round(median(samples.map((s) => s.rssBeforeMB)))} MB before start ` +
          `(node + tsx + wasm); heap used ${round(median(samples.map((s) => s.heapUsedMB)))} MB`,
      };
    },
  },
  {
    name: "peer.openStory.ms",
    unit: "ms",
    async run() {
      const samples = await coldStarts();
      const ms = samples.map((s) => s.openStoryMs);
      return { value: median(ms), note: `repo.find of 1 story after cold start, median of ${samples.length} (${spread(ms)})` };
    },
  },
];
