// A book as EPUB 3: `mimetype` first and stored, the container, a package document with the
// book's metadata, a navigation document, a title page, the introduction, one XHTML chapter per
// story and one stylesheet. No cover yet (collections have none). Valid under epubcheck
// (test/export/epub.test.ts), and deterministic: the same book gives the same bytes.
import {
  ENGLISH_LABELS,
  type Book,
  type BookLabels,
  type BookStory,
  type ProgressCallback,
} from "./book.ts";
import type { CreditRole } from "../schema/collection.ts";
import { blocksMarkup, creditLines, escapeXml, storyMeta, type MarkupStyle } from "./html.ts";
import { zipFiles, type ZipEntry } from "./zip.ts";

export type EpubOptions = {
  readonly labels?: BookLabels;
  readonly onProgress?: ProgressCallback;
};

/** MARC relator codes, the vocabulary EPUB readers know roles by. */
const RELATOR: Record<CreditRole, string> = {
  editor: "edt",
  author: "aut",
  contributor: "ctb",
  illustrator: "ill",
  translator: "trl",
  photographer: "pht",
};

const CONTAINER = `<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
`;

const CSS = `body { font-family: serif; line-height: 1.5; margin: 0 5%; }
h1, h2, h3, h4, h5, h6 { font-family: sans-serif; line-height: 1.25; page-break-after: avoid; }
h1 { font-size: 1.8em; margin: 1.5em 0 0.4em; }
h2 { font-size: 1.4em; }
h3 { font-size: 1.2em; }
h4, h5, h6 { font-size: 1.05em; }
p { margin: 0 0 0.8em; }
blockquote { margin: 1em 0 1em 1em; padding-left: 0.8em; border-left: 2px solid #999; font-style: italic; }
code { font-family: monospace; font-size: 0.9em; }
pre { margin: 0 0 0.8em; white-space: pre-wrap; }
hr { border: 0; border-top: 1px solid #999; width: 30%; margin: 1.5em auto; }
.title-page { text-align: center; margin-top: 30%; }
.subtitle { font-size: 1.2em; font-style: italic; }
.credits, .meta { color: #555; }
.meta { font-size: 0.9em; margin-bottom: 1.5em; }
nav ol { list-style: none; padding-left: 0; }
nav li { margin: 0.3em 0; }
`;

const CHAPTER_STYLE: MarkupStyle = {
  xml: true,
  headingShift: 1,
  storyHref: (slug) => `${slug}.xhtml`,
};

/** An XHTML content document; `body` is markup already escaped. */
function xhtml(book: Book, title: string, body: string, options: { nav?: boolean } = {}): string {
  const lang = escapeXml(book.language);
  const css = options.nav ? "style.css" : "../style.css";
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="${lang}" lang="${lang}">
<head>
<title>${escapeXml(title)}</title>
<link rel="stylesheet" type="text/css" href="${css}"/>
</head>
<body>
${body}
</body>
</html>
`;
}

const titlePage = (book: Book, labels: BookLabels): string => {
  const lines = [`<h1>${escapeXml(book.title)}</h1>`];
  if (book.subtitle !== "") lines.push(`<p class="subtitle">${escapeXml(book.subtitle)}</p>`);
  for (const line of creditLines(book, labels))
    lines.push(`<p class="credits">${escapeXml(line)}</p>`);
  return xhtml(
    book,
    book.title,
    `<section class="title-page" epub:type="titlepage">\n${lines.join("\n")}\n</section>`,
  );
};

const introduction = (book: Book, labels: BookLabels): string =>
  xhtml(
    book,
    labels.introduction,
    `<section epub:type="introduction">\n<h1>${escapeXml(labels.introduction)}</h1>\n${blocksMarkup(book.introduction, CHAPTER_STYLE)}\n</section>`,
  );

const chapter = (book: Book, story: BookStory, labels: BookLabels): string => {
  const meta = storyMeta(story, labels);
  const parts = [`<h1>${escapeXml(story.title)}</h1>`];
  if (meta.length > 0) parts.push(`<p class="meta">${escapeXml(meta.join(" · "))}</p>`);
  parts.push(blocksMarkup(story.blocks, CHAPTER_STYLE));
  return xhtml(book, story.title, `<section epub:type="chapter">\n${parts.join("\n")}\n</section>`);
};

type Chapter = { id: string; href: string; title: string };

const nav = (book: Book, chapters: readonly Chapter[], labels: BookLabels): string => {
  const items = chapters
    .map((c) => `<li><a href="${escapeXml(c.href)}">${escapeXml(c.title)}</a></li>`)
    .join("\n");
  return xhtml(
    book,
    labels.contents,
    `<nav epub:type="toc" id="toc">\n<h1>${escapeXml(labels.contents)}</h1>\n<ol>\n${items}\n</ol>\n</nav>`,
    { nav: true },
  );
};

function packageDocument(book: Book, chapters: readonly Chapter[]): string {
  const meta: string[] = [
    `<dc:identifier id="uid">${escapeXml(book.identifier)}</dc:identifier>`,
    `<dc:title id="title">${escapeXml(book.title)}</dc:title>`,
    `<meta refines="#title" property="title-type">main</meta>`,
  ];
  if (book.subtitle !== "")
    meta.push(
      `<dc:title id="subtitle">${escapeXml(book.subtitle)}</dc:title>`,
      `<meta refines="#subtitle" property="title-type">subtitle</meta>`,
    );
  meta.push(`<dc:language>${escapeXml(book.language)}</dc:language>`);
  // Credits first, in their order; then whoever wrote a story and is not credited already.
  const people: { name: string; role: CreditRole }[] = [...book.contributors];
  const named = new Set(people.map((p) => p.name));
  for (const story of book.stories)
    for (const name of story.contributors)
      if (!named.has(name)) {
        named.add(name);
        people.push({ name, role: "author" });
      }
  people.forEach((person, i) => {
    const tag = person.role === "editor" || person.role === "author" ? "creator" : "contributor";
    meta.push(
      `<dc:${tag} id="p${i + 1}">${escapeXml(person.name)}</dc:${tag}>`,
      `<meta refines="#p${i + 1}" property="role" scheme="marc:relators">${RELATOR[person.role]}</meta>`,
    );
  });
  meta.push(
    `<dc:date>${escapeXml(book.date)}</dc:date>`,
    `<meta property="dcterms:modified">${escapeXml(book.modified)}</meta>`,
  );
  const manifest = [
    `<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>`,
    `<item id="css" href="style.css" media-type="text/css"/>`,
    ...chapters.map(
      (c) => `<item id="${c.id}" href="${escapeXml(c.href)}" media-type="application/xhtml+xml"/>`,
    ),
  ];
  const spine = [
    `<itemref idref="${chapters[0]?.id ?? "nav"}"/>`,
    `<itemref idref="nav"/>`,
    ...chapters.slice(1).map((c) => `<itemref idref="${c.id}"/>`),
  ];
  const lang = escapeXml(book.language);
  return `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="${lang}">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
${meta.join("\n")}
</metadata>
<manifest>
${manifest.join("\n")}
</manifest>
<spine>
${spine.join("\n")}
</spine>
</package>
`;
}

/** The book as an EPUB 3 file. */
export function buildEpub(book: Book, options: EpubOptions = {}): Uint8Array {
  const labels = options.labels ?? ENGLISH_LABELS;
  const chapters: Chapter[] = [{ id: "title-page", href: "text/title.xhtml", title: book.title }];
  const files: ZipEntry[] = [{ path: "OEBPS/text/title.xhtml", data: titlePage(book, labels) }];
  if (book.introduction.length > 0) {
    chapters.push({
      id: "introduction",
      href: "text/introduction.xhtml",
      title: labels.introduction,
    });
    files.push({ path: "OEBPS/text/introduction.xhtml", data: introduction(book, labels) });
  }
  const total = book.stories.length;
  book.stories.forEach((story, i) => {
    // Slugs are lower-case ASCII letters, digits and hyphens; an XML id may not start with a digit.
    chapters.push({ id: `s-${story.slug}`, href: `text/${story.slug}.xhtml`, title: story.title });
    files.push({ path: `OEBPS/text/${story.slug}.xhtml`, data: chapter(book, story, labels) });
    options.onProgress?.(i + 1, total);
  });
  if (total === 0) options.onProgress?.(0, 0);
  return zipFiles(
    [
      { path: "mimetype", data: "application/epub+zip", store: true },
      { path: "META-INF/container.xml", data: CONTAINER },
      { path: "OEBPS/package.opf", data: packageDocument(book, chapters) },
      { path: "OEBPS/nav.xhtml", data: nav(book, chapters, labels) },
      { path: "OEBPS/style.css", data: CSS },
      ...files,
    ],
    Date.parse(book.modified),
  );
}
