// Story editor benchmarks, in headless Chromium on a page with only the editor
// (test/e2e/pages/storyEditor, built here with Vite): a 20,000-word story with 2,000 edits of
// history, opened as the app opens a story (repo.find, validate, build the editor) and typed into
// as a person types. The page has no network adapter, so these are the editor's own costs: the
// sync throttle and the link to the peer come on top (story.remote.bench.ts measures those).
// A quick run (registry.ts): a 2,000-word story of 200 edits, loaded once, a few keys of each kind.
import * as A from "@automerge/automerge";
import { systemContext } from "../../shared/ops/context.ts";
import { initStory } from "../../shared/ops/story.ts";
import { applyTemplate } from "../../shared/richtext/templates.ts";
import type { Story } from "../../shared/schema/story.ts";
import { serveEditorPage, type EditorPageServer } from "../helpers/editorPage.ts";
import { afterAllBenches, median, once, quantile, quick, round, type Bench } from "./registry.ts";

/** The long story's words and edits of history; storyPage.bench.ts types into the same story. */
export const storyWords = () => (quick() ? 2_000 : 20_000);
const storyEdits = () => (quick() ? 200 : 2_000);
const loadCount = () => (quick() ? 1 : 5);
const keystrokes = () => (quick() ? 20 : 200);
const warmUp = () => (quick() ? 3 : 10);
const TYPING_GAP_MS = 90;
const enterCount = () => (quick() ? 3 : 20);
/** Enter on its own: a story of a few thousand words, as most are, and enough presses for a p95. */
const enterWords = () => (quick() ? 1_000 : 3_000);
const enterPresses = () => (quick() ? 5 : 60);

const VOCABULARY = ("river kettle lantern harvest meadow circle bridge thread garden commons quay " +
  "boat fáilte neighbours gathered dawn the a of and we they it was in on with to what changed " +
  "learned together slowly because after before hall tea bread stones tide story circle host " +
  "listened said asked Máire Seán Aoife Brian community practice question answer").split(" ");

/**
 * A story written the way stories are: 2,000 changes of ten words each, a new paragraph every
 * eighth change and a section heading every eightieth, a word in italics now and then. Words are
 * drawn pseudo-randomly: a repeating pattern would compress into a save no real story has.
 */
export function storyWithHistory(words = storyWords(), edits = storyEdits()): Uint8Array {
  let seed = 20_250_601;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const ctx = systemContext();
  let doc = A.change(A.init<Story>(), (d) => {
    initStory(d, { communityId: "bench", title: "Long story" }, ctx);
    applyTemplate(d, "blank");
  });
  const perEdit = Math.ceil(words / edits);
  let written = 0;
  for (let i = 0; i < edits; i++) {
    doc = A.change(doc, (d) => {
      const end = d.body.length;
      if (i > 0 && i % 8 === 0) {
        const heading = i % 80 === 0;
        A.splitBlock(d, ["body"], end, {
          type: new A.ImmutableString(heading ? "heading" : "paragraph"),
          parents: [],
          attrs: heading ? { level: 2 } : {},
          isEmbed: false,
        });
      }
      const at = d.body.length;
      const chunk: string[] = [];
      for (let w = 0; w < perEdit && written < words; w++, written++)
        chunk.push(VOCABULARY[Math.floor(next() * VOCABULARY.length)] ?? "word");
      const text = (i % 8 === 0 ? "" : " ") + chunk.join(" ");
      A.splice(d, ["body"], at, 0, text);
      if (i % 25 === 0)
        A.mark(d, ["body"], { start: at + 1, end: at + 6, expand: "both" }, "em", true);
    });
  }
  return A.save(doc);
}

/** Builds the page, serves it and the story on 127.0.0.1, and starts Chromium: once per run. */
const served = once(async (): Promise<EditorPageServer> => {
  const started = performance.now();
  const story = storyWithHistory();
  const server = await serveEditorPage(story, (words) => storyWithHistory(words, Math.ceil(words / 10)));
  process.stderr.write(
    `  built the editor page and a ${storyWords()}-word story (${storyEdits()} edits, ${round(story.byteLength / 1024)} KiB) in ${round((performance.now() - started) / 1000)} s\n`,
  );
  afterAllBenches(() => server.close());
  return server;
});

type Timings = { findMs: number; validateMs: number; editorMs: number; paintMs: number; totalMs: number; words: number };

const loads = once(async (): Promise<Timings[]> => {
  const { page } = await served();
  const out: Timings[] = [];
  // One fresh page (and repo) per load, one after another.
  for (let i = 0; i < loadCount(); i++) {
    const p = await page();
    out.push(await p.evaluate<Timings>("window.storyPage.timings"));
    await p.close();
  }
  return out;
});

/**
 * In the page: the time from each keydown in the editor to just after the next frame is painted,
 * for characters and, apart, for Enter (a new block: the editor's structural path).
 */
export const RECORD_KEYS = `() => {
  const samples = [];
  const enters = [];
  window.keySamples = samples;
  window.enterSamples = enters;
  const text = document.querySelector(".story-text");
  text.addEventListener("keydown", (event) => {
    const t0 = performance.now();
    const into = event.key === "Enter" ? enters : samples;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => into.push(performance.now() - t0);
      channel.port2.postMessage(null);
    });
  }, true);
}`;

const typing = once(async (): Promise<{ samples: number[]; enters: number[]; inserted: boolean }> => {
  const { page } = await served();
  const p = await page();
  // The cursor in the middle of the story, where every index mapping walks half the document.
  const paragraphs = p.locator(".story-text p");
  const middle = paragraphs.nth(Math.floor((await paragraphs.count()) / 2));
  await middle.click();
  await p.evaluate(`(${RECORD_KEYS})()`);
  const typed = "the tide came in over the stones and we kept on writing together ".repeat(4);
  const keys = typed.slice(0, keystrokes() + warmUp());
  for (const ch of keys) {
    await p.keyboard.type(ch);
    await p.waitForTimeout(TYPING_GAP_MS);
  }
  await p.waitForTimeout(500);
  const samples = (await p.evaluate<number[]>("window.keySamples")).slice(warmUp());
  const inserted = (await middle.innerText()).includes(keys.slice(0, 40));
  // Then new paragraphs: Enter and a word, as when writing on.
  for (let i = 0; i < enterCount(); i++) {
    await p.keyboard.press("Enter");
    await p.waitForTimeout(TYPING_GAP_MS * 3);
    await p.keyboard.type("next");
    await p.waitForTimeout(TYPING_GAP_MS * 3);
  }
  await p.waitForTimeout(500);
  const enters = await p.evaluate<number[]>("window.enterSamples");
  await p.close();
  return { samples, enters, inserted };
});

/**
 * Enter in the middle of a story of a few thousand words, then a word, as when writing on: the
 * time from each Enter's keydown to the next paint.
 */
const enterAlone = once(async (): Promise<{ enters: number[]; blocksAdded: number }> => {
  const { page } = await served();
  const p = await page(enterWords());
  const paragraphs = p.locator(".story-text p");
  const before = await paragraphs.count();
  await paragraphs.nth(Math.floor(before / 2)).click();
  await p.keyboard.press("End");
  await p.evaluate(`(${RECORD_KEYS})()`);
  for (let i = 0; i < enterPresses() + warmUp(); i++) {
    await p.keyboard.press("Enter");
    await p.waitForTimeout(TYPING_GAP_MS * 3);
    await p.keyboard.type("next");
    await p.waitForTimeout(TYPING_GAP_MS * 3);
  }
  await p.waitForTimeout(500);
  const samples = (await p.evaluate<number[]>("window.enterSamples")).slice(warmUp());
  const blocksAdded = (await paragraphs.count()) - before;
  await p.close();
  return { enters: samples, blocksAdded };
});

const arrivalCount = () => (quick() ? 5 : 60);

/** Others' typing arriving while this editor is open: the editor's side of remote latency. */
const arrivals = once(async (): Promise<number[]> => {
  const { page } = await served();
  const p = await page();
  const out: number[] = [];
  for (let i = 0; i < arrivalCount() + warmUp(); i++) {
    out.push(await p.evaluate<number>('window.storyPage.arrive("x")'));
    await p.waitForTimeout(TYPING_GAP_MS);
  }
  await p.close();
  return out.slice(warmUp());
});

export const benches: Bench[] = [
  {
    name: "story.load20k.ms",
    unit: "ms",
    goal: "< 1000 ms",
    async run() {
      const samples = await loads();
      const total = samples.map((s) => s.totalMs);
      const phase = (pick: (s: Timings) => number) => round(median(samples.map(pick)));
      return {
        value: median(total),
        note:
          `Chromium, repo.find → editor painted, median of ${samples.length} (${round(Math.min(...total))}–${round(Math.max(...total))}); ` +
          `find ${phase((s) => s.findMs)} ms, validate ${phase((s) => s.validateMs)} ms, build editor ${phase((s) => s.editorMs)} ms, ` +
          `paint ${phase((s) => s.paintMs)} ms; ${samples[0]?.words ?? "?"} words, ${storyEdits()} edits of history`,
      };
    },
  },
  {
    name: "story.keypressToPaint.p95.ms",
    unit: "ms",
    goal: "< 16 ms",
    async run() {
      const { samples, inserted } = await typing();
      if (!inserted) throw new Error("the typed text did not appear in the editor");
      return {
        value: quantile(samples, 0.95),
        note:
          `Chromium, keydown → after next paint, ${samples.length} keys ${TYPING_GAP_MS} ms apart in the middle of a ${storyWords()}-word story; ` +
          `median ${round(median(samples))} ms, max ${round(Math.max(...samples))} ms`,
      };
    },
  },
  {
    name: "story.remoteKeyToPaint.median.ms",
    unit: "ms",
    goal: "< 100 ms",
    async run() {
      const samples = await arrivals();
      return {
        value: median(samples),
        note:
          `Chromium, another person's character applied to this editor → after next paint, ${samples.length} times; ` +
          `p95 ${round(quantile(samples, 0.95))} ms. The editor checks every remote change against the document (see sync.ts); ` +
          `network and sync throttle not included`,
      };
    },
  },
  {
    name: "story.enterToPaint.median.ms",
    unit: "ms",
    goal: "< 100 ms",
    async run() {
      const { enters } = await typing();
      return {
        value: median(enters),
        note: `Chromium, Enter (a new paragraph) → after next paint, ${enters.length} times in the same story; p95 ${round(quantile(enters, 0.95))} ms`,
      };
    },
  },
  {
    name: "story.enterToPaint.p95.ms",
    unit: "ms",
    goal: "< 50 ms",
    async run() {
      const { enters, blocksAdded } = await enterAlone();
      if (blocksAdded !== enterPresses() + warmUp())
        throw new Error(`${enterPresses() + warmUp()} Enters made ${blocksAdded} paragraphs`);
      return {
        value: quantile(enters, 0.95),
        note:
          `Chromium, Enter (a new paragraph, then a word) → after next paint, ${enters.length} times in the middle of a ${enterWords()}-word story; ` +
          `min ${round(Math.min(...enters))}, median ${round(median(enters))}, max ${round(Math.max(...enters))} ms`,
      };
    },
  },
];
