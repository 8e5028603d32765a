// Markdown export → import gives back the stories: titles, statuses, themes, and bodies with the
// same headings, emphasis, lists (nested too), quotes, line breaks and links — links between the
// exported stories become links between the imported ones. Compared as the exporter reads a
// story (shared/export/book.ts blocks: text and marks, block by block), so nothing is lost in
// either direction. The bodies stored are exactly what the editor would write.
import * as Automerge from "@automerge/automerge";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PeerNode } from "../../peer/peerNode.ts";
import { bookFromDocs, type Book } from "../../shared/export/book.ts";
import { buildMarkdownZip } from "../../shared/export/markdown.ts";
import { encodeBody, readBody } from "../../shared/richtext/body.ts";
import { storySchema, storySchemaAdapter } from "../../shared/richtext/schema.ts";
import type { Story } from "../../shared/schema/story.ts";
import {
  collectionDoc,
  generateCollection,
  newDocId,
  storyDoc,
  THEMES,
} from "../export/fixtures.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { peerWithCommunity, picture, storyOf, value } from "./helpers.ts";
import { atPath } from "../../shared/contract.ts";

let dir = "";
let node: PeerNode | undefined;
beforeEach(async () => {
  dir = await makeTempDir("meitheal-import-");
});
afterEach(async () => {
  await node?.close();
  node = undefined;
  await removeDir(dir);
});

/** A story the fixtures cannot make: a list inside a list, a list inside a quote, marks inside
 * a link, built as the editor builds it (a ProseMirror document, encoded by encodeBody). */
function nestedStory(linkTo: string): Automerge.Doc<unknown> {
  const s = storySchema;
  const strong = s.marks.strong!.create();
  const em = s.marks.em!.create();
  const link = s.marks.link!.create({ href: `meitheal:story/${linkTo}` });
  const web = s.marks.link!.create({ href: "https://example.org/a_b?x=(1)" });
  const p = (...content: Parameters<typeof s.text>[0][]) =>
    s.node(
      "paragraph",
      null,
      content.map((t) => s.text(t)),
    );
  const pm = s.node("doc", null, [
    s.node("heading", { level: 2 }, [s.text("Nested things")]),
    s.node("paragraph", null, [
      s.text("Go to "),
      s.text("the first ", [link]),
      s.text("story", [link, strong]),
      s.text(" or "),
      s.text("the *web*", [web, em]),
      s.text("."),
    ]),
    s.node("bullet_list", null, [
      s.node("list_item", null, [
        p("outer one"),
        s.node("ordered_list", null, [
          s.node("list_item", null, [p("inner first")]),
          s.node("list_item", null, [p("inner second")]),
        ]),
      ]),
      s.node("list_item", null, [p("outer two")]),
    ]),
    s.node("blockquote", null, [
      p("Said at the fire:"),
      s.node("bullet_list", null, [s.node("list_item", null, [p("a list in a quote")])]),
    ]),
    s.node("heading", { level: 3 }, [s.text("Heading "), s.text("with emphasis", [em])]),
  ]);
  const spans = encodeBody(storySchemaAdapter, pm);
  return Automerge.change(
    storyDoc({ title: "Nested: a story of lists", status: "published", themes: ["t2"] }),
    (d) => {
      Automerge.updateSpans(d, ["body"], spans, storySchemaAdapter.updateSpansConfig());
    },
  );
}

function exportedBook(): Book {
  const g = generateCollection(12, 2);
  const nestedId = newDocId();
  g.stories.set(nestedId, nestedStory(g.ids[0]!));
  const ids = [...g.ids, nestedId];
  const collection = collectionDoc({ title: "Harvest of the Shore", stories: ids });
  const read = bookFromDocs({ id: g.collectionId, doc: collection }, g.stories, THEMES);
  if (!read.ok) throw new Error(read.error.message);
  return read.value.book;
}

describe("Markdown export → import", () => {
  it("round-trips titles, statuses, themes, headings, emphasis, lists, quotes and links", async () => {
    const book = exportedBook();
    const zip = join(dir, "book.zip");
    await writeFile(zip, buildMarkdownZip(book));
    const peer = await peerWithCommunity(join(dir, "data"), ["Dignity", "nature", "Connection"]);
    node = peer.node;
    const { communityId } = peer;

    const before = await picture(node, communityId);
    const preview = value(
      await node.handlers["import:preview"]({ communityId, files: [atPath(zip)] }),
    );
    expect(await picture(node, communityId)).toEqual(before);
    expect(preview.candidates).toHaveLength(book.stories.length);
    // The collection's contents page makes the collection again (collectionRoundtrip.test.ts).
    expect(preview.problems).toEqual([]);
    expect(preview.notes).toEqual([
      expect.stringMatching(/index\.md: the collection ".+" with .+ in order will be made\.$/),
    ]);
    for (const c of preview.candidates) expect(c.warnings).toEqual([]);

    const { storyIds } = value(
      await node.handlers["import:run"]({ communityId, files: [atPath(zip)] }),
    );
    expect(storyIds).toHaveLength(book.stories.length);

    // Read the imported stories back as the exporter would, in the original order (by title).
    const community = node.community(communityId)!;
    const index = community.index!.doc();
    const themes = index.themes;
    const docs = new Map<string, Automerge.Doc<unknown>>();
    const idByTitle = new Map<string, string>();
    for (const id of storyIds) {
      const doc = await storyOf(node, communityId, id);
      docs.set(id, doc);
      idByTitle.set(doc.title, id);
      expect(index.entries[id]).toMatchObject({
        kind: "story",
        title: doc.title,
        status: doc.status,
        createdAt: doc.createdAt,
        updatedAt: doc.updatedAt,
      });
    }
    const order = book.stories.map((s) => idByTitle.get(s.title)!);
    expect(order.every(Boolean)).toBe(true);
    const again = bookFromDocs(
      { id: newDocId(), doc: collectionDoc({ title: book.title, stories: order }) },
      docs,
      themes,
    );
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value.warnings).toEqual([]);
    const back = again.value.book.stories;
    expect(back.map((s) => s.title)).toEqual(book.stories.map((s) => s.title));
    expect(back.map((s) => s.status)).toEqual(book.stories.map((s) => s.status));
    // The dates are the exported stories' own, not the moment of the import.
    expect(back.map((s) => [s.createdAt, s.updatedAt])).toEqual(
      book.stories.map((s) => [s.createdAt, s.updatedAt]),
    );
    // The community spells one theme "nature": matched regardless of case, shown as it has it.
    expect(back.map((s) => s.themes.join())).toEqual(
      book.stories.map((s) => s.themes.join().replace("Nature", "nature")),
    );
    // Blocks, text and marks and links, exactly (links to stories resolve to the same slugs).
    expect(back.map((s) => s.blocks)).toEqual(book.stories.map((s) => s.blocks));
    const nested = back.find((s) => s.title.startsWith("Nested"))!;
    expect(JSON.stringify(nested.blocks)).toContain('"link":{"type":"story"');

    // Stored as the editor writes: reading and re-encoding a body changes nothing.
    for (const doc of docs.values()) {
      const stored = Automerge.spans(doc as Automerge.Doc<Story>, ["body"]);
      const reading = readBody(storySchemaAdapter, stored);
      expect(reading.repairs).toEqual([]);
      const rewritten = Automerge.change(Automerge.from({ body: "" }), (d) =>
        Automerge.updateSpans(
          d,
          ["body"],
          encodeBody(storySchemaAdapter, reading.doc),
          storySchemaAdapter.updateSpansConfig(),
        ),
      );
      expect(Automerge.spans(rewritten, ["body"])).toEqual(stored);
    }
  });
});
