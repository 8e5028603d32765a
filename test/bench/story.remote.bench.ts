// How long a keystroke takes to show on the other person's screen: two `meitheal-peer serve`
// processes paired by invite and linked over the secure LAN transport (Noise over TCP on
// 127.0.0.1), a writer on peer A typing at about 8
// characters a second (uneven gaps, 40–210 ms, like a person), a reader on peer B. Measured with
// the sync throttle this app sets (shared/syncTuning.ts) and with
// automerge-repo's stock 100 ms.
//
// Two ways to measure, chosen by what the app has:
// - "editor": two headless Chromium pages on the story page; a keydown in page 1's editor until
//   page 2's editor text contains that character (DOM mutation observer, wall-clock timestamps of
//   the same machine).
// - "doc" (while the story page has no editor yet): Node clients in place of the two windows,
//   attached like windows over the same WebSocket adapters, with the renderer's tuning; a change
//   to the story's Automerge text on A's side until B's side has it. No browser, no rendering.
// A quick run (registry.ts) times 20 keystrokes after 4 to warm up, for each throttle.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { splice, type AutomergeUrl, type DocHandle } from "@automerge/automerge-repo";
import type { Page } from "playwright-core";
import { LIVE_SYNC_THROTTLE_MS as PEER_LIVE_MS } from "../../peer/net/syncTuning.ts";
import {
  LIVE_SYNC_THROTTLE_MS as WINDOW_LIVE_MS,
  STOCK_SYNC_THROTTLE_MS,
  SYNC_THROTTLE_OVERRIDE,
  resetSyncThrottle,
  setSyncThrottle,
} from "../../shared/syncTuning.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { initStory } from "../../shared/ops/story.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { windowRepo } from "../helpers/peerRpc.ts";
import { REPO_ROOT } from "../helpers/servePeer.ts";
import { startLinkedPeers, type LinkedPeers } from "../sync/linkedPeers.ts";
import { median, once, quantile, quick, round, type Bench } from "./registry.ts";

const keystrokes = () => (quick() ? 20 : 200);
const warmUp = () => (quick() ? 4 : 12);
const GAP_MIN_MS = 40;
const GAP_MAX_MS = 210;
const EDITOR = "Story text";
const WORDS = ["river", "kettle", "lantern", "harvest", "meadow", "circle", "bridge", "thread", "garden", "commons", "quay", "boat"];

type Sample = { mode: "editor" | "doc"; latencies: number[]; windowsTuned: boolean; gapsMs: number };

/** The same uneven gaps (mean 125 ms) for every run, so the variants type the same way. */
function gaps(count: number): number[] {
  let seed = 20_250_601;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  return Array.from({ length: count }, () => GAP_MIN_MS + next() * (GAP_MAX_MS - GAP_MIN_MS));
}

/** Lowercase words and single spaces: nothing an input rule would turn into something else. */
function text(count: number): string {
  let out = "";
  for (let i = 0; out.length < count; i++) out += `${WORDS[(i * 7) % WORDS.length] ?? "word"} `;
  return out.slice(0, count);
}

const go = (page: Page, hash: string) =>
  page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);

/** In page 2: the time each longer prefix of the expected text first appears in the editor. */
const OBSERVE_READER = `({ label, expected }) => {
  const el = document.querySelector('[aria-label="' + label + '"]');
  const seen = [];
  window.__seen = seen;
  const check = () => {
    const now = performance.timeOrigin + performance.now();
    const t = (el && el.textContent) || "";
    while (seen.length < expected.length && t.includes(expected.slice(0, seen.length + 1))) seen.push(now);
  };
  new MutationObserver(check).observe(el || document.body, { subtree: true, childList: true, characterData: true });
}`;

/** In page 1: the time each key reaches the page. */
const RECORD_KEYS = `() => {
  const keys = [];
  window.__keys = keys;
  document.addEventListener("keydown", () => keys.push(performance.timeOrigin + performance.now()), true);
}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether renderer/main.tsx applies the window's sync tuning (the lead wires it). */
async function windowsTuned(): Promise<boolean> {
  const main = await readFile(join(REPO_ROOT, "renderer", "main.tsx"), "utf8").catch(() => "");
  return main.includes("applyWindowSyncTuning(");
}

async function measureInBrowser(peers: LinkedPeers, throttleMs: number | undefined): Promise<Sample | null> {
  const browser = await launchBrowser();
  try {
    if (throttleMs !== undefined)
      await browser.context.addInitScript(
        ({ key, ms }) => void ((globalThis as Record<string, unknown>)[key] = ms),
        { key: SYNC_THROTTLE_OVERRIDE, ms: throttleMs },
      );
    const [writer, reader] = [await browser.context.newPage(), await browser.context.newPage()];
    const open = async (page: Page, url: string) => {
      await page.goto(url);
      for (let i = 0; i < 100 && page.url().includes("token="); i++) await sleep(50);
    };
    await Promise.all([open(writer, peers.a.url), open(reader, peers.b.url)]);
    await go(writer, `#/c/${peers.communityId}/stories`);
    await writer.getByLabel("Title of the new story").fill("Latency");
    await writer.getByRole("button", { name: "Create story" }).click();
    const editor = writer.getByRole("textbox", { name: EDITOR });
    try {
      await editor.waitFor({ timeout: 15_000 });
    } catch {
      return null;
    }
    const storyId = /\/stories\/([^/?#]+)$/.exec(writer.url())?.[1] ?? "";
    await go(reader, `#/c/${peers.communityId}/stories/${storyId}`);
    await reader.getByRole("textbox", { name: EDITOR }).waitFor({ timeout: 15_000 });

    const typed = text(warmUp() + keystrokes());
    const warm = typed.slice(0, warmUp());
    const measured = typed.slice(warmUp());
    // Headless Chromium holds a tab that is not in front for ~50 ms after each key (it waits for a
    // frame it throttles) before any timer or message runs: that would time the browser, not sync.
    await writer.bringToFront();
    await editor.click();
    await writer.keyboard.type(warm, { delay: 125 });
    const readerEditor = reader.getByRole("textbox", { name: EDITOR });
    for (let i = 0; i < 200 && !(await readerEditor.textContent())?.includes(warm); i++) await sleep(25);

    // Page 2 notes when each further character of the measured text first shows; page 1 notes
    // when each key reached it. Both on the same machine's clock. (Strings: this file is checked
    // without DOM types.)
    await reader.evaluate(`(${OBSERVE_READER})(${JSON.stringify({ label: EDITOR, expected: typed })})`);
    await writer.evaluate(`(${RECORD_KEYS})()`);
    const schedule = gaps(measured.length);
    const started = performance.now();
    let due = 0;
    for (let i = 0; i < measured.length; i++) {
      await writer.keyboard.type(measured[i] ?? " ");
      due += schedule[i] ?? 125;
      const wait = started + due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    for (let i = 0; i < 400; i++) {
      if ((await reader.evaluate<number>("window.__seen.length")) >= typed.length) break;
      await sleep(25);
    }
    const keys = await writer.evaluate<number[]>("window.__keys");
    const seen = await reader.evaluate<number[]>("window.__seen");
    // seen[] counts from the start of the typed text; the first warmUp() were there before.
    const latencies = keys
      .map((t, i) => (seen[warmUp() + i] ?? Number.NaN) - t)
      .filter((v) => Number.isFinite(v));
    if (latencies.length < measured.length * 0.95)
      throw new Error(`only ${latencies.length} of ${measured.length} keystrokes reached the other page`);
    return {
      mode: "editor",
      latencies,
      windowsTuned: throttleMs === undefined ? await windowsTuned() : true,
      gapsMs: median(schedule),
    };
  } finally {
    await browser.close();
  }
}

async function measureDocs(peers: LinkedPeers, throttleMs: number): Promise<Sample> {
  // Every DocSynchronizer built from here on (the two clients') gets the windows' setting.
  setSyncThrottle(throttleMs);
  const writer = await windowRepo(peers.a, peers.communityId);
  const reader = await windowRepo(peers.b, peers.communityId);
  try {
    const index = await writer.find<CommunityIndex>(`automerge:${peers.communityId}` as AutomergeUrl);
    const ctx = systemContext();
    const story: DocHandle<Story> = writer.create<Story>();
    story.change((d) => initStory(d, { communityId: peers.communityId, title: "Latency" }, ctx));
    index.change((d) =>
      addEntry(d, story.documentId, { kind: "story", title: "Latency", status: "seed", createdAt: ctx.now(), updatedAt: ctx.now() }),
    );
    let theirs: DocHandle<Story> | undefined;
    for (let i = 0; i < 200 && !theirs; i++) {
      try {
        theirs = await reader.find<Story>(story.url);
      } catch {
        await sleep(50);
      }
    }
    if (!theirs) throw new Error("the reader never found the story");
    const typed = text(warmUp() + keystrokes());
    const sentAt: number[] = [];
    const seenAt: number[] = [];
    const readerHandle = theirs;
    readerHandle.on("change", () => {
      const now = performance.now();
      const body = readerHandle.doc().body;
      while (seenAt.length < typed.length && body.length > seenAt.length) seenAt.push(now);
    });
    const schedule = [...Array<number>(warmUp()).fill(125), ...gaps(keystrokes())];
    const started = performance.now();
    let due = 0;
    for (let i = 0; i < typed.length; i++) {
      sentAt.push(performance.now());
      story.change((d) => splice(d, ["body"], i, 0, typed[i] ?? " "));
      due += schedule[i] ?? 125;
      const wait = started + due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    for (let i = 0; i < 400 && seenAt.length < typed.length; i++) await sleep(25);
    const latencies = sentAt.slice(warmUp()).map((t, i) => (seenAt[warmUp() + i] ?? Number.NaN) - t);
    return { mode: "doc", latencies: latencies.filter(Number.isFinite), windowsTuned: true, gapsMs: median(gaps(keystrokes())) };
  } finally {
    await writer.shutdown();
    await reader.shutdown();
    resetSyncThrottle();
  }
}

/**
 * One run: fresh peers with this throttle (undefined: the app's own), editor if the app has one.
 * Exported to try other values: `tsx -e` a loop over measureRemoteVisible(0 | 25 | 50 | 100).
 */
export async function measureRemoteVisible(
  throttleMs: number | undefined,
  /** Another build of the app to serve (its windows' tuning is then its own). */
  webDir?: string,
): Promise<Sample> {
  const peers = await startLinkedPeers({
    communityName: "Bench",
    throttleMs,
    serveArgs: webDir ? ["--web-dir", webDir] : [],
  });
  try {
    const inBrowser = await measureInBrowser(peers, throttleMs);
    return inBrowser ?? (await measureDocs(peers, throttleMs ?? WINDOW_LIVE_MS));
  } finally {
    await peers.stop();
  }
}

const tuned = once(() => measureRemoteVisible(undefined));
const stock = once(() => measureRemoteVisible(STOCK_SYNC_THROTTLE_MS));

const describe = (s: Sample, throttle: string) =>
  `${s.mode === "editor" ? "editor to editor, 2 Chromium pages" : "Automerge doc to doc, Node clients in place of windows (the story page has no editor yet)"}; ` +
  `${s.latencies.length} keystrokes, gaps median ${round(s.gapsMs)} ms (40–210); throttle ${throttle}` +
  (s.windowsTuned ? "" : "; WINDOWS STILL STOCK: renderer/main.tsx does not call applyWindowSyncTuning()");

export const benches: Bench[] = [
  {
    name: "story.remoteVisible.p50.ms",
    unit: "ms",
    goal: "< 25 ms",
    async run() {
      const s = await tuned();
      return { value: quantile(s.latencies, 0.5), note: describe(s, `peers ${PEER_LIVE_MS} ms, windows ${WINDOW_LIVE_MS} ms`) };
    },
  },
  {
    name: "story.remoteVisible.p99.ms",
    unit: "ms",
    goal: "< 60 ms",
    async run() {
      const s = await tuned();
      return { value: quantile(s.latencies, 0.99), note: `max ${round(Math.max(...s.latencies))} ms` };
    },
  },
  {
    name: "story.remoteVisible.stock.p50.ms",
    unit: "ms",
    async run() {
      const s = await stock();
      return { value: quantile(s.latencies, 0.5), note: describe(s, `stock ${STOCK_SYNC_THROTTLE_MS} ms everywhere`) };
    },
  },
  {
    name: "story.remoteVisible.stock.p99.ms",
    unit: "ms",
    async run() {
      const s = await stock();
      return { value: quantile(s.latencies, 0.99), note: `max ${round(Math.max(...s.latencies))} ms` };
    },
  },
];
