// Markdown (or plain text) as a story: front matter for the title, status, themes and dates, and a
// body of what a story can hold — headings, paragraphs, quotes, lists (numbered from any start),
// code blocks, rules, and runs of text with emphasis, strong emphasis, inline code, links (with
// their titles) and line breaks. Parsed with markdown-it (CommonMark, with tables and
// strikethrough), so it reads what other tools write, and what Meitheal's own Markdown export
// writes (shared/export/markdown.ts) comes back as it was.
//
// What a story cannot hold is kept as text, never dropped silently: a table a line per row, an
// image its description, HTML the text between its tags (text in angle brackets that is not an
// HTML tag, `<word>`, is kept as written); each is named in `warnings`, as is a code block's
// language, which is left out.
// Links between files stay file paths here: which story they become is only known when the whole
// import is known (shared/import/spans.ts resolves them).
//
// The parts, a file each: the front matter (frontMatter.ts), the body read as blocks
// (bodyBlocks.ts), the blocks themselves (blocks.ts) and file paths (paths.ts).
import { cleanTitle } from "../export/book.ts";
import { LIMITS, type StoryStatus } from "../schema/community.ts";
import { inlineText, type ImportBlock } from "./blocks.ts";
import { markdownBlocks, plainBlocks } from "./bodyBlocks.ts";
import { dateOf, scalarText, splitFrontMatter, statusOf, themeLabels } from "./frontMatter.ts";
import { titleFromPath } from "./paths.ts";

export type ParsedStory = {
  readonly title: string;
  readonly status: StoryStatus;
  /** Theme labels as the front matter gives them (cleaned, duplicates removed). */
  readonly themes: readonly string[];
  /** When it was created and last changed, from the front matter (as Meitheal exports them). */
  readonly createdAt: number | null;
  readonly updatedAt: number | null;
  readonly blocks: readonly ImportBlock[];
  /** What was changed or left out on the way, each a sentence for people. */
  readonly warnings: readonly string[];
  /**
   * "collection-index": the contents page of a collection exported by Meitheal (its front matter
   * carries the collection's identifier), which is not a story.
   */
  readonly kind: "story" | "collection-index";
};

export type ParseOptions = {
  /** The file's path (with "/" separators): relative links are resolved from its folder. */
  readonly path: string;
  /** Plain text: paragraphs split by blank lines, every line end kept. Default: Markdown. */
  readonly plainText?: boolean;
  /** Now, in milliseconds: a date later than this (and a day) is not taken. Default: the clock. */
  readonly now?: number;
};

/** Reads one file's text as a story. Never throws: what cannot be kept is named in `warnings`. */
export function parseStory(text: string, options: ParseOptions): ParsedStory {
  const early: string[] = [];
  const { front, body } = splitFrontMatter(text, early);
  const read = options.plainText
    ? { blocks: plainBlocks(body), changes: new Set<string>() }
    : markdownBlocks(body, options.path, early);
  let blocks = read.blocks;

  const warnings = [...early];
  let title = "";
  const fromFront = front ? scalarText(front.title) : null;
  if (fromFront !== null) title = cleanTitle(fromFront);
  if (title === "") {
    // The first heading names the story; when it opens the file it is the title, not body text.
    const index = blocks.findIndex((b) => b.type === "heading");
    const heading = blocks[index];
    if (heading?.type === "heading") {
      title = cleanTitle(inlineText(heading.content));
      if (index === 0) blocks = blocks.slice(1);
    }
  }
  if (title === "") title = titleFromPath(options.path) || "Untitled";
  if (title.length > LIMITS.title) {
    title = `${title.slice(0, LIMITS.title - 1).trimEnd()}…`;
    warnings.push(`The title was longer than ${LIMITS.title} characters and was shortened.`);
  }

  const isIndex =
    front !== null &&
    typeof front.identifier === "string" &&
    front.identifier.startsWith("urn:uuid:") &&
    front.status === undefined;
  const now = options.now ?? Date.now();
  const createdAt = dateOf(front?.created, "created", now, warnings);
  const updatedAt = dateOf(front?.updated, "updated", now, warnings);
  return {
    title,
    status: statusOf(front?.status, warnings),
    themes: themeLabels(front?.themes, warnings),
    createdAt,
    updatedAt,
    blocks,
    warnings: [...warnings, ...read.changes],
    kind: isIndex ? "collection-index" : "story",
  };
}

/**
 * The created and updated dates an imported story gets: those of its front matter, `now` for a
 * missing one, and never changed before it was made.
 */
export function storyDates(
  story: Pick<ParsedStory, "createdAt" | "updatedAt">,
  now: number,
): { createdAt: number; updatedAt: number } {
  const createdAt = story.createdAt ?? Math.min(now, story.updatedAt ?? now);
  return { createdAt, updatedAt: Math.max(createdAt, story.updatedAt ?? createdAt) };
}
