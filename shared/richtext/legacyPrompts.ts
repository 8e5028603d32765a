// Template prompts written into stories by Meitheal before prompts became placeholders (story
// version 2 and earlier): an italic paragraph under each section heading that people had to select
// and delete. The story migration to version 3 (shared/schema/story.ts) empties each such
// paragraph that nobody touched, so the section shows its prompt as a placeholder instead; a
// prompt anyone edited in any way (a letter typed or deleted, a word made bold, the italics
// removed, the paragraph turned into a heading or a list item) is left exactly as it is, because
// it may now hold their words.
import {
  ImmutableString,
  spans,
  splice,
  type Doc,
  type Prop,
  type Span,
} from "@automerge/automerge";

/**
 * The prompts exactly as they were written, by template. Frozen: these are what older stories
 * hold, whatever later templates say. Only English was ever written (the window never passed a
 * translation), so these are every language shipped then.
 */
export const LEGACY_PROMPTS: Readonly<Record<string, readonly string[]>> = {
  "value-creation": [
    "What did you take part in, with whom, and why?",
    "What happened in the moment: what was it like, what did you notice?",
    "What did you do differently afterwards because of it?",
    "What difference did that make, for you or for others?",
    "Did it change how you see things, or what counts as success?",
  ],
  "new-narrative": [
    "What story is usually told about this? Who tells it, and what does it leave out?",
    "What story do you want to tell instead? What makes it true?",
    "Who gains when this story is told, and who is invited in?",
  ],
  "personal-change": [
    "Where were you, and what did you believe, before this began?",
    "What happened, in the order it happened?",
    "What do you see, feel or do differently now?",
    "What will you take into what comes next?",
  ],
};

const str = (value: unknown): string =>
  value instanceof ImmutableString ? value.val : typeof value === "string" ? value : "";

/** Italic and nothing else: exactly the marks a template gave its prompts. */
const onlyItalic = (span: Span): boolean => {
  if (span.type !== "text") return false;
  const marks = span.marks ?? {};
  const names = Object.keys(marks);
  return names.length === 1 && names[0] === "em" && marks.em === true;
};

/**
 * The Automerge text ranges of the untouched prompts in `list` (spans of a story body): a
 * top-level paragraph whose whole text is one of `prompts`, all of it italic and nothing else.
 */
export function untouchedPrompts(
  list: readonly Span[],
  prompts: ReadonlySet<string>,
): { start: number; length: number }[] {
  const out: { start: number; length: number }[] = [];
  let at = 0;
  for (let i = 0; i < list.length; i++) {
    const span = list[i];
    if (!span) continue;
    if (span.type === "text") {
      at += span.value.length;
      continue;
    }
    at += 1;
    const block = span.value;
    const parents = Array.isArray(block.parents) ? block.parents : [];
    const text = list[i + 1];
    const after = list[i + 2];
    if (
      str(block.type) === "paragraph" &&
      parents.length === 0 &&
      block.isEmbed !== true &&
      text?.type === "text" &&
      (after === undefined || after.type === "block") &&
      onlyItalic(text) &&
      prompts.has(text.value)
    )
      out.push({ start: at, length: text.value.length });
  }
  return out;
}

/**
 * Empties every untouched prompt paragraph of a story's body (inside `handle.change`); returns how
 * many. The paragraph itself stays, empty, so the section keeps its shape and shows the prompt as a
 * placeholder. Deterministic and idempotent: a second run finds no prompt left, and two devices
 * emptying the same paragraph at once delete the same characters, which merges to one deletion.
 * Text another device typed into a prompt meanwhile is kept, since only the prompt's own
 * characters are deleted. A body that is not rich text (a damaged story, a plain copy) is left
 * alone.
 */
export function clearUntouchedPrompts(
  doc: Record<string, unknown>,
  path: Prop[] = ["body"],
): number {
  const prompts = new Set(LEGACY_PROMPTS[str(doc.template)] ?? []);
  if (prompts.size === 0) return 0;
  let list: Span[];
  try {
    list = spans(doc as Doc<unknown>, path);
  } catch {
    return 0;
  }
  const ranges = untouchedPrompts(list, prompts);
  // From the end, so each range's index still holds when it is deleted.
  for (const { start, length } of ranges.reverse())
    splice(doc as Doc<unknown>, path, start, length);
  return ranges.length;
}
