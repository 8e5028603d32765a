// @vitest-environment jsdom
// Random editing scripts against ProseMirror alone (issue #13): typing, Enter, Backspace and Delete
// (joins at block edges), list items split and lifted, marks, headings, lists and quotes, with a
// second person's edits on another replica merged in between. After every step the editor shows
// what Automerge holds (the spans read back); after every local step it shows what a plain
// ProseMirror state (same schema, same keymap and commands, no sync plugin) gives for the same
// key, document and selection both. enter.test.ts is the same oracle for Enter alone.
import * as A from "@automerge/automerge";
import type { DocHandle } from "@automerge/prosemirror";
import type { DocHandleChangePayload } from "@automerge/prosemirror/dist/DocHandle.js";
import fc from "fast-check";
import { Fragment, type Node as PmNode } from "prosemirror-model";
import { EditorState, TextSelection, type Command } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { describe, expect, it } from "vitest";
import { readBody } from "../../../../shared/richtext/body.ts";
import { storySchema, storySchemaAdapter } from "../../../../shared/richtext/schema.ts";
import { blocksToSpans } from "../../../../shared/richtext/text.ts";
import {
  liftItem,
  setHeading,
  setParagraph,
  toggleBlockquote,
  toggleBulletList,
  toggleEm,
  toggleStrong,
} from "./commands.ts";
import { BODY_PATH, createStoryEditorState, storyPlugins } from "./setup.ts";
import { storySyncKey } from "./sync.ts";

type Body = { body: string };
type Listener = (payload: DocHandleChangePayload<Body>) => void;

/** The part of a DocHandle the editor uses, over a plain Automerge document, changes exchanged by hand. */
class Handle implements DocHandle<Body> {
  private listeners = new Set<Listener>();
  constructor(private current: A.Doc<Body>) {}
  doc(): Body {
    return this.current;
  }
  change(fn: (doc: Body) => void): void {
    let patches: A.Patch[] = [];
    let info: A.PatchInfo<Body> | undefined;
    this.current = A.change(
      this.current,
      { patchCallback: (p, i) => void ((patches = p), (info = i)) },
      fn,
    );
    if (info && patches.length > 0) this.emit(patches, info);
  }
  /** Takes in every change `other` has that this one lacks. */
  receiveFrom(other: Handle): void {
    const changes = A.getChanges(this.current, other.current);
    if (changes.length === 0) return;
    let patches: A.Patch[] = [];
    let info: A.PatchInfo<Body> | undefined;
    [this.current] = A.applyChanges(this.current, changes, {
      patchCallback: (p, i) => void ((patches = p), (info = i)),
    });
    if (info && patches.length > 0) this.emit(patches, info);
  }
  on(_event: "change", callback: Listener): void {
    this.listeners.add(callback);
  }
  off(_event: "change", callback: Listener): void {
    this.listeners.delete(callback);
  }
  private emit(patches: A.Patch[], patchInfo: A.PatchInfo<Body>) {
    for (const l of [...this.listeners]) l({ handle: this, doc: this.current, patches, patchInfo });
  }
}

const START = blocksToSpans([
  { type: "heading", level: 2, text: "The activity" },
  { type: "paragraph", text: "We met at the hall.", marks: { em: true } },
  { type: "bullet", text: "tea" },
  { type: "bullet", text: "bread" },
  { type: "quote", text: "Slowly." },
  { type: "paragraph", text: "After." },
]);

function makeView(state: EditorState): EditorView {
  const view: EditorView = new EditorView(null, {
    state,
    dispatchTransaction: (tr) => view.updateState(view.state.applyTransaction(tr).state),
  });
  return view;
}

function replicas(): { local: Handle; remote: Handle; view: EditorView; other: EditorView } {
  let base = A.from<Body>({ body: "" }, { actor: "0000" });
  base = A.change(base, (d) =>
    A.updateSpans(d, BODY_PATH, START, storySchemaAdapter.updateSpansConfig()),
  );
  const saved = A.save(base);
  const local = new Handle(A.load<Body>(saved, { actor: "aa01" }));
  const remote = new Handle(A.load<Body>(saved, { actor: "bb02" }));
  const view = makeView(createStoryEditorState({ handle: local, onSyncError: () => undefined }));
  const other = makeView(createStoryEditorState({ handle: remote, onSyncError: () => undefined }));
  return { local, remote, view, other };
}

/** The same editor with no sync: the oracle of what ProseMirror alone does from this state. */
function oracleOf(view: EditorView, handle: Handle): EditorView {
  const plugins = storyPlugins({ handle }).filter((p) => p.spec.key !== storySyncKey);
  return makeView(
    EditorState.create({
      schema: storySchema,
      doc: view.state.doc,
      selection: view.state.selection,
      plugins,
    }),
  );
}

/**
 * A document as JSON without Automerge's bookkeeping, and with what Automerge cannot tell apart
 * folded away (adjacent lists of one kind, adjacent quotes: see richtextConvergence.test.ts).
 */
function plain(doc: PmNode, fold = false): string {
  const folded = (node: PmNode): PmNode => {
    if (node.isText) return node;
    const merged: PmNode[] = [];
    node.forEach((child) => {
      const last = merged[merged.length - 1];
      if (
        fold &&
        last?.type === child.type &&
        ["bullet_list", "ordered_list", "blockquote"].includes(child.type.name)
      )
        merged[merged.length - 1] = last.copy(last.content.append(child.content));
      else merged.push(child);
    });
    return node.copy(Fragment.from(merged.map(folded)));
  };
  return JSON.stringify(folded(doc).toJSON(), (key, value: unknown) =>
    key === "isAmgBlock" || key === "unknownAttrs" ? undefined : value,
  );
}

const stored = (handle: Handle): PmNode =>
  readBody(storySchemaAdapter, A.spans(handle.doc(), BODY_PATH)).doc;

function cursorPositions(state: EditorState): number[] {
  const out: number[] = [];
  state.doc.descendants((node, pos) => {
    if (!node.isTextblock) return true;
    for (let i = 0; i <= node.content.size; i++) out.push(pos + 1 + i);
    return false;
  });
  return out;
}

const pick = (list: readonly number[], f: number): number =>
  list[Math.min(list.length - 1, Math.floor(f * list.length))] ?? 0;

function press(view: EditorView, key: string): void {
  const event = new window.KeyboardEvent("keydown", { key, bubbles: true, cancelable: true });
  view.someProp("handleKeyDown", (f) => f(view, event));
}

type Op =
  | { kind: "type"; text: string }
  | { kind: "key"; key: "Enter" | "Backspace" | "Delete" }
  | { kind: "command"; name: keyof typeof COMMANDS };

const COMMANDS: Record<string, Command> = {
  em: toggleEm,
  strong: toggleStrong,
  h2: setHeading(2),
  h3: setHeading(3),
  paragraph: setParagraph,
  bullets: toggleBulletList,
  quote: toggleBlockquote,
  lift: liftItem,
};

type Step = { remote: boolean; a: number; b: number; op: Op };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .constantFrom("x", "Tá ", "tide", " ")
      .map((text) => ({ kind: "type" as const, text })),
  },
  {
    weight: 5,
    arbitrary: fc
      .constantFrom("Enter", "Backspace", "Delete")
      .map((key) => ({ kind: "key" as const, key: key })),
  },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(...Object.keys(COMMANDS))
      .map((name) => ({ kind: "command" as const, name })),
  },
);
const stepArb: fc.Arbitrary<Step> = fc.record({
  // One step in four is the other person's.
  remote: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  // Mostly a caret; sometimes a range (b differs), so a key or mark acts on a selection.
  a: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  b: fc.oneof(fc.constant(-1), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })),
  op: opArb,
});

function select(view: EditorView, a: number, b: number) {
  const positions = cursorPositions(view.state);
  const from = pick(positions, a);
  const to = b < 0 ? from : pick(positions, b);
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  view.dispatch(
    view.state.tr.setSelection(
      TextSelection.between(view.state.doc.resolve(lo), view.state.doc.resolve(hi)),
    ),
  );
}

function act(view: EditorView, op: Op): void {
  if (op.kind === "type") view.dispatch(view.state.tr.insertText(op.text));
  else if (op.kind === "key") press(view, op.key);
  else COMMANDS[op.name]?.(view.state, view.dispatch, view);
}

/** Plays `steps`; returns the first step where the editor left the oracle or the document. */
function play(steps: readonly Step[]): string | null {
  const { local, remote, view, other } = replicas();
  try {
    for (const [i, step] of steps.entries()) {
      if (step.remote) {
        select(other, step.a, step.b);
        act(other, step.op);
        local.receiveFrom(remote);
        remote.receiveFrom(local);
      } else {
        select(view, step.a, step.b);
        const oracle = oracleOf(view, local);
        act(view, step.op);
        act(oracle, step.op);
        const got = plain(view.state.doc);
        const want = plain(oracle.state.doc);
        if (plain(view.state.doc, true) !== plain(oracle.state.doc, true))
          return `step ${i} (${JSON.stringify(step.op)}): editor ${got}\n  ProseMirror alone ${want}`;
        const { anchor, head } = view.state.selection;
        const expected = oracle.state.selection;
        if (got === want && (anchor !== expected.anchor || head !== expected.head))
          return `step ${i} (${JSON.stringify(step.op)}): selection ${anchor}–${head}, ProseMirror alone ${expected.anchor}–${expected.head} in ${got}`;
        oracle.destroy();
        remote.receiveFrom(local);
      }
      const shown = plain(view.state.doc);
      const held = plain(stored(local));
      if (shown !== held)
        return `step ${i} (${step.remote ? "remote " : ""}${JSON.stringify(step.op)}): editor ${shown}\n  Automerge ${held}`;
    }
    return null;
  } finally {
    view.destroy();
    other.destroy();
  }
}

describe("editing scripts against ProseMirror alone and the Automerge document", () => {
  it("keeps the editor equal to ProseMirror alone and to the document after every step", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 14 }), (steps) => {
        expect(play(steps)).toBeNull();
      }),
      { numRuns: 120 },
    );
  }, 60_000);
});
