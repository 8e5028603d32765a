// Which parts of a snippet to mark as matched. The peer matches without case and accents ("ceád"
// finds "céad"), so the marking folds the same way, mapping each folded character back to the
// original text so the marks land on what the person sees.

export type SnippetPart = { text: string; hit: boolean };

/** Lower case, accents dropped; one or more folded characters per original character. */
function fold(text: string): { folded: string; origin: number[] } {
  let folded = "";
  const origin: number[] = [];
  let index = 0;
  for (const char of text) {
    const f = char.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
    for (let i = 0; i < f.length; i++) origin.push(index);
    folded += f;
    index += char.length;
  }
  origin.push(index);
  return { folded, origin };
}

const foldTerm = (term: string) => fold(term.trim()).folded;

/**
 * Where any of `terms` occurs in `text`, as [start, end) ranges of the original text, in order and
 * never overlapping (the longest term wins where two start at the same place).
 */
export function findTerms(
  text: string,
  terms: readonly string[],
): { start: number; end: number }[] {
  const wanted = [...new Set(terms.map(foldTerm).filter((t) => t !== ""))].sort(
    (a, b) => b.length - a.length,
  );
  if (wanted.length === 0 || text === "") return [];
  const { folded, origin } = fold(text);
  const ranges: { start: number; end: number }[] = [];
  let at = 0;
  while (at < folded.length) {
    const term = wanted.find((w) => folded.startsWith(w, at));
    if (!term) {
      at++;
      continue;
    }
    const start = origin[at] ?? text.length;
    const end = origin[at + term.length] ?? text.length;
    // A folded character never splits: the range ends after the whole original one.
    ranges.push({ start, end: Math.max(end, start + 1) });
    at += term.length;
    while (at < folded.length && (origin[at] ?? text.length) < end) at++;
  }
  return ranges;
}

/** The snippet cut into plain and matched parts, for drawing with <mark>. */
export function highlightParts(text: string, terms: readonly string[]): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let last = 0;
  for (const { start, end } of findTerms(text, terms)) {
    if (start > last) parts.push({ text: text.slice(last, start), hit: false });
    parts.push({ text: text.slice(start, end), hit: true });
    last = end;
  }
  if (last < text.length) parts.push({ text: text.slice(last), hit: false });
  return parts;
}
