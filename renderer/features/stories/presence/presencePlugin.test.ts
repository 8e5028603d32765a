import { Schema } from "prosemirror-model";
import { EditorState } from "prosemirror-state";
import { describe, expect, it } from "vitest";
import {
  buildDecorations,
  presenceKey,
  presencePlugin,
  refreshTransaction,
  type CursorPeer,
} from "./presencePlugin.ts";

const schema = new Schema({
  nodes: {
    doc: { content: "paragraph+" },
    paragraph: { content: "text*", toDOM: () => ["p", 0] },
    text: {},
  },
});
const doc = schema.node("doc", null, [
  schema.node("paragraph", null, [schema.text("Hello world")]),
]);
// In this one-paragraph document, Automerge index i is editor position i + 1.
const amToPm = (i: number) => (i <= 11 ? i + 1 : null);

const peer = (selection: CursorPeer["selection"], peerId = "ui-b"): CursorPeer => ({
  peerId,
  name: "Brian",
  colour: "#2b5d9b",
  selection,
});

/** Where the peers' carets are drawn now. */
const carets = (state: EditorState) =>
  presenceKey
    .getState(state)
    ?.find()
    .map((d) => d.from);

describe("presence decorations", () => {
  it("draws a caret for a collapsed selection and a highlight plus caret for a range", () => {
    const caretOnly = buildDecorations(doc, [peer({ start: 5, end: 5 })], amToPm).find();
    expect(caretOnly.map((d) => [d.from, d.to])).toEqual([[6, 6]]);
    const range = buildDecorations(doc, [peer({ start: 0, end: 5 })], amToPm).find();
    expect(range.map((d) => [d.from, d.to]).sort()).toEqual([
      [1, 6],
      [6, 6],
    ]);
  });

  it("skips peers without a selection or with places the document does not have", () => {
    const set = buildDecorations(doc, [peer(null), peer({ start: 50, end: 50 }, "ui-c")], amToPm);
    expect(set.find()).toEqual([]);
    const throwing = buildDecorations(doc, [peer({ start: 1, end: 1 })], () => {
      throw new Error("no such index");
    });
    expect(throwing.find()).toEqual([]);
  });

  it("reads the peers on a refresh and moves their carets with later edits", () => {
    let peers = [peer({ start: 6, end: 6 })];
    const plugin = presencePlugin(() => peers, { amToPm });
    let state = EditorState.create({ doc, plugins: [plugin] });
    expect(carets(state)).toEqual([]);
    state = state.apply(refreshTransaction(state));
    expect(carets(state)).toEqual([7]);
    // Typing before the caret pushes it along without a refresh.
    state = state.apply(state.tr.insertText("Oh, ", 1));
    expect(carets(state)).toEqual([11]);
    // A refresh with no peers clears it.
    peers = [];
    state = state.apply(refreshTransaction(state));
    expect(carets(state)).toEqual([]);
    // A refresh changes neither the document nor the undo history.
    expect(refreshTransaction(state).docChanged).toBe(false);
    expect(refreshTransaction(state).getMeta("addToHistory")).toBe(false);
  });
});
