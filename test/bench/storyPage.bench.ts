// The same typing measurement as story.keypressToPaint, but in the whole app: the story page served
// by a real `meitheal-peer serve`, with its details, comments and versions panels, presence, and the
// link to the peer. What this adds over the editor-only number is the page's own cost per change
// (validating the story, re-rendering the panels) and syncing each keystroke to the peer. A quick
// run (registry.ts) types 20 keys into the smaller story of story.bench.ts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PeerNode } from "../../peer/peerNode.ts";
import { addEntry } from "../../shared/ops/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { servePeer } from "../helpers/servePeer.ts";
import { afterAllBenches, median, once, quantile, quick, round, type Bench } from "./registry.ts";
import { RECORD_KEYS, storyWithHistory, storyWords } from "./story.bench.ts";

const keystrokes = () => (quick() ? 20 : 200);
const warmUp = () => (quick() ? 3 : 10);
const TYPING_GAP_MS = 90;

const measure = once(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "meitheal-bench-page-"));
  const node = await PeerNode.start({ dataDir });
  const created = await node.createCommunity({ name: "Bench" });
  if (!created.ok) throw new Error(created.error.message);
  const community = node.community(created.value.id)!;
  const handle = community.repo.import<Story>(storyWithHistory());
  community.index!.change((d) => addEntry(d, handle.documentId, { kind: "story", title: "Long story", status: "draft", createdAt: 1, updatedAt: 1 }));
  await node.flush();
  await node.close();

  const peer = await servePeer(dataDir);
  const browser = await launchBrowser();
  afterAllBenches(async () => {
    await browser.close();
    await peer.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  const page = await browser.context.newPage();
  // Exploration knob: MEITHEAL_BENCH_WINDOW_THROTTLE=100 runs the window with automerge-repo's stock throttle.
  const throttle = process.env.MEITHEAL_BENCH_WINDOW_THROTTLE;
  if (throttle) await page.addInitScript(`window.__meithealSyncThrottleMs = ${Number(throttle)};`);
  await page.goto(peer.url);
  await page.getByRole("heading", { name: "Stories", level: 1 }).waitFor({ timeout: 60_000 });
  await page.evaluate(`window.location.hash = "#/c/${created.value.id}/stories/${handle.documentId}"`);
  const paragraphs = page.locator(".story-text p");
  // A paragraph far down: the story is drawn (the quick run's story has about 20).
  await paragraphs.nth(quick() ? 10 : 100).waitFor({ timeout: 60_000 });
  const middle = paragraphs.nth(Math.floor((await paragraphs.count()) / 2));
  await middle.click();
  await page.evaluate(`(${RECORD_KEYS})()`);
  const keys = "the tide came in over the stones and we kept on writing together ".repeat(4).slice(0, keystrokes() + warmUp());
  for (const ch of keys) {
    await page.keyboard.type(ch);
    await page.waitForTimeout(TYPING_GAP_MS);
  }
  await page.waitForTimeout(500);
  const samples = (await page.evaluate<number[]>("window.keySamples")).slice(warmUp());
  const inserted = (await middle.innerText()).includes(keys.slice(0, 40));
  return { samples, inserted };
});

export const benches: Bench[] = [
  {
    name: "story.page.keypressToPaint.p95.ms",
    unit: "ms",
    goal: "< 16 ms",
    async run() {
      const { samples, inserted } = await measure();
      if (!inserted) throw new Error("the typed text did not appear in the story page");
      return {
        value: quantile(samples, 0.95),
        note: `whole app (story page, panels, presence, synced to its peer), ${samples.length} keys ${TYPING_GAP_MS} ms apart in a ${storyWords().toLocaleString("en")}-word story; median ${round(median(samples))} ms, max ${round(Math.max(...samples))} ms`,
      };
    },
  },
];
