// The editor's selection as the comments panel needs it, and the editor's comment events (Mod-Alt-m,
// a click on a highlighted passage), through the comments plugin or, without it, DOM events.
import { useEffect, useRef, useState } from "react";
import type { EditorApi } from "../editor/StoryEditor.tsx";
import {
  hasCommentsPlugin,
  watchCommentsEditor,
  type CommentsEditorEvent,
} from "./commentsPlugin.ts";

export type EditorHandlers = {
  /** Mod-Alt-m in the editor. */
  onCommentRequest: () => void;
  /** A click on a highlighted passage. */
  onActivate: (id: string) => void;
};

/** The editor's current selection, kept up to date through the comments plugin (or DOM events). */
export function useEditorSelection(editor: EditorApi | null, handlers: EditorHandlers) {
  const [selection, setSelection] = useState<{ start: number; end: number } | null>(null);
  // The listener is set up once per editor and calls whatever the latest handlers are.
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    if (!editor) return;
    const read = () => {
      const s = editor.selectionAm();
      setSelection((old) =>
        s && s.end > s.start
          ? old?.start === s.start && old.end === s.end
            ? old
            : { start: s.start, end: s.end }
          : null,
      );
    };
    const onEvent = (event: CommentsEditorEvent) => {
      if (event.type === "selection") read();
      else if (event.type === "comment-request") latest.current.onCommentRequest();
      else latest.current.onActivate(event.id);
    };
    const timer = setTimeout(read, 0);
    if (hasCommentsPlugin(editor.view)) {
      const stop = watchCommentsEditor(editor.view, onEvent);
      return () => {
        clearTimeout(timer);
        stop();
      };
    }
    // Without the plugin: DOM selection events, read once ProseMirror has taken them in.
    const later = () => setTimeout(read, 0);
    document.addEventListener("selectionchange", later);
    return () => {
      clearTimeout(timer);
      document.removeEventListener("selectionchange", later);
    };
  }, [editor]);
  return editor ? selection : null;
}
