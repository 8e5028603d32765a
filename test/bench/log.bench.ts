// Opening a long practice log: a log of 5,000 entries (ten years of weekly gatherings and more),
// seeded on disk and served by a real `meitheal-peer serve`. Measured in the page, from setting the
// log's route to the first frame after the timeline's first rows are in the document: the log's
// header and its newest volume (a document per quarter, shared/schema/logVolume.ts) arriving from
// the peer, read through their validators, sorted, grouped by month and drawn (only the rows in
// view, the timeline being virtualised); older volumes keep arriving behind the first rows. Each run is a fresh page, so the log is
// fetched from the peer each time, as when someone opens it after starting the app. A quick run
// (registry.ts) opens a log of 200 entries once (after the warm-up) and types one sentence.
import * as A from "@automerge/automerge";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PeerNode } from "../../peer/peerNode.ts";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import { sortedThemes } from "../../shared/ops/community.ts";
import { logVolumes } from "../../shared/ops/logVolumes.ts";
import { ENTRY_KINDS } from "../../shared/schema/log.ts";
import type { LogVolume } from "../../shared/schema/logVolume.ts";
import { seedLog } from "../helpers/logs.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { servePeer } from "../helpers/servePeer.ts";
import { afterAllBenches, median, once, quantile, quick, round, type Bench } from "./registry.ts";

const entries = () => (quick() ? 200 : 5000);
const runs = () => (quick() ? 1 : 7);
/** Times the sentence is typed into the open entry. */
const sentences = () => (quick() ? 1 : 2);

const day = (i: number) => {
  const d = new Date(Date.UTC(2015, 0, 1) + i * 86_400_000 * 0.75);
  return d.toISOString().slice(0, 10);
};

const PEOPLE = ["Aoife", "Brian", "Cáit", "Dónal", "Eimear", "Fionn", "Gráinne"];

/**
 * Navigates to `hash` and resolves with the ms until the frame after the first timeline row
 * appeared. A string, so nothing from the bundler's helpers leaks into the page.
 */
const TIME_TO_ROWS = `(hash) => new Promise((resolve) => {
  const start = performance.now();
  window.__logOpenedAt = start;
  const done = () => requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start), 0));
  const seen = () => document.querySelector(".timeline-entry") !== null;
  const observer = new MutationObserver(() => {
    if (!seen()) return;
    observer.disconnect();
    done();
  });
  observer.observe(document.body, { childList: true, subtree: true });
  window.location.hash = hash;
})`;

/** Then the ms from the same start until every volume is read (no "loading older" line left). */
const TIME_TO_COMPLETE = `() => new Promise((resolve) => {
  const check = () => {
    if (document.querySelector(".timeline-loading") === null && document.querySelector(".timeline-entry") !== null)
      resolve(performance.now() - window.__logOpenedAt);
    else setTimeout(check, 10);
  };
  check();
})`;

/** In the page: from each keydown to the frame after it is painted, into window.__keyToPaint. */
const KEY_TO_PAINT = `(() => {
  window.__keyToPaint = [];
  document.addEventListener("keydown", () => {
    const start = performance.now();
    requestAnimationFrame(() => setTimeout(() => window.__keyToPaint.push(performance.now() - start), 0));
  }, { capture: true });
})()`;

const measure = once(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "meitheal-bench-log-"));
  const node = await PeerNode.start({ dataDir });
  const created = await node.createCommunity({ name: "Bench" });
  if (!created.ok) throw new Error(created.error.message);
  const communityId = created.value.id;
  const community = node.community(communityId)!;
  const themes = sortedThemes(community.index!.doc()).map((th) => th.id);
  // Written as the app writes: one change per entry, each into its quarter's volume.
  const seeded = await seedLog(community, node.ctx, { title: "Ten years of Thursdays" }, [
    ...Array.from({ length: entries() }, (_, i) => ({
      date: day(i),
      kind: ENTRY_KINDS[i % ENTRY_KINDS.length]!,
      by: "bench",
      byName: PEOPLE[i % PEOPLE.length]!,
      participants: [
        { name: PEOPLE[i % PEOPLE.length]! },
        { name: PEOPLE[(i + 3) % PEOPLE.length]! },
      ],
      themes: [themes[i % themes.length]!],
      happened: `Gathering ${i}: we met at the hall, sorted seeds and talked about the season.\nTwelve came.`,
      learned: "Smaller groups talk more; the tea matters.",
      next: "Try the library room next time.",
    })),
  ]);
  // For scale: the newest volume and all of them, loaded into Automerge alone (no UI), in Node.
  const volumes = await Promise.all(
    seeded.volumeIds.map((id) => community.repo.find<LogVolume>(`automerge:${id}` as AutomergeUrl)),
  );
  const saved = volumes.map((v) => A.save(v.doc()));
  const loadStart = performance.now();
  for (const bytes of saved) A.load(bytes);
  const automergeLoad = performance.now() - loadStart;
  const newest = logVolumes(community.index!.doc(), seeded.logId)[0]!;
  const newestBytes = A.save(volumes.find((v) => v.documentId === newest.id)!.doc());
  const newestStart = performance.now();
  A.load(newestBytes);
  const newestLoad = performance.now() - newestStart;
  await node.flush();
  await node.close();

  const peer = await servePeer(dataDir);
  const browser = await launchBrowser();
  afterAllBenches(async () => {
    await browser.close();
    await peer.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  const route = `#/c/${communityId}/logs/${seeded.logId}`;
  const cold: number[] = [];
  const warm: number[] = [];
  const whole: number[] = [];
  // Run 0 is a warm-up, not counted: the peer has just started (indexing the log for search, its
  // JIT cold), which is the peer's start-up, not opening a log.
  for (let run = 0; run <= runs(); run++) {
    const page = await browser.context.newPage();
    await page.goto(peer.url);
    await page.getByRole("heading", { name: "Stories", level: 1 }).waitFor({ timeout: 60_000 });
    await page.evaluate(`window.location.hash = "#/c/${communityId}/logs"`);
    await page.getByRole("heading", { name: "Practice logs", level: 1 }).waitFor();
    const first = await page.evaluate<number>(`(${TIME_TO_ROWS})(${JSON.stringify(route)})`);
    const complete = await page.evaluate<number>(`(${TIME_TO_COMPLETE})()`);
    const total = await page.locator(".log-count").innerText();
    if (total !== `${entries().toLocaleString("en")} entries` && total !== `${entries()} entries`)
      throw new Error(`expected all ${entries()} entries once loaded, saw "${total}"`);
    const rows = await page.locator(".timeline-entry").count();
    if (rows === 0 || rows > 200) throw new Error(`expected a virtualised timeline, saw ${rows} rows`);
    // Back to the list and in again: the log is in the page's repo now.
    await page.evaluate(`window.location.hash = "#/c/${communityId}/logs"`);
    await page.getByRole("heading", { name: "Practice logs", level: 1 }).waitFor();
    const again = await page.evaluate<number>(`(${TIME_TO_ROWS})(${JSON.stringify(route)})`);
    await page.close();
    if (run === 0) continue;
    cold.push(first);
    whole.push(complete);
    warm.push(again);
  }
  // Typing in the newest entry, every volume read: keydown → the frame after it is painted.
  const page = await browser.context.newPage();
  await page.goto(peer.url);
  await page.getByRole("heading", { name: "Stories", level: 1 }).waitFor({ timeout: 60_000 });
  await page.evaluate(`window.location.hash = ${JSON.stringify(`${route}/${seeded.entryIds.at(-1)}`)}`);
  await page.locator(".timeline-entry").first().waitFor();
  await page.locator(".timeline-loading").waitFor({ state: "detached", timeout: 60_000 });
  await page.getByRole("complementary", { name: "Open entry" }).getByLabel("What we learned").click();
  await page.evaluate(KEY_TO_PAINT);
  await page.keyboard.type("The kettle matters as much as the agenda. ".repeat(sentences()), { delay: 40 });
  await page.waitForTimeout(300);
  const keys = await page.evaluate<number[]>("window.__keyToPaint");
  await page.close();
  const bytes = saved.reduce((sum, b) => sum + b.length, 0);
  return { keys, cold, warm, whole, automergeLoad, bytes, volumes: saved.length, newestLoad, newestBytes: newestBytes.length };
});

export const benches: Bench[] = [
  {
    name: "log.timeline5000.ms",
    unit: "ms",
    goal: "< 300 ms",
    async run() {
      const { cold, warm, whole, automergeLoad, bytes, volumes, newestLoad, newestBytes } =
        await measure();
      return {
        value: median(cold),
        note: `median of ${cold.length} fresh pages (${cold.map((v) => Math.round(v)).join(", ")}), route set → first rows painted, ${entries()} entries fetched from the peer; min ${round(Math.min(...cold))}, max ${round(Math.max(...cold))}; every volume read (the whole timeline, filters complete) after a median ${round(median(whole))} ms; opened again in the same page (document already loaded): median ${round(median(warm))} ms; the entries are in ${volumes} volumes (one per quarter), ${round(bytes / 1e6, 2)} MB in all; Automerge alone loads all of them in ${round(automergeLoad)} ms and the newest (${round(newestBytes / 1e3)} kB, drawn first) in ${round(newestLoad, 1)} ms (Node)`,
      };
    },
  },
  {
    name: "log.keypressToPaint.p95.ms",
    unit: "ms",
    async run() {
      const { keys } = await measure();
      return {
        value: quantile(keys, 0.95),
        note: `typing in "What we learned" of the newest entry of the same ${entries()}-entry log (every volume read), ${keys.length} keys 40 ms apart: keydown → the frame after it is painted; median ${round(median(keys))} ms, max ${round(Math.max(...keys))} ms`,
      };
    },
  },
];
