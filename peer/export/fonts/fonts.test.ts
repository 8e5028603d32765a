// The bundled fonts: the coverage table is what the font files hold, the characters of Irish,
// typographic punctuation and emoji are covered and a private-use character is not, the warning
// names exactly the characters without a glyph, and the HTML to print carries the fonts it needs.
import { describe, expect, it } from "vitest";
import { BUNDLED_FONTS } from "./bundled.ts";
import { COVERAGE } from "./coverage.ts";
import {
  embedFonts,
  hasBundledGlyph,
  missingGlyphs,
  missingGlyphsWarning,
  visibleText,
} from "./fonts.ts";
import { readCoverage, toRanges } from "./makeCoverage.ts";

const IRISH =
  "Tá fáilte romhat, a Áine, Éabha, Íde, Órla, Úna! Seanchló: ḃ ċ ḋ ḟ ġ ṁ ṗ ṡ ṫ Ḃ Ċ Ḋ Ḟ Ġ Ṁ Ṗ Ṡ Ṫ";
const PUNCTUATION = "‘single’ “double” en–dash em—dash ellipsis… • bullet";
const EMOJI = "🌱 🎉 ☕ 👍🏽 ❤️ 👩‍👩‍👧 🇮🇪";
const PRIVATE_USE = "\uE000";

const page = (body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><style>p::before { content: "\uE001"; }</style></head><body>${body}</body></html>`;

describe("the bundled fonts' coverage", () => {
  it("the table is what the installed font files hold (run makeCoverage.ts when this fails)", async () => {
    expect(await readCoverage()).toEqual(COVERAGE);
    expect(Object.keys(COVERAGE).sort()).toEqual(BUNDLED_FONTS.map((f) => f.file).sort());
  });

  it("writes code points as ranges", () => {
    expect(toRanges([0x41, 0x20, 0x42, 0x43, 0x1f600, 0x20])).toBe("20,41-43,1f600");
  });

  it("covers Irish, typographic punctuation and emoji, in every style of the text font", () => {
    expect(missingGlyphs(`${IRISH} ${PUNCTUATION} ${EMOJI}`)).toEqual([]);
    for (const ch of "ḃṫ‘’“”–—…•") expect(hasBundledGlyph(ch.codePointAt(0)!)).toBe(true);
    expect(hasBundledGlyph(0x1f331)).toBe(true); // 🌱
  });

  it("a private-use character, CJK or Cyrillic has no glyph; spaces and joiners need none", () => {
    expect(missingGlyphs(`${IRISH}${PRIVATE_USE} 東 Ж \u200d\u00ad\ufe0f\t\n`)).toEqual([
      0x416, 0x6771, 0xe000,
    ]);
  });

  it("counts a decomposed letter as the composed one the printer uses", () => {
    expect(missingGlyphs("Sea\u0301n")).toEqual([]);
  });
});

describe("the warning", () => {
  it("names only the characters without a glyph, once each", () => {
    const warning = missingGlyphsWarning(
      missingGlyphs(`${IRISH} ${PUNCTUATION} ${EMOJI} ${PRIVATE_USE}${PRIVATE_USE}`),
    );
    expect(warning).toMatch(
      /^1 character has no glyph in the bundled fonts and will print as an empty box: U\+E000 “\uE000”\. /,
    );
    expect(warning).toContain("export HTML and print it from a browser");
    expect(missingGlyphsWarning([])).toBeUndefined();
  });

  it("counts many and lists the first twenty", () => {
    const many = Array.from({ length: 25 }, (_, i) => 0xe000 + i);
    const warning = missingGlyphsWarning(many)!;
    expect(warning).toMatch(/^25 characters have no glyph .* empty boxes: U\+E000 /);
    expect(warning).toContain("U+E013");
    expect(warning).not.toContain("U+E014");
    expect(warning).toContain("and 5 more");
  });
});

describe("the HTML to print", () => {
  it("reads the text people see: no markup, no style, entities decoded", () => {
    expect(visibleText(page(`<p title="\uE002">a &amp; b &#x1F331; &#233;</p>`)).trim()).toBe(
      "a & b 🌱 é",
    );
  });

  it("carries the Latin text font always, and other files only when the text needs them", async () => {
    const plain = await embedFonts(page("<p>Plain words</p>"));
    expect(plain.files).toEqual(
      BUNDLED_FONTS.filter(
        (f) => f.file.startsWith("noto-serif-latin-4") || f.file.startsWith("noto-serif-latin-7"),
      ).map((f) => f.file),
    );
    expect(plain.missing).toEqual([]);
    const rich = await embedFonts(page(`<p>${IRISH} ${EMOJI} ${PRIVATE_USE}</p>`));
    expect(rich.files).toContain("noto-serif-latin-ext-700-italic.woff2");
    expect(rich.files.some((f) => f.startsWith("noto-emoji-"))).toBe(true);
    expect(rich.missing).toEqual([0xe000]);
  });

  it("lets the page load data: fonts and nothing else, and defines each face with its range", async () => {
    const { html } = await embedFonts(page(`<p>Tá 🌱</p>`));
    expect(html).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; font-src data:"`,
    );
    const faces = html.match(/@font-face \{[^}]*\}/g) ?? [];
    expect(faces.length).toBeGreaterThanOrEqual(5);
    for (const face of faces) {
      expect(face).toMatch(/font-family: "Noto (Serif|Emoji)"/);
      expect(face).toMatch(
        /src: url\(data:font\/woff2;base64,[A-Za-z0-9+/=]{1000,}\) format\("woff2"\)/,
      );
      expect(face).toMatch(/unicode-range: U\+[0-9a-f]/);
    }
    expect(html.indexOf("@font-face")).toBeLessThan(html.indexOf("</head>"));
    expect(html).toContain("<body><p>Tá 🌱</p></body>");
  });

  it("refuses a page without a head and policy rather than print without the fonts", async () => {
    await expect(embedFonts("<p>no head</p>")).rejects.toThrow(/no <head>/);
  });
});
