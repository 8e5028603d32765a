// The book every exporter writes: a collection and its stories read once into plain values
// (headings, paragraphs, quotes, lists, rules, code, runs of text with strong/em/code/link), so the Markdown, HTML and
// EPUB builders never touch Automerge and all agree on what the book says.
//
// Bodies are read the way the editor reads them (richtext/body.ts `readBody`, which repairs what a
// merge can leave behind), so an export shows exactly what people see. All text is cleaned of
// characters no book format can carry (control characters, lone surrogates), and every internal
// link becomes a link to the exported story when that story is in the book, plain text otherwise.
import * as Automerge from "@automerge/automerge";
import { documentIdToBinary } from "@automerge/automerge-repo";
import type { Node as PmNode } from "prosemirror-model";
import { hrefRef } from "../links/ref.ts";
import { orderedCredits, orderedStories } from "../ops/collection.ts";
import { ErrorCode, err, ok, type Result } from "../result.ts";
import { readBody } from "../richtext/body.ts";
import {
  headingLevel,
  linkTitle,
  listStart,
  storySchemaAdapter,
  type HeadingLevel,
} from "../richtext/schema.ts";
import { bookLanguage, collectionKind, type CreditRole } from "../schema/collection.ts";
import type { StoryStatus, Theme } from "../schema/community.ts";
import { storyKind, type Story } from "../schema/story.ts";

/** Where a link goes: another story of this book (by its slug), or a web or mail address. */
export type BookLink = (
  | { readonly type: "story"; readonly slug: string }
  | { readonly type: "external"; readonly href: string }
) & {
  /** The link's title (its tooltip), or null. */
  readonly title?: string | null;
};

export type Inline =
  | {
      readonly type: "text";
      readonly text: string;
      readonly strong: boolean;
      readonly em: boolean;
      /** Inline code. */
      readonly code?: boolean;
      readonly link: BookLink | null;
    }
  | { readonly type: "break" };

export type Block =
  | { readonly type: "heading"; readonly level: HeadingLevel; readonly content: readonly Inline[] }
  | { readonly type: "paragraph"; readonly content: readonly Inline[] }
  | { readonly type: "quote"; readonly blocks: readonly Block[] }
  | {
      readonly type: "list";
      readonly ordered: boolean;
      /** An ordered list's first number; absent is 1. */
      readonly start?: number;
      readonly items: readonly (readonly Block[])[];
    }
  | { readonly type: "rule" }
  /** A code block: its text exactly, every space and line end kept. */
  | { readonly type: "code"; readonly text: string };

export type BookContributor = { readonly name: string; readonly role: CreditRole };

export type BookStory = {
  readonly id: string;
  /** Unique in the book, lower-case ASCII letters, digits and hyphens: safe as a file name anywhere. */
  readonly slug: string;
  readonly title: string;
  readonly status: StoryStatus;
  /** Theme labels, in the community's theme order. */
  readonly themes: readonly string[];
  /** Display names of who wrote it, in the order they joined. */
  readonly contributors: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly blocks: readonly Block[];
};

export type Book = {
  readonly title: string;
  readonly subtitle: string;
  /** A BCP 47 tag. */
  readonly language: string;
  /** `urn:uuid:…`, the same for every export of the same collection. */
  readonly identifier: string;
  /** The day of the latest change, `YYYY-MM-DD`. */
  readonly date: string;
  /** The latest change, `YYYY-MM-DDThh:mm:ssZ` (EPUB's dcterms:modified). */
  readonly modified: string;
  readonly contributors: readonly BookContributor[];
  readonly introduction: readonly Block[];
  readonly stories: readonly BookStory[];
};

/** Why a story is not in the book, or what else the person should know about the export. */
export type BookWarning =
  | { readonly type: "missing"; readonly storyId: string }
  | { readonly type: "damaged"; readonly storyId: string; readonly problems: readonly string[] }
  | { readonly type: "newer"; readonly storyId: string }
  | {
      readonly type: "excluded";
      readonly storyId: string;
      readonly title: string;
      readonly status: StoryStatus;
    }
  | { readonly type: "collection-problems"; readonly problems: readonly string[] };

export type BookOptions = {
  /** Stories with these statuses go in; the rest are named in the warnings. */
  readonly includeStatuses?: readonly StoryStatus[];
  /** The title shown for a story or collection that has none. */
  readonly untitled?: string;
};

export const DEFAULT_STATUSES: readonly StoryStatus[] = ["ready", "published"];

/** The few words a book prints around what people wrote; the renderer passes translated ones. */
export type BookLabels = {
  readonly contents: string;
  readonly introduction: string;
  readonly themes: string;
  readonly contributors: string;
  readonly credits: Readonly<Record<CreditRole, string>>;
};

export const ENGLISH_LABELS: BookLabels = {
  contents: "Contents",
  introduction: "Introduction",
  themes: "Themes",
  contributors: "Written by",
  credits: {
    editor: "Edited by",
    author: "Written by",
    contributor: "With",
    illustrator: "Illustrated by",
    translator: "Translated by",
    photographer: "Photographs by",
  },
};

/** Every builder reports progress the same way: `done` of `total` stories written. */
export type ProgressCallback = (done: number, total: number) => void;

// Characters no book format can carry: C0 controls other than tab and newline (XML 1.0 forbids
// them), DEL and C1 controls, lone surrogates, non-characters, and U+FFFC (a block marker read
// as text where spans could not be read).
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFFFC\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text with every character no book format can carry removed; \r\n and \r become \n. */
export const cleanText = (text: string): string =>
  text.replace(/\r\n?/g, "\n").replace(UNPRINTABLE, "");

/** A title: one line, cleaned, trimmed, spaces collapsed. */
export const cleanTitle = (text: string): string => cleanText(text).replace(/\s+/g, " ").trim();

const SLUG_MAX = 60;
// Names that the exporters use themselves, or that Windows refuses as file names.
const RESERVED_SLUGS = new Set([
  "index",
  "introduction",
  "title",
  "nav",
  "toc",
  "cover",
  "style",
  "contents",
  "con",
  "prn",
  "aux",
  "nul",
  ...Array.from({ length: 9 }, (_, i) => `com${i + 1}`),
  ...Array.from({ length: 9 }, (_, i) => `lpt${i + 1}`),
]);

/** A slug for a title: ASCII letters and digits joined by hyphens, accents dropped, never empty. */
export function slugify(title: string): string {
  const ascii = title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  let slug = ascii.slice(0, SLUG_MAX);
  // Cut at a word boundary when a long title was cut mid-word.
  if (ascii.length > SLUG_MAX && slug.includes("-")) slug = slug.slice(0, slug.lastIndexOf("-"));
  return slug.replace(/-+$/, "") || "story";
}

/** Gives each title a slug unique in the book (case-insensitively: they are lower-case). */
export function uniqueSlugs(titles: readonly string[]): string[] {
  const used = new Set(RESERVED_SLUGS);
  return titles.map((title) => {
    const base = slugify(title);
    let slug = base;
    for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
    used.add(slug);
    return slug;
  });
}

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** 16 bytes from any string (FNV-1a with four seeds): only for ids that are not document ids. */
function hash16(text: string): Uint8Array {
  const out = new Uint8Array(16);
  const seeds = [0x811c9dc5, 0x01000193, 0x5bd1e995, 0x27d4eb2f];
  seeds.forEach((seed, k) => {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    new DataView(out.buffer).setUint32(k * 4, h);
  });
  return out;
}

/**
 * `urn:uuid:` of the collection: a document id is 16 bytes already (automerge-repo makes them as
 * UUIDs), so the identifier is those bytes and every export of one collection carries the same one.
 */
export function bookIdentifier(collectionId: string): string {
  let bytes: Uint8Array;
  try {
    bytes =
      documentIdToBinary(collectionId as Parameters<typeof documentIdToBinary>[0]) ??
      hash16(collectionId);
  } catch {
    bytes = hash16(collectionId);
  }
  if (bytes.length !== 16) bytes = hash16(collectionId);
  const h = hex(bytes);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

// ---- Bodies: spans → blocks ----

type Resolve = (href: string) => BookLink | null;

function inlines(node: PmNode, resolve: Resolve): Inline[] {
  const out: Inline[] = [];
  node.forEach((child) => {
    if (child.type.name === "hard_break") {
      out.push({ type: "break" });
      return;
    }
    if (!child.isText) return;
    const text = cleanText(child.text ?? "").replace(/\n/g, " ");
    if (text === "") return;
    let strong = false;
    let em = false;
    let code = false;
    let link: BookLink | null = null;
    for (const mark of child.marks) {
      if (mark.type.name === "strong") strong = true;
      else if (mark.type.name === "em") em = true;
      else if (mark.type.name === "code") code = true;
      else if (mark.type.name === "link") {
        const to = resolve(String(mark.attrs.href ?? ""));
        const title = linkTitle(mark.attrs.title);
        link = to === null ? null : title === null ? to : { ...to, title };
      }
    }
    const last = out[out.length - 1];
    if (
      last?.type === "text" &&
      last.strong === strong &&
      last.em === em &&
      (last.code ?? false) === code &&
      sameLink(last.link, link)
    ) {
      out[out.length - 1] = { ...last, text: last.text + text };
    } else out.push({ type: "text", text, strong, em, ...(code ? { code } : {}), link });
  });
  // Line breaks at either end show nothing.
  while (out[0]?.type === "break") out.shift();
  while (out[out.length - 1]?.type === "break") out.pop();
  return out;
}

export const sameLink = (a: BookLink | null, b: BookLink | null): boolean =>
  a === b ||
  (a !== null &&
    b !== null &&
    (a.title ?? null) === (b.title ?? null) &&
    (a.type === "story"
      ? b.type === "story" && a.slug === b.slug
      : b.type === "external" && a.href === b.href));

const hasText = (content: readonly Inline[]): boolean =>
  content.some((i) => i.type === "text" && i.text.trim() !== "");

function blocks(node: PmNode, resolve: Resolve): Block[] {
  const out: Block[] = [];
  node.forEach((child) => {
    const name = child.type.name;
    if (name === "code_block") {
      const text = cleanText(child.textContent);
      if (text.trim() !== "") out.push({ type: "code", text });
    } else if (name === "horizontal_rule") {
      out.push({ type: "rule" });
    } else if (child.isTextblock) {
      const content = inlines(child, resolve);
      if (!hasText(content)) return;
      out.push(
        name === "heading"
          ? { type: "heading", level: headingLevel(child.attrs.level), content }
          : { type: "paragraph", content },
      );
    } else if (name === "blockquote") {
      const inner = blocks(child, resolve);
      if (inner.length > 0) out.push({ type: "quote", blocks: inner });
    } else if (name === "bullet_list" || name === "ordered_list") {
      const items: Block[][] = [];
      child.forEach((item) => {
        const inner = blocks(item, resolve);
        if (inner.length > 0) items.push(inner);
      });
      if (items.length === 0) return;
      const start = name === "ordered_list" ? listStart(child.attrs.order) : 1;
      out.push({
        type: "list",
        ordered: name === "ordered_list",
        ...(start === 1 ? {} : { start }),
        items,
      });
    } else if (!child.isLeaf) {
      // A list item out of its list, or a block a newer Meitheal wrote: keep what it holds.
      out.push(...blocks(child, resolve));
    }
  });
  return out;
}

/** The blocks of a rich-text field (a story's body, a collection's introduction). */
export function readBlocks(
  doc: Automerge.Doc<unknown>,
  path: Automerge.Prop[],
  resolve: Resolve,
): Block[] {
  let spans: Automerge.Span[];
  try {
    spans = Automerge.spans(doc, path);
  } catch {
    return [];
  }
  if (spans.length === 0) return [];
  return blocks(readBody(storySchemaAdapter, spans).doc, resolve);
}

/** The text of blocks, a line per paragraph, heading or list item: for tests and statistics. */
export function blocksToText(list: readonly Block[]): string {
  const lines: string[] = [];
  const walk = (items: readonly Block[]) => {
    for (const b of items) {
      if (b.type === "quote") walk(b.blocks);
      else if (b.type === "list") b.items.forEach(walk);
      else if (b.type === "code") lines.push(b.text);
      else if (b.type !== "rule") lines.push(inlineText(b.content));
    }
  };
  walk(list);
  return lines.join("\n");
}

export const inlineText = (content: readonly Inline[]): string =>
  content.map((i) => (i.type === "text" ? i.text : "\n")).join("");

// ---- The book ----

/** A story document as handed to the exporter: absent when it could not be found. */
export type StoryDocs = ReadonlyMap<string, Automerge.Doc<unknown>>;

function readStory(
  doc: Automerge.Doc<unknown>,
):
  | { ok: true; story: Story; doc: Automerge.Doc<unknown> }
  | { ok: false; warning: "damaged" | "newer"; problems: readonly string[] } {
  let read = storyKind.read(doc);
  if (read.state === "needs-migration") {
    // Read an up-to-date copy; the stored document is the peer's to migrate, not the exporter's.
    doc = Automerge.change(Automerge.clone(doc), (d) => {
      storyKind.migrate(d as Record<string, unknown>);
    });
    read = storyKind.read(doc);
  }
  if (read.state === "ok") return { ok: true, story: read.doc, doc };
  if (read.state === "newer") return { ok: false, warning: "newer", problems: [] };
  return { ok: false, warning: "damaged", problems: read.state === "damaged" ? read.problems : [] };
}

/**
 * Reads a collection and its stories into a book. Fails only when the collection itself cannot be
 * read; a story that is missing, damaged, written by a newer Meitheal or excluded by its status is
 * left out and named in `warnings`.
 */
export function bookFromDocs(
  collection: { readonly id: string; readonly doc: Automerge.Doc<unknown> },
  stories: StoryDocs,
  themes: Readonly<Record<string, Theme>>,
  options: BookOptions = {},
): Result<{ book: Book; warnings: BookWarning[] }> {
  const read = collectionKind.read(collection.doc);
  if (read.state === "newer")
    return err(
      ErrorCode.NewerVersion,
      "This collection was made by a newer version of Meitheal. Update Meitheal to export it.",
    );
  if (read.state !== "ok")
    return err(
      ErrorCode.Damaged,
      "This collection could not be read, so it cannot be exported. Its stories are unharmed.",
    );
  const meta = read.doc;
  const untitled = options.untitled ?? "Untitled";
  const include = new Set(options.includeStatuses ?? DEFAULT_STATUSES);
  const warnings: BookWarning[] = [];
  if (read.problems.length > 0)
    warnings.push({ type: "collection-problems", problems: read.problems });

  const chosen: { id: string; story: Story; doc: Automerge.Doc<unknown>; title: string }[] = [];
  for (const id of orderedStories(meta)) {
    const doc = stories.get(id);
    if (doc === undefined) {
      warnings.push({ type: "missing", storyId: id });
      continue;
    }
    const story = readStory(doc);
    if (!story.ok) {
      warnings.push(
        story.warning === "newer"
          ? { type: "newer", storyId: id }
          : { type: "damaged", storyId: id, problems: story.problems },
      );
      continue;
    }
    const title = cleanTitle(story.story.title) || untitled;
    if (!include.has(story.story.status)) {
      warnings.push({ type: "excluded", storyId: id, title, status: story.story.status });
      continue;
    }
    chosen.push({ id, story: story.story, doc: story.doc, title });
  }

  const slugs = uniqueSlugs(chosen.map((c) => c.title));
  const slugOf = new Map(chosen.map((c, i) => [c.id, slugs[i] ?? "story"]));
  const resolve: Resolve = (href) => {
    const ref = hrefRef(href);
    if (ref) {
      const slug = ref.type === "story" ? slugOf.get(ref.docId) : undefined;
      return slug === undefined ? null : { type: "story", slug };
    }
    return /^(https?|mailto):/i.test(href) ? { type: "external", href } : null;
  };

  const themeOrder = Object.entries(themes)
    .map(([id, theme]) => ({ id, label: cleanTitle(theme.label), order: theme.order }))
    .filter((t) => t.label !== "")
    .sort((a, b) => a.order - b.order || a.label.localeCompare(b.label));

  let latest = meta.updatedAt;
  const bookStories = chosen.map((c, i): BookStory => {
    latest = Math.max(latest, c.story.updatedAt);
    const contributors = Object.values(c.story.contributors)
      .sort((a, b) => a.firstAt - b.firstAt || a.name.localeCompare(b.name))
      .map((p) => cleanTitle(p.name))
      .filter((name) => name !== "");
    return {
      id: c.id,
      slug: slugs[i] ?? "story",
      title: c.title,
      status: c.story.status,
      themes: themeOrder.filter((t) => c.story.themes[t.id] === true).map((t) => t.label),
      contributors: [...new Set(contributors)],
      createdAt: c.story.createdAt,
      updatedAt: c.story.updatedAt,
      blocks: readBlocks(c.doc, ["body"], resolve),
    };
  });

  const modified = isoSeconds(latest);
  const book: Book = {
    title: cleanTitle(meta.title) || untitled,
    subtitle: cleanTitle(meta.subtitle),
    language: bookLanguage(meta.language),
    identifier: bookIdentifier(collection.id),
    date: modified.slice(0, 10),
    modified,
    contributors: orderedCredits(meta)
      .map((c) => ({ name: cleanTitle(c.name), role: c.role }))
      .filter((c) => c.name !== ""),
    introduction: readBlocks(collection.doc, ["introduction"], resolve),
    stories: bookStories,
  };
  return ok({ book, warnings });
}
