// The EPUB of a 50-story collection, made from real Automerge documents, passes epubcheck with no
// error; so does a book of hostile titles and text (test/export/hostile.test.ts has the rest of
// that book's checks).
import { unzipSync, strFromU8 } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookFromDocs, type Book } from "../../shared/export/book.ts";
import { buildEpub } from "../../shared/export/epub.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { generateCollection, THEMES } from "./fixtures.ts";
import { parseDocument } from "./dom.ts";
import { hostileBook } from "./hostile.ts";
import { epubErrors, epubcheck } from "./tools.ts";

let dir = "";
beforeAll(async () => {
  dir = await makeTempDir("meitheal-epub-");
});
afterAll(async () => {
  await removeDir(dir);
});

const fiftyStories = (): Book => {
  const g = generateCollection(50);
  const read = bookFromDocs({ id: g.collectionId, doc: g.collection }, g.stories, THEMES);
  if (!read.ok) throw new Error(read.error.message);
  expect(read.value.warnings).toEqual([]);
  return read.value.book;
};

describe("EPUB 3", () => {
  it("a generated 50-story collection passes epubcheck with zero errors", async () => {
    const book = fiftyStories();
    expect(book.stories).toHaveLength(50);
    const progress: number[] = [];
    const bytes = buildEpub(book, { onProgress: (done, total) => progress.push(done / total) });
    expect(progress).toHaveLength(50);
    expect(progress.at(-1)).toBe(1);

    const files = unzipSync(bytes);
    // One chapter per story, plus the title page and the introduction.
    expect(Object.keys(files).filter((f) => f.startsWith("OEBPS/text/"))).toHaveLength(52);
    const opf = strFromU8(files["OEBPS/package.opf"]!);
    expect(opf).toContain('<dc:title id="title">Harvest of the Shore</dc:title>');
    expect(opf).toContain(`<dc:identifier id="uid">${book.identifier}</dc:identifier>`);

    const result = await epubcheck(dir, "fifty.epub", bytes);
    expect(epubErrors(result.output)).toEqual([]);
    expect(result.output).toMatch(/0 fatals \/ 0 errors/);
    expect(result.code).toBe(0);
  }, 180_000);

  it("a book of hostile titles and text passes epubcheck too", async () => {
    const bytes = buildEpub(hostileBook().book);
    const result = await epubcheck(dir, "hostile.epub", bytes);
    expect(epubErrors(result.output)).toEqual([]);
    expect(result.code).toBe(0);
  }, 180_000);

  it("a story with inline code, a rule, a code block, a list from 3 and a titled link passes too", async () => {
    const base = hostileBook().book;
    const t = (text: string, code = false) =>
      ({ type: "text", text, strong: false, em: false, code, link: null }) as const;
    const book: Book = {
      ...base,
      stories: [
        {
          ...base.stories[0]!,
          blocks: [
            { type: "paragraph", content: [t("Run "), t("a < b && c", true), t(" now.")] },
            { type: "rule" },
            { type: "code", text: 'if (x)\n    y("<é>");' },
            {
              type: "list",
              ordered: true,
              start: 3,
              items: [[{ type: "paragraph", content: [t("three")] }]],
            },
            {
              type: "paragraph",
              content: [
                {
                  ...t("bog"),
                  link: { type: "external", href: "https://bog.ie/", title: 'Móin "Alúine" & <x>' },
                },
              ],
            },
          ],
        },
      ],
    };
    const bytes = buildEpub(book);
    const chapter = Object.entries(unzipSync(bytes)).find(([name]) =>
      name.endsWith(`${book.stories[0]!.slug}.xhtml`),
    );
    expect(strFromU8(chapter![1])).toContain('<ol start="3">');
    const result = await epubcheck(dir, "code-rule.epub", bytes);
    expect(epubErrors(result.output)).toEqual([]);
    expect(result.code).toBe(0);
  }, 180_000);

  it("epubcheck can fail: a package document without a title is an error", async () => {
    const files = unzipSync(buildEpub(hostileBook().book));
    const { zipSync, strToU8 } = await import("fflate");
    const opf = strFromU8(files["OEBPS/package.opf"]!).replace(
      /<dc:title id="title">[^<]*<\/dc:title>/,
      "",
    );
    const broken = zipSync({
      mimetype: [files.mimetype!, { level: 0 }],
      ...Object.fromEntries(
        Object.entries(files)
          .filter(([name]) => name !== "mimetype")
          .map(([name, data]) => [name, name === "OEBPS/package.opf" ? strToU8(opf) : data]),
      ),
    });
    const result = await epubcheck(dir, "broken.epub", broken);
    expect(result.code).not.toBe(0);
    expect(epubErrors(result.output).length).toBeGreaterThan(0);
  }, 180_000);
});

describe("EPUB XML", () => {
  it("is well formed even from hostile titles and text, and carries no markup from them", () => {
    const files = unzipSync(buildEpub(hostileBook().book));
    for (const [name, data] of Object.entries(files)) {
      if (!/\.(xhtml|opf|xml)$/.test(name)) continue;
      const type = name.endsWith(".xhtml") ? "application/xhtml+xml" : "application/xml";
      // jsdom throws on XML that is not well formed.
      const document = parseDocument(strFromU8(data), type);
      expect(document.querySelectorAll("script, img, b, i")).toHaveLength(0);
    }
    const opf = strFromU8(files["OEBPS/package.opf"]!);
    expect(opf).toContain(
      '<dc:title id="title">Hostile &lt;book&gt; &amp; &quot;co&quot; ---</dc:title>',
    );
    expect(() => parseDocument("<a><b></a>", "application/xhtml+xml")).toThrow();
  });
});
