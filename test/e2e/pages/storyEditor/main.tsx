// A page with nothing but the story editor, for benchmarks and browser tests of the editor on its
// own (test/bench/story.bench.ts): the story comes from ./story.bin (an Automerge save, with its
// history), is stored in an in-memory repo, and is opened the way the app opens a story — find,
// validate, build the editor. What it measured is left in `window.storyPage`.
import {
  Repo,
  splice,
  type AutomergeUrl,
  type Chunk,
  type StorageKey,
} from "@automerge/automerge-repo";
import type { StorageAdapterInterface } from "@automerge/automerge-repo";
import { createRoot } from "react-dom/client";
import { wordCount } from "../../../../shared/richtext/text.ts";
import { storyKind, type Story } from "../../../../shared/schema/story.ts";
import {
  StoryEditor,
  type EditorApi,
} from "../../../../renderer/features/stories/editor/StoryEditor.tsx";
import "../../../../renderer/styles.css";
import "../../../../renderer/features/stories/stories.css";

/** Storage in a Map: the first repo saves the story into it, the measured one loads it. */
class MemoryStorage implements StorageAdapterInterface {
  private data = new Map<string, { key: StorageKey; bytes: Uint8Array }>();
  private id = (key: StorageKey) => key.join("\u0000");
  load(key: StorageKey) {
    return Promise.resolve(this.data.get(this.id(key))?.bytes);
  }
  save(key: StorageKey, bytes: Uint8Array) {
    this.data.set(this.id(key), { key, bytes });
    return Promise.resolve();
  }
  remove(key: StorageKey) {
    this.data.delete(this.id(key));
    return Promise.resolve();
  }
  loadRange(prefix: StorageKey): Promise<Chunk[]> {
    const p = this.id(prefix);
    return Promise.resolve(
      [...this.data.values()]
        .filter(({ key }) => this.id(key).startsWith(p))
        .map(({ key, bytes }) => ({ key, data: bytes })),
    );
  }
  removeRange(prefix: StorageKey) {
    const p = this.id(prefix);
    for (const k of [...this.data.keys()]) if (k.startsWith(p)) this.data.delete(k);
    return Promise.resolve();
  }
}

export type StoryPageTimings = {
  findMs: number;
  validateMs: number;
  editorMs: number;
  paintMs: number;
  totalMs: number;
  words: number;
};

type StoryPageState = {
  ready: boolean;
  error: string | null;
  timings: StoryPageTimings | null;
  api: EditorApi | null;
  /**
   * Types `text` into the story from outside the editor, as another person's change arrives, and
   * resolves with the time until the editor has painted it.
   */
  arrive: ((text: string) => Promise<number>) | null;
};

declare global {
  interface Window {
    storyPage: StoryPageState;
  }
}

const state: StoryPageState = {
  ready: false,
  error: null,
  timings: null,
  api: null,
  arrive: null,
};
window.storyPage = state;

const nextPaint = () =>
  new Promise<number>((resolve) =>
    requestAnimationFrame(() => {
      // The frame is painted after the animation-frame callbacks; a message posted from one runs
      // after that paint.
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(performance.now());
      channel.port2.postMessage(null);
    }),
  );

async function main() {
  const bytes = new Uint8Array(await (await fetch(`./story.bin${location.search}`)).arrayBuffer());
  const storage = new MemoryStorage();
  const seeding = new Repo({ storage, network: [] });
  const url: AutomergeUrl = seeding.import<Story>(bytes).url;
  await seeding.flush();
  await seeding.shutdown();

  const started = performance.now();
  const repo = new Repo({ storage, network: [] });
  const handle = await repo.find<Story>(url);
  const found = performance.now();
  const read = storyKind.read(handle.doc());
  if (read.state !== "ok") throw new Error(`the story does not validate: ${read.state}`);
  const validated = performance.now();
  const root = document.getElementById("root");
  if (!root) throw new Error("no #root");
  const ready = new Promise<EditorApi>((resolve) => {
    createRoot(root).render(<StoryEditor handle={handle} onReady={resolve} />);
  });
  const api = await ready;
  const built = performance.now();
  const painted = await nextPaint();
  state.api = api;
  state.arrive = async (text: string) => {
    const t0 = performance.now();
    handle.change((d) => {
      // Into the middle of the story, where another person would be writing.
      splice(d, ["body"], Math.floor(d.body.length / 2), 0, text);
    });
    return (await nextPaint()) - t0;
  };
  state.timings = {
    findMs: found - started,
    validateMs: validated - found,
    editorMs: built - validated,
    paintMs: painted - built,
    totalMs: painted - started,
    // Block markers are U+FFFC in the text; they separate words like line breaks.
    words: wordCount(read.doc.body.replace(/\uFFFC/g, "\n")),
  };
  state.ready = true;
}

main().catch((e: unknown) => {
  state.error = e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : String(e);
});
