// The fonts a PDF is printed with, whatever fonts the computer has: Noto Serif for the text (the
// Latin and Latin Extended subsets: every letter of Irish, the dotted consonants of the old script
// and typographic punctuation included) and Noto Emoji (monochrome, as print wants). Both are
// woff2 files of @fontsource packages under the SIL Open Font License, whose LICENSE ships with
// them. Only these files are packed into the desktop app (build/electron-builder.json); which
// characters each covers is in coverage.ts, generated from the files by makeCoverage.ts.

export type BundledFont = {
  family: "Noto Serif" | "Noto Emoji";
  /** The npm package the file comes from, and the file inside it. */
  pkg: "@fontsource/noto-serif" | "@fontsource/noto-emoji";
  file: string;
  weight: 400 | 700;
  style: "normal" | "italic";
  /** Files of one subset cover the same characters in each weight and style. */
  subset: string;
};

/** The text font, then the emoji font: the order of the print stylesheet's font-family. */
export const TEXT_FAMILY = "Noto Serif";
export const EMOJI_FAMILY = "Noto Emoji";

const SERIF_SUBSETS = ["latin", "latin-ext"] as const;
const SERIF_FACES = [
  { weight: 400, style: "normal" },
  { weight: 400, style: "italic" },
  { weight: 700, style: "normal" },
  { weight: 700, style: "italic" },
] as const;
/** Noto Emoji comes in numbered pieces, each a group of emoji (sequences stay in one piece). */
const EMOJI_SUBSETS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "emoji"] as const;

export const BUNDLED_FONTS: readonly BundledFont[] = [
  ...SERIF_SUBSETS.flatMap((subset) =>
    SERIF_FACES.map(({ weight, style }): BundledFont => ({
      family: TEXT_FAMILY,
      pkg: "@fontsource/noto-serif",
      file: `noto-serif-${subset}-${weight}-${style}.woff2`,
      weight,
      style,
      subset,
    })),
  ),
  ...EMOJI_SUBSETS.map((subset): BundledFont => ({
    family: EMOJI_FAMILY,
    pkg: "@fontsource/noto-emoji",
    file: `noto-emoji-${subset}-400-normal.woff2`,
    weight: 400,
    style: "normal",
    subset,
  })),
];
