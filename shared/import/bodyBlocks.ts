// A file's body as blocks: Markdown read through markdown-it's tokens, or plain text split into
// paragraphs. What a story cannot hold is kept as text and named in a warning.
import MarkdownIt from "markdown-it";
import type { Token } from "markdown-it";
import { cleanText } from "../export/book.ts";
import { headingLevel, linkTitle, listStart, sanitizeHref } from "../richtext/schema.ts";
import {
  hasText,
  sameImportLink,
  trimBreaks,
  type ImportBlock,
  type ImportInline,
  type ImportLink,
} from "./blocks.ts";
import { relativeTarget } from "./paths.ts";

/** Quotes and lists deeper than this are flattened into their parent: no story needs more, and a
 * hostile file of 100,000 `>` must not exhaust the stack. */
export const MAX_DEPTH = 12;

type Marks = { strong: boolean; em: boolean; code: boolean; link: ImportLink | null };
const NO_MARKS: Marks = { strong: false, em: false, code: false, link: null };

// The elements of HTML. A tag of one of these in Markdown is markup and is left out (its text
// stays); anything else in angle brackets (`<word>`, `<Aoife>`) is what the person wrote, and is
// kept as that text.
const HTML_ELEMENTS = new Set(
  (
    "a abbr acronym address area article aside audio b base bdi bdo big blink blockquote body br " +
    "button canvas caption center cite code col colgroup data datalist dd del details dfn dialog " +
    "dir div dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 " +
    "h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link main map " +
    "mark marquee menu meta meter nav nobr noframes noscript object ol optgroup option output p " +
    "param picture pre progress q rp rt ruby s samp script search section select slot small " +
    "source span strike strong style sub summary sup svg table tbody td template textarea tfoot " +
    "th thead time title tr track tt u ul var video wbr math"
  ).split(" "),
);

/** An HTML tag or comment: `<name …>`, `</name>`, `<!-- … -->`, with the tag's name. */
const TAG = /<!--[\s\S]*?-->|<\/?([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?\/?>/g;

// CommonMark with tables and strikethrough (markdown-it's default preset). Raw HTML is recognised
// so that its tags can be removed rather than shown; bare addresses are not turned into links, so
// a story's text that mentions "example.org" comes back as the text it was. Every link is let
// through the parser (validateLink) and judged here instead, so an unsafe one keeps its text.
const md = new MarkdownIt("default", { html: true, linkify: false, typographer: false });
md.validateLink = () => true;

/** A cursor over a flat token list: blocks open and close around what they hold. */
type Cursor = { tokens: Token[]; at: number };

const closeOf = (open: string) => open.replace(/_open$/, "_close");

class Reader {
  readonly warnings = new Set<string>();
  /** The HTML elements whose tags were left out, for one warning that names them. */
  readonly htmlTags = new Set<string>();
  constructor(readonly path: string) {}

  /**
   * Raw HTML with the tags of HTML elements and comments left out (each named in a warning); any
   * other text in angle brackets is kept as written.
   */
  html(raw: string, gap: "" | " "): string {
    return raw.replace(TAG, (whole, name: string | undefined) => {
      if (name === undefined) {
        this.warnings.add("HTML comments (<!-- … -->) were left out: a story shows no comments.");
        return gap;
      }
      const lower = name.toLowerCase();
      if (!HTML_ELEMENTS.has(lower)) return whole;
      this.htmlTags.add(`<${lower}>`);
      return gap;
    });
  }

  /** The warnings, with one sentence naming every HTML element whose tags were left out. */
  allWarnings(): Set<string> {
    if (this.htmlTags.size === 0) return this.warnings;
    return new Set([
      ...this.warnings,
      `HTML tags were left out and the text inside them kept (${[...this.htmlTags].join(", ")}): a story holds no HTML.`,
    ]);
  }

  link(url: string, rawTitle: string | null): ImportLink | null {
    const title = linkTitle(rawTitle);
    const trimmed = url.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return null;
    if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed) || trimmed.startsWith("//")) {
      // Markdown writers (Meitheal's export among them) escape brackets in a link target as %28
      // and %29; the address is the same with them written out, as the editor stores it.
      const href = sanitizeHref(trimmed.replace(/%28/gi, "(").replace(/%29/gi, ")"));
      if (href === null)
        this.warnings.add(
          `A link to "${trimmed.slice(0, 80)}" was kept as plain text: only web, e-mail and Meitheal links can be kept.`,
        );
      return href === null ? null : { type: "href", href, title };
    }
    const path = relativeTarget(trimmed, this.path);
    return path === null ? null : { type: "file", path, title };
  }

  text(text: string, marks: Marks, out: ImportInline[]) {
    // A soft line break in Markdown is a space when read.
    const clean = cleanText(text).replace(/[ \t]*\n[ \t]*/g, " ");
    if (clean === "") return;
    const last = out[out.length - 1];
    if (
      last?.type === "text" &&
      last.strong === marks.strong &&
      last.em === marks.em &&
      last.code === marks.code &&
      sameImportLink(last.link, marks.link)
    )
      out[out.length - 1] = { ...last, text: last.text + clean };
    else out.push({ type: "text", text: clean, ...marks });
  }

  /** An `inline` token's children as runs. Marks open and close in the flat list. */
  inlines(children: readonly Token[] | null): ImportInline[] {
    const out: ImportInline[] = [];
    let strong = 0;
    let em = 0;
    const links: (ImportLink | null)[] = [];
    const marks = (code = false): Marks => ({
      strong: strong > 0,
      em: em > 0,
      code,
      // A link inside a link is not possible; the outer one wins.
      link: links.find((l) => l !== null) ?? null,
    });
    for (const token of children ?? []) {
      switch (token.type) {
        case "text":
        case "text_special":
          this.text(token.content, marks(), out);
          break;
        case "code_inline":
          this.text(token.content, marks(true), out);
          break;
        case "softbreak":
          this.text(" ", marks(), out);
          break;
        case "hardbreak":
          out.push({ type: "break" });
          break;
        case "strong_open":
          strong++;
          break;
        case "strong_close":
          strong = Math.max(0, strong - 1);
          break;
        case "em_open":
          em++;
          break;
        case "em_close":
          em = Math.max(0, em - 1);
          break;
        case "s_open":
          this.warnings.add("Struck-through text was kept as ordinary text.");
          break;
        case "link_open":
          links.push(
            this.link(String(token.attrGet("href") ?? ""), String(token.attrGet("title") ?? "")),
          );
          break;
        case "link_close":
          links.pop();
          break;
        case "image":
          this.warnings.add(
            "Images were left out: a story holds no images yet. Their descriptions were kept as text.",
          );
          this.text(token.content, marks(), out);
          break;
        case "html_inline":
          if (/^<br\s*\/?>$/i.test(token.content.trim())) out.push({ type: "break" });
          else this.text(this.html(token.content, ""), marks(), out);
          break;
        default:
          // Anything a plugin or a newer parser adds: its text, if it has any.
          if (token.content) this.text(token.content, marks(), out);
      }
    }
    return trimBreaks(out);
  }

  /** Blocks until the token that closes `until` (or the end). */
  blocks(c: Cursor, depth: number, until: string | null): ImportBlock[] {
    const out: ImportBlock[] = [];
    while (c.at < c.tokens.length) {
      const token = c.tokens[c.at]!;
      if (until !== null && token.type === until) {
        c.at++;
        return out;
      }
      this.#block(c, depth, out);
    }
    return out;
  }

  /** The `inline` token inside a heading or paragraph, then past its close. */
  #inlineBlock(c: Cursor): ImportInline[] {
    const open = c.tokens[c.at++]!;
    const close = closeOf(open.type);
    let content: ImportInline[] = [];
    while (c.at < c.tokens.length) {
      const token = c.tokens[c.at++]!;
      if (token.type === close) break;
      if (token.type === "inline") content = content.concat(this.inlines(token.children));
    }
    return content;
  }

  #block(c: Cursor, depth: number, out: ImportBlock[]) {
    const token = c.tokens[c.at]!;
    switch (token.type) {
      case "heading_open": {
        const level = Number(token.tag.slice(1)) || 1;
        const content = this.#inlineBlock(c);
        if (level > 3)
          this.warnings.add(
            "Headings deeper than level 3 became level 3, the deepest a story has.",
          );
        if (hasText(content)) out.push({ type: "heading", level: headingLevel(level), content });
        return;
      }
      case "paragraph_open": {
        const content = this.#inlineBlock(c);
        if (hasText(content)) out.push({ type: "paragraph", content });
        return;
      }
      case "blockquote_open": {
        c.at++;
        const inner = this.blocks(c, depth + 1, "blockquote_close");
        if (inner.length === 0) return;
        if (depth >= MAX_DEPTH) out.push(...inner);
        else out.push({ type: "quote", blocks: inner });
        return;
      }
      case "bullet_list_open":
      case "ordered_list_open": {
        c.at++;
        const close = closeOf(token.type);
        const items: ImportBlock[][] = [];
        while (c.at < c.tokens.length) {
          const next = c.tokens[c.at]!;
          if (next.type === close) {
            c.at++;
            break;
          }
          if (next.type === "list_item_open") {
            c.at++;
            // An empty item stays an item: a list of three with one blank is still three.
            items.push(this.blocks(c, depth + 1, "list_item_close"));
          } else this.#block(c, depth + 1, out);
        }
        if (items.length === 0) return;
        if (depth >= MAX_DEPTH) for (const item of items) out.push(...item);
        else {
          const ordered = token.type === "ordered_list_open";
          const start = ordered ? listStart(token.attrGet("start") ?? 1) : 1;
          out.push({ type: "list", ordered, start, items });
        }
        return;
      }
      case "hr":
        c.at++;
        out.push({ type: "rule" });
        return;
      case "fence":
      case "code_block": {
        c.at++;
        const language = token.type === "fence" ? token.info.trim().split(/\s/)[0] : "";
        if (language)
          this.warnings.add(
            `The language of a code block ("${language.slice(0, 40)}") was left out: a story keeps the code, not its language.`,
          );
        const text = cleanText(token.content).replace(/\n$/, "");
        if (text.trim() !== "") out.push({ type: "code", text });
        return;
      }
      case "html_block": {
        c.at++;
        const content: ImportInline[] = [];
        // Block tags stand between words: each leaves a space.
        this.text(this.html(token.content, " ").replace(/\s+/g, " ").trim(), NO_MARKS, content);
        if (hasText(content)) out.push({ type: "paragraph", content });
        return;
      }
      case "table_open": {
        c.at++;
        this.warnings.add("Tables were kept as plain text, a line per row: a story has no tables.");
        let row: ImportInline[] = [];
        let cells = 0;
        while (c.at < c.tokens.length) {
          const next = c.tokens[c.at++]!;
          if (next.type === "table_close") break;
          if (next.type === "tr_open") {
            row = [];
            cells = 0;
          } else if (next.type === "inline") {
            if (cells++ > 0) this.text(" | ", NO_MARKS, row);
            for (const run of this.inlines(next.children)) {
              if (run.type === "text") this.text(run.text, run, row);
            }
          } else if (next.type === "tr_close" && hasText(row))
            out.push({ type: "paragraph", content: row });
        }
        return;
      }
      case "inline": {
        c.at++;
        const content = this.inlines(token.children);
        if (hasText(content)) out.push({ type: "paragraph", content });
        return;
      }
      default:
        // A close without its open, or a block a plugin adds: its content, if any.
        c.at++;
        if (token.nesting === 0 && token.content.trim() !== "") {
          const content: ImportInline[] = [];
          this.text(token.content, NO_MARKS, content);
          if (hasText(content)) out.push({ type: "paragraph", content });
        }
    }
  }
}

/** Container markers (quote, bullet, number) at the start of a line. */
const MARKER = /[ \t]{0,3}(?:>|[*+-](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?/y;
/** More markers than this on one line are cut: beyond MAX_DEPTH the blocks are flattened anyway. */
const MAX_MARKERS = MAX_DEPTH * 2;
/** Leading white space is cut to this many columns: list nesting by indentation costs the parser
 * time for every level on every line (1,000 levels: 40 s), and no story is indented this far. */
const MAX_INDENT = 64;

/**
 * The text with every run of container markers at a line start cut to MAX_MARKERS, and deep
 * indentation cut to MAX_INDENT. markdown-it stops at 100 levels and silently drops what is
 * deeper (20,000 `>` on one line would lose the line's text), and every level costs it time on
 * every line; cut here, the text is kept and only its nesting flattened.
 */
function limitNesting(text: string): { text: string; cut: boolean } {
  let cut = false;
  const lines = text.split("\n").map((full) => {
    let line = full;
    const indent = /^[ \t]*/.exec(line)?.[0] ?? "";
    if (indent.length > MAX_INDENT / 4 && indent.replace(/\t/g, "    ").length > MAX_INDENT) {
      cut = true;
      line = " ".repeat(MAX_INDENT) + line.slice(indent.length);
    }
    MARKER.lastIndex = 0;
    let count = 0;
    let keep = 0;
    let end = 0;
    while (end < line.length && MARKER.exec(line)) {
      end = MARKER.lastIndex;
      count++;
      if (count === MAX_MARKERS) keep = end;
    }
    if (count <= MAX_MARKERS) return line;
    cut = true;
    return line.slice(0, keep) + line.slice(end);
  });
  return { text: lines.join("\n"), cut };
}

/**
 * Markdown as blocks. `warnings` gets what is said before the blocks are read (deep nesting cut);
 * what reading them changed or left out comes back in `changes`, once each.
 */
export function markdownBlocks(
  body: string,
  path: string,
  warnings: string[],
): { blocks: ImportBlock[]; changes: ReadonlySet<string> } {
  const reader = new Reader(path);
  const limited = limitNesting(body);
  if (limited.cut)
    warnings.push(
      "Quotes or lists nested very deeply were flattened to the depth a story can show.",
    );
  const tokens = md.parse(limited.text, {});
  const blocks = reader.blocks({ tokens, at: 0 }, 0, null);
  return { blocks, changes: reader.allWarnings() };
}

/** Plain text as paragraphs split by blank lines, every line end kept as a break. */
export function plainBlocks(text: string): ImportBlock[] {
  const out: ImportBlock[] = [];
  for (const para of text.replace(/\r\n?/g, "\n").split(/\n[ \t]*\n/)) {
    const content: ImportInline[] = [];
    para.split("\n").forEach((line, i) => {
      if (i > 0) content.push({ type: "break" });
      const clean = cleanText(line);
      if (clean !== "") content.push({ type: "text", text: clean, ...NO_MARKS });
    });
    const trimmed = trimBreaks(content);
    if (hasText(trimmed)) out.push({ type: "paragraph", content: trimmed });
  }
  return out;
}
