// Other people's cursors and selections in the story editor: a coloured caret with a small name
// label, and a translucent highlight over what they have selected. Positions arrive as places in
// the Automerge text and are turned into editor positions with the editor's `amToPm` when the peers
// change (a "refresh" transaction); between refreshes the decorations are mapped through each edit
// like any ProseMirror decoration, so they move with text typed before them.
import { Plugin, PluginKey, type EditorState, type Transaction } from "prosemirror-state";
import { Decoration, DecorationSet, type EditorView } from "prosemirror-view";
import type { Node as PmNode } from "prosemirror-model";
import { takePendingSelection } from "../editor/pendingSelection.ts";

/** A remote cursor as the plugin draws it: a selection already resolved to Automerge indexes. */
export type CursorPeer = {
  peerId: string;
  name: string;
  colour: string;
  /** Automerge text indexes in the document as it is now, or null when not placed. */
  selection: { start: number; end: number } | null;
};

export type PresencePluginOptions = {
  /** Automerge index → editor position; the editor's `amToPm`. Null when it cannot be placed. */
  amToPm: (index: number) => number | null;
  /** Called after every update of the view (this person's selection or the document changed). */
  onViewUpdate?: (view: EditorView, previous: EditorState) => void;
};

export const presenceKey = new PluginKey<DecorationSet>("meitheal-presence");
const REFRESH = "refresh";

/** Redraws the remote cursors from `getPeers()`; call when the peers changed. */
export function refreshPresence(view: EditorView): void {
  if (view.isDestroyed) return;
  // Drawn with this person's caret as the page shows it (a click a moment ago included).
  takePendingSelection(view);
  view.dispatch(refreshTransaction(view.state));
}

export const refreshTransaction = (state: EditorState): Transaction =>
  state.tr.setMeta(presenceKey, REFRESH).setMeta("addToHistory", false);

/** `#rrggbb` → the same colour at the given alpha, for the highlight behind selected text. */
const translucent = (colour: string, alpha: number) =>
  `${colour}${Math.round(alpha * 255)
    .toString(16)
    .padStart(2, "0")}`;

function caret(peer: CursorPeer): (view: EditorView) => HTMLElement {
  return (view) => {
    const doc = view.dom.ownerDocument;
    const mark = doc.createElement("span");
    mark.className = "presence-caret";
    // Decorative for assistive technology: who is here is said by the avatars list.
    mark.setAttribute("aria-hidden", "true");
    mark.contentEditable = "false";
    // The name is drawn by CSS from this attribute (.presence-caret::after), not as text: the
    // editor's text (what is copied, read back, compared) must not contain other people's names.
    mark.dataset.name = peer.name;
    mark.style.setProperty("--presence-colour", peer.colour);
    return mark;
  };
}

/** The decorations for these peers in this document. Positions that cannot be placed are skipped. */
export function buildDecorations(
  doc: PmNode,
  peers: readonly CursorPeer[],
  amToPm: (index: number) => number | null,
): DecorationSet {
  const size = doc.content.size;
  const place = (index: number) => {
    let pos: number | null = null;
    try {
      pos = amToPm(index);
    } catch {
      pos = null;
    }
    return pos === null || !Number.isFinite(pos) ? null : Math.max(0, Math.min(pos, size));
  };
  const decorations: Decoration[] = [];
  for (const peer of peers) {
    if (!peer.selection) continue;
    const from = place(peer.selection.start);
    const to = peer.selection.end === peer.selection.start ? from : place(peer.selection.end);
    if (from === null || to === null) continue;
    if (to > from)
      decorations.push(
        Decoration.inline(
          from,
          to,
          {
            class: "presence-selection",
            style: `background-color: ${translucent(peer.colour, 0.25)}`,
          },
          { peerId: peer.peerId },
        ),
      );
    decorations.push(
      Decoration.widget(to, caret(peer), {
        // Same key, same DOM: the caret is not rebuilt on every refresh.
        key: `presence:${peer.peerId}:${peer.name}:${peer.colour}`,
        side: -1,
        ignoreSelection: true,
        peerId: peer.peerId,
      }),
    );
  }
  try {
    return DecorationSet.create(doc, decorations);
  } catch {
    // A position the document cannot hold (a widget inside a non-inline node): draw nothing this
    // time rather than break the editor; the next refresh tries again.
    return DecorationSet.empty;
  }
}

/**
 * A ProseMirror plugin drawing the remote cursors `getPeers()` returns. It reads them only on a
 * refresh transaction (`refreshPresence`), so the caller decides when peers changed.
 */
export function presencePlugin(
  getPeers: () => readonly CursorPeer[],
  options: PresencePluginOptions,
): Plugin<DecorationSet> {
  return new Plugin<DecorationSet>({
    key: presenceKey,
    state: {
      init: () => DecorationSet.empty,
      apply(tr, set, _old, state) {
        if (tr.getMeta(presenceKey) === REFRESH)
          return buildDecorations(state.doc, getPeers(), options.amToPm);
        return tr.docChanged ? set.map(tr.mapping, tr.doc) : set;
      },
    },
    props: {
      decorations: (state) => presenceKey.getState(state) ?? DecorationSet.empty,
    },
    view: () => ({
      update(view, previous) {
        if (
          options.onViewUpdate &&
          (previous.doc !== view.state.doc || !previous.selection.eq(view.state.selection))
        )
          options.onViewUpdate(view, previous);
      },
    }),
  });
}
