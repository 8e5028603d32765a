// Enter, then typing, as a person does it in a story: the words land where ProseMirror alone puts
// them (in the block Enter made), in the editor and in the Automerge document read back. The editor
// is built the way the app builds it (createStoryEditorState, every plugin, a real automerge-repo
// handle); Enter runs the keymap's own chain. The oracle is a plain ProseMirror state with no sync.
import { spans, updateSpans, type Doc } from "@automerge/automerge";
import { Repo, type DocHandle } from "@automerge/automerge-repo";
import { baseKeymap, chainCommands } from "prosemirror-commands";
import type { Node as PmNode } from "prosemirror-model";
import { EditorState, TextSelection, type Command, type Transaction } from "prosemirror-state";
import { afterAll, describe, expect, it } from "vitest";
import { encodeBody, readBody } from "../../../../shared/richtext/body.ts";
import { storySchema as s, storySchemaAdapter } from "../../../../shared/richtext/schema.ts";
import { splitItem } from "./commands.ts";
import { BODY_PATH, createStoryEditorState } from "./setup.ts";

type Body = { body: string };

const em = s.marks.em!.create();
const p = (text: string, marks = false) =>
  s.node("paragraph", null, text ? [s.text(text, marks ? [em] : [])] : []);
const h = (text: string) => s.node("heading", { level: 2 }, [s.text(text)]);
const item = (text: string) => s.node("list_item", null, [p(text)]);

/** A value-creation story's opening (prompt paragraphs in italics under headings), a list, a quote. */
const STORY = s.node("doc", null, [
  h("The activity"),
  p("What did you take part in?", true),
  h("Immediate value"),
  p("Plain words here"),
  s.node("bullet_list", null, [item("one"), item("two")]),
  s.node("ordered_list", null, [item("first"), item("second")]),
  s.node("blockquote", null, [p("a quote")]),
  p("The end"),
]);

/** Enter as the editor's keymap runs it: list items first, then ProseMirror's base Enter. */
const enter: Command = chainCommands(splitItem, baseKeymap.Enter!);

const repo = new Repo({ network: [] });
afterAll(() => repo.shutdown());

function storyHandle(doc: PmNode): DocHandle<Body> {
  const handle = repo.create<Body>({ body: "" });
  handle.change((d) => {
    updateSpans(
      d as Doc<Body>,
      BODY_PATH,
      encodeBody(storySchemaAdapter, doc),
      storySchemaAdapter.updateSpansConfig(),
    );
  });
  return handle;
}

/** A document as JSON without the Automerge bookkeeping attributes, for comparing with the oracle. */
const plain = (node: PmNode): unknown =>
  JSON.parse(
    JSON.stringify(node.toJSON(), (key, value: unknown) =>
      key === "isAmgBlock" || key === "unknownAttrs" || key === "unknownBlock" ? undefined : value,
    ),
  );

/** Runs `commands` then types `text` on a state, letting every plugin append its transactions. */
function press(state: EditorState, commands: Command[], text: string): EditorState {
  let next = state;
  const run = (tr: Transaction) => {
    next = next.applyTransaction(tr).state;
  };
  for (const command of commands) expect(command(next, run)).toBe(true);
  run(next.tr.insertText(text));
  return next;
}

/** Every textblock's start, middle and end, named for the test title. */
function places(doc: PmNode): { name: string; pos: number }[] {
  const out: { name: string; pos: number }[] = [];
  doc.descendants((node, pos, parent) => {
    if (!node.isTextblock) return true;
    const where = `${parent?.type.name === "doc" ? "" : `${parent?.type.name} `}${node.type.name} "${node.textContent}"`;
    const start = pos + 1;
    const end = pos + 1 + node.content.size;
    out.push({ name: `start of ${where}`, pos: start });
    if (node.content.size > 1)
      out.push({ name: `middle of ${where}`, pos: start + Math.floor(node.content.size / 2) });
    out.push({ name: `end of ${where}`, pos: end });
    return false;
  });
  return out;
}

describe("Enter then typing lands where ProseMirror alone puts it", () => {
  for (const { name, pos } of places(STORY)) {
    it(`at the ${name}`, () => {
      const handle = storyHandle(STORY);
      let state = createStoryEditorState({ handle });
      state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, pos)));
      let oracle = EditorState.create({ schema: s, doc: STORY });
      oracle = oracle.apply(oracle.tr.setSelection(TextSelection.create(oracle.doc, pos)));

      const after = press(state, [enter], "Xy");
      const expected = press(oracle, [enter], "Xy");

      expect(plain(after.doc)).toEqual(plain(expected.doc));
      expect(after.selection.head).toBe(expected.selection.head);
      // What is stored is what the editor shows.
      const stored = readBody(storySchemaAdapter, spans(handle.doc(), BODY_PATH)).doc;
      expect(plain(stored)).toEqual(plain(after.doc));
    });
  }

  it("at the end of the story, twice, then typing", () => {
    const handle = storyHandle(STORY);
    let state = createStoryEditorState({ handle });
    const end = state.doc.content.size - 1;
    state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, end)));
    let oracle = EditorState.create({ schema: s, doc: STORY });
    oracle = oracle.apply(oracle.tr.setSelection(TextSelection.create(oracle.doc, end)));
    const after = press(state, [enter, enter], "Last");
    const expected = press(oracle, [enter, enter], "Last");
    expect(plain(after.doc)).toEqual(plain(expected.doc));
    expect(after.selection.head).toBe(expected.selection.head);
    expect(after.doc.lastChild?.textContent).toBe("Last");
  });
});
