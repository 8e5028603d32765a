// A book as one self-contained HTML file: styles inline, no script, no font, image or stylesheet
// from anywhere, so it opens the same offline, years later, and makes no request when opened (the
// stories' own web links stay ordinary links a reader may follow). It carries a table of contents,
// readable typography and a print stylesheet (A4, or an A5 booklet), and is what the PDF is printed
// from. Everything people wrote is escaped; the markup helpers here are shared with the EPUB.
import {
  ENGLISH_LABELS,
  type Block,
  type Book,
  type BookLabels,
  type BookLink,
  type BookStory,
  type Inline,
  type ProgressCallback,
  sameLink,
} from "./book.ts";

export type PageSize = "A4" | "A5";

export type HtmlOptions = {
  readonly labels?: BookLabels;
  /** The printed page: A4, or A5 for a booklet. */
  readonly pageSize?: PageSize;
  readonly onProgress?: ProgressCallback;
};

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text safe in HTML and XML content and in quoted attribute values. */
export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** How links and headings come out: the HTML file and the EPUB's chapters differ only here. */
export type MarkupStyle = {
  /** `<br/>` for XHTML, `<br>` for HTML. */
  readonly xml: boolean;
  /** Added to a body heading's level (1–3): the headings above it are the book's and the story's. */
  readonly headingShift: number;
  /** The href of a link to another story of the book. */
  readonly storyHref: (slug: string) => string;
};

const linkOpen = (link: BookLink, style: MarkupStyle): string => {
  const title = link.title ? ` title="${escapeXml(link.title)}"` : "";
  return link.type === "story"
    ? `<a href="${escapeXml(style.storyHref(link.slug))}"${title}>`
    : `<a href="${escapeXml(link.href)}"${title} rel="noopener noreferrer">`;
};

const runMarkup = (run: Inline): string => {
  if (run.type === "break") return "";
  let text = escapeXml(run.text);
  if (run.code) text = `<code>${text}</code>`;
  if (run.em) text = `<em>${text}</em>`;
  if (run.strong) text = `<strong>${text}</strong>`;
  return text;
};

/**
 * Runs as markup: marks nest link → strong → em, which is always well formed, and adjacent runs
 * of one link (a word in bold inside it) make one link.
 */
export function inlineMarkup(content: readonly Inline[], style: MarkupStyle): string {
  const br = style.xml ? "<br/>" : "<br>";
  let out = "";
  for (let i = 0; i < content.length;) {
    const run = content[i]!;
    if (run.type === "break") {
      out += br;
      i++;
      continue;
    }
    if (!run.link) {
      out += runMarkup(run);
      i++;
      continue;
    }
    let inner = "";
    let j = i;
    for (; j < content.length; j++) {
      const next = content[j]!;
      if (next.type !== "text" || !sameLink(next.link, run.link)) break;
      inner += runMarkup(next);
    }
    out += `${linkOpen(run.link, style)}${inner}</a>`;
    i = j;
  }
  return out;
}

export function blocksMarkup(blocks: readonly Block[], style: MarkupStyle): string {
  return blocks.map((b) => blockMarkup(b, style)).join("\n");
}

function blockMarkup(block: Block, style: MarkupStyle): string {
  switch (block.type) {
    case "heading": {
      const level = Math.min(6, block.level + style.headingShift);
      return `<h${level}>${inlineMarkup(block.content, style)}</h${level}>`;
    }
    case "paragraph":
      return `<p>${inlineMarkup(block.content, style)}</p>`;
    case "quote":
      return `<blockquote>\n${blocksMarkup(block.blocks, style)}\n</blockquote>`;
    case "list": {
      const tag = block.ordered ? "ol" : "ul";
      const start = block.ordered && (block.start ?? 1) !== 1 ? ` start="${block.start}"` : "";
      const items = block.items.map((item) => `<li>${blocksMarkup(item, style)}</li>`);
      return `<${tag}${start}>\n${items.join("\n")}\n</${tag}>`;
    }
    case "rule":
      return style.xml ? "<hr/>" : "<hr>";
    case "code":
      return `<pre><code>${escapeXml(block.text)}</code></pre>`;
  }
}

/** "Edited by Aoife and Brían" lines, one per role, in the book's order. */
export function creditLines(book: Book, labels: BookLabels): string[] {
  const byRole = new Map<string, string[]>();
  for (const c of book.contributors) {
    const label = labels.credits[c.role];
    byRole.set(label, [...(byRole.get(label) ?? []), c.name]);
  }
  return [...byRole].map(([label, names]) => `${label} ${names.join(", ")}`);
}

/** A story's themes and writers, as the line under its title. */
export function storyMeta(story: BookStory, labels: BookLabels): string[] {
  const out: string[] = [];
  if (story.contributors.length > 0)
    out.push(`${labels.contributors} ${story.contributors.join(", ")}`);
  if (story.themes.length > 0) out.push(`${labels.themes}: ${story.themes.join(", ")}`);
  return out;
}

// System fonts only: a web font would be a request (or a large inline blob) and a licence question.
// Print names Noto Serif, then Noto Emoji, first: the PDF embeds both (peer/export/fonts), and
// Chromium takes each character from the first of the list that has it.
const CSS = `
:root { color-scheme: light dark; --ink: #1f2328; --muted: #59636e; --rule: #d0d7de; --accent: #0b6e4f; --paper: #fffdf8; }
@media (prefers-color-scheme: dark) { :root { --ink: #e6e1d6; --muted: #a8a294; --rule: #3d3a35; --accent: #7fd1ae; --paper: #1b1a18; } }
* { box-sizing: border-box; }
html { background: var(--paper); color: var(--ink); }
body { margin: 0 auto; padding: 3rem 1.25rem 5rem; max-width: 38rem; font-family: "Iowan Old Style", "Palatino Linotype", Palatino, Georgia, "Times New Roman", serif; font-size: 1.15rem; line-height: 1.65; text-rendering: optimizeLegibility; hyphens: auto; overflow-wrap: break-word; }
h1, h2, h3, h4, h5, h6 { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; line-height: 1.25; margin: 2em 0 0.6em; hyphens: manual; }
h1 { font-size: 2.3rem; margin-top: 0; }
h2 { font-size: 1.7rem; }
h3 { font-size: 1.3rem; }
h4, h5, h6 { font-size: 1.1rem; }
p { margin: 0 0 1em; }
a { color: var(--accent); text-underline-offset: 0.15em; }
blockquote { margin: 1.2em 0; padding: 0.1em 0 0.1em 1.2em; border-left: 3px solid var(--rule); color: var(--muted); font-style: italic; }
ul, ol { padding-left: 1.6em; margin: 0 0 1em; }
li > p { margin-bottom: 0.4em; }
code { font-family: ui-monospace, "Cascadia Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.88em; }
pre { margin: 0 0 1em; padding: 0.6em 0.8em; border-left: 3px solid var(--rule); overflow-x: auto; white-space: pre-wrap; hyphens: manual; }
hr { border: 0; margin: 2em auto; width: 30%; border-top: 1px solid var(--rule); }
.title-page { margin-bottom: 3rem; }
.subtitle { font-size: 1.35rem; color: var(--muted); margin-top: -0.3em; }
.credits { color: var(--muted); margin: 0; }
.toc { margin: 2.5rem 0 3rem; padding: 1.2rem 0; border-top: 1px solid var(--rule); border-bottom: 1px solid var(--rule); }
.toc h2 { margin-top: 0; font-size: 1.2rem; }
.toc ol { margin: 0; }
.toc li { margin: 0.25em 0; }
.story, .introduction { margin-top: 4rem; }
.story > header h2 { margin-bottom: 0.3em; }
.meta { color: var(--muted); font-size: 0.95rem; margin: 0 0 1.6em; }
.meta span + span::before { content: " · "; }
@media print {
  :root { --ink: #000; --muted: #333; --rule: #999; --accent: #000; --paper: #fff; }
  body { max-width: none; padding: 0; font-size: 11pt; line-height: 1.45; font-family: "Noto Serif", "Noto Emoji", "Iowan Old Style", "Palatino Linotype", Palatino, Georgia, "Times New Roman", serif; }
  h1, h2, h3, h4, h5, h6 { font-family: inherit; }
  h1, h2, h3, h4, h5, h6 { break-after: avoid; page-break-after: avoid; }
  p, li, blockquote { orphans: 3; widows: 3; }
  a { text-decoration: none; }
  .toc { border: 0; break-after: page; page-break-after: always; }
  .story, .introduction { margin-top: 0; break-before: page; page-break-before: always; }
  .title-page { margin-top: 30%; }
}
`;

const PAGE_CSS: Record<PageSize, string> = {
  A4: "@page { size: A4; margin: 22mm 20mm 24mm; }",
  A5: "@page { size: A5; margin: 15mm 14mm 17mm; }\n@media print { body { font-size: 10pt; } }",
};

const HTML_STYLE: MarkupStyle = {
  xml: false,
  headingShift: 2,
  storyHref: (slug) => `#story-${slug}`,
};

const joinSpans = (parts: readonly string[]): string =>
  parts.map((p) => `<span>${escapeXml(p)}</span>`).join("");

/** The whole book as one HTML document. */
export function buildHtml(book: Book, options: HtmlOptions = {}): string {
  const labels = options.labels ?? ENGLISH_LABELS;
  const page = options.pageSize ?? "A4";
  const lang = escapeXml(book.language);
  const out: string[] = [];
  out.push(
    "<!DOCTYPE html>",
    `<html lang="${lang}" class="page-${page.toLowerCase()}">`,
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Belt and braces: even if something slipped through, the browser is told to fetch nothing.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="generator" content="Meitheal">',
    `<meta name="dcterms.identifier" content="${escapeXml(book.identifier)}">`,
    `<meta name="dcterms.modified" content="${escapeXml(book.modified)}">`,
    `<title>${escapeXml(book.title)}</title>`,
    `<style>${CSS}${PAGE_CSS[page]}\n</style>`,
    "</head>",
    "<body>",
    '<header class="title-page">',
    `<h1>${escapeXml(book.title)}</h1>`,
  );
  if (book.subtitle !== "") out.push(`<p class="subtitle">${escapeXml(book.subtitle)}</p>`);
  for (const line of creditLines(book, labels))
    out.push(`<p class="credits">${escapeXml(line)}</p>`);
  out.push("</header>");

  out.push(
    '<nav class="toc" aria-labelledby="toc-title">',
    `<h2 id="toc-title">${escapeXml(labels.contents)}</h2>`,
    "<ol>",
  );
  if (book.introduction.length > 0)
    out.push(`<li><a href="#introduction">${escapeXml(labels.introduction)}</a></li>`);
  for (const story of book.stories)
    out.push(`<li><a href="#story-${story.slug}">${escapeXml(story.title)}</a></li>`);
  out.push("</ol>", "</nav>", "<main>");

  if (book.introduction.length > 0) {
    out.push(
      '<section class="introduction" id="introduction" aria-labelledby="introduction-title">',
      `<h2 id="introduction-title">${escapeXml(labels.introduction)}</h2>`,
      blocksMarkup(book.introduction, HTML_STYLE),
      "</section>",
    );
  }
  const total = book.stories.length;
  book.stories.forEach((story, i) => {
    const meta = storyMeta(story, labels);
    out.push(
      `<article class="story" id="story-${story.slug}" aria-labelledby="story-${story.slug}-title">`,
      "<header>",
      `<h2 id="story-${story.slug}-title">${escapeXml(story.title)}</h2>`,
    );
    if (meta.length > 0) out.push(`<p class="meta">${joinSpans(meta)}</p>`);
    out.push("</header>", blocksMarkup(story.blocks, HTML_STYLE), "</article>");
    options.onProgress?.(i + 1, total);
  });
  if (total === 0) options.onProgress?.(0, 0);
  out.push("</main>", "</body>", "</html>", "");
  return out.join("\n");
}
