// A story opened from a search result opens at the match: the first occurrence of the matched
// words selected, in view, with the caret there. The story may still be arriving when the editor
// is built (a word typed a moment ago on another laptop), so it looks again for a little while.
import { TextSelection } from "prosemirror-state";
import { useEffect } from "react";
import type { EditorApi } from "../stories/editor/StoryEditor.tsx";
import { findInDoc, focusTerms } from "./findInDoc.ts";

const RETRY_MS = 200;
const GIVE_UP_MS = 5000;

export function useFocusTerms(editor: EditorApi | null, storyId: string, focus: string | null) {
  useEffect(() => {
    const terms = focusTerms(focus);
    if (!editor || terms.length === 0) return;
    const { view } = editor;
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const attempt = () => {
      timer = null;
      if (view.isDestroyed) return;
      const range = findInDoc(view.state.doc, terms);
      if (range) {
        const selection = TextSelection.create(view.state.doc, range.from, range.to);
        view.dispatch(view.state.tr.setSelection(selection).scrollIntoView());
        view.focus();
        // ProseMirror scrolls the nearest scroller; the page itself may also need to move.
        view.domAtPos(range.from).node.parentElement?.scrollIntoView({ block: "center" });
        return;
      }
      if (Date.now() - started < GIVE_UP_MS) timer = setTimeout(attempt, RETRY_MS);
    };
    attempt();
    return () => {
      if (timer !== null) clearTimeout(timer);
    };
  }, [editor, storyId, focus]);
}
