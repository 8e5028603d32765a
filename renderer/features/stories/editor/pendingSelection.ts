// The caret the page shows, handed to ProseMirror before anything from elsewhere is drawn.
//
// Chromium moves its caret at once on a click or an arrow key, but tells the page a task later
// (a selectionchange event), and ProseMirror reads the caret only then. A transaction dispatched
// in between (another person's change, a reconciliation, a presence or comments refresh) is drawn
// with the caret ProseMirror still holds, and drawing it puts the page's caret back where it was:
// the person's click or key is undone, and their next words land in the old place (seen as words
// typed right after a click landing at the story's start). ProseMirror guards against this only
// while a mouse button is down. test/e2e/caretRace.test.ts makes the moment exact.
//
// The reading is ProseMirror's own (its DOM observer's `flush`, what it runs at selectionchange),
// not a reading of the page's selection done here: only ProseMirror knows which page selections
// are not the person's (the caret a focus puts at the document's start while its own selection
// is elsewhere, as after the link picker closes). `flush` is not in ProseMirror's typings; when a
// version lacks it, nothing is done and caretRace.test.ts fails.
import type { EditorView } from "prosemirror-view";

type WithObserver = { domObserver?: { flush?: () => void } };

/**
 * Has ProseMirror read the page's caret now, if it moved and was not read yet, so that what is
 * dispatched next maps and draws the caret the person placed. Call before dispatching anything
 * that did not come from this person's input. Does nothing while the editor is unfocused or
 * composing (an input method owns the caret then).
 */
export function takePendingSelection(view: EditorView): void {
  if (view.isDestroyed || view.composing || !view.hasFocus()) return;
  const observer = (view as unknown as WithObserver).domObserver;
  if (typeof observer?.flush === "function") observer.flush();
}
