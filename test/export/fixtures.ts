// Collections and stories for the export tests, written as the app writes them: real Automerge
// documents made by initStory/initCollection, bodies as block-marker spans (blocksToSpans), link
// marks as the editor stores them (JSON `{href}`), so the exporters are tested on what is stored.
import * as Automerge from "@automerge/automerge";
import { generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import { refHref } from "../../shared/links/ref.ts";
import {
  addCredit,
  addStory,
  initCollection,
  setIntroduction,
} from "../../shared/ops/collection.ts";
import type { OpContext } from "../../shared/ops/context.ts";
import { initStory } from "../../shared/ops/story.ts";
import { linkMarkValue } from "../../shared/richtext/schema.ts";
import { blocksToSpans, type BodyBlock } from "../../shared/richtext/text.ts";
import type { Collection, CreditRole } from "../../shared/schema/collection.ts";
import type { StoryStatus, Theme } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import { asCollectionId, type CollectionId } from "../../shared/ids.ts";

export const newDocId = (): string => parseAutomergeUrl(generateAutomergeUrl()).documentId;

export const fixedContext = (now = Date.UTC(2025, 5, 1, 9, 30)): OpContext => {
  let next = 0;
  return { now: () => now, newId: () => `id${++next}` };
};

/** A run of text in a rich paragraph; `story` links to another story by id. */
export type Run =
  { text: string; strong?: boolean; em?: boolean; href?: string; story?: string } | { break: true };

/** Blocks as templates write them, plus paragraphs of marked runs and line breaks. */
export type FixtureBlock = BodyBlock | { type: "rich"; runs: Run[]; parents?: string[] };

const marker = (type: string, parents: string[] = []): Automerge.Span => ({
  type: "block",
  value: {
    type: new Automerge.ImmutableString(type),
    parents: parents.map((p) => new Automerge.ImmutableString(p)),
    attrs: {},
    isEmbed: false,
  },
});

export function fixtureSpans(blocks: readonly FixtureBlock[]): Automerge.Span[] {
  const spans: Automerge.Span[] = [];
  for (const b of blocks) {
    if (b.type !== "rich") {
      spans.push(...blocksToSpans([b]));
      continue;
    }
    spans.push(marker("paragraph", b.parents));
    for (const run of b.runs) {
      if ("break" in run) {
        spans.push({
          type: "block",
          value: {
            type: new Automerge.ImmutableString("hard-break"),
            parents: [],
            attrs: {},
            isEmbed: true,
          },
        });
        continue;
      }
      const marks: Automerge.MarkSet = {};
      if (run.strong) marks.strong = true;
      if (run.em) marks.em = true;
      const href = run.story ? refHref({ type: "story", docId: run.story }) : run.href;
      if (href) marks.link = linkMarkValue(href);
      spans.push(
        Object.keys(marks).length > 0
          ? { type: "text", value: run.text, marks }
          : { type: "text", value: run.text },
      );
    }
  }
  return spans;
}

export type FixtureStory = {
  title: string;
  status?: StoryStatus;
  themes?: string[];
  contributors?: string[];
  body?: FixtureBlock[];
  createdAt?: number;
  updatedAt?: number;
};

export function storyDoc(args: FixtureStory): Automerge.Doc<Story> {
  const ctx = fixedContext(args.createdAt);
  let doc = Automerge.change(Automerge.init<Story>(), (d) =>
    initStory(
      d as unknown as Record<string, unknown>,
      { communityId: "c", title: args.title },
      ctx,
    ),
  );
  doc = Automerge.change(doc, (d) => {
    d.status = args.status ?? "ready";
    for (const theme of args.themes ?? []) d.themes[theme] = true;
    (args.contributors ?? []).forEach((name, i) => {
      d.contributors[`${"0".repeat(63)}${i}`] = {
        name,
        colour: "#0b6e4f",
        firstAt: 1_000 + i,
        lastAt: 2_000,
      };
    });
    if (args.body) Automerge.updateSpans(d, ["body"], fixtureSpans(args.body));
    if (args.updatedAt !== undefined) d.updatedAt = args.updatedAt;
  });
  return doc;
}

export type FixtureCollection = {
  title: string;
  subtitle?: string;
  language?: string;
  introduction?: BodyBlock[];
  credits?: { name: string; role: CreditRole }[];
  stories: string[];
  updatedAt?: number;
};

export function collectionDoc(args: FixtureCollection): Automerge.Doc<Collection> {
  const ctx = fixedContext();
  return Automerge.change(Automerge.init<Collection>(), (d) => {
    initCollection(
      d,
      { communityId: "c", title: args.title, subtitle: args.subtitle, language: args.language },
      ctx,
    );
    const doc = d;
    if (args.introduction) setIntroduction(doc, args.introduction, ctx);
    for (const c of args.credits ?? []) addCredit(doc, c, ctx);
    for (const id of args.stories) addStory(doc, id, ctx);
    if (args.updatedAt !== undefined) doc.updatedAt = args.updatedAt;
  });
}

export const THEMES: Record<string, Theme> = {
  t1: { label: "Dignity", order: 0 },
  t2: { label: "Nature", order: 1 },
  t3: { label: "Connection", order: 2 },
};

const WORDS =
  "the tide came in over the stones and we sat by the fire talking of what we had tried " +
  "meitheal neighbours gathered to bring in the hay together fáilte roimh chách ar scáth a chéile " +
  "a mhaireann na daoine learning grows where people listen closely";
const VOCAB = WORDS.split(" ");

/** Deterministic words: the same seed gives the same sentence. */
export function sentence(seed: number, length = 12): string {
  const out: string[] = [];
  let x = seed * 2_654_435_761 + 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    out.push(VOCAB[x % VOCAB.length]!);
  }
  const text = out.join(" ");
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

export type Generated = {
  collectionId: CollectionId;
  collection: Automerge.Doc<Collection>;
  stories: Map<string, Automerge.Doc<unknown>>;
  ids: string[];
};

/**
 * A collection of `count` stories with every kind of block: headings, marked runs, quotes,
 * both kinds of list, line breaks, links to the next story and to the web, and one link to a story
 * outside the book. `paragraphs` sets the length of each story.
 */
export function generateCollection(count: number, paragraphs = 4): Generated {
  const ids = Array.from({ length: count }, newDocId);
  const outside = newDocId();
  const stories = new Map<string, Automerge.Doc<unknown>>();
  ids.forEach((id, i) => {
    const next = ids[(i + 1) % count]!;
    const body: FixtureBlock[] = [
      { type: "paragraph", text: sentence(i * 31, 20) },
      {
        type: "rich",
        runs: [
          { text: "It began " },
          { text: "at dawn", strong: true },
          { text: ", " },
          { text: "quietly", em: true },
          { text: "; read " },
          { text: "the next story", story: next },
          { text: " or " },
          { text: "the web page", href: "https://example.org/tide?a=1&b=2" },
          { text: " or a story " },
          { text: "not in the book", story: outside },
          { text: "." },
          { break: true },
          { text: "A second line." },
        ],
      },
      { type: "heading", level: 2, text: `Part ${i + 1}` },
    ];
    for (let p = 0; p < paragraphs; p++)
      body.push({ type: "paragraph", text: sentence(i * 101 + p, 40) });
    body.push(
      { type: "quote", text: sentence(i + 7, 10) },
      { type: "bullet", text: "First thing we tried" },
      { type: "bullet", text: "Second thing, with *stars* and _underscores_" },
      { type: "heading", level: 3, text: "Next steps" },
      { type: "ordered", text: "Meet again on Thursday" },
      { type: "ordered", text: "Write it down" },
    );
    stories.set(
      id,
      storyDoc({
        title: `Story ${i + 1}: ${sentence(i, 4).slice(0, -1)}`,
        status: i % 2 === 0 ? "ready" : "published",
        themes: i % 3 === 0 ? ["t1", "t3"] : ["t2"],
        contributors: i % 4 === 0 ? ["Aoife Ní Bhriain", "Brían"] : ["Cathal"],
        body,
        createdAt: Date.UTC(2025, 4, 1) + i * 60_000,
        updatedAt: Date.UTC(2025, 5, 1) + i * 60_000,
      }),
    );
  });
  const collection = collectionDoc({
    title: "Harvest of the Shore",
    subtitle: "Stories from the June retreat",
    language: "en",
    introduction: [
      { type: "heading", level: 1, text: "Why we gathered" },
      { type: "paragraph", text: sentence(999, 30) },
      { type: "quote", text: "Ar scáth a chéile a mhaireann na daoine." },
    ],
    credits: [
      { name: "Aoife Ní Bhriain", role: "editor" },
      { name: "Dara", role: "illustrator" },
    ],
    stories: ids,
  });
  return { collectionId: asCollectionId(newDocId()), collection, stories, ids };
}
