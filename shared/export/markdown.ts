// A book as Markdown: a zip holding one folder with an `index.md` (the title in front matter, the
// introduction, the stories in order as links) and one `.md` per story with YAML front matter.
// Links between stories are relative links (`./<slug>.md`). The Markdown is CommonMark that
// pandoc's Markdown reads the same way: every character that could start syntax is escaped, so
// what people wrote comes back as the same text (test/export/markdown.test.ts reads it back with
// pandoc).
import {
  ENGLISH_LABELS,
  type Block,
  type Book,
  type BookLabels,
  type BookLink,
  type BookStory,
  type Inline,
  type ProgressCallback,
  uniqueSlugs,
} from "./book.ts";
import { zipFiles, type ZipEntry } from "./zip.ts";

export type MarkdownOptions = {
  readonly labels?: BookLabels;
  readonly onProgress?: ProgressCallback;
};

// ---- YAML ----

/**
 * A YAML double-quoted scalar. JSON's string syntax is a subset of it; the book's text is already
 * free of characters YAML cannot print (book.ts cleanText), and U+2028/9 are escaped so no reader
 * takes them for line ends.
 */
export const yamlString = (text: string): string =>
  JSON.stringify(text)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");

const yamlList = (key: string, values: readonly string[]): string =>
  values.length === 0
    ? `${key}: []`
    : `${key}:\n${values.map((v) => `  - ${yamlString(v)}`).join("\n")}`;

const frontMatter = (lines: readonly string[]): string => `---\n${lines.join("\n")}\n---\n`;

// ---- Inline text ----

// Escaped wherever they stand: they open emphasis, links, code, HTML, math (pandoc), attributes
// (pandoc), sub/superscript and strikeout (pandoc), tables; a `#` ending a heading would be read
// as its closing sequence.
const ALWAYS = /[\\`*_[\]<>{}$^~|#]/g;

/** Text escaped so that no character in it is read as Markdown syntax. */
export function escapeMarkdown(text: string, atLineStart: boolean): string {
  let out = text
    .replace(ALWAYS, "\\$&")
    // An entity reference ("&amp;") would be read as the character it names.
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, "\\&")
    // A citation in pandoc: "@name" at the start of a word.
    .replace(/(?<![A-Za-z0-9])@/g, "\\@");
  if (atLineStart) {
    out = out
      .replace(/^[ \t]+/, "")
      // A heading, quote, list item, setext underline, definition, fenced code or table.
      .replace(/^[#>+\-=:]/, "\\$&")
      // An ordered list item: "1. ", "1) ", and pandoc's "a. ", "iv) ", "(b) ".
      .replace(/^\((?=(\d{1,9}|[A-Za-z]|[ivxlcdmIVXLCDM]+)\))/, "\\(")
      .replace(/^(\d{1,9}|[A-Za-z]|[ivxlcdmIVXLCDM]+)([.)])(?=\s|$)/, "$1\\$2");
  }
  return out;
}

/** A link target as Markdown carries it: brackets and spaces would end it early. */
const markdownHref = (href: string): string =>
  href.replace(/[()<> ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A link's target, and its title in double quotes after it when it has one. */
const linkTarget = (link: BookLink): string => {
  const target = link.type === "story" ? `./${link.slug}.md` : markdownHref(link.href);
  return link.title ? `${target} "${link.title.replace(/["\\]/g, "\\$&")}"` : target;
};

/** The longest run of backticks in a text. */
const longestBackticks = (text: string): number =>
  Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));

/**
 * Inline code: fenced by one backtick more than the longest run inside it, and padded with a
 * space on each side where a reader would otherwise take a backtick at its edge for the fence or
 * strip the spaces it starts and ends with.
 */
export function codeSpan(text: string): string {
  const fence = "`".repeat(longestBackticks(text) + 1);
  const pad =
    text.startsWith("`") ||
    text.endsWith("`") ||
    (text.startsWith(" ") && text.endsWith(" ") && text.trim() !== "")
      ? " "
      : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** An open mark; emphasis is written with `*`, or `_` right after a closing `*` (see flanked). */
type Open =
  | { kind: "link"; link: BookLink }
  | { kind: "strong"; char: "*" | "_" }
  | { kind: "em"; char: "*" | "_" };

const sameOpen = (a: Open, b: Open): boolean =>
  a.kind === b.kind &&
  (a.kind !== "link" || (b.kind === "link" && linkTarget(a.link) === linkTarget(b.link)));

const opener = (o: Open): string =>
  o.kind === "link" ? "[" : o.kind === "strong" ? o.char + o.char : o.char;
const closer = (o: Open): string =>
  o.kind === "link" ? `](${linkTarget(o.link)})` : o.kind === "strong" ? o.char + o.char : o.char;

/**
 * Runs as Markdown. Marks are kept as a stack (links outermost, then strong, then em), so runs
 * that share a mark share its delimiters; whitespace at a run's edges is moved outside the
 * delimiters, because `** bold**` is not emphasis. `breakAs` is what a line break becomes: a
 * backslash line end, or a space where Markdown cannot break (a heading).
 */
function inlineMarkdown(content: readonly Inline[], breakAs: "line" | "space"): string {
  const out: Part[] = [];
  let stack: Open[] = [];
  let pending = "";
  let atLineStart = true;
  const closeTo = (keep: number) => {
    while (stack.length > keep) out.push(delimiter(closer(stack.pop() as Open), "close"));
  };
  for (const run of content) {
    if (run.type === "break") {
      closeTo(0);
      pending = "";
      if (breakAs === "line") {
        out.push({ kind: "syntax", text: "\\\n" });
        atLineStart = true;
      } else pending = " ";
      continue;
    }
    // Spaces inside inline code are its own; elsewhere they move outside the delimiters.
    const code = run.code === true;
    const lead = code ? "" : (/^\s*/.exec(run.text)?.[0] ?? "");
    const core = code ? run.text : run.text.trim();
    const trail = code || core === "" ? "" : (/\s*$/.exec(run.text)?.[0] ?? "");
    if (core === "") {
      pending += run.text;
      continue;
    }
    pending += lead;
    const wanted: Open[] = [];
    if (run.link) wanted.push({ kind: "link", link: run.link });
    if (run.strong) wanted.push({ kind: "strong", char: "*" });
    if (run.em) wanted.push({ kind: "em", char: "*" });
    let keep = 0;
    while (keep < stack.length && keep < wanted.length && sameOpen(stack[keep]!, wanted[keep]!))
      keep++;
    closeTo(keep);
    if (!atLineStart && pending !== "")
      out.push({ kind: "text", text: pending.replace(/\s+/g, " ") });
    pending = "";
    const text = code
      ? codeSpan(core)
      : escapeMarkdown(core, atLineStart && keep === 0 && wanted.length === 0);
    // Openers right after closers would join them in one run of `*`, which a reader takes as
    // closing only, or opening only, when punctuation stands on one side (`*50%***Tá**`): they
    // are written with the other character (`*50%*__Tá__`).
    const last = out.at(-1);
    let char: "*" | "_" = last?.kind === "close" && last.text.startsWith("*") ? "_" : "*";
    // An opener with punctuation after it (a code span, a quote mark) and something other than a
    // space before it may close as well as open, and would close a run of its character still
    // open (`**T&#225;*\`Tá\`***`: CommonMark's rule of three counts the first run as three):
    // it is written with the other character (`**T&#225;_\`Tá\`_**`).
    const after = Array.from(text)[0] ?? "";
    const before = Array.from(out.at(-1)?.text ?? " ").at(-1) ?? " ";
    if (
      !/\s/.test(before) &&
      PUNCTUATION.test(after) &&
      stack.slice(0, keep).some((o) => o.kind !== "link" && o.char === char)
    )
      char = char === "*" ? "_" : "*";
    for (const wants of wanted.slice(keep)) {
      const open = wants.kind === "link" ? wants : { ...wants, char };
      // "!" right before a link's "[" would make it an image.
      const before = out.at(-1);
      if (open.kind === "link" && before?.kind === "text" && /(^|[^\\])!$/.test(before.text))
        before.text = `${before.text.slice(0, -1)}\\!`;
      out.push(delimiter(opener(open), "open"));
      stack.push(open);
    }
    out.push({ kind: code ? "syntax" : "text", text });
    atLineStart = false;
    pending = trail;
  }
  closeTo(0);
  stack = [];
  return flanked(out);
}

/**
 * A piece of a line of Markdown: text (escaped, so a character of it may be written as an entity
 * instead), emphasis delimiters that open or close, or other syntax.
 */
type Part =
  | { kind: "text"; text: string }
  | { kind: "open" | "close"; text: string }
  | { kind: "syntax"; text: string };

const delimiter = (text: string, side: "open" | "close"): Part =>
  /^(\*+|_+)$/.test(text) ? { kind: side, text } : { kind: "syntax", text };

const WORD = /[\p{L}\p{N}\p{M}]/u;
/** What CommonMark counts as punctuation beside a delimiter. */
const PUNCTUATION = /[\p{P}\p{S}]/u;
const entity = (ch: string): string => `&#${ch.codePointAt(0) ?? 0};`;

/**
 * The parts as one string, with every emphasis delimiter where a reader takes it for one. In
 * CommonMark a `*` cannot close between punctuation and a letter (`*“x”*y`), nor open
 * between a letter and punctuation (`x*“y”*`), a `_` cannot touch a letter on its outer
 * side at all, and a `*` between two letters may open or close, which misleads the pairing
 * (`***a*b*c***`). So a delimiter never touches a letter on its outer side: the letter is written
 * as a character reference (`&#121;`), which reads as the same letter but, being punctuation,
 * leaves the delimiter only one way to be read.
 */
function flanked(parts: Part[]): string {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.kind !== "open" && part.kind !== "close") continue;
    let j = i;
    while (parts[j + 1]?.kind === part.kind && parts[j + 1]?.text[0] === part.text[0]) j++;
    const before = parts[i - 1];
    const after = parts[j + 1];
    const last = before ? Array.from(before.text).at(-1) : undefined;
    const first = after ? Array.from(after.text)[0] : undefined;
    if (
      part.kind === "close" &&
      last !== undefined &&
      after?.kind === "text" &&
      first !== undefined &&
      WORD.test(first)
    )
      after.text = entity(first) + after.text.slice(first.length);
    if (
      part.kind === "open" &&
      first !== undefined &&
      before?.kind === "text" &&
      last !== undefined &&
      WORD.test(last)
    )
      before.text = before.text.slice(0, before.text.length - last.length) + entity(last);
    i = j;
  }
  return parts.map((p) => p.text).join("");
}

// ---- Blocks ----

const indent = (text: string, first: string, rest: string): string =>
  text
    .split("\n")
    .map((line, i) => (line === "" ? line : (i === 0 ? first : rest) + line))
    .join("\n");

export function blocksMarkdown(blocks: readonly Block[]): string {
  return blocks.map(blockMarkdown).join("\n\n");
}

function blockMarkdown(block: Block): string {
  switch (block.type) {
    case "heading":
      return `${"#".repeat(block.level)} ${inlineMarkdown(block.content, "space")}`;
    case "paragraph":
      return inlineMarkdown(block.content, "line");
    case "quote":
      return blocksMarkdown(block.blocks)
        .split("\n")
        .map((line) => (line === "" ? ">" : `> ${line}`))
        .join("\n");
    case "list": {
      const tight = block.items.every((item) => item.length === 1);
      const start = block.start ?? 1;
      return block.items
        .map((item, i) => {
          // Readers take the first number as the list's start; the others only have to be numbers.
          const marker = block.ordered ? `${Math.min(start + i, 999_999_999)}. ` : "- ";
          return indent(blocksMarkdown(item), marker, " ".repeat(marker.length));
        })
        .join(tight ? "\n" : "\n\n");
    }
    case "rule":
      // Not `---`: as a list item's first line, "- ---" would be read as a rule itself.
      return "***";
    case "code": {
      const fence = "`".repeat(Math.max(3, longestBackticks(block.text) + 1));
      return `${fence}\n${block.text}\n${fence}`;
    }
  }
}

// ---- Files ----

const isoDate = (ms: number): string => new Date(ms).toISOString();

/** One story as a Markdown file: front matter, then its body. */
export function storyMarkdown(story: BookStory): string {
  const head = frontMatter([
    `title: ${yamlString(story.title)}`,
    `status: ${yamlString(story.status)}`,
    yamlList("themes", story.themes),
    yamlList("contributors", story.contributors),
    `created: ${yamlString(isoDate(story.createdAt))}`,
    `updated: ${yamlString(isoDate(story.updatedAt))}`,
  ]);
  const body = blocksMarkdown(story.blocks);
  return body === "" ? head : `${head}\n${body}\n`;
}

/** The index: the book's metadata, its introduction and the stories in order. */
export function indexMarkdown(book: Book, labels: BookLabels = ENGLISH_LABELS): string {
  const lines = [`title: ${yamlString(book.title)}`];
  if (book.subtitle !== "") lines.push(`subtitle: ${yamlString(book.subtitle)}`);
  lines.push(`lang: ${yamlString(book.language)}`);
  lines.push(`date: ${yamlString(book.date)}`);
  lines.push(`identifier: ${yamlString(book.identifier)}`);
  if (book.contributors.length > 0) {
    lines.push("credits:");
    for (const c of book.contributors)
      lines.push(`  - name: ${yamlString(c.name)}`, `    role: ${yamlString(c.role)}`);
  }
  const body: string[] = [];
  if (book.introduction.length > 0) body.push(blocksMarkdown(book.introduction));
  body.push(`## ${escapeMarkdown(labels.contents, true)}`);
  if (book.stories.length > 0)
    body.push(
      book.stories
        .map((s, i) => `${i + 1}. [${escapeMarkdown(s.title, false)}](./${s.slug}.md)`)
        .join("\n"),
    );
  return `${frontMatter(lines)}\n${body.join("\n\n")}\n`;
}

/** The folder inside the zip: the book's title as a slug (never a name Windows refuses). */
export const markdownFolder = (book: Book): string => uniqueSlugs([book.title])[0] ?? "book";

/** The whole book as a zip of Markdown files. */
export function buildMarkdownZip(book: Book, options: MarkdownOptions = {}): Uint8Array {
  const folder = markdownFolder(book);
  const total = book.stories.length;
  const entries: ZipEntry[] = [
    { path: `${folder}/index.md`, data: indexMarkdown(book, options.labels) },
  ];
  book.stories.forEach((story, i) => {
    entries.push({ path: `${folder}/${story.slug}.md`, data: storyMarkdown(story) });
    options.onProgress?.(i + 1, total);
  });
  if (total === 0) options.onProgress?.(0, 0);
  return zipFiles(entries, Date.parse(book.modified));
}
