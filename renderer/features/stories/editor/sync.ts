// Keeps the ProseMirror document and the Automerge text of a story body in step. This is
// @automerge/prosemirror 0.2.0's `syncPlugin` (MIT) with what Meitheal needs on top:
//
// - Reconciliation. The upstream plugin translates each edit both ways and trusts the result; its
//   known bugs (#42 adjacent lists merge only on the remote side, #43/#44 joins near the end of the
//   document desync peers, see FIELD-NOTES) leave a peer's editor showing a document that is not
//   the one in Automerge, and every later edit then lands at the wrong index. After every remote
//   change and every local structural edit we rebuild what the editor should show from the
//   Automerge spans (`pmDocFromSpans`, the one canonical reading) and, if the editor differs,
//   replace just the differing range. The editor can therefore never drift from the document.
// - Origins. Remote and reconciling transactions carry `syncMetaKey`, so other plugins (history,
//   presence, "touch contributor") can tell them from what this person typed, and so this plugin
//   never writes its own reconciliations back into Automerge.
// - Failure. A translation that throws (a RangeError from an undo over remote edits, an upstream
//   "could not find range") is caught: the editor is reset to the document instead of breaking.
import {
  diff,
  getHeads,
  spans as amSpans,
  updateSpans,
  type Doc,
  type Prop,
} from "@automerge/automerge";
import type { DocHandle, SchemaAdapter } from "@automerge/prosemirror";
import amToPm from "@automerge/prosemirror/dist/amToPm.js";
import { patchesToTr } from "@automerge/prosemirror/dist/patchesToTr.js";
import type { DocHandleChangePayload } from "@automerge/prosemirror/dist/DocHandle.js";
import pmToAm from "@automerge/prosemirror/dist/pmToAm.js";
import type { Node as PmNode } from "prosemirror-model";
import { ChangeSet } from "prosemirror-changeset";
import {
  Plugin,
  PluginKey,
  Selection,
  TextSelection,
  type EditorState,
  type Transaction,
} from "prosemirror-state";
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
};

export const newSyncStats = (): SyncStats => ({
  remoteRepairs: 0,
  localRepairs: 0,
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
 * A transaction turning `state.doc` into `expected` by replacing only the range that differs, or
 * null when they are equal. The selection stays where it was as far as the new document allows.
 */
export function reconcileTransaction(state: EditorState, expected: PmNode): Transaction | null {
  const current = state.doc;
  if (current.eq(expected)) return null;
  let tr = state.tr;
  const start = current.content.findDiffStart(expected.content);
  const end = current.content.findDiffEnd(expected.content);
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
    } catch {
      tr = state.tr;
    }
  }
  if (!tr.doc.eq(expected)) {
    // The slice did not fit back as the same structure: replace everything, keep the cursor.
    tr = state.tr.replaceWith(0, current.content.size, expected.content);
    const size = tr.doc.content.size;
    const clamp = (n: number) => Math.max(0, Math.min(n, size));
    try {
      const { anchor, head } = state.selection;
      tr.setSelection(
        TextSelection.between(tr.doc.resolve(clamp(anchor)), tr.doc.resolve(clamp(head))),
      );
    } catch {
      tr.setSelection(Selection.atStart(tr.doc));
    }
  }
  // The document-level node itself (attributes of `doc`) is never reconciled: it has none we use.
  return tr.docChanged ? tr : null;
}

export function storySyncPlugin<T>({
  adapter,
  handle,
  path,
  stats,
  canWrite = () => true,
  onError,
}: SyncOptions<T>): Plugin {
  // True while this plugin itself changes Automerge or dispatches into the view: the change events
  // and transactions that causes are its own echo.
  let busy = false;
  const fail = (error: unknown, where: "local" | "remote") => {
    if (stats) {
      stats.failures++;
      stats.lastError = error;
    }
    onError?.(error, where);
  };
  // The handle's document type is the app's (Story); Automerge's functions want its Doc view of it.
  const current = () => handle.doc() as Doc<T>;
  /**
   * What the editor must show: the spans read canonically. Markers a merge left unreadable are
   * repaired in the document too (when this editor may write), because upstream's index mapping
   * cannot work around them. Call only while `busy`.
   */
  const canonical = (spans = amSpans(current(), path)): PmNode => {
    const reading = readBody(adapter, spans);
    if (reading.repairs.length > 0 && canWrite()) {
      if (stats) stats.markerRepairs += reading.repairs.length;
      handle.change((doc) => void repairBody(adapter, doc as Doc<T>, path));
    }
    return reading.doc;
  };

  return new Plugin({
    key: storySyncKey,
    view: (view) => {
      const onChange = ({ doc, patches, patchInfo }: DocHandleChangePayload<T>) => {
        if (busy || view.isDestroyed) return;
        if (!patches.some((p) => startsWith(path, p.path))) return;
        busy = true;
        try {
          try {
            const tr = patchesToTr({
              adapter,
              path,
              before: patchInfo.before,
              after: doc,
              patches,
              state: view.state,
            });
            if (tr.docChanged) view.dispatch(tr.setMeta(syncMetaKey, "remote"));
          } catch (error) {
            fail(error, "remote");
          }
          const fix = reconcileTransaction(view.state, canonical());
          if (fix) {
            if (stats) stats.remoteRepairs++;
            view.dispatch(fix.setMeta(syncMetaKey, "reconcile").setMeta("addToHistory", false));
          }
        } finally {
          busy = false;
        }
      };
      handle.on("change", onChange);
      return { destroy: () => handle.off("change", onChange) };
    },
    appendTransaction(transactions, oldState, state) {
      if (busy) return undefined;
      const local = transactions.filter((tr) => tr.docChanged && originOf(tr) === undefined);
      if (local.length === 0) return undefined;
      const docBefore = current();
      const headsBefore = getHeads(docBefore);
      const spansBefore = amSpans(docBefore, path);
      // Typing and formatting go through upstream's step translation (a splice, a mark: the
      // intent survives concurrent edits best). Structure is written as the whole document's spans
      // with `updateSpans` (which diffs), from our encoder: upstream's loses new list items.
      const kind = local.length === transactions.length ? editKind(local) : "structure";
      busy = true;
      let failed = false;
      try {
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
        // Automerge rolls the failed change back; the editor is brought back to the document below.
        failed = true;
        fail(error, "local");
      } finally {
        busy = false;
      }
      const docAfter = current();
      const headsAfter = getHeads(docAfter);
      const spansAfter = amSpans(docAfter, path);
      if (!failed && kind === "typing" && !sameHeads(headsBefore, headsAfter)) {
        // Typing: upstream's cheaper check. Replay the Automerge change onto the old editor state
        // and compare the two change sets; only a difference (usually a new block becoming an
        // Automerge block, `isAmgBlock`) costs a rebuild from the spans.
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
          if (!range || range.from === range.to) return undefined;
        } catch (error) {
          fail(error, "local");
        }
      }
      busy = true;
      try {
        const fix = reconcileTransaction(state, canonical(spansAfter));
        if (fix && stats) stats.localRepairs++;
        return fix?.setMeta(syncMetaKey, "reconcile") ?? undefined;
      } finally {
        busy = false;
      }
    },
  });
}
