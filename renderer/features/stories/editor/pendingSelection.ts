// The caret the page shows, handed to ProseMirror before anything from elsewhere is drawn.
//
// Chromium moves its caret at once on a click or an arrow key, but tells the page a task later
// (a selectionchange event), and ProseMirror reads the caret only then. A transaction dispatched
// in between (another person's change, a reconciliation, a presence or comments refresh) is drawn
// with the caret ProseMirror still holds, and drawing it puts the page's caret back where it was:
// the person's click or key is undone, and their next words land in the old place (seen as words
// typed right after a click landing at the story's start). ProseMirror guards against this only
// while a mouse button is down. test/e2e/caretRace.test.ts makes the moment exact.
import { TextSelection, type Selection } from "prosemirror-state";
import type { EditorView } from "prosemirror-view";

/**
 * If the page's caret or selection in this editor is not the one ProseMirror holds (a move it has
 * not read yet), dispatches it, so what is dispatched next maps and draws the caret the person
 * placed. Call before dispatching anything that did not come from this person's input. Does
 * nothing while the editor is unfocused or composing (an input method owns the caret then).
 */
export function takePendingSelection(view: EditorView): void {
  if (view.isDestroyed || view.composing || !view.hasFocus()) return;
  // A shadow root has getSelection in Chromium only; the document's selection serves elsewhere.
  const { root } = view;
  const dom = "getSelection" in root ? root.getSelection() : view.dom.ownerDocument.getSelection();
  const { anchorNode, focusNode } = dom ?? {};
  if (!dom || !anchorNode || !focusNode) return;
  if (!view.dom.contains(anchorNode) || !view.dom.contains(focusNode)) return;
  const { state } = view;
  // A node or whole-document selection is drawn by ProseMirror as a range of its own; only a
  // caret in the page (a click, an arrow key) says the person moved away from it.
  if (!(state.selection instanceof TextSelection) && !dom.isCollapsed) return;
  let selection: Selection;
  try {
    const anchor = view.posAtDOM(anchorNode, dom.anchorOffset);
    const head = view.posAtDOM(focusNode, dom.focusOffset);
    selection = TextSelection.between(state.doc.resolve(anchor), state.doc.resolve(head));
  } catch {
    // A place ProseMirror cannot map (inside a widget): its own reading, when it comes, decides.
    return;
  }
  if (selection.eq(state.selection)) return;
  view.dispatch(state.tr.setSelection(selection).setMeta("addToHistory", false));
}
