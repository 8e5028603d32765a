// The bundled fonts: the coverage table is what the font files hold, the characters of Irish,
// typographic punctuation and emoji are covered and a private-use character is not, the warning
// names exactly the characters without a glyph, and the HTML to print carries the fonts it needs.
import { readdirSync, readFileSync, realpathSync, statSync, type Stats } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
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
import { fontPath, readCoverage, toRanges } from "./makeCoverage.ts";

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

describe("the desktop package", () => {
  it("holds exactly the bundled font files and the fonts' licence, about 1.3 MB", () => {
    // electron-builder's own matcher, with the exclusions of build/electron-builder.json, as it
    // filters node_modules (which takes only a config's "!" patterns).
    type Matcher = { createFilter(): (file: string, stat: Stats) => boolean };
    const { FileMatcher } = createRequire(import.meta.url)(
      "app-builder-lib/out/fileMatcher.js",
    ) as {
      FileMatcher: new (
        from: string,
        to: string,
        expand: (s: string) => string,
        patterns: string[],
      ) => Matcher;
    };
    const root = join(import.meta.dirname, "../../..");
    const config = JSON.parse(readFileSync(join(root, "build/electron-builder.json"), "utf8")) as {
      files: string[];
    };
    const keep = new FileMatcher(root, "/app", (s) => s, [
      "**/*",
      ...config.files.filter((p) => p.startsWith("!")),
    ]).createFilter();
    const packed: string[] = [];
    let bytes = 0;
    const walk = (dir: string, rel: string) => {
      for (const name of readdirSync(dir)) {
        const stat = statSync(join(dir, name));
        if (!keep(join(root, rel, name), stat)) continue;
        if (stat.isDirectory()) walk(join(dir, name), `${rel}/${name}`);
        else {
          packed.push(`${rel}/${name}`);
          bytes += stat.size;
        }
      }
    };
    const fontsource = realpathSync(join(fontPath(BUNDLED_FONTS[0]!), "../../.."));
    walk(fontsource, "node_modules/@fontsource");
    const expected = [
      ...BUNDLED_FONTS.map((f) => `node_modules/${f.pkg}/files/${f.file}`),
      ...["noto-emoji", "noto-serif"].flatMap((p) => [
        `node_modules/@fontsource/${p}/LICENSE`,
        `node_modules/@fontsource/${p}/package.json`,
      ]),
    ];
    expect(packed.sort()).toEqual(expected.sort());
    expect(bytes).toBeLessThan(1_500_000);
  });
});
