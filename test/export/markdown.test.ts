// The Markdown export read back by pandoc gives the same text as the stories hold, and the same
// titles in the front matter; hostile titles and text stay text.
import * as Automerge from "@automerge/automerge";
import { unzipSync } from "fflate";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blocksToText, bookFromDocs } from "../../shared/export/book.ts";
import { buildMarkdownZip } from "../../shared/export/markdown.ts";
import { spansToPlainText } from "../../shared/richtext/text.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { generateCollection, THEMES } from "./fixtures.ts";
import { hostileBook } from "./hostile.ts";
import { normalise, pandocJson, pandocText, type PandocDoc } from "./tools.ts";

let dir = "";
beforeAll(async () => {
  dir = await makeTempDir("meitheal-markdown-");
});
afterAll(async () => {
  await removeDir(dir);
});

/** Unzips into `into` and returns the paths written, relative to it. */
async function unzipTo(bytes: Uint8Array, into: string): Promise<string[]> {
  const files = unzipSync(bytes);
  for (const [name, data] of Object.entries(files)) {
    const path = join(into, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
  }
  return Object.keys(files);
}

/** Runs pandoc on many files, a few at a time (the machine is shared). */
async function readAll(paths: readonly string[]): Promise<Map<string, PandocDoc>> {
  const out = new Map<string, PandocDoc>();
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++]!;
      out.set(path, await pandocJson(path));
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return out;
}

const metaText = (doc: PandocDoc, key: string): string => normalise(pandocText(doc.meta[key]));

describe("Markdown export read back by pandoc", () => {
  it("gives the same text as each story's body, and its title, status and themes", async () => {
    const g = generateCollection(50, 2);
    const read = bookFromDocs({ id: g.collectionId, doc: g.collection }, g.stories, THEMES);
    if (!read.ok) throw new Error(read.error.message);
    const { book } = read.value;
    const names = await unzipTo(buildMarkdownZip(book), join(dir, "fifty"));
    expect(names).toHaveLength(51);
    const docs = await readAll(names.map((n) => join(dir, "fifty", n)));

    for (const story of book.stories) {
      const doc = docs.get(join(dir, "fifty", "harvest-of-the-shore", `${story.slug}.md`));
      if (!doc) throw new Error(`no file for ${story.slug}`);
      // The text as the app itself reads it from the Automerge document.
      const stored = spansToPlainText(Automerge.spans(g.stories.get(story.id)!, ["body"]));
      expect(normalise(pandocText(doc.blocks))).toBe(normalise(stored));
      expect(metaText(doc, "title")).toBe(story.title);
      expect(metaText(doc, "status")).toBe(story.status);
      expect(pandocText(doc.meta.themes)).toBe(story.themes.join(""));
    }

    const index = docs.get(join(dir, "fifty", "harvest-of-the-shore", "index.md"))!;
    expect(metaText(index, "title")).toBe("Harvest of the Shore");
    const text = normalise(pandocText(index.blocks));
    expect(text).toContain(
      normalise(spansToPlainText(Automerge.spans(g.collection, ["introduction"]))),
    );
    // The contents list links every story, in order, by a relative link.
    const links = JSON.stringify(index.blocks).match(/\.\/[a-z0-9-]+\.md/g);
    expect(links).toEqual(book.stories.map((s) => `./${s.slug}.md`));
  }, 120_000);

  it("keeps links between stories as relative links, and leaves marks in place", async () => {
    const g = generateCollection(3, 1);
    const read = bookFromDocs({ id: g.collectionId, doc: g.collection }, g.stories, THEMES);
    if (!read.ok) throw new Error(read.error.message);
    const { book } = read.value;
    const names = await unzipTo(buildMarkdownZip(book), join(dir, "three"));
    const first = names.find((n) => n.endsWith(`${book.stories[0]!.slug}.md`))!;
    const json = JSON.stringify((await pandocJson(join(dir, "three", first))).blocks);
    expect(json).toContain(`"./${book.stories[1]!.slug}.md"`);
    expect(json).toContain('"https://example.org/tide?a=1&b=2"');
    expect(json).toContain(
      '{"t":"Strong","c":[{"t":"Str","c":"at"},{"t":"Space"},{"t":"Str","c":"dawn"}]}',
    );
    expect(json).toContain('{"t":"Emph","c":[{"t":"Str","c":"quietly"}]}');
    // The story outside the book is text, not a link.
    expect(json).not.toMatch(/meitheal:/);
  }, 60_000);

  it("hostile titles and text come back as the same text, in safe, unique file names", async () => {
    const { book } = hostileBook();
    const names = await unzipTo(buildMarkdownZip(book), join(dir, "hostile"));
    const stories = names.filter((n) => !n.endsWith("/index.md"));
    expect(stories).toHaveLength(book.stories.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9-]{1,60}\/[a-z0-9-]{1,64}\.md$/);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);

    const docs = await readAll(names.map((n) => join(dir, "hostile", n)));
    for (const story of book.stories) {
      const doc = [...docs].find(([path]) => path.endsWith(`/${story.slug}.md`))?.[1];
      if (!doc) throw new Error(`no file for ${story.slug}`);
      expect(metaText(doc, "title")).toBe(normalise(story.title));
      expect(normalise(pandocText(doc.blocks))).toBe(normalise(blocksToText(story.blocks)));
      expect(pandocText(doc.meta.contributors)).toBe(story.contributors.join(""));
    }
  }, 120_000);
});
