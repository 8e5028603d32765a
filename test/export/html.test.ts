// The HTML export is one file that asks for nothing from anywhere: no script, no stylesheet link,
// no @import, no url() in its CSS, and no src or href to the web except the stories' own links,
// which are plain <a> links. Hostile titles and text stay text.
import { describe, expect, it } from "vitest";
import { blocksToText, bookFromDocs, type Book } from "../../shared/export/book.ts";
import { buildHtml } from "../../shared/export/html.ts";
import { parseDocument } from "./dom.ts";
import { generateCollection, THEMES } from "./fixtures.ts";
import { CONTROL_TITLE, LONG_TITLE, SCRIPT_TITLE, YAML_TITLE, hostileBook } from "./hostile.ts";

const fiftyStories = (): Book => {
  const g = generateCollection(50, 2);
  const read = bookFromDocs({ id: g.collectionId, doc: g.collection }, g.stories, THEMES);
  if (!read.ok) throw new Error(read.error.message);
  return read.value.book;
};

/** Every way an HTML file can make the browser fetch something; [] when there is none. */
function externalReferences(html: string): string[] {
  const found: string[] = [];
  const document = parseDocument(html);
  for (const el of document.querySelectorAll("script")) found.push(`<script> ${el.outerHTML}`);
  for (const el of document.querySelectorAll("link")) found.push(`<link> ${el.outerHTML}`);
  for (const el of document.querySelectorAll("iframe, object, embed, img, video, audio, source"))
    found.push(`<${el.tagName.toLowerCase()}>`);
  for (const el of document.querySelectorAll("[src], [srcset], [poster], [background]"))
    found.push(`attribute on <${el.tagName.toLowerCase()}>`);
  for (const el of document.querySelectorAll("[style]"))
    if (/url\s*\(|@import/i.test(el.getAttribute("style") ?? "")) found.push("url() in a style");
  for (const el of document.querySelectorAll("[href]")) {
    const href = el.getAttribute("href") ?? "";
    // A story's own web link is an ordinary <a>, fetched only if a reader follows it.
    if (el.tagName !== "A" && el.tagName !== "a") found.push(`href on <${el.tagName}>`);
    else if (!/^(#|https?:|mailto:)/.test(href)) found.push(`odd href ${href}`);
  }
  for (const el of document.querySelectorAll("meta[http-equiv]")) {
    const what = el.getAttribute("http-equiv")?.toLowerCase();
    if (what === "refresh") found.push("meta refresh");
  }
  const css = [...document.querySelectorAll("style")].map((s) => s.textContent ?? "").join("\n");
  if (/@import/i.test(css)) found.push("@import");
  if (/url\s*\(/i.test(css)) found.push("url() in CSS");
  if (/@font-face/i.test(css)) found.push("@font-face");
  return found;
}

describe("HTML export", () => {
  it("a 50-story book refers to nothing outside the file", () => {
    const book = fiftyStories();
    const html = buildHtml(book);
    expect(externalReferences(html)).toEqual([]);
    // The web links the stories hold are there, as plain links.
    const document = parseDocument(html);
    const web = [...document.querySelectorAll("a[href^='https:']")];
    expect(web).toHaveLength(50);
    for (const a of web) expect(a.getAttribute("rel")).toBe("noopener noreferrer");
  });

  it("the check above can fail", () => {
    const html = buildHtml(fiftyStories());
    const bad = [
      html.replace("</head>", '<script src="https://cdn.example/x.js"></script></head>'),
      html.replace("</head>", '<link rel="stylesheet" href="https://cdn.example/x.css"></head>'),
      html.replace("<style>", "<style>@import url(https://fonts.example/a.css);"),
      html.replace("<style>", "<style>body { background: url(x.png) }"),
      html.replace("<main>", '<main><img src="https://evil.example/pixel.gif" alt="">'),
    ];
    for (const page of bad) expect(externalReferences(page)).not.toEqual([]);
  });

  it("has a table of contents whose every entry leads to its story, in order", () => {
    const book = fiftyStories();
    const document = parseDocument(buildHtml(book));
    expect(document.documentElement.getAttribute("lang")).toBe("en");
    const entries = [...document.querySelectorAll("nav.toc a")];
    expect(entries.map((a) => a.textContent)).toEqual([
      "Introduction",
      ...book.stories.map((s) => s.title),
    ]);
    for (const a of entries) {
      const target = document.getElementById(a.getAttribute("href")!.slice(1));
      expect(target).not.toBeNull();
    }
    // Internal links between stories point at anchors that exist.
    for (const a of document.querySelectorAll("main a[href^='#']"))
      expect(document.getElementById(a.getAttribute("href")!.slice(1))).not.toBeNull();
    // Each story's text is all there.
    const articles = [...document.querySelectorAll("article.story")];
    expect(articles).toHaveLength(50);
    articles.forEach((article, i) => {
      for (const br of article.querySelectorAll("br")) br.replaceWith(" ");
      const body = [...article.children]
        .slice(1)
        .map((el) => el.textContent)
        .join(" ");
      expect(body.replace(/\s+/g, " ").trim()).toBe(
        blocksToText(book.stories[i]!.blocks).replace(/\s+/g, " ").trim(),
      );
    });
  });

  it("prints on A4 by default and on A5 when asked, each story on a new page", () => {
    const book = fiftyStories();
    const a4 = buildHtml(book);
    const a5 = buildHtml(book, { pageSize: "A5" });
    expect(a4).toMatch(/@page \{ size: A4;/);
    expect(a4).not.toMatch(/size: A5/);
    expect(a5).toMatch(/@page \{ size: A5;/);
    expect(a5).toContain('class="page-a5"');
    expect(a4).toMatch(/@media print \{[\s\S]*\.story, \.introduction \{[^}]*break-before: page/);
  });

  it("keeps hostile titles, names and text as text, and refers to nothing outside", () => {
    const { book } = hostileBook();
    const html = buildHtml(book);
    expect(externalReferences(html)).toEqual([]);
    const document = parseDocument(html);
    expect(document.querySelectorAll("script, img, b, i")).toHaveLength(0);
    expect(document.title).toBe(`Hostile <book> & "co" ---`);
    const titles = [...document.querySelectorAll("article.story h2")].map((h) => h.textContent);
    expect(titles).toEqual(book.stories.map((s) => s.title));
    expect(titles).toContain(SCRIPT_TITLE);
    expect(titles).toContain(YAML_TITLE.replace(/\s+/g, " "));
    expect(titles).toContain(LONG_TITLE);
    // Control characters are gone, the words around them are not (Automerge itself stores the
    // lone surrogate as U+FFFD).
    const cleaned = "Bell nul escape[31m red half\uFFFD";
    expect(titles).toContain(cleaned);
    expect(CONTROL_TITLE.length).toBeGreaterThan(cleaned.length);
    // eslint-disable-next-line no-control-regex
    expect(html).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
    // Anchors are unique, and unsafe links became text.
    const ids = [...document.querySelectorAll("[id]")].map((el) => el.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of document.querySelectorAll("a"))
      expect(a.getAttribute("href")).toMatch(
        /^(#story-[a-z0-9-]+|#introduction|https:\/\/example\.org\/)/,
      );
    expect(html).not.toMatch(/javascript:|data:text/);
    expect(html).toContain("https://example.org/?q=%22x%22&amp;y=%3Cz%3E");
  });
});
