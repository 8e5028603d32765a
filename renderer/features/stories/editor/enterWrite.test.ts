// Enter in a long story must not cost a read or a rewrite of the whole body: the sync plugin
// writes a top-level split as one `splitBlock` worked out on the spans it keeps, and keeps them
// for the words typed next. Counted here through Automerge's own functions, which the plugin
// imports; the time it saves is measured by `story.enterToPaint.p95.ms` (test/bench/story.bench.ts).
import * as automerge from "@automerge/automerge";
import { Repo, type DocHandle } from "@automerge/automerge-repo";
import { baseKeymap, chainCommands } from "prosemirror-commands";
import { EditorState, TextSelection, type Command, type Transaction } from "prosemirror-state";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { encodeBody, readBody } from "../../../../shared/richtext/body.ts";
import { storySchema as s, storySchemaAdapter } from "../../../../shared/richtext/schema.ts";
import { splitItem } from "./commands.ts";
import { BODY_PATH, createStoryEditorState } from "./setup.ts";

const calls = vi.hoisted(() => ({ spans: 0, updateSpans: 0 }));

vi.mock("@automerge/automerge", async (importOriginal) => {
  const original = await importOriginal<typeof automerge>();
  return {
    ...original,
    spans: (...args: Parameters<typeof original.spans>) => {
      calls.spans++;
      return original.spans(...args);
    },
    updateSpans: (...args: Parameters<typeof original.updateSpans>) => {
      calls.updateSpans++;
      original.updateSpans(...args);
    },
  };
});

type Body = { body: string };

const enter: Command = chainCommands(splitItem, baseKeymap.Enter!);
const repo = new Repo({ network: [] });
afterAll(() => repo.shutdown());

const paragraphs = Array.from({ length: 40 }, (_, i) =>
  i % 10 === 0
    ? s.node("heading", { level: 2 }, [s.text(`Part ${i / 10 + 1}`)])
    : s.node("paragraph", null, [s.text(`Paragraph ${i} of the story, with some words in it.`)]),
);
const STORY = s.node("doc", null, paragraphs);

function open(): { state: EditorState; handle: DocHandle<Body> } {
  const handle = repo.create<Body>({ body: "" });
  handle.change((d) =>
    automerge.updateSpans(
      d,
      BODY_PATH,
      encodeBody(storySchemaAdapter, STORY),
      storySchemaAdapter.updateSpansConfig(),
    ),
  );
  return { state: createStoryEditorState({ handle }), handle };
}

beforeEach(() => {
  calls.spans = 0;
  calls.updateSpans = 0;
});

describe("Enter in a top-level block", () => {
  for (const [name, offset] of [
    ["at the end of a paragraph", (size: number) => size],
    ["in the middle of a paragraph", (size: number) => Math.floor(size / 2)],
    ["at the start of a paragraph", () => 0],
  ] as const) {
    it(`${name}: neither reads nor rewrites the whole body, and stores what the editor shows`, () => {
      const opened = open();
      const { handle } = opened;
      let { state } = opened;
      const run = (tr: Transaction) => {
        state = state.applyTransaction(tr).state;
      };
      const at = (index: number) => {
        let pos = 0;
        for (let i = 0; i < index; i++) pos += state.doc.child(i).nodeSize;
        return pos + 1 + offset(state.doc.child(index).content.size);
      };
      // A first Enter and word fill the plugin's copy of the spans, as opening a story's first edit.
      state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, at(20))));
      expect(enter(state, run)).toBe(true);
      run(state.tr.insertText("first"));
      calls.spans = 0;
      calls.updateSpans = 0;

      state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, at(25))));
      let oracle = EditorState.create({ schema: s, doc: state.doc, selection: state.selection });
      expect(enter(state, run)).toBe(true);
      run(state.tr.insertText("next"));
      expect(enter(oracle, (tr) => (oracle = oracle.apply(tr)))).toBe(true);
      oracle = oracle.apply(oracle.tr.insertText("next"));

      expect(calls).toEqual({ spans: 0, updateSpans: 0 });
      expect(state.doc.textContent).toBe(oracle.doc.textContent);
      expect(state.doc.childCount).toBe(oracle.doc.childCount);
      expect(state.selection.head).toBe(oracle.selection.head);
      const stored = readBody(storySchemaAdapter, automerge.spans(handle.doc(), BODY_PATH)).doc;
      expect(stored.textContent).toBe(state.doc.textContent);
      expect(stored.childCount).toBe(state.doc.childCount);
      stored.forEach((node, _o, i) => expect(node.type).toBe(state.doc.child(i).type));
    });
  }
});
