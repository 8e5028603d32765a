// The contents page of a collection exported by Meitheal as Markdown (shared/export/markdown.ts
// `indexMarkdown`), read back as the collection it came from: the title, subtitle and language and
// the credits from its front matter; the introduction (what comes before the contents heading);
// and the order of the stories (the contents list's links to the other files). Pure: the preview
// and the import read it the same way.
import { cleanTitle } from "../export/book.ts";
import { creditRole, isLanguageTag, type CreditRole } from "../schema/collection.ts";
import { LIMITS } from "../schema/community.ts";
import { fileLinks, type ImportBlock } from "./blocks.ts";
import { scalarText, splitFrontMatter } from "./frontMatter.ts";

export type IndexCredit = { readonly name: string; readonly role: CreditRole };

export type CollectionIndex = {
  readonly title: string;
  readonly subtitle: string;
  /** A BCP 47 tag, or null when the page gives none (the collection then starts in English). */
  readonly language: string | null;
  readonly credits: readonly IndexCredit[];
  /** The co-written introduction: every block before the contents heading. */
  readonly introduction: readonly ImportBlock[];
  /** The files the contents list links to, in its order (resolved "/" paths), once each. */
  readonly order: readonly string[];
  readonly warnings: readonly string[];
};

/** A contents list: every item is one paragraph that links to a file. */
const isContentsList = (block: ImportBlock | undefined): boolean =>
  block?.type === "list" &&
  block.items.length > 0 &&
  block.items.every((item) => item.length === 1 && fileLinks(item).length > 0);

function readCredits(value: unknown, warnings: string[]): IndexCredit[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    warnings.push("The credits in the front matter are not a list, so they were left out.");
    return [];
  }
  const out: IndexCredit[] = [];
  for (const item of value as unknown[]) {
    const fields =
      typeof item === "object" && item !== null ? (item as Record<string, unknown>) : {};
    const name = cleanTitle(scalarText(fields.name) ?? "");
    if (name === "") {
      warnings.push("A credit in the front matter has no name and was left out.");
      continue;
    }
    const role = scalarText(fields.role)?.trim().toLowerCase() ?? "";
    out.push({ name: name.slice(0, LIMITS.title), role: creditRole(role) });
  }
  return out;
}

/**
 * Reads a contents page. `blocks` and `title` are what parseStory made of the same file (its body
 * and its title); the front matter is read again here for what only a collection has.
 */
export function readCollectionIndex(
  text: string,
  title: string,
  blocks: readonly ImportBlock[],
): CollectionIndex {
  const warnings: string[] = [];
  const { front } = splitFrontMatter(text, []);
  const subtitle = cleanTitle(scalarText(front?.subtitle) ?? "").slice(0, LIMITS.title);
  const lang = scalarText(front?.lang);
  const language = lang !== null && isLanguageTag(lang.trim()) ? lang.trim() : null;
  if (lang !== null && language === null)
    warnings.push(`"${lang.slice(0, 40)}" is not a language tag; the collection is in English.`);

  // The contents: the last list of links to files, with the heading above it. An empty
  // collection's page ends with the heading alone.
  let cut = blocks.length;
  let order: string[] = [];
  const last = blocks.length - 1;
  if (isContentsList(blocks[last])) {
    order = fileLinks([blocks[last]!]);
    cut = blocks[last - 1]?.type === "heading" ? last - 1 : last;
  } else if (blocks[last]?.type === "heading") cut = last;
  return {
    title,
    subtitle,
    language,
    credits: readCredits(front?.credits, warnings),
    introduction: blocks.slice(0, cut),
    order,
    warnings,
  };
}
