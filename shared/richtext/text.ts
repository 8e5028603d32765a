// Pure helpers over a story body as Automerge spans: its plain text, its word count, and building a
// body from a list of blocks (templates, imports). No ProseMirror here, so the peer and exporters
// can use them without an editor.
import { ImmutableString, type MarkSet, type Span } from "@automerge/automerge";
import type { HeadingLevel } from "./schema.ts";

const str = (value: unknown): string =>
  value instanceof ImmutableString ? value.val : typeof value === "string" ? value : "";

/**
 * The text of a body, one line per block. A hard break is a newline too; any other inline embed
 * (written by a newer Meitheal) contributes nothing, because it is not text a person wrote.
 */
export function spansToPlainText(spans: readonly Span[]): string {
  let out = "";
  let seenBlock = false;
  for (const span of spans) {
    if (span.type === "text") {
      out += span.value;
      continue;
    }
    const type = str(span.value.type);
    if (span.value.isEmbed === true) {
      if (type === "hard-break") out += "\n";
      continue;
    }
    // The first block marker opens the first line; every later one starts a new line.
    if (seenBlock || out !== "") out += "\n";
    seenBlock = true;
  }
  return out;
}

// A word is a run of letters, combining marks (fadas typed as a + U+0301) and digits, joined by
// apostrophes or hyphens inside it: "don't", "mother-in-law", Irish "n-athair" and "t-uisce" are
// one word each, as a word processor counts them.
const WORD =
  /[\p{L}\p{M}\p{N}]+(?:['\u2019\u02bc\u2010\u2011-][\p{L}\p{M}\p{N}]+)*|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu;
// Scripts written without spaces count a character as a word, the usual convention for them.
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** Words in a text, for the live count and for collection statistics. */
export function wordCount(text: string): number {
  let count = 0;
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    if (!UNSPACED.test(word)) {
      count++;
      continue;
    }
    // A run that mixes spaced and unspaced letters ("東京Tower"): every unspaced character is a
    // word, and each spaced run between them one more.
    for (const part of word.split(/([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])/u)) {
      if (part !== "") count++;
    }
  }
  return count;
}

/** Inline formatting a template or import may give a block's text. */
export type InlineMarks = { strong?: true; em?: true };

/** A block of a body as a template or an import describes it. */
export type BodyBlock =
  | { type: "heading"; level: HeadingLevel; text: string; marks?: InlineMarks }
  | { type: "paragraph"; text: string; marks?: InlineMarks }
  | { type: "quote"; text: string; marks?: InlineMarks }
  | { type: "bullet"; text: string; marks?: InlineMarks }
  | { type: "ordered"; text: string; marks?: InlineMarks };

const block = (type: string, parents: string[], attrs: Record<string, number> = {}): Span => ({
  type: "block",
  value: {
    type: new ImmutableString(type),
    parents: parents.map((p) => new ImmutableString(p)),
    attrs,
    isEmbed: false,
  },
});

const markSet = (marks: InlineMarks | undefined): MarkSet | undefined => {
  if (!marks) return undefined;
  const set: MarkSet = {};
  if (marks.strong) set.strong = true;
  if (marks.em) set.em = true;
  return Object.keys(set).length > 0 ? set : undefined;
};

/**
 * The spans of a body made of `blocks`, in the exact shape the editor itself writes, so that
 * opening it in the editor changes nothing. Use inside `handle.change`:
 * `Automerge.updateSpans(doc, ["body"], blocksToSpans(blocks))`.
 */
export function blocksToSpans(blocks: readonly BodyBlock[]): Span[] {
  const spans: Span[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case "heading":
        spans.push(block("heading", [], { level: b.level }));
        break;
      case "paragraph":
        spans.push(block("paragraph", []));
        break;
      case "quote":
        spans.push(block("paragraph", ["blockquote"]));
        break;
      case "bullet":
        spans.push(block("unordered-list-item", []));
        break;
      case "ordered":
        spans.push(block("ordered-list-item", []));
        break;
    }
    if (b.text !== "") {
      const marks = markSet(b.marks);
      spans.push(marks ? { type: "text", value: b.text, marks } : { type: "text", value: b.text });
    }
  }
  return spans;
}
