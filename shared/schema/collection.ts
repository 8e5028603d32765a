// A collection: stories put in order into a book, with a title, a subtitle, an introduction and
// credits. The introduction is rich text exactly like a story's body (an Automerge text with
// @automerge/prosemirror block markers), so the same editor and the same exporters read it.
//
// The order is an Automerge list of story ids. A list is what people mean by an order, and a move is
// a delete and an insert in it; the price is that two people adding the same story at once, or
// moving it at once, leave it in the list twice. What is shown is always `orderedStories`, which
// keeps the first occurrence, so nobody sees a story twice, and the next move or removal of that
// story cleans the extra copies up.
//
// Credits live in a map keyed by a random id, so two people adding a credit at once both stay.
// Items (story ids, credits) are read one by one: a malformed one from a buggy peer is left out and
// named, the rest of the collection stays usable.
import { z } from "zod";
import { isDocumentId } from "../ids.ts";
import { itemReader, kindWithItems } from "./items.ts";

export const COLLECTION_SCHEMA = "meitheal/collection";
export const COLLECTION_VERSION = 1;

/** Roles a credit can carry; the exporters map them onto MARC relator codes. */
export const CREDIT_ROLES = [
  "editor",
  "author",
  "contributor",
  "illustrator",
  "translator",
  "photographer",
] as const;
export type CreditRole = (typeof CREDIT_ROLES)[number];

/** The role to show for a stored one: a role a newer Meitheal added reads as "contributor". */
export const creditRole = (value: unknown): CreditRole =>
  CREDIT_ROLES.find((role) => role === value) ?? "contributor";

export const DEFAULT_LANGUAGE = "en";

// BCP 47 as people meet it: a language subtag, then script, region or variant subtags. Loose on
// purpose (no registry lookup), strict enough that the tag is safe in an EPUB's `dc:language`, an
// HTML `lang` and an XML `xml:lang`.
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

/** Whether a string is a language tag a book can carry. */
export const isLanguageTag = (value: unknown): value is string =>
  typeof value === "string" && value.length <= 35 && LANGUAGE_TAG.test(value);

/** The language to use for a stored value: the tag itself, or English when it is not a tag. */
export const bookLanguage = (value: unknown): string =>
  isLanguageTag(value) ? value : DEFAULT_LANGUAGE;

const time = z.number().finite().nonnegative();

export const creditValidator = z.object({
  name: z.string(),
  /** One of CREDIT_ROLES; kept as a string so a role added later does not hide the credit. */
  role: z.string(),
  /** When the credit was added: credits are shown in that order within a role. */
  addedAt: time,
});
export type Credit = z.infer<typeof creditValidator>;

const headerValidator = z.object({
  schema: z.literal(COLLECTION_SCHEMA),
  version: z.literal(COLLECTION_VERSION),
  communityId: z.string(),
  title: z.string(),
  subtitle: z.string(),
  introduction: z.string(),
  /** Story ids in order; may hold one story twice after concurrent adds (see orderedStories). */
  stories: z.array(z.unknown()),
  credits: z.record(z.string(), z.unknown()),
  /** A BCP 47 tag; a value that is not one is read as English (`bookLanguage`). */
  language: z.string(),
  /** Reserved for a cover image; none yet. */
  cover: z.null(),
  createdAt: time,
  updatedAt: time,
});

export type Collection = Omit<z.infer<typeof headerValidator>, "stories" | "credits"> & {
  stories: string[];
  credits: Record<string, Credit>;
};

const readCredits = itemReader(creditValidator);

// The header only: story ids and credits are read one by one.
export const collectionKind = kindWithItems({
  schema: COLLECTION_SCHEMA,
  version: COLLECTION_VERSION,
  header: headerValidator,
  items: (header, problems): Collection => {
    const stories: string[] = [];
    header.stories.forEach((id, i) => {
      if (isDocumentId(id)) stories.push(id);
      else problems.push(`story ${i}: not a document id`);
    });
    return { ...header, stories, credits: readCredits(header.credits, "credit", problems) };
  },
});
