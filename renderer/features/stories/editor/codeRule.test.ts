// Inline code and rules in the editor built as the app builds it (every plugin, a real
// automerge-repo handle): `---` then Enter makes a rule, the toolbar's rule button adds one,
// Mod-e toggles code; what is stored reads back as what the editor shows.
import { spans, updateSpans, type Doc } from "@automerge/automerge";
import { Repo, type DocHandle } from "@automerge/automerge-repo";
import type { Node as PmNode } from "prosemirror-model";
import { TextSelection, type Command, type EditorState, type Transaction } from "prosemirror-state";
import { afterAll, describe, expect, it } from "vitest";
import { encodeBody, readBody } from "../../../../shared/richtext/body.ts";
import { storySchema as s, storySchemaAdapter } from "../../../../shared/richtext/schema.ts";
import { insertRule, ruleFromDashes, toggleCode, toggleStrong } from "./commands.ts";
import { BODY_PATH, createStoryEditorState } from "./setup.ts";

type Body = { body: string };
const p = (text: string) => s.node("paragraph", null, text ? [s.text(text)] : []);

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

function press(state: EditorState, commands: Command[], text: string): EditorState {
  let next = state;
  const run = (tr: Transaction) => {
    next = next.applyTransaction(tr).state;
  };
  for (const command of commands) expect(command(next, run)).toBe(true);
  if (text) run(next.tr.insertText(text));
  return next;
}

const stored = (handle: DocHandle<Body>): string =>
  readBody(storySchemaAdapter, spans(handle.doc(), BODY_PATH)).doc.toString();

describe("rules and inline code in the editor", () => {
  it("--- then Enter becomes a rule, and typing goes on below it", () => {
    const handle = storyHandle(s.node("doc", null, [p("one"), p("---")]));
    let state = createStoryEditorState({ handle });
    state = state.apply(
      state.tr.setSelection(TextSelection.create(state.doc, state.doc.content.size - 1)),
    );
    const after = press(state, [ruleFromDashes], "two");
    expect(after.doc.toString()).toBe('doc(paragraph("one"), horizontal_rule, paragraph("two"))');
    expect(stored(handle)).toBe(after.doc.toString());
    // Formatting after a rule lands on the words chosen (upstream's index maps would be a place off).
    let bold = after.apply(after.tr.setSelection(TextSelection.create(after.doc, 7, 9)));
    bold = press(bold, [toggleStrong], "");
    expect(bold.doc.toString()).toBe(
      'doc(paragraph("one"), horizontal_rule, paragraph(strong("tw"), "o"))',
    );
    expect(stored(handle)).toBe(bold.doc.toString());
  });

  it("the rule button adds a rule after the paragraph", () => {
    const handle = storyHandle(s.node("doc", null, [p("one")]));
    let state = createStoryEditorState({ handle });
    state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, 2)));
    const after = press(state, [insertRule], "two");
    expect(after.doc.toString()).toBe('doc(paragraph("one"), horizontal_rule, paragraph("two"))');
    expect(stored(handle)).toBe(after.doc.toString());
  });

  it("Mod-e makes what is typed next code", () => {
    const handle = storyHandle(s.node("doc", null, [p("run ")]));
    let state = createStoryEditorState({ handle });
    state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, 5)));
    const after = press(state, [toggleCode], "ls");
    expect(after.doc.toString()).toBe('doc(paragraph("run ", code("ls")))');
    expect(stored(handle)).toBe(after.doc.toString());
  });
});
