// @vitest-environment jsdom
// Convergence of the story editor: three replicas, each an EditorView over its own Automerge
// document through the editor's real state and plugins (renderer/features/stories/editor/setup.ts),
// edited by the editor's real keymap and commands. Changes are buffered per replica and delivered
// in random subsets and random order at random points; after everything is delivered, every
// editor must show the same document, and that document must be the canonical reading of the
// Automerge spans. Regression cases found by the property (upstream bugs of @automerge/prosemirror and our own) are kept
// below as named tests.
import * as A from "@automerge/automerge";
import { init, pmDocFromSpans, type DocHandle } from "@automerge/prosemirror";
import type { DocHandleChangePayload } from "@automerge/prosemirror/dist/DocHandle.js";
import fc from "fast-check";
import { Fragment, type Node as PmNode } from "prosemirror-model";
import { EditorState, TextSelection, type Command } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { describe, expect, it } from "vitest";
import {
  liftItem,
  redoCommand,
  setHeading,
  setParagraph,
  toggleBlockquote,
  toggleBulletList,
  toggleEm,
  toggleOrderedList,
  toggleStrong,
  undoCommand,
  setLink,
} from "../../renderer/features/stories/editor/commands.ts";
import {
  createStoryEditorState,
  storyPlugins,
} from "../../renderer/features/stories/editor/setup.ts";
import {
  newSyncStats,
  originOf,
  storySyncKey,
  type SyncStats,
} from "../../renderer/features/stories/editor/sync.ts";
import { storySchemaAdapter } from "../../shared/richtext/schema.ts";
import { blocksToSpans } from "../../shared/richtext/text.ts";

type Body = { body: string };
type Listener = (payload: DocHandleChangePayload<Body>) => void;

/** The part of an automerge-repo DocHandle the editor uses, over a plain Automerge document. */
class FakeHandle implements DocHandle<Body> {
  private listeners = new Set<Listener>();
  /** Every change this replica has, in the order it got them (its own and received). */
  readonly log: { hash: string; bytes: Uint8Array }[] = [];
  readonly hashes = new Set<string>();
  constructor(private current: A.Doc<Body>) {
    for (const bytes of A.getAllChanges(current)) this.remember(bytes);
  }
  doc(): Body {
    return this.current;
  }
  change(fn: (doc: Body) => void): void {
    let patches: A.Patch[] = [];
    let info: A.PatchInfo<Body> | undefined;
    this.current = A.change(
      this.current,
      {
        patchCallback: (p, i) => {
          patches = p;
          info = i;
        },
      },
      fn,
    );
    // A change can carry ops that patch nothing visible (a mark over a range already marked): it
    // still has to travel, or every later change of this replica waits on it forever.
    const last = A.getLastLocalChange(this.current);
    if (last) this.remember(last);
    if (info && patches.length > 0) this.emit(patches, info);
  }
  receive(changes: Uint8Array[]): void {
    const fresh = changes.filter((c) => !this.hashes.has(A.decodeChange(c).hash));
    if (fresh.length === 0) return;
    for (const c of fresh) this.remember(c);
    let patches: A.Patch[] = [];
    let info: A.PatchInfo<Body> | undefined;
    [this.current] = A.applyChanges(this.current, fresh, {
      patchCallback: (p, i) => {
        patches = p;
        info = i;
      },
    });
    if (info && patches.length > 0) this.emit(patches, info);
  }
  on(_event: "change", callback: Listener): void {
    this.listeners.add(callback);
  }
  off(_event: "change", callback: Listener): void {
    this.listeners.delete(callback);
  }
  private remember(bytes: Uint8Array) {
    const hash = A.decodeChange(bytes).hash;
    if (this.hashes.has(hash)) return;
    this.hashes.add(hash);
    this.log.push({ hash, bytes });
  }
  private emit(patches: A.Patch[], patchInfo: A.PatchInfo<Body>) {
    const payload = { handle: this, doc: this.current, patches, patchInfo };
    for (const l of [...this.listeners]) l(payload);
  }
}

/** A local edit the editor did not keep as made: what the person made, and what they got. */
type Loss = { made: string; kept: string };

type Replica = { handle: FakeHandle; view: EditorView; stats: SyncStats; losses: Loss[] };

/**
 * A document as people see it, with what Automerge cannot tell apart folded away: adjacent lists
 * of one kind are one list (upstream #42: a list is only a run of item markers), adjacent quotes
 * one quote, and a line break carries no bold or italic (a block marker has no marks).
 */
function seen(doc: PmNode): string {
  const fold = (node: PmNode): PmNode => {
    if (node.isText) return node;
    if (node.type.name === "hard_break") return node.mark([]);
    const merged: PmNode[] = [];
    node.forEach((child) => {
      const last = merged[merged.length - 1];
      if (
        last?.type === child.type &&
        ["bullet_list", "ordered_list", "blockquote"].includes(child.type.name)
      )
        merged[merged.length - 1] = last.copy(last.content.append(child.content));
      else merged.push(child);
    });
    return node.copy(Fragment.from(merged.map(fold)));
  };
  return fold(doc).toString();
}

const ACTORS = ["aa01", "bb02", "cc03"];

/** Three replicas of one story that starts with some structure, as a template would give it. */
function makeReplicas(
  makeState: (handle: FakeHandle, stats: SyncStats) => EditorState = (handle, stats) =>
    createStoryEditorState({ handle, stats, onSyncError: () => undefined }),
): Replica[] {
  let base = A.from<Body>({ body: "" }, { actor: "0000" });
  base = A.change(base, (d) =>
    A.updateSpans(
      d,
      ["body"],
      blocksToSpans([
        { type: "heading", level: 2, text: "The activity" },
        { type: "paragraph", text: "We met at the hall.", marks: { em: true } },
        { type: "bullet", text: "tea" },
        { type: "bullet", text: "bread" },
        { type: "paragraph", text: "After." },
      ]),
      storySchemaAdapter.updateSpansConfig(),
    ),
  );
  const saved = A.save(base);
  return ACTORS.map((actor) => {
    const handle = new FakeHandle(A.load<Body>(saved, { actor }));
    const stats = newSyncStats();
    const losses: Loss[] = [];
    const view: EditorView = new EditorView(null, {
      state: makeState(handle, stats),
      dispatchTransaction(tr) {
        const next = view.state.applyTransaction(tr).state;
        if (tr.docChanged && originOf(tr) === undefined) {
          const made = seen(tr.doc);
          const kept = seen(next.doc);
          if (made !== kept) losses.push({ made, kept });
        }
        view.updateState(next);
      },
    });
    return { handle, view, stats, losses };
  });
}

/**
 * The same editor with @automerge/prosemirror 0.2.0's own `syncPlugin` in place of ours: what the
 * workarounds are measured against.
 */
const upstreamState = (handle: FakeHandle): EditorState => {
  const { schema, pmDoc, plugin } = init(handle, ["body"], { schemaAdapter: storySchemaAdapter });
  const plugins = storyPlugins({ handle }).map((p) => (p.spec.key === storySyncKey ? plugin : p));
  return EditorState.create({ schema, doc: pmDoc, plugins });
};

// --- Editor-level operations ----------------------------------------------------------------

/** Every position a cursor can sit at inside text, in document order. */
function cursorPositions(state: EditorState): number[] {
  const out: number[] = [];
  state.doc.descendants((node, pos) => {
    if (node.isTextblock) {
      for (let i = 0; i <= node.content.size; i++) out.push(pos + 1 + i);
      return false;
    }
    return true;
  });
  return out;
}

function textblockStarts(state: EditorState): number[] {
  const out: number[] = [];
  state.doc.descendants((node, pos) => {
    if (node.isTextblock) {
      out.push(pos + 1);
      return false;
    }
    return true;
  });
  return out;
}

const pick = <T>(list: readonly T[], f: number): T => {
  const item = list[Math.min(list.length - 1, Math.floor(f * list.length))];
  if (item === undefined) throw new Error("empty list");
  return item;
};

function select(view: EditorView, a: number, b = a) {
  const positions = cursorPositions(view.state);
  const [from, to] = [pick(positions, a), pick(positions, b)].sort((x, y) => x - y) as [
    number,
    number,
  ];
  view.dispatch(
    view.state.tr.setSelection(
      TextSelection.between(view.state.doc.resolve(from), view.state.doc.resolve(to)),
    ),
  );
}

/** A key press through the editor's keymaps, as the browser would deliver it. */
function press(view: EditorView, key: string, mods: { shift?: boolean; mod?: boolean } = {}) {
  const Ctor = (globalThis as unknown as { KeyboardEvent: new (t: string, i: object) => unknown })
    .KeyboardEvent;
  const event = new Ctor("keydown", {
    key,
    shiftKey: mods.shift ?? false,
    ctrlKey: mods.mod ?? false,
    bubbles: true,
    cancelable: true,
  });
  return view.someProp("handleKeyDown", (f) => f(view, event as never)) ?? false;
}

const run = (view: EditorView, command: Command) => command(view.state, view.dispatch, view);

type Op =
  | { kind: "type"; at: number; text: string }
  | { kind: "delete"; a: number; b: number }
  | { kind: "enter"; at: number }
  | { kind: "backspaceAtStart"; block: number }
  | { kind: "deleteAtEnd"; block: number }
  | { kind: "mark"; a: number; b: number; mark: "strong" | "em" }
  | { kind: "list"; a: number; b: number; list: "bullet" | "ordered" }
  | { kind: "lift"; at: number }
  | { kind: "sink"; at: number }
  | { kind: "block"; at: number; level: 0 | 1 | 2 | 3 }
  | { kind: "quote"; at: number }
  | { kind: "hardBreak"; at: number }
  | { kind: "link"; a: number; b: number }
  | { kind: "undo" }
  | { kind: "redo" };

type Step =
  | { kind: "edit"; replica: number; op: Op }
  | { kind: "deliver"; from: number; to: number; share: number; order: number[] };

function apply(view: EditorView, op: Op): void {
  switch (op.kind) {
    case "type":
      select(view, op.at);
      view.dispatch(view.state.tr.insertText(op.text));
      return;
    case "delete":
      select(view, op.a, op.b);
      press(view, "Delete");
      return;
    case "enter":
      select(view, op.at);
      press(view, "Enter");
      return;
    case "backspaceAtStart": {
      const start = pick(textblockStarts(view.state), op.block);
      view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, start)));
      press(view, "Backspace");
      return;
    }
    case "deleteAtEnd": {
      const start = pick(textblockStarts(view.state), op.block);
      const end = view.state.doc.resolve(start).end();
      view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, end)));
      press(view, "Delete");
      return;
    }
    case "mark":
      select(view, op.a, op.b);
      run(view, op.mark === "strong" ? toggleStrong : toggleEm);
      return;
    case "list":
      select(view, op.a, op.b);
      run(view, op.list === "bullet" ? toggleBulletList : toggleOrderedList);
      return;
    case "lift":
      select(view, op.at);
      run(view, liftItem);
      return;
    case "sink":
      select(view, op.at);
      press(view, "Tab");
      return;
    case "block":
      select(view, op.at);
      run(view, op.level === 0 ? setParagraph : setHeading(op.level));
      return;
    case "quote":
      select(view, op.at);
      run(view, toggleBlockquote);
      return;
    case "hardBreak":
      select(view, op.at);
      press(view, "Enter", { shift: true });
      return;
    case "link":
      select(view, op.a, op.b);
      run(view, setLink("https://example.org/x"));
      return;
    case "undo":
      run(view, undoCommand);
      return;
    case "redo":
      run(view, redoCommand);
      return;
  }
}

function deliver(replicas: Replica[], from: number, to: number, share: number, order: number[]) {
  const sender = replicas[from]?.handle;
  const receiver = replicas[to]?.handle;
  if (!sender || !receiver || sender === receiver) return;
  const missing = sender.log.filter((c) => !receiver.hashes.has(c.hash));
  const count = Math.ceil(missing.length * share);
  // A random subset in a random order: Automerge holds a change until its dependencies arrive.
  const chosen = missing
    .map((c, i) => ({ c, key: order[i % order.length] ?? i }))
    .sort((x, y) => x.key - y.key)
    .slice(0, count)
    .map((x) => x.c.bytes);
  receiver.receive(chosen);
}

/** Delivers until nothing new moves: a delivery can make an editor write (a repair). */
function deliverEverything(replicas: Replica[]) {
  const total = () => replicas.reduce((n, r) => n + r.handle.log.length, 0);
  for (let round = 0; round < 5; round++) {
    const before = total();
    for (let from = 0; from < replicas.length; from++)
      for (let to = 0; to < replicas.length; to++)
        if (from !== to) deliver(replicas, from, to, 1, [0]);
    if (round > 0 && total() === before) return;
  }
}

const frac = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const word = fc.constantFrom("a", "tí", "bread", " ", "Ó", "x y", "!");

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("type" as const), at: frac, text: word }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), a: frac, b: frac }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("enter" as const), at: frac }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("backspaceAtStart" as const), block: frac }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteAtEnd" as const), block: frac }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("mark" as const),
      a: frac,
      b: frac,
      mark: fc.constantFrom("strong" as const, "em" as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("list" as const),
      a: frac,
      b: frac,
      list: fc.constantFrom("bullet" as const, "ordered" as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("lift" as const), at: frac }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("sink" as const), at: frac }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("block" as const),
      at: frac,
      level: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("quote" as const), at: frac }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("hardBreak" as const), at: frac }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("link" as const), a: frac, b: frac }) },
  { weight: 1, arbitrary: fc.constant({ kind: "undo" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "redo" as const }) },
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("edit" as const),
      replica: fc.integer({ min: 0, max: 2 }),
      op: opArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("deliver" as const),
      from: fc.integer({ min: 0, max: 2 }),
      to: fc.integer({ min: 0, max: 2 }),
      share: fc.constantFrom(0.3, 0.6, 1),
      order: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 8 }),
    }),
  },
);

/** Runs the steps and reports how the replicas ended; never throws for a divergence or a crash. */
function play(steps: readonly Step[], makeState?: Parameters<typeof makeReplicas>[0]) {
  const replicas = makeReplicas(makeState);
  const errors: string[] = [];
  const attempt = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      errors.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    }
  };
  try {
    for (const step of steps) {
      attempt(() => {
        if (step.kind === "edit") {
          const replica = replicas[step.replica];
          if (replica) apply(replica.view, step.op);
        } else deliver(replicas, step.from, step.to, step.share, step.order);
      });
    }
    attempt(() => deliverEverything(replicas));
    const canonical = replicas.map((r) => {
      try {
        return pmDocFromSpans(storySchemaAdapter, A.spans(r.handle.doc(), ["body"]));
      } catch (e) {
        errors.push(`unreadable spans: ${e instanceof Error ? e.message : String(e)}`);
        return null;
      }
    });
    const first = replicas[0]?.view.state.doc;
    const heads = replicas.map((r) =>
      A.getHeads(r.handle.doc() as A.Doc<Body>)
        .sort()
        .join(),
    );
    return {
      replicas,
      errors,
      sameHeads: heads.every((h) => h === heads[0]),
      editorsAgree: replicas.every((r) => first !== undefined && r.view.state.doc.eq(first)),
      editorsMatchSpans: replicas.every((r, i) => canonical[i]?.eq(r.view.state.doc) === true),
      docs: replicas.map((r) => r.view.state.doc.toString()),
      canonical: canonical.map((d) => d?.toString() ?? "unreadable"),
    };
  } finally {
    for (const r of replicas) r.view.destroy();
  }
}

type Outcome = ReturnType<typeof play>;

/** Empty when the replicas converged; otherwise what went wrong, for the failure message. */
const problems = (r: Outcome): string[] => [
  ...r.errors,
  ...(r.sameHeads ? [] : ["Automerge heads differ after full delivery"]),
  ...(r.editorsAgree ? [] : [`editors differ:\n  ${r.docs.join("\n  ")}`]),
  ...(r.editorsMatchSpans
    ? []
    : [`an editor differs from its spans:\n  ${r.canonical.join("\n  ")}`]),
];

// `npm test` replays the same histories every run, so CI is repeatable: a property that fails only
// on some random seeds would make main fail at random. Hunting for new bugs is a separate, explicit
// act: MEITHEAL_SEED=random (and MEITHEAL_CONVERGENCE_RUNS=2000) for fresh histories, or
// MEITHEAL_SEED=<seed> to replay a failure. Known open case found by such a hunt (seed -1530917772):
// a quote whose second paragraph starts with a line break loses that paragraph from the quote when
// read back (one person alone; nothing is lost, the paragraph moves out of the quote).
const RUNS = Number(process.env.MEITHEAL_CONVERGENCE_RUNS ?? 400);
const SEED =
  process.env.MEITHEAL_SEED === "random"
    ? {}
    : { seed: Number(process.env.MEITHEAL_SEED ?? 20_261_126) };
// About 20 ms a history on a laptop; room for a slow machine and for shrinking a failure.
const TIMEOUT = Math.max(60_000, RUNS * 150);

describe("story editor convergence", () => {
  it(
    `three editors converge on the document (${RUNS} random histories)`,
    () => {
      fc.assert(
        fc.property(fc.array(stepArb, { minLength: 5, maxLength: 40 }), (steps) => {
          const result = play(steps);
          expect(problems(result)).toEqual([]);
          // Concurrent edits may legitimately undo the shape of one's own (a peer deletes the list
          // one is typing in); losses are only checked where nobody else is editing, below.
        }),
        { numRuns: RUNS, ...SEED },
      );
    },
    TIMEOUT,
  );

  it(
    `one person's edits are kept as they made them (${RUNS} random histories)`,
    () => {
      const solo = fc.record({
        kind: fc.constant("edit" as const),
        replica: fc.constant(0),
        op: opArb,
      });
      fc.assert(
        fc.property(fc.array(solo, { minLength: 1, maxLength: 15 }), (steps) => {
          const result = play(steps);
          expect(problems(result)).toEqual([]);
          expect(result.replicas[0]?.losses).toEqual([]);
        }),
        { numRuns: RUNS, ...SEED },
      );
    },
    TIMEOUT,
  );
});

const edit = (replica: number, op: Op): Step => ({ kind: "edit", replica, op });
const send = (from: number, to: number): Step => ({
  kind: "deliver",
  from,
  to,
  share: 1,
  order: [0],
});
const LAST = 0.999;

/**
 * Histories the property found against @automerge/prosemirror 0.2.0's own sync plugin (and, for
 * some, against earlier versions of ours), minimised by fast-check. Each must converge with our
 * editor and keep the edit as made; `upstream` says what 0.2.0 alone does with it, checked too, so
 * that when upstream fixes a bug this test says the workaround can go.
 */
const REGRESSIONS: { name: string; steps: Step[]; upstream: string }[] = [
  {
    name: "#42: a list made right after a list of the same kind",
    steps: [edit(0, { kind: "list", a: LAST, b: LAST, list: "bullet" })],
    upstream: "editors differ",
  },
  {
    name: "#43/#44: Backspace at the start of the last block joins it into the list above",
    steps: [edit(0, { kind: "backspaceAtStart", block: LAST })],
    upstream: "editors differ",
  },
  {
    name: "join two blocks with Delete, then type: peers drop a character",
    steps: [
      edit(0, { kind: "block", at: 0, level: 0 }),
      edit(0, { kind: "deleteAtEnd", block: 0 }),
      edit(0, { kind: "type", at: 0, text: "a" }),
    ],
    upstream: "editors differ",
  },
  {
    name: "changing the type of a block that starts with a line break",
    steps: [edit(0, { kind: "hardBreak", at: 0 }), edit(0, { kind: "block", at: 0, level: 3 })],
    upstream: "editors differ",
  },
  {
    name: "Enter at the start of a quote's first line",
    steps: [edit(0, { kind: "quote", at: 0 }), edit(0, { kind: "enter", at: 0 })],
    upstream: "editors differ",
  },
  {
    name: "Enter at the start, then a list over both lines",
    steps: [
      edit(0, { kind: "enter", at: 0 }),
      edit(0, { kind: "list", a: 0.02, b: 0, list: "bullet" }),
      send(0, 1),
      edit(0, { kind: "type", at: 0, text: "a" }),
    ],
    upstream: "Match cannot be null",
  },
  {
    name: "two joins in a row on one peer: upstream throws in the remote peers",
    steps: [edit(1, { kind: "deleteAtEnd", block: 0 }), edit(1, { kind: "deleteAtEnd", block: 0 })],
    upstream: "Invalid path: unable to find block at index",
  },
  {
    name: "concurrent Enter, undo and lists at the start of the story",
    steps: [
      edit(0, { kind: "enter", at: 0 }),
      edit(0, { kind: "undo" }),
      edit(1, { kind: "enter", at: 0 }),
      edit(1, { kind: "list", a: 0, b: 0, list: "bullet" }),
      edit(0, { kind: "list", a: 0, b: 0, list: "bullet" }),
    ],
    // Upstream converges on this one; it broke an earlier version of this test's harness and of
    // our encoder (a heading inside a list item, unreadable).
    upstream: "",
  },
  {
    name: "a mark over a line break (Automerge cannot mark a block marker)",
    steps: [
      edit(2, { kind: "hardBreak", at: 0 }),
      edit(2, { kind: "mark", a: 0.02, b: 0, mark: "strong" }),
      edit(0, { kind: "backspaceAtStart", block: 0 }),
    ],
    upstream: "editors differ",
  },
  {
    name: "typing into a block another peer removed (upstream puts it in the next block)",
    steps: [
      edit(0, { kind: "enter", at: 0 }),
      edit(0, { kind: "type", at: 0, text: "a" }),
      edit(0, { kind: "backspaceAtStart", block: 0 }),
      { kind: "deliver", from: 0, to: 1, share: 0.3, order: [0] },
      edit(0, { kind: "backspaceAtStart", block: 0 }),
      edit(1, { kind: "delete", a: 0, b: 0 }),
    ],
    upstream: "editors differ",
  },
  {
    name: "a link made by one peer over a line break another peer typed",
    steps: [
      edit(0, { kind: "link", a: 0, b: 0 }),
      edit(1, { kind: "hardBreak", at: 0 }),
      edit(1, { kind: "deleteAtEnd", block: 0 }),
      edit(0, { kind: "list", a: 0, b: 0, list: "bullet" }),
    ],
    upstream: "",
  },
];

describe("story editor regressions", () => {
  it("a merge that leaves a block marker unreadable is read, repaired without duplicates, and converges", () => {
    const replicas = makeReplicas();
    const [r0, r1] = replicas;
    if (!r0 || !r1) throw new Error("replicas");
    const spansOf = (r: Replica) => A.spans(r.handle.doc(), ["body"]);
    const markers = (r: Replica) => spansOf(r).filter((s) => s.type === "block").length;
    const before = markers(r0);
    // Marker 2 is "We met at the hall.". One peer makes it a heading, the other a paragraph inside
    // a list item; Automerge merges a marker field by field: a heading whose parents say "list item",
    // which cannot start an item — 0.2.0's reader throws "Match cannot be null" on it.
    const rewrite = (r: Replica, value: A.Span) =>
      r.handle.change((d) =>
        A.updateSpans(
          d,
          ["body"],
          spansOf(r).map((s, i) => (i === 2 ? value : s)),
        ),
      );
    const block = (type: string, parents: string[], attrs: Record<string, number>): A.Span => ({
      type: "block",
      value: {
        type: new A.ImmutableString(type),
        parents: parents.map((p) => new A.ImmutableString(p)),
        attrs,
        isEmbed: false,
      },
    });
    rewrite(r0, block("heading", [], { level: 1 }));
    rewrite(r1, block("paragraph", ["unordered-list-item"], {}));
    deliverEverything(replicas);
    expect(replicas.reduce((n, r) => n + r.stats.markerRepairs, 0)).toBeGreaterThan(0);
    for (const r of replicas) {
      expect(() => pmDocFromSpans(storySchemaAdapter, spansOf(r))).not.toThrow();
      expect(markers(r)).toBe(before);
      expect(r.view.state.doc.eq(replicas[0]!.view.state.doc)).toBe(true);
    }
    for (const r of replicas) r.view.destroy();
  });

  for (const { name, steps, upstream } of REGRESSIONS) {
    it(name, () => {
      const ours = play(steps);
      expect(problems(ours)).toEqual([]);
      for (const r of ours.replicas) expect(r.losses).toEqual([]);
      const theirs = problems(play(steps, upstreamState));
      if (upstream !== "") expect(theirs.join("\n")).toContain(upstream);
    });
  }
});
