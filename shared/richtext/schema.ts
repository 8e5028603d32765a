// The rich-text schema of a story body, and how it maps onto an Automerge text (block markers and
// marks, via @automerge/prosemirror). It lives in shared/ so the editor and the exporters read a
// body the same way. Anything a peer writes that this schema does not know is kept (the unknown
// block, the adapter's unknown mark) rather than dropped, so an older Meitheal never erases what a
// newer one wrote.
import { SchemaAdapter, type MappedSchemaSpec } from "@automerge/prosemirror";
import type { DOMOutputSpec, Mark, Node as PmNode } from "prosemirror-model";
import { LINK_SCHEME, hrefRef, refHref } from "../links/ref.ts";

/** Heading levels the story editor offers; a deeper heading from a paste or a peer is shown as 3. */
export const HEADING_LEVELS = [1, 2, 3] as const;
export type HeadingLevel = (typeof HEADING_LEVELS)[number];

/**
 * The level to show for whatever a heading carries. A peer can write any value into a block
 * marker, and the adapter copies block attributes into the node without its parsers, so the
 * clamp has to happen where the level is used (rendering, exporting), not on the way in.
 */
export function headingLevel(value: unknown): HeadingLevel {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n) || n <= 1) return 1;
  return n >= 3 ? 3 : (Math.round(n) as HeadingLevel);
}

const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/**
 * A link target that is safe to put in an href, or null. Only http(s), mailto and Meitheal's own
 * internal links (`meitheal:story/<id>`, shared/links/ref.ts) survive: a `javascript:` or `data:`
 * link pasted from the web, or written by a hostile peer, must never become clickable in the
 * editor or in an exported book.
 */
export function sanitizeHref(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const trimmed = raw.trim();
  // Browsers strip tabs and newlines inside a scheme ("java\tscript:"), so any control character
  // is refused outright rather than guessed about.
  // eslint-disable-next-line no-control-regex
  if (trimmed === "" || trimmed.length > 2048 || /[\u0000-\u001f\u007f]/.test(trimmed)) return null;
  // An internal link is kept only in the exact form Meitheal writes, rebuilt from its parts, so
  // nothing else can ride along on the scheme.
  if (trimmed.slice(0, LINK_SCHEME.length).toLowerCase() === LINK_SCHEME) {
    const ref = hrefRef(trimmed);
    return ref ? refHref(ref) : null;
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (!SAFE_PROTOCOLS.has(url.protocol)) return null;
  if (url.protocol !== "mailto:" && url.hostname === "") return null;
  return url.href;
}

/**
 * What a person typed into the link form, as a safe href or null: "example.org" and
 * "ana@example.org" are accepted as people write them.
 */
export function hrefFromInput(input: string): string | null {
  const text = input.trim();
  if (text === "") return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) return sanitizeHref(text);
  if (/^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/.test(text)) return sanitizeHref(`mailto:${text}`);
  if (/^[^\s/]+\.[^\s/]+/.test(text)) return sanitizeHref(`https://${text}`);
  return null;
}

// Control characters (a line end among them) become spaces in a link's title: it is one line.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f]+/g;

/** A link's title (the tooltip Markdown and HTML carry), one line of at most 500 characters. */
export function linkTitle(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const clean = raw.replace(CONTROLS, " ").trim().slice(0, 500);
  return clean === "" ? null : clean;
}

/**
 * The attributes of a link mark as stored in Automerge: a JSON object, so it can grow attributes
 * (the title came later; a mark without one reads as having none).
 */
export function linkMarkValue(href: string, title: string | null = null): string {
  return JSON.stringify(title === null ? { href } : { href, title });
}

/** Reads a stored link mark value; an unreadable or unsafe one becomes a link to nowhere. */
export function linkFromMarkValue(value: unknown): { href: string; title: string | null } {
  if (typeof value !== "string") return { href: "", title: null };
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === "object" && parsed !== null && "href" in parsed) {
      return {
        href: sanitizeHref(parsed.href) ?? "",
        title: "title" in parsed ? linkTitle(parsed.title) : null,
      };
    }
  } catch {
    // A bare URL from another editor that did not JSON-encode its marks.
    return { href: sanitizeHref(value) ?? "", title: null };
  }
  return { href: "", title: null };
}

/** The href of a stored link mark value (see linkFromMarkValue). */
export const hrefFromMarkValue = (value: unknown): string => linkFromMarkValue(value).href;

/** An ordered list's first number as stored: a whole number from 0 to 999,999,999, else 1. */
export function listStart(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 999_999_999 ? n : 1;
}

const attrOf = (dom: unknown, name: string): string | null =>
  typeof dom === "object" && dom !== null && "getAttribute" in dom
    ? (dom as { getAttribute(n: string): string | null }).getAttribute(name)
    : null;

const styleOf = (dom: unknown, prop: "fontWeight"): string => {
  if (typeof dom !== "object" || dom === null || !("style" in dom)) return "";
  const value = (dom as { style: Record<string, unknown> }).style[prop];
  return typeof value === "string" ? value : "";
};

const headingDOM = (level: HeadingLevel): DOMOutputSpec => [`h${level}`, 0];

const spec: MappedSchemaSpec = {
  nodes: {
    doc: { content: "block+" },
    paragraph: {
      automerge: { block: "paragraph" },
      content: "inline*",
      group: "block",
      parseDOM: [{ tag: "p" }],
      toDOM: () => ["p", 0],
    },
    // Required by the adapter: a block type written by a newer Meitheal round-trips through it.
    unknownBlock: {
      automerge: { unknownBlock: true },
      group: "block",
      content: "block+",
      parseDOM: [{ tag: "div[data-unknown-block]" }],
      toDOM: () => ["div", { "data-unknown-block": "true" }, 0],
    },
    heading: {
      automerge: {
        block: "heading",
        attrParsers: {
          fromAutomerge: (block) => ({ level: headingLevel(block.attrs.level) }),
          fromProsemirror: (node) => ({ level: headingLevel(node.attrs.level) }),
        },
      },
      attrs: { level: { default: 1 } },
      content: "inline*",
      group: "block",
      defining: true,
      parseDOM: [
        { tag: "h1", attrs: { level: 1 } },
        { tag: "h2", attrs: { level: 2 } },
        { tag: "h3", attrs: { level: 3 } },
        { tag: "h4", attrs: { level: 3 } },
        { tag: "h5", attrs: { level: 3 } },
        { tag: "h6", attrs: { level: 3 } },
      ],
      toDOM: (node) => headingDOM(headingLevel(node.attrs.level)),
    },
    blockquote: {
      automerge: { block: "blockquote" },
      content: "block+",
      group: "block",
      defining: true,
      parseDOM: [{ tag: "blockquote" }],
      toDOM: () => ["blockquote", 0],
    },
    // A rule between scenes. A block of its own in Automerge with no text; richtext/body.ts
    // always gives it a marker, which upstream's encoder would leave out for a leaf.
    horizontal_rule: {
      automerge: { block: "horizontal-rule" },
      group: "block",
      parseDOM: [{ tag: "hr" }],
      toDOM: () => ["hr"],
    },
    // Code (a recipe's quantities, a poem's indentation): its text keeps every space and line end.
    code_block: {
      automerge: { block: "code-block" },
      content: "text*",
      marks: "",
      group: "block",
      code: true,
      defining: true,
      parseDOM: [{ tag: "pre", preserveWhitespace: "full" }],
      toDOM: () => ["pre", ["code", 0]],
    },
    // Lists are not blocks of their own in Automerge: their items are, and a list is a run of
    // items. An ordered list's start number is kept on its first item's marker (as `start`,
    // which the adapter round-trips as an attribute the item does not declare); richtext/body.ts
    // moves it between the two.
    bullet_list: {
      content: "list_item+",
      group: "block",
      parseDOM: [{ tag: "ul" }],
      toDOM: () => ["ul", 0],
    },
    ordered_list: {
      attrs: { order: { default: 1 } },
      content: "list_item+",
      group: "block",
      parseDOM: [
        { tag: "ol", getAttrs: (dom) => ({ order: listStart(attrOf(dom, "start") ?? 1) }) },
      ],
      toDOM: (node) => {
        const order = listStart(node.attrs.order);
        return order === 1 ? ["ol", 0] : ["ol", { start: String(order) }, 0];
      },
    },
    list_item: {
      automerge: {
        block: {
          within: { ordered_list: "ordered-list-item", bullet_list: "unordered-list-item" },
        },
      },
      content: "paragraph block*",
      defining: true,
      parseDOM: [{ tag: "li" }],
      toDOM: () => ["li", 0],
    },
    // A line break inside a paragraph is an inline embed, so it sits in the text where it was
    // typed and concurrent typing around it keeps its place.
    hard_break: {
      automerge: { block: "hard-break", isEmbed: true },
      inline: true,
      group: "inline",
      selectable: false,
      parseDOM: [{ tag: "br" }],
      toDOM: () => ["br"],
    },
    text: { group: "inline" },
  },
  marks: {
    link: {
      attrs: { href: { default: "" }, title: { default: null } },
      // Typing at the end of a link does not extend it, as in every editor people know.
      inclusive: false,
      parseDOM: [
        {
          tag: "a[href]",
          getAttrs: (dom) => {
            const href = sanitizeHref(attrOf(dom, "href"));
            // false: the text is kept, the unsafe link is not.
            return href === null ? false : { href, title: linkTitle(attrOf(dom, "title")) };
          },
        },
      ],
      toDOM: (mark) => {
        const href = sanitizeHref(mark.attrs.href);
        const title = linkTitle(mark.attrs.title);
        return [
          "a",
          href === null
            ? { "data-link": "broken" }
            : { href, rel: "noopener noreferrer nofollow", ...(title === null ? {} : { title }) },
          0,
        ];
      },
      automerge: {
        markName: "link",
        parsers: {
          fromAutomerge: (value) => linkFromMarkValue(value),
          fromProsemirror: (mark: Mark) =>
            linkMarkValue(String(mark.attrs.href ?? ""), linkTitle(mark.attrs.title)),
        },
      },
    },
    em: {
      parseDOM: [
        { tag: "i" },
        { tag: "em" },
        { style: "font-style=italic" },
        { style: "font-style=normal", clearMark: (m) => m.type.name === "em" },
      ],
      toDOM: () => ["em", 0],
      automerge: { markName: "em" },
    },
    strong: {
      parseDOM: [
        { tag: "strong" },
        // Google Docs wraps whole pastes in <b style="font-weight:normal">.
        { tag: "b", getAttrs: (dom) => styleOf(dom, "fontWeight") !== "normal" && null },
        { style: "font-weight=400", clearMark: (m) => m.type.name === "strong" },
        {
          style: "font-weight",
          getAttrs: (value) => /^(bold(er)?|[5-9]\d{2,})$/.test(String(value)) && null,
        },
      ],
      toDOM: () => ["strong", 0],
      automerge: { markName: "strong" },
    },
    // Inline code: a command, a file name, a word quoted as it is typed.
    code: {
      parseDOM: [{ tag: "code" }],
      toDOM: () => ["code", 0],
      automerge: { markName: "code" },
    },
  },
};

/** The adapter @automerge/prosemirror's `init`, `syncPlugin` and `pmDocFromSpans` need. */
export const storySchemaAdapter = new SchemaAdapter(spec);
/** The ProseMirror schema (with the adapter's extra attributes and unknown mark/leaf). */
export const storySchema = storySchemaAdapter.schema;

export type StoryNode = PmNode;
