// The bundled fonts in a PDF's HTML, and the characters they cannot print. Chromium prints the
// HTML export (pdf.ts), which names Noto Serif, then Noto Emoji, then the computer's own fonts in
// its print stylesheet; here those two families are defined by @font-face rules whose fonts are
// data: URLs in the page itself, because the printing page may fetch nothing (the HTML's CSP and,
// in the desktop app, a session that cancels every request; data: URLs are not requests). Each
// rule's unicode-range is exactly the characters its file covers, so Chromium takes each character
// from the first font in the list that has it. Only the files a document needs are embedded.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { BUNDLED_FONTS, TEXT_FAMILY, type BundledFont } from "./bundled.ts";
import { COVERAGE } from "./coverage.ts";

// Not named `require`: the desktop bundle declares its own `require` in the same chunk.
const fontRequire = createRequire(import.meta.url);

type Range = readonly [number, number];

function parseRanges(text: string): Range[] {
  return text.split(",").map((part) => {
    const [from, to = from] = part.split("-");
    return [parseInt(from!, 16), parseInt(to!, 16)] as const;
  });
}

const inRanges = (ranges: readonly Range[], cp: number): boolean => {
  // Binary search: the ranges are sorted and do not overlap.
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [from, to] = ranges[mid]!;
    if (cp < from) hi = mid - 1;
    else if (cp > to) lo = mid + 1;
    else return true;
  }
  return false;
};

type Face = BundledFont & { ranges: Range[]; unicodeRange: string };

const FACES: readonly Face[] = BUNDLED_FONTS.map((font) => {
  const coverage = COVERAGE[font.file];
  if (coverage === undefined) throw new Error(`No coverage for ${font.file}: run makeCoverage.ts`);
  return {
    ...font,
    ranges: parseRanges(coverage),
    unicodeRange: coverage
      .split(",")
      .map((r) => `U+${r}`)
      .join(","),
  };
});

const TEXT_FACES = FACES.filter((f) => f.family === TEXT_FAMILY);
const EMOJI_FACES = FACES.filter((f) => f.family !== TEXT_FAMILY);
/** Weight and style pairs of the text font: a character it prints must be in each. */
const TEXT_STYLES = [...new Set(TEXT_FACES.map((f) => `${f.weight} ${f.style}`))];

/** True when a bundled font prints `cp`: the emoji font, or the text font in every style. */
export function hasBundledGlyph(cp: number): boolean {
  if (EMOJI_FACES.some((f) => inRanges(f.ranges, cp))) return true;
  return TEXT_STYLES.every((style) =>
    TEXT_FACES.some((f) => `${f.weight} ${f.style}` === style && inRanges(f.ranges, cp)),
  );
}

/**
 * Characters that need no glyph of their own: white space and line ends, controls, and the ones
 * a font may leave out and nothing shows for (joiners, variation selectors, soft hyphens, tags).
 * Lone surrogates are written to the file as U+FFFD, which the text font has.
 */
const NO_GLYPH_NEEDED = /[\p{White_Space}\p{Cc}\p{Default_Ignorable_Code_Point}\p{Cs}]/u;

/** What people read in the HTML: its text between tags, entities decoded, outside <style>. */
export function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (_, ref: string) => {
      const lower = ref.toLowerCase();
      if (lower.startsWith("#x")) return String.fromCodePoint(parseInt(lower.slice(2), 16));
      if (lower.startsWith("#")) return String.fromCodePoint(parseInt(lower.slice(1), 10));
      return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" }[lower] ?? "";
    });
}

/**
 * The characters of `text` no bundled font has a glyph for, once each, in code point order. Text
 * is composed first (NFC) as the printer does, so "e" + combining acute counts as "é".
 */
export function missingGlyphs(text: string): number[] {
  const missing = new Set<number>();
  for (const ch of text.normalize("NFC")) {
    if (NO_GLYPH_NEEDED.test(ch)) continue;
    const cp = ch.codePointAt(0)!;
    if (!hasBundledGlyph(cp)) missing.add(cp);
  }
  return [...missing].sort((a, b) => a - b);
}

const LISTED = 20;

const codePointName = (cp: number): string =>
  `U+${cp.toString(16).toUpperCase().padStart(4, "0")} “${String.fromCodePoint(cp)}”`;

/** The export warning naming the characters that will print as empty boxes; none when none. */
export function missingGlyphsWarning(missing: readonly number[]): string | undefined {
  if (missing.length === 0) return undefined;
  const named = missing.slice(0, LISTED).map(codePointName).join(", ");
  const more = missing.length > LISTED ? ` and ${missing.length - LISTED} more` : "";
  const one = missing.length === 1;
  const count = one ? "1 character has" : `${missing.length} characters have`;
  const them = one ? "it" : "them";
  return `${count} no glyph in the bundled fonts and will print as ${one ? "an empty box" : "empty boxes"}: ${named}${more}. The PDF was saved with ${them} as ${one ? "it is" : "they are"}; to print ${them}, replace ${them} in the story, or export HTML and print it from a browser on a computer that has a font for ${them}.`;
}

/** The files a document needs: the text font's Latin always, any other file only if used. */
function facesFor(text: string): Face[] {
  const used = new Set<number>();
  for (const ch of text.normalize("NFC")) used.add(ch.codePointAt(0)!);
  const wanted = (face: Face) =>
    (face.family === TEXT_FAMILY && face.subset === "latin") ||
    [...used].some((cp) => cp > 0x20 && inRanges(face.ranges, cp));
  // All four styles of a text subset go together: italic or bold text may use any of them.
  const textSubsets = new Set(TEXT_FACES.filter(wanted).map((f) => f.subset));
  return FACES.filter((f) => (f.family === TEXT_FAMILY ? textSubsets.has(f.subset) : wanted(f)));
}

const fontData = new Map<string, Promise<string>>();

/** A file as base64, read once per process (the files never change while the app runs). */
function base64Of(face: Face): Promise<string> {
  let data = fontData.get(face.file);
  if (!data) {
    data = readFile(fontRequire.resolve(`${face.pkg}/files/${face.file}`)).then((b) =>
      b.toString("base64"),
    );
    // A failed read is not kept: the next export tries the file again.
    data.catch(() => fontData.delete(face.file));
    fontData.set(face.file, data);
  }
  return data;
}

/** The @font-face rules for `faces`, each font a data: URL. */
async function fontFaceCss(faces: readonly Face[]): Promise<string> {
  const rules = await Promise.all(
    faces.map(
      async (f) =>
        `@font-face { font-family: "${f.family}"; font-style: ${f.style}; font-weight: ${f.weight}; font-display: block; src: url(data:font/woff2;base64,${await base64Of(f)}) format("woff2"); unicode-range: ${f.unicodeRange}; }`,
    ),
  );
  return rules.join("\n");
}

const CSP = /(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")/i;

export type EmbeddedFonts = {
  /** The HTML with the fonts it needs inside it, ready to print. */
  html: string;
  /** Characters of the document that no bundled font has: they print as empty boxes. */
  missing: number[];
  /** The font files embedded. */
  files: string[];
};

/**
 * Puts the bundled fonts a document needs into its HTML: an @font-face style before </head>, and
 * `font-src data:` in its Content-Security-Policy, which otherwise forbids every font.
 */
export async function embedFonts(html: string): Promise<EmbeddedFonts> {
  const text = visibleText(html);
  const faces = facesFor(text);
  const css = await fontFaceCss(faces);
  const head = html.search(/<\/head>/i);
  if (head < 0 || !CSP.test(html))
    throw new Error("The page to print has no <head> with a Content-Security-Policy.");
  const withCsp = html
    .slice(0, head)
    .replace(CSP, (_, open: string, policy: string, close: string) =>
      policy.includes("font-src")
        ? `${open}${policy}${close}`
        : `${open}${policy}; font-src data:${close}`,
    );
  return {
    html: `${withCsp}<style>\n${css}\n</style>\n${html.slice(head)}`,
    missing: missingGlyphs(text),
    files: faces.map((f) => f.file),
  };
}
