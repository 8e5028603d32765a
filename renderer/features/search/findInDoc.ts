// Where a search's matched words first occur in a story's text, as a ProseMirror range, so the
// story can open with them selected. Each textblock is read as one string, so a word split across
// marks ("seed**ling**") is still found.
import type { Node as PmNode } from "prosemirror-model";
import { findTerms } from "./highlight.ts";

/** The words of a route's `focus` (what the search matched), one or more separated by spaces. */
export const focusTerms = (focus: string | null): string[] =>
  (focus ?? "").split(/\s+/).filter((word) => word !== "");

export function findInDoc(
  doc: PmNode,
  terms: readonly string[],
): { from: number; to: number } | null {
  if (terms.length === 0) return null;
  let found: { from: number; to: number } | null = null;
  doc.descendants((block, pos) => {
    if (found) return false;
    if (!block.isTextblock) return true;
    // Each character's document position; inline nodes that are not text (a line break) read
    // as a space, so words on either side of them never join.
    let text = "";
    const at: number[] = [];
    block.forEach((child, offset) => {
      const start = pos + 1 + offset;
      const part = child.isText ? (child.text ?? "") : " ";
      for (let i = 0; i < part.length; i++) at.push(start + (child.isText ? i : 0));
      text += part;
    });
    const first = findTerms(text, terms)[0];
    if (first) {
      const from = at[first.start];
      const last = at[first.end - 1];
      if (from !== undefined && last !== undefined) found = { from, to: last + 1 };
    }
    return false;
  });
  return found;
}
