// What other features (comments, presence) get from a story editor: the view, and a translation
// between ProseMirror positions and Automerge text indexes. Passages and cursors are anchored in
// Automerge (they follow everyone's edits); only the editor knows how they map onto what it shows.
import { getHeads, spans as amSpans, type Doc, type Prop, type Span } from "@automerge/automerge";
import type { DocHandle } from "@automerge/prosemirror";
import { amSpliceIdxToPmIdx, pmRangeToAmRange } from "@automerge/prosemirror/dist/traversal.js";
import type { EditorView } from "prosemirror-view";
import { readBody } from "../../../../shared/richtext/body.ts";
import { storySchemaAdapter } from "../../../../shared/richtext/schema.ts";
import { BODY_PATH } from "./setup.ts";

export type EditorApi = {
  view: EditorView;
  /**
   * The selection as Automerge indexes into `body`: `start` is the index of the first selected
   * character, `end` the index just after the last (equal for a cursor). Null when the document
   * cannot be read.
   */
  selectionAm(): { start: number; end: number } | null;
  /** The ProseMirror position just before the character at Automerge index `index`, or null. */
  amToPm(index: number): number | null;
  focus(): void;
};

/**
 * The spans the editor's document was read from, cached by heads: comments ask for one mapping
 * per passage after every change, and reading the spans of a long story costs milliseconds.
 */
function spansCache<T>(handle: DocHandle<T>, path: Prop[]): () => Span[] | null {
  let key = "";
  let cached: Span[] | null = null;
  return () => {
    try {
      const doc = handle.doc() as Doc<T>;
      const heads = getHeads(doc).join(",");
      if (heads !== key || cached === null) {
        // The repaired reading, as the editor shows it: raw spans a merge broke cannot be mapped.
        cached = readBody(storySchemaAdapter, amSpans(doc, path)).spans;
        key = heads;
      }
      return cached;
    } catch {
      return null;
    }
  };
}

export function makeEditorApi<T>(
  view: EditorView,
  handle: DocHandle<T>,
  path: Prop[] = BODY_PATH,
): EditorApi {
  const spans = spansCache(handle, path);
  return {
    view,
    selectionAm() {
      const current = spans();
      if (!current) return null;
      const { from, to } = view.state.selection;
      try {
        return pmRangeToAmRange(storySchemaAdapter, current, { from, to });
      } catch {
        return null;
      }
    },
    amToPm(index) {
      const current = spans();
      if (!current) return null;
      try {
        return amSpliceIdxToPmIdx(storySchemaAdapter, current, index);
      } catch {
        return null;
      }
    },
    focus() {
      view.focus();
    },
  };
}
