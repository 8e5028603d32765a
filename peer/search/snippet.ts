// The words of the index and the passage a hit shows. Terms are folded (lower case, accents off) so
// "cafe" finds "café" and "Failte" finds "fáilte", as people type on a keyboard without fadas.

/** A term as the index keeps it: lower case, combining marks removed; null when nothing is left. */
export function foldTerm(term: string): string | null {
  // Most words are plain ASCII: skip the Unicode work for them (it is most of the cost of indexing).
  // eslint-disable-next-line no-control-regex
  if (!/[^\u0000-\u007f]/.test(term)) return term === "" ? null : term.toLowerCase();
  const folded = term
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
  return folded === "" ? null : folded;
}

/**
 * A text folded character for character. Folding keeps the length of nearly every text people
 * write (a precomposed "é" folds to one "e"); when it would not (a letter typed as two code points,
 * Hangul), plain lower case is used instead, so positions still match the original text.
 */
export function foldText(text: string): string {
  const folded = text
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
  if (folded.length === text.length) return folded;
  const lower = text.toLowerCase();
  return lower.length === text.length ? lower : text;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Where `term` first starts a word in `folded`, or -1. */
export function wordStart(folded: string, term: string): number {
  if (term === "") return -1;
  for (let at = folded.indexOf(term); at !== -1; at = folded.indexOf(term, at + 1)) {
    if (at === 0 || !WORD_CHAR.test(folded[at - 1] ?? "")) return at;
  }
  return -1;
}

export const SNIPPET_LENGTH = 160;
/** How much of the snippet comes before the match, so the match reads in its sentence. */
const LEAD = 50;
/** How far a cut may move to land between words rather than inside one. */
const SNAP = 20;

/**
 * About `length` characters of `text` around the first word that starts with one of `terms`, on one
 * line, cut between words, with an ellipsis where it was cut. The start of the text when no term is
 * in it (the match was in the title). `folded` is `foldText(text)`, passed when already known.
 */
export function snippet(
  text: string,
  terms: readonly string[],
  length = SNIPPET_LENGTH,
  folded = foldText(text),
): string {
  let first = -1;
  for (const term of terms) {
    const at = wordStart(folded, term);
    if (at !== -1 && (first === -1 || at < first)) first = at;
  }
  let start = first <= LEAD ? 0 : Math.min(first - LEAD, Math.max(0, text.length - length));
  if (start > 0) {
    const space = text.slice(start, start + SNAP).search(/\s/);
    if (space !== -1 && start + space < Math.max(first, start + 1)) start += space + 1;
  }
  let end = Math.min(text.length, start + length);
  if (end < text.length) {
    const cut = text.slice(end - SNAP, end).search(/\s\S*$/);
    if (cut !== -1) end = end - SNAP + cut;
  }
  const passage = text.slice(start, end).replace(/\s+/g, " ").trim();
  return `${start > 0 ? "…" : ""}${passage}${end < text.length ? "…" : ""}`;
}
