// The editor's side of comments: highlights the passages open comments are about, tells the
// comments panel when the selection changes, and turns Mod-Alt-m into "comment on this".
//
// Passages are anchored in Automerge (text indexes), the editor draws in ProseMirror positions, and
// only the editor (EditorApi.amToPm) can translate between them for the document it shows. So the
// highlights are recomputed when the panel calls `refreshComments(view, amToPm)` — after every
// change of the story, once the editor shows that change — and, between refreshes, moved along with
// each transaction's mapping, so local typing never leaves a highlight behind for a frame.
import { keydownHandler } from "prosemirror-keymap";
import { Plugin, PluginKey, TextSelection, type EditorState } from "prosemirror-state";
import { Decoration, DecorationSet, type EditorView } from "prosemirror-view";
import type { CommentAnchor } from "../../../../shared/ops/comments.ts";
import { takePendingSelection } from "../editor/pendingSelection.ts";

export type AmToPm = (amIndex: number) => number | null;

type PluginState = {
  decorations: DecorationSet;
  /** The comment shown as current in the panel: drawn more strongly. */
  active: string | null;
  amToPm: AmToPm | null;
};

type Meta = { refresh: AmToPm } | { active: string | null };

export const commentsPluginKey = new PluginKey<PluginState>("meitheal-comments");

/** What the panel hears from the editor. */
export type CommentsEditorEvent =
  { type: "selection" } | { type: "comment-request" } | { type: "activate"; id: string };

const listeners = new WeakMap<EditorView, Set<(event: CommentsEditorEvent) => void>>();

const notify = (view: EditorView, event: CommentsEditorEvent): boolean => {
  const set = listeners.get(view);
  if (!set || set.size === 0) return false;
  for (const listener of set) listener(event);
  return true;
};

/** Listens to the editor's comment events; returns the function that stops listening. */
export function watchCommentsEditor(
  view: EditorView,
  listener: (event: CommentsEditorEvent) => void,
): () => void {
  let set = listeners.get(view);
  if (!set) listeners.set(view, (set = new Set()));
  set.add(listener);
  return () => void set.delete(listener);
}

/** Whether the editor was built with `commentsPlugin` (the panel falls back to DOM events if not). */
export const hasCommentsPlugin = (view: EditorView) =>
  commentsPluginKey.getState(view.state) !== undefined;

/** A passage in ProseMirror positions, or null when it cannot be shown in this document. */
export function passageToPm(
  range: { start: number; end: number },
  amToPm: AmToPm,
  doc: EditorState["doc"],
): { from: number; to: number } | null {
  const from = amToPm(range.start);
  // The end is taken just after the passage's last character, so a passage ending a paragraph
  // does not reach into the next one.
  const last = amToPm(range.end - 1);
  const to = last !== null ? last + 1 : amToPm(range.end);
  if (from === null || to === null) return null;
  const size = doc.content.size;
  const a = Math.max(0, Math.min(from, size));
  const b = Math.max(0, Math.min(to, size));
  return a < b ? { from: a, to: b } : null;
}

function buildDecorations(
  state: EditorState,
  anchors: readonly CommentAnchor[],
  amToPm: AmToPm,
  active: string | null,
): DecorationSet {
  const decorations: Decoration[] = [];
  for (const anchor of anchors) {
    if (!anchor.range || anchor.comment.resolved) continue;
    let place: { from: number; to: number } | null = null;
    try {
      place = passageToPm(anchor.range, amToPm, state.doc);
    } catch {
      // A mapping that fails (the editor is between documents) only costs this highlight.
    }
    if (!place) continue;
    decorations.push(
      Decoration.inline(
        place.from,
        place.to,
        {
          class: anchor.id === active ? "comment-mark comment-mark-active" : "comment-mark",
          "data-comment-id": anchor.id,
        },
        { commentId: anchor.id },
      ),
    );
  }
  return DecorationSet.create(state.doc, decorations);
}

const commentIdsAt = (state: EditorState, pos: number): string[] => {
  const set = commentsPluginKey.getState(state)?.decorations;
  if (!set) return [];
  return set
    .find(pos, pos)
    .map((d) => (d.spec as { commentId?: unknown }).commentId)
    .filter((id): id is string => typeof id === "string");
};

/**
 * The comments plugin. `getAnchors` gives the comments as they are now (usually
 * `() => commentAnchors(handle.doc())`); it is read at each refresh.
 */
export function commentsPlugin(getAnchors: () => readonly CommentAnchor[]): Plugin<PluginState> {
  const keys = keydownHandler({
    "Mod-Alt-m": (_state, _dispatch, view) =>
      view ? notify(view, { type: "comment-request" }) : false,
  });
  return new Plugin<PluginState>({
    key: commentsPluginKey,
    state: {
      init: () => ({
        decorations: DecorationSet.empty,
        active: null,
        amToPm: null,
      }),
      apply(tr, value, _old, state) {
        const meta = tr.getMeta(commentsPluginKey) as Meta | undefined;
        if (meta && "refresh" in meta)
          return {
            ...value,
            amToPm: meta.refresh,
            decorations: buildDecorations(state, getAnchors(), meta.refresh, value.active),
          };
        if (meta && "active" in meta) {
          const next = { ...value, active: meta.active };
          return value.amToPm
            ? {
                ...next,
                decorations: buildDecorations(state, getAnchors(), value.amToPm, meta.active),
              }
            : next;
        }
        if (!tr.docChanged) return value;
        return { ...value, decorations: value.decorations.map(tr.mapping, tr.doc) };
      },
    },
    props: {
      decorations: (state) => commentsPluginKey.getState(state)?.decorations,
      handleKeyDown: (view, event) => keys(view, event),
      handleClick(view, pos) {
        const [id] = commentIdsAt(view.state, pos);
        if (id) notify(view, { type: "activate", id });
        // Never consume the click: it still places the cursor.
        return false;
      },
    },
    view: () => ({
      update(view, previous) {
        if (!previous.selection.eq(view.state.selection) || !previous.doc.eq(view.state.doc))
          notify(view, { type: "selection" });
      },
    }),
  });
}

/** Recomputes the highlights: call after each change of the story, once the editor shows it. */
export function refreshComments(view: EditorView, amToPm: AmToPm): void {
  if (!hasCommentsPlugin(view)) return;
  // Drawn with this person's caret as the page shows it (a click a moment ago included).
  takePendingSelection(view);
  view.dispatch(
    view.state.tr.setMeta(commentsPluginKey, { refresh: amToPm }).setMeta("addToHistory", false),
  );
}

/** Draws one comment's passage as the current one (null: none). */
export function setActiveComment(view: EditorView, id: string | null): void {
  if (!hasCommentsPlugin(view)) return;
  if (commentsPluginKey.getState(view.state)?.active === id) return;
  view.dispatch(
    view.state.tr.setMeta(commentsPluginKey, { active: id }).setMeta("addToHistory", false),
  );
}

/** Selects a passage in the editor and scrolls it into view. Returns false if it cannot be shown. */
export function selectPassage(
  view: EditorView,
  range: { start: number; end: number },
  amToPm: AmToPm,
): boolean {
  const place = passageToPm(range, amToPm, view.state.doc);
  if (!place) return false;
  const { doc } = view.state;
  const selection = TextSelection.between(doc.resolve(place.from), doc.resolve(place.to));
  view.dispatch(view.state.tr.setSelection(selection).scrollIntoView());
  return true;
}
