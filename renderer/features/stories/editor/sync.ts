// Keeps the ProseMirror document and the Automerge text of a story body in step. This is
// @automerge/prosemirror 0.2.0's `syncPlugin` (MIT), reworked after the convergence property test
// (test/sync/richtextConvergence.test.ts) found it leaving peers with different documents:
//
// - Reconciliation. Upstream translates each edit both ways and trusts the result; its bugs (#42
//   adjacent lists, #43/#44 joins, others listed in the test) leave an editor showing a document
//   that is not the one in Automerge, and every later edit then lands at the wrong index. After
//   every remote change and every local edit other than plain typing, the editor is compared with
//   the canonical reading of the spans (shared/richtext/body.ts `readBody`) and, where it differs,
//   the differing range is replaced. Plain typing is checked the cheaper upstream way (replaying
//   the Automerge patches and comparing change sets), and a pause brings a full check anyway.
// - Writing structure. Block changes are written as the whole document's spans, from our encoder
//   (`encodeBody`), with `updateSpans`; upstream's encoder loses new list items and empty lines.
//   Enter in a top-level paragraph or heading, the common case, is one `splitBlock`, taken only
//   when the cached spans with that marker read as the editor's document: `updateSpans` reads and
//   diffs the whole body, and the check after it read the spans again (most of Enter's time).
// - Speed. Reading the spans costs ~20 ms in a 20,000-word story and upstream does it several
//   times a keystroke; here typing reuses a copy kept up to date from its own patches.
// - Origins. Remote and reconciling transactions carry `syncMetaKey`, so other plugins (history,
//   presence, "touch contributor") can tell them from what this person typed, and so this plugin
//   never writes its own reconciliations back into Automerge.
// - Failure. A translation that throws (a RangeError from an undo over remote edits, upstream's
//   "unable to find block") is caught: the editor is reset to the document instead of breaking.
import {
  diff,
  getHeads,
  mark,
  splice,
  spans as amSpans,
  splitBlock,
  unmark,
  updateSpans,
  type Doc,
  type Prop,
  type Span,
  type SpliceTextPatch,
} from "@automerge/automerge";
import type { DocHandle, SchemaAdapter } from "@automerge/prosemirror";
import amToPm from "@automerge/prosemirror/dist/amToPm.js";
import type { DocHandleChangePayload } from "@automerge/prosemirror/dist/DocHandle.js";
import pmToAm from "@automerge/prosemirror/dist/pmToAm.js";
import { amMarksFromPmMarks } from "@automerge/prosemirror/dist/schema.js";
import { pmRangeToAmRange } from "@automerge/prosemirror/dist/traversal.js";
import { Mark, type Node as PmNode } from "prosemirror-model";
import { ChangeSet } from "prosemirror-changeset";
import {
  Plugin,
  PluginKey,
  Selection,
  TextSelection,
  type EditorState,
  type Transaction,
} from "prosemirror-state";
import type { EditorView } from "prosemirror-view";
import { encodeBody, readBody, repairBody } from "../../../../shared/richtext/body.ts";
import { AddMarkStep, RemoveMarkStep, ReplaceStep, type Step } from "prosemirror-transform";

/** Why a transaction was made, when it was not made by this person's editing. */
export type SyncOrigin = "remote" | "reconcile";

export const syncMetaKey = new PluginKey<null>("meitheal-sync");
/** The plugin's own key: one sync plugin per editor state. */
export const storySyncKey = new PluginKey<null>("meitheal-story-sync");

export const originOf = (tr: Transaction): SyncOrigin | undefined =>
  tr.getMeta(syncMetaKey) as SyncOrigin | undefined;

/** Counts what the plugin had to repair; tests and diagnostics read it, nothing depends on it. */
export type SyncStats = {
  /** Editor documents rebuilt from the spans after a remote change or a local edit. */
  remoteRepairs: number;
  localRepairs: number;
  /** Drift found by the check after a pause (what the fast paths let through). */
  idleRepairs: number;
  /** Block markers rewritten because a merge left them unreadable (see shared/richtext/body.ts). */
  markerRepairs: number;
  failures: number;
  lastError: unknown;
};

export type SyncOptions<T> = {
  adapter: SchemaAdapter;
  handle: DocHandle<T>;
  path: Prop[];
  stats?: SyncStats;
  /**
   * Whether this editor may write repairs of unreadable block markers into the document. A
   * read-only view (an old version, a reader) only reads them repaired.
   */
  canWrite?: () => boolean;
  /** Told about caught translation failures (the editor keeps working either way). */
  onError?: (error: unknown, where: "local" | "remote") => void;
  /**
   * Called before this plugin dispatches a change from elsewhere into the view: in the page,
   * `takePendingSelection` (./pendingSelection.ts), so a caret the person placed a moment ago,
   * not yet read by ProseMirror, is the one the change maps and draws.
   */
  beforeDispatch?: (view: EditorView) => void;
};

export const newSyncStats = (): SyncStats => ({
  remoteRepairs: 0,
  localRepairs: 0,
  idleRepairs: 0,
  markerRepairs: 0,
  failures: 0,
  lastError: null,
});

const startsWith = (prefix: readonly Prop[], path: readonly Prop[]) =>
  prefix.length <= path.length && prefix.every((p, i) => path[i] === p);

const sameHeads = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((h, i) => b[i] === h);

/**
 * Whether a step only types or deletes text inside one textblock: what upstream translates with a
 * splice, the well-trodden path, checked cheaply afterwards. Anything else (splits, joins, wraps,
 * block types, deletions across blocks, and marks, which can land on a line break that Automerge
 * cannot mark) goes through `updateSpans` or `mark` and is checked against the document.
 */
const isTextStep = (step: Step, before: PmNode | undefined): boolean => {
  if (!(step instanceof ReplaceStep) || !before) return false;
  const { content, openStart, openEnd } = step.slice;
  if (openStart !== 0 || openEnd !== 0 || content.childCount > 1) return false;
  if (content.firstChild && !content.firstChild.isText) return false;
  const $from = before.resolve(step.from);
  if (!$from.parent.isTextblock || !$from.sameParent(before.resolve(step.to))) return false;
  let onlyText = true;
  before.nodesBetween(step.from, step.to, (node) => {
    if (node.isInline && !node.isText) onlyText = false;
    return onlyText;
  });
  return onlyText;
};

const isMarkStep = (step: Step): boolean =>
  step instanceof AddMarkStep || step instanceof RemoveMarkStep;

/** Whether two documents are the same but for the block-marker flags (`isAmgBlock`). */
function sameButMarkerFlags(a: PmNode, b: PmNode): boolean {
  if (a.type !== b.type || !Mark.sameSet(a.marks, b.marks)) return false;
  if (a.isText) return a.text === b.text;
  const keys = new Set([...Object.keys(a.attrs), ...Object.keys(b.attrs)]);
  for (const key of keys)
    if (key !== "isAmgBlock" && JSON.stringify(a.attrs[key]) !== JSON.stringify(b.attrs[key]))
      return false;
  if (a.childCount !== b.childCount) return false;
  for (let i = 0; i < a.childCount; i++)
    if (!sameButMarkerFlags(a.child(i), b.child(i))) return false;
  return true;
}

/** `spans` with a block marker holding `block` inserted at Automerge index `index`, as `splitBlock` writes it. */
function withBlockAt(spans: readonly Span[], index: number, block: Span): Span[] | null {
  const out: Span[] = [];
  let at = 0;
  let done = false;
  for (const span of spans) {
    const length = span.type === "text" ? span.value.length : 1;
    if (!done && index === at) {
      out.push(block);
      done = true;
    } else if (!done && span.type === "text" && index > at && index < at + length) {
      const cut = index - at;
      out.push({ ...span, value: span.value.slice(0, cut) }, block, {
        ...span,
        value: span.value.slice(cut),
      });
      done = true;
      at += length;
      continue;
    }
    out.push(span);
    at += length;
  }
  if (!done && index === at) {
    out.push(block);
    done = true;
  }
  return done ? out : null;
}

/** Whether a document holds a horizontal rule (see appendTransaction). */
function hasRule(doc: PmNode): boolean {
  let found = false;
  doc.descendants((node) => {
    if (node.type.name === "horizontal_rule") found = true;
    return !found && !node.isTextblock;
  });
  return found;
}

/** How a batch of local transactions is written to Automerge and checked afterwards. */
type EditKind = "typing" | "marks" | "structure";

function editKind(trs: readonly Transaction[]): EditKind {
  let kind: EditKind = "typing";
  for (const tr of trs)
    for (let i = 0; i < tr.steps.length; i++) {
      const step = tr.steps[i];
      if (!step) continue;
      if (isMarkStep(step)) kind = "marks";
      else if (!isTextStep(step, tr.docs[i])) return "structure";
    }
  return kind;
}

/**
 * Where `expected` differs from `current` only in the markup of nodes at the same places (a block
 * this person just made, written to Automerge and read back as an Automerge block; attributes a
 * merge set), the nodes to change, with their positions; null when the content differs.
 */
function markupChanges(current: PmNode, expected: PmNode): { pos: number; node: PmNode }[] | null {
  const changes: { pos: number; node: PmNode }[] = [];
  const walk = (a: PmNode, b: PmNode, pos: number): boolean => {
    if (a.isText || b.isText) return a.eq(b);
    if (a.isLeaf !== b.isLeaf || a.childCount !== b.childCount) return false;
    if (!a.sameMarkup(b)) changes.push({ pos, node: b });
    let offset = pos + 1;
    for (let i = 0; i < a.childCount; i++) {
      const childA = a.child(i);
      const childB = b.child(i);
      if (!walk(childA, childB, offset)) return false;
      offset += childA.nodeSize;
    }
    return true;
  };
  for (let i = 0, pos = 0; i < current.childCount; i++) {
    if (current.childCount !== expected.childCount) return null;
    const child = current.child(i);
    if (!walk(child, expected.child(i), pos)) return null;
    pos += child.nodeSize;
  }
  return changes;
}

/**
 * A transaction turning `state.doc` into `expected` by changing only what differs, or null when
 * they are equal. The selection and the stored marks stay where this person left them: a
 * reconciliation corrects what the editor shows, never where they are writing. (Mapped through a
 * replaced range instead, a caret inside it went to the range's end: Enter at the end of a
 * paragraph put the caret, and the next words, in the heading after the new empty paragraph.)
 */
export function reconcileTransaction(state: EditorState, expected: PmNode): Transaction | null {
  const current = state.doc;
  if (current.eq(expected)) return null;
  const markup = markupChanges(current, expected);
  if (markup) {
    // Same text and structure: change the nodes in place, so no position moves.
    const tr = state.tr;
    for (const { pos, node } of markup) tr.setNodeMarkup(pos, node.type, node.attrs, node.marks);
    if (tr.doc.eq(expected)) return keepSelection(state, tr, 0, 0, 0);
  }
  let tr = state.tr;
  const start = current.content.findDiffStart(expected.content);
  const end = current.content.findDiffEnd(expected.content);
  let range = { start: 0, endA: current.content.size, endB: expected.content.size };
  if (start !== null && end !== null) {
    let { a: endA, b: endB } = end;
    // findDiffEnd can overlap findDiffStart when the same text repeats; widen both ends equally.
    const overlap = start - Math.min(endA, endB);
    if (overlap > 0) {
      endA += overlap;
      endB += overlap;
    }
    try {
      tr.replace(start, endA, expected.slice(start, endB));
      range = { start, endA, endB };
    } catch {
      tr = state.tr;
    }
  }
  if (!tr.doc.eq(expected)) {
    // The slice did not fit back as the same structure: replace everything.
    tr = state.tr.replaceWith(0, current.content.size, expected.content);
    range = { start: 0, endA: current.content.size, endB: expected.content.size };
  }
  // The document-level node itself (attributes of `doc`) is never reconciled: it has none we use.
  return tr.docChanged ? keepSelection(state, tr, range.start, range.endA, range.endB) : null;
}

/**
 * Puts back the selection of `state` on `tr`, which replaced `start..endA` of the old document by
 * `start..endB` of the new: a position before the range stays, one after it shifts by the change
 * in size, and one inside it keeps its place (clamped to the new range), as the content there is
 * the same document read again. Stored marks (what the next typed letter will carry) are kept.
 */
function keepSelection(
  state: EditorState,
  tr: Transaction,
  start: number,
  endA: number,
  endB: number,
): Transaction {
  const place = (pos: number) =>
    pos <= start ? pos : pos >= endA ? pos + (endB - endA) : Math.min(pos, endB);
  const size = tr.doc.content.size;
  const clamp = (n: number) => Math.max(0, Math.min(n, size));
  const { anchor, head } = state.selection;
  try {
    tr.setSelection(
      TextSelection.between(
        tr.doc.resolve(clamp(place(anchor))),
        tr.doc.resolve(clamp(place(head))),
      ),
    );
  } catch {
    tr.setSelection(Selection.atStart(tr.doc));
  }
  return tr.setStoredMarks(state.storedMarks);
}

/**
 * Someone else's text arriving exactly at this person's caret goes after the caret, not before it:
 * ProseMirror maps a position past an insertion made at it, which would put this person's next
 * keystroke after the other's, and two people typing at the same spot would shred each other's
 * sentences letter by letter. Kept to the left, each person's run of typing stays whole.
 */
export function keepCaretBeforeInsertion(selection: Selection, tr: Transaction): void {
  if (!selection.empty || !tr.docChanged) return;
  const pos = tr.mapping.map(selection.head, -1);
  if (pos === tr.selection.head) return;
  try {
    tr.setSelection(TextSelection.create(tr.doc, pos));
  } catch {
    // Not a text position any more (its block went): ProseMirror's own mapping stands.
  }
}

/** How long the editor waits, after the last change, before checking itself against the spans. */
export const IDLE_CHECK_MS = 2000;

export function storySyncPlugin<T>({
  adapter,
  handle,
  path,
  stats,
  canWrite = () => true,
  onError,
  beforeDispatch = () => undefined,
}: SyncOptions<T>): Plugin {
  // True while this plugin itself changes Automerge or dispatches into the view: the change events
  // and transactions that causes are its own echo.
  let busy = false;
  /**
   * The body's spans at `heads`. Reading them costs ~20 ms for a 20,000-word story, several times
   * per keystroke in upstream's plugin; here typing updates this copy from its own patches
   * (upstream's `amToPm` patches the spans it is given as it replays them), a full check leaves
   * the spans it read, and anything else, or anything that fails, drops it so the next reader
   * takes the spans from Automerge again.
   */
  let cache: { heads: string; spans: Span[] } | null = null;
  const fail = (error: unknown, where: "local" | "remote") => {
    cache = null;
    if (stats) {
      stats.failures++;
      stats.lastError = error;
    }
    onError?.(error, where);
  };
  // The handle's document type is the app's (Story); Automerge's functions want its Doc view of it.
  const current = () => handle.doc() as Doc<T>;
  const headsKey = (doc: Doc<T>) => getHeads(doc).join(",");
  /** The spans of `doc`, from the cache when it is at the same heads. Do not mutate them. */
  const spansOf = (doc: Doc<T>): Span[] => {
    const key = headsKey(doc);
    if (cache?.heads === key) return cache.spans;
    const spans = amSpans(doc, path);
    cache = { heads: key, spans };
    return spans;
  };
  /** The spans of `doc` to hand to upstream's `amToPm`, which patches them in place. */
  const spansToPatch = (doc: Doc<T>): Span[] => {
    const spans = spansOf(doc);
    cache = null;
    return spans;
  };
  /**
   * What the editor must show: the spans read canonically. Markers a merge left unreadable are
   * repaired in the document too (when this editor may write), because upstream's index mapping
   * cannot work around them. Call only while `busy`.
   */
  const canonical = (): PmNode => {
    const reading = readBody(adapter, spansOf(current()));
    if (reading.repairs.length > 0 && canWrite()) {
      if (stats) stats.markerRepairs += reading.repairs.length;
      handle.change((doc) => void repairBody(adapter, doc as Doc<T>, path));
      cache = null;
    }
    return reading.doc;
  };

  /**
   * Typing one piece of text (or deleting inside one textblock): a splice at the Automerge index
   * of the step, then the marks the editor gave the text where Automerge's mark expansion gave it
   * others. Upstream's translation does the same, but reads the spans again after every step and
   * asks `marksAt`, each ~20–30 ms in a long story.
   */
  const typeText = (step: ReplaceStep, spans: Span[]): void => {
    const range = pmRangeToAmRange(adapter, spans, { from: step.from, to: step.to });
    if (!range) throw new Error(`no Automerge range for ${step.from}–${step.to}`);
    const start = Math.min(range.start, range.end);
    const end = Math.max(range.start, range.end);
    const node = step.slice.content.firstChild;
    const text = node?.text ?? "";
    const before = getHeads(current());
    handle.change((doc) => splice(doc as Doc<T>, path, start, end - start, text));
    if (!node || text === "") return;
    const inserted = diff(current(), before, getHeads(current())).find(
      (p): p is SpliceTextPatch => p.action === "splice" && startsWith(path, p.path),
    );
    const have = inserted?.marks ?? {};
    const want = amMarksFromPmMarks(adapter, node.marks);
    const range2 = { start, end: start + text.length };
    const marksToSet = Object.entries(want).filter(([name, value]) => have[name] !== value);
    const known = new Set(adapter.markMappings.map((m) => m.automergeMarkName));
    const marksToClear = Object.keys(have).filter(
      (name) => known.has(name) && have[name] !== null && !(name in want),
    );
    if (marksToSet.length === 0 && marksToClear.length === 0) return;
    handle.change((doc) => {
      for (const [name, value] of marksToSet)
        mark(doc as Doc<T>, path, { ...range2, expand: adapter.expandConfig(name) }, name, value);
      for (const name of marksToClear)
        unmark(doc as Doc<T>, path, { ...range2, expand: "both" }, name);
    });
  };

  /**
   * Enter in a top-level paragraph or heading (one step splitting one textblock): the block marker
   * to insert, where, and the spans and document that result, worked out on the cached spans
   * before anything is written. Null, for the whole-document path, unless reading those spans
   * gives exactly the editor's document. `updateSpans` reads and diffs the whole body (~50 ms
   * in a 3,000-word story), and the check after it reads the spans again; this costs one walk of
   * the cached spans and one read of them.
   */
  const planSplit = (
    step: ReplaceStep,
    before: PmNode | undefined,
    after: PmNode,
    docBefore: Doc<T>,
  ): { index: number; block: Span & { type: "block" }; spans: Span[]; doc: PmNode } | null => {
    if (!before || step.from !== step.to || after.childCount !== before.childCount + 1) return null;
    const $pos = before.resolve(step.from);
    if ($pos.depth !== 1 || !$pos.parent.isTextblock) return null;
    // The marker goes where the text is cut and stands for the block after the cut.
    const second = after.maybeChild($pos.index(0) + 1);
    const paragraph = after.type.schema.nodes.paragraph;
    if (!second || !paragraph) return null;
    const encoded = encodeBody(
      adapter,
      after.type.create(null, [
        paragraph.create(),
        second.type.create(second.attrs, null, second.marks),
      ]),
    );
    const block = encoded.findLast((span) => span.type === "block");
    if (block?.type !== "block") return null;
    const spans = spansOf(docBefore);
    const range = pmRangeToAmRange(adapter, spans, { from: step.from, to: step.to });
    if (!range || range.start !== range.end) return null;
    const patched = withBlockAt(spans, range.start, block);
    if (!patched) return null;
    const reading = readBody(adapter, patched);
    if (reading.repairs.length > 0 || !sameButMarkerFlags(reading.doc, after)) return null;
    return { index: range.start, block, spans: reading.spans, doc: reading.doc };
  };

  // Set by the plugin's view; a state without a view has nothing to schedule.
  let checkIdle: () => void = () => undefined;

  return new Plugin({
    key: storySyncKey,
    view: (view) => {
      let idle: ReturnType<typeof setTimeout> | null = null;
      /** Settles any drift the fast paths missed: at most one full comparison per pause. */
      const checkWhenIdle = () => {
        if (idle !== null) clearTimeout(idle);
        idle = setTimeout(() => {
          idle = null;
          if (busy || view.isDestroyed) return;
          beforeDispatch(view);
          busy = true;
          try {
            cache = null;
            const fix = reconcileTransaction(view.state, canonical());
            if (fix) {
              if (stats) stats.idleRepairs++;
              view.dispatch(fix.setMeta(syncMetaKey, "reconcile").setMeta("addToHistory", false));
            }
          } catch (error) {
            fail(error, "remote");
          } finally {
            busy = false;
          }
        }, IDLE_CHECK_MS);
      };
      checkIdle = checkWhenIdle;

      const onChange = ({ doc, patches, patchInfo }: DocHandleChangePayload<T>) => {
        if (busy || view.isDestroyed) return;
        const before = patchInfo.before;
        if (!patches.some((p) => startsWith(path, p.path))) {
          // Not the body (a title, a comment): the cached spans hold at the new heads too.
          if (cache && cache.heads === headsKey(before)) cache.heads = headsKey(doc);
          return;
        }
        // Before this change is drawn, the caret the person placed a moment ago.
        beforeDispatch(view);
        busy = true;
        try {
          try {
            // `before` is the whole document before this change: its spans (cached when this
            // editor saw that state last) are where the patches start from.
            const tr = amToPm(adapter, spansToPatch(before), patches, path, view.state.tr);
            // Others' edits are not this person's to undo.
            tr.setMeta("addToHistory", false);
            keepCaretBeforeInsertion(view.state.selection, tr);
            if (tr.docChanged) view.dispatch(tr.setMeta(syncMetaKey, "remote"));
          } catch (error) {
            fail(error, "remote");
          }
          // Every remote change is checked against the document: the property test found upstream
          // translating even plain typing wrongly (text typed into a block another peer removed
          // lands in the next block). This reads the spans once (~20 ms, and ~30 ms to read them,
          // in a 20,000-word story; far less in a usual one) and leaves them cached for typing.
          const fix = reconcileTransaction(view.state, canonical());
          if (fix) {
            if (stats) stats.remoteRepairs++;
            view.dispatch(fix.setMeta(syncMetaKey, "reconcile").setMeta("addToHistory", false));
          }
        } finally {
          busy = false;
        }
        checkWhenIdle();
      };
      handle.on("change", onChange);
      return {
        destroy: () => {
          handle.off("change", onChange);
          if (idle !== null) clearTimeout(idle);
          checkIdle = () => undefined;
        },
      };
    },
    appendTransaction(transactions, oldState, state) {
      if (busy) return undefined;
      const local = transactions.filter((tr) => tr.docChanged && originOf(tr) === undefined);
      if (local.length === 0) return undefined;
      const docBefore = current();
      const headsBefore = getHeads(docBefore);
      // Typing and formatting go through upstream's step translation (a splice, a mark: the
      // intent survives concurrent edits best); one piece of typing through our faster copy of
      // it. Structure is written as the whole document's spans with `updateSpans` (which diffs),
      // from our encoder: upstream's loses new list items.
      // Upstream's index maps count a rule (a block with no text) as two positions where
      // ProseMirror counts one, so typing or formatting after one would land a place off: in a
      // story with a rule, every edit is written as the whole document's spans, and checked.
      const rules = hasRule(oldState.doc) || hasRule(state.doc);
      const kind = local.length === transactions.length && !rules ? editKind(local) : "structure";
      const only = local.length === 1 ? local[0] : undefined;
      const step = only?.steps.length === 1 ? only.steps[0] : undefined;
      const fast = kind === "typing" && step instanceof ReplaceStep;
      if (kind === "structure" && !rules && step instanceof ReplaceStep && only) {
        let split: ReturnType<typeof planSplit> = null;
        try {
          split = planSplit(step, only.docs[0], state.doc, docBefore);
        } catch {
          // An index the cached spans cannot map: the whole-document path below decides.
        }
        if (split) {
          const { index, block, spans, doc } = split;
          busy = true;
          try {
            handle.change((d) => splitBlock(d as Doc<T>, path, index, block.value));
            cache = { heads: headsKey(current()), spans };
            checkIdle();
            // The new block's marker, read back, sets `isAmgBlock` on it: only markup changes.
            const fix = reconcileTransaction(state, doc);
            if (fix && stats) stats.localRepairs++;
            return fix?.setMeta(syncMetaKey, "reconcile") ?? undefined;
          } catch (error) {
            // Automerge rolled the split back: the whole-document path below writes it instead.
            fail(error, "local");
          } finally {
            busy = false;
          }
        }
      }
      // What upstream's replay below needs, and patches into the spans after this edit.
      const spansBefore = kind === "typing" ? spansToPatch(docBefore) : null;
      if (!spansBefore) cache = null;
      busy = true;
      let failed = false;
      try {
        if (fast && spansBefore) typeText(step, spansBefore);
        else
          handle.change((doc) => {
            if (kind === "structure") {
              updateSpans(
                doc as Doc<T>,
                path,
                encodeBody(adapter, state.doc),
                adapter.updateSpansConfig(),
              );
              return;
            }
            for (const tr of local) {
              const base = tr.docs[0];
              if (base) pmToAm(adapter, amSpans(doc as Doc<T>, path), tr.steps, doc, base, path);
            }
          });
      } catch (error) {
        // Automerge rolls a failed change back; the editor is brought back to the document below.
        failed = true;
        fail(error, "local");
      } finally {
        busy = false;
      }
      checkIdle();
      const docAfter = current();
      const headsAfter = getHeads(docAfter);
      if (!failed && spansBefore && !sameHeads(headsBefore, headsAfter)) {
        // Typing: upstream's cheaper check. Replay the Automerge change onto the old editor state
        // (which also brings the cached spans up to date) and compare the two change sets; only a
        // difference costs a rebuild from the spans.
        try {
          const patches = diff(docAfter, headsBefore, headsAfter);
          const replay = amToPm(adapter, spansBefore, patches, path, oldState.tr);
          const amChanges = ChangeSet.create(oldState.doc).addSteps(
            oldState.doc,
            replay.mapping.maps,
            undefined,
          );
          let pmChanges = ChangeSet.create(oldState.doc);
          for (const tr of local) {
            const base = tr.docs[0];
            if (base) pmChanges = pmChanges.addSteps(base, tr.mapping.maps, undefined);
          }
          const range = pmChanges.changedRange(amChanges);
          if (!range || range.from === range.to) {
            cache = { heads: headsAfter.join(","), spans: spansBefore };
            return undefined;
          }
        } catch (error) {
          fail(error, "local");
        }
      }
      cache = null;
      busy = true;
      try {
        const fix = reconcileTransaction(state, canonical());
        if (fix && stats) stats.localRepairs++;
        return fix?.setMeta(syncMetaKey, "reconcile") ?? undefined;
      } finally {
        busy = false;
      }
    },
  });
}
