import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import type { Book } from "./book.ts";
import { buildEpub } from "./epub.ts";

const book = (over: Partial<Book> = {}): Book => ({
  title: "Harvest",
  subtitle: "June",
  language: "ga",
  identifier: "urn:uuid:12345678-1234-4234-8234-123456789abc",
  date: "2025-06-01",
  modified: "2025-06-01T12:00:00Z",
  contributors: [
    { name: "Aoife", role: "editor" },
    { name: "Dara", role: "illustrator" },
  ],
  introduction: [
    {
      type: "paragraph",
      content: [{ type: "text", text: "Why", strong: false, em: false, link: null }],
    },
  ],
  stories: ["one", "two"].map((slug) => ({
    id: slug,
    slug,
    title: `Story ${slug}`,
    status: "ready" as const,
    themes: [],
    contributors: ["Aoife", "Cathal"],
    createdAt: 0,
    updatedAt: 0,
    blocks: [],
  })),
  ...over,
});

describe("buildEpub", () => {
  it("starts with the mimetype entry, stored, with no extra field", () => {
    const bytes = buildEpub(book());
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint32(0, true)).toBe(0x04034b50); // a local file header
    expect(view.getUint16(8, true)).toBe(0); // stored
    expect(view.getUint16(26, true)).toBe("mimetype".length);
    expect(view.getUint16(28, true)).toBe(0); // no extra field
    expect(strFromU8(bytes.subarray(30, 38))).toBe("mimetype");
    expect(strFromU8(bytes.subarray(38, 58))).toBe("application/epub+zip");
  });

  it("holds the container, package, navigation, stylesheet and a chapter per story", () => {
    const progress: string[] = [];
    const files = unzipSync(
      buildEpub(book(), { onProgress: (d, n) => progress.push(`${d}/${n}`) }),
    );
    expect(progress).toEqual(["1/2", "2/2"]);
    expect(Object.keys(files)).toEqual([
      "mimetype",
      "META-INF/container.xml",
      "OEBPS/package.opf",
      "OEBPS/nav.xhtml",
      "OEBPS/style.css",
      "OEBPS/text/title.xhtml",
      "OEBPS/text/introduction.xhtml",
      "OEBPS/text/one.xhtml",
      "OEBPS/text/two.xhtml",
    ]);
    const opf = strFromU8(files["OEBPS/package.opf"]!);
    for (const expected of [
      '<dc:identifier id="uid">urn:uuid:12345678-1234-4234-8234-123456789abc</dc:identifier>',
      '<dc:title id="title">Harvest</dc:title>',
      '<dc:title id="subtitle">June</dc:title>',
      "<dc:language>ga</dc:language>",
      '<dc:creator id="p1">Aoife</dc:creator>',
      '<meta refines="#p1" property="role" scheme="marc:relators">edt</meta>',
      '<dc:contributor id="p2">Dara</dc:contributor>',
      // A story's writer not credited already is an author.
      '<dc:creator id="p3">Cathal</dc:creator>',
      "<dc:date>2025-06-01</dc:date>",
      '<meta property="dcterms:modified">2025-06-01T12:00:00Z</meta>',
      'properties="nav"',
    ])
      expect(opf).toContain(expected);
    expect(opf.match(/<dc:creator id="p\d">Aoife</g)).toHaveLength(1);
    const nav = strFromU8(files["OEBPS/nav.xhtml"]!);
    expect(nav).toContain('<nav epub:type="toc" id="toc">');
    expect(nav).toContain('<li><a href="text/one.xhtml">Story one</a></li>');
  });

  it("leaves the introduction out when there is none", () => {
    const files = unzipSync(buildEpub(book({ introduction: [] })));
    expect(Object.keys(files)).not.toContain("OEBPS/text/introduction.xhtml");
    expect(strFromU8(files["OEBPS/package.opf"]!)).not.toContain("introduction");
  });

  it("gives the same bytes for the same book", () => {
    expect(buildEpub(book())).toEqual(buildEpub(book()));
  });
});
