// The search index kept on disk: written a while after changes and at close, loaded on start so
// search answers without reading every document, and only documents changed since read again.
import * as A from "@automerge/automerge";
import type { AutomergeUrl, DocHandle, DocumentId } from "@automerge/automerge-repo";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asCommunityId, type CommunityId } from "../../shared/ids.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { initStory } from "../../shared/ops/story.ts";
import { storySchemaAdapter } from "../../shared/richtext/schema.ts";
import { blocksToSpans } from "../../shared/richtext/text.ts";
import type { Story } from "../../shared/schema/story.ts";
import { seedLog } from "../../test/helpers/logs.ts";
import { makeTempDir, removeDir } from "../../test/helpers/tmp.ts";
import { communityDir, type OpenCommunity } from "../communities.ts";
import { PeerNode } from "../peerNode.ts";
import { CommunitySearch, SEARCH_INDEX_FILE, SEARCH_INDEX_VERSION } from "./service.ts";

const FAST = { debounceMs: 20, maxWaitMs: 100, notifyMs: 20, saveDelayMs: 50, saveMaxWaitMs: 200 };

let dir: string;
let node: PeerNode | undefined;
let communityId: CommunityId;
const services: CommunitySearch[] = [];

const file = () => join(communityDir(dir, communityId), SEARCH_INDEX_FILE);

async function open(): Promise<OpenCommunity> {
  node = await PeerNode.start({ dataDir: dir });
  return node.community(communityId)!;
}

async function shut(): Promise<void> {
  for (const s of services.splice(0)) {
    s.close();
    await s.closed();
  }
  await node?.close();
  node = undefined;
}

function searchOf(community: OpenCommunity, persist = true): CommunitySearch {
  const s = new CommunitySearch(community, () => undefined, FAST, persist ? file() : undefined);
  services.push(s);
  s.start();
  return s;
}

function makeStory(community: OpenCommunity, title: string, text: string): DocHandle<Story> {
  const handle = community.repo.create<Story>();
  const ctx = systemContext();
  handle.change((d) => {
    initStory(d, { communityId, title }, ctx);
    A.updateSpans(
      d,
      ["body"],
      blocksToSpans([{ type: "paragraph" as const, text }]),
      storySchemaAdapter.updateSpansConfig(),
    );
  });
  community.index!.change((d) =>
    addEntry(d, handle.documentId, {
      kind: "story",
      title,
      status: "draft",
      createdAt: 1,
      updatedAt: 1,
    }),
  );
  return handle;
}

const refsOf = (s: CommunitySearch, text: string) =>
  s
    .query({ text })
    .hits.map((h) => h.ref)
    .sort();

let stories: { lighthouse: string; harbour: string; volumes: number };

beforeEach(async () => {
  dir = await makeTempDir("meitheal-search-persist-");
  node = await PeerNode.start({ dataDir: dir });
  const created = await node.createCommunity({ name: "Harbour" });
  if (!created.ok) throw new Error(created.error.message);
  communityId = asCommunityId(created.value.id);
  const community = node.community(communityId)!;
  const lighthouse = makeStory(community, "Lighthouse", "The keeper lit the lamp at dusk");
  const harbour = makeStory(community, "Harbour", "Nets mended by the pier");
  // A log kept in volumes, as the app writes entries.
  const entry = { kind: "gathering", by: "k", byName: "Ana" } as const;
  const log = await seedLog(community, systemContext(), { title: "Gatherings" }, [
    { ...entry, happened: "We mapped the tidepools together", date: "2024-02-03" },
    { ...entry, happened: "Seaweed harvest with the school", date: "2024-07-09" },
  ]);
  stories = {
    lighthouse: lighthouse.documentId,
    harbour: harbour.documentId,
    volumes: log.volumeIds.length,
  };
  // Built once, then written at close.
  const s = searchOf(community);
  await s.idle();
  expect(s.query({ text: "tidepools" }).total).toBe(1);
  await shut();
});

afterEach(async () => {
  await shut();
  await removeDir(dir);
});

describe("the search index kept on disk", () => {
  it("survives a restart: answers from the file without loading the documents", async () => {
    expect((await stat(file())).size).toBeGreaterThan(0);
    const community = await open();
    const s = searchOf(community);
    await s.idle();
    expect(refsOf(s, "keeper")).toEqual([`story/${stories.lighthouse}`]);
    expect(s.query({ text: "seaweed" }).hits[0]).toMatchObject({
      type: "entry",
      context: "Gatherings",
    });
    expect(s.query({ text: "pier" }).hits[0]?.snippet).toContain("pier");
    expect(s.stats.documentsRead).toBe(0);
    // Two stories, the log and its volumes: none loaded for search.
    expect(s.stats.documentsRestored).toBe(3 + stories.volumes);
    expect(community.repo.handles[stories.lighthouse as DocumentId]).toBeUndefined();
  });

  it("the file is written a while after changes, not on every one", async () => {
    const community = await open();
    const s = searchOf(community);
    await s.idle();
    const before = s.stats.saves;
    const story = await community.repo.find<Story>(`automerge:${stories.harbour}` as AutomergeUrl);
    for (const word of ["cormorant ", "gannet ", "puffin "]) {
      story.change((d) => A.splice(d, ["body"], 1, 0, word));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (let i = 0; i < 200 && s.stats.saves === before; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(s.stats.saves).toBe(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.stats.saves).toBe(before + 1);
    expect(await readFile(file(), "utf8")).toContain("puffin");
  });

  it("reads again only what changed while closed: new words found, old ones not", async () => {
    // Another process writes into the data folder while search is closed: a story edited, one
    // removed from the index, one added.
    let community = await open();
    const lighthouse = await community.repo.find<Story>(
      `automerge:${stories.lighthouse}` as AutomergeUrl,
    );
    lighthouse.change((d) => A.updateText(d, ["body"], "The ferryman rowed across at dawn"));
    community.index!.change((d) => {
      delete d.entries[stories.harbour];
    });
    makeStory(community, "Quay", "Oysters landed on the quay");
    await shut();

    community = await open();
    const s = searchOf(community);
    await s.idle();
    expect(refsOf(s, "ferryman")).toEqual([`story/${stories.lighthouse}`]);
    expect(refsOf(s, "keeper")).toEqual([]);
    expect(refsOf(s, "pier")).toEqual([]);
    expect(s.query({ text: "oysters" }).total).toBe(1);
    expect(s.query({ text: "tidepools" }).total).toBe(1);
    // The edited story and the new one; not the log or its volumes.
    expect(s.stats.documentsRead).toBe(2);

    // And that state is what the next start finds.
    await shut();
    community = await open();
    const again = searchOf(community);
    await again.idle();
    expect(again.stats.documentsRead).toBe(0);
    expect(refsOf(again, "ferryman")).toEqual([`story/${stories.lighthouse}`]);
    expect(refsOf(again, "keeper")).toEqual([]);
  });

  it("follows a kept document once something opens it", async () => {
    const community = await open();
    const s = searchOf(community);
    await s.idle();
    expect(s.stats.documentsRead).toBe(0);
    const story = await community.repo.find<Story>(
      `automerge:${stories.lighthouse}` as AutomergeUrl,
    );
    story.change((d) => A.updateText(d, ["body"], "A storm petrel on the rail"));
    for (let i = 0; i < 200 && refsOf(s, "petrel").length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(refsOf(s, "petrel")).toEqual([`story/${stories.lighthouse}`]);
    expect(refsOf(s, "keeper")).toEqual([]);
  });

  const rebuilt = async () => {
    const community = await open();
    const s = searchOf(community);
    await s.idle();
    expect(s.stats.documentsRestored).toBe(0);
    expect(s.stats.documentsRead).toBe(3 + stories.volumes);
    expect(refsOf(s, "keeper")).toEqual([`story/${stories.lighthouse}`]);
    expect(s.query({ text: "tidepools" }).total).toBe(1);
  };

  it("ignores a damaged file and builds the index from the documents", async () => {
    const text = await readFile(file(), "utf8");
    await writeFile(file(), text.slice(0, text.length / 2));
    await rebuilt();
  });

  it("ignores a file whose items and index disagree", async () => {
    const saved = JSON.parse(await readFile(file(), "utf8")) as {
      docs: Record<string, { items: unknown[] }>;
    };
    saved.docs[stories.lighthouse]!.items = [];
    await writeFile(file(), JSON.stringify(saved));
    await rebuilt();
  });

  it("ignores a file of another version", async () => {
    const saved = JSON.parse(await readFile(file(), "utf8")) as { version: number };
    saved.version = SEARCH_INDEX_VERSION + 1;
    await writeFile(file(), JSON.stringify(saved));
    await rebuilt();
  });

  it("keeps nothing on disk when no file is given", async () => {
    const before = await readFile(file(), "utf8");
    const community = await open();
    const story = await community.repo.find<Story>(`automerge:${stories.harbour}` as AutomergeUrl);
    story.change((d) => A.splice(d, ["body"], 1, 0, "cormorant "));
    const s = searchOf(community, false);
    await s.idle();
    expect(s.stats.documentsRead).toBe(3 + stories.volumes);
    await shut();
    expect(await readFile(file(), "utf8")).toBe(before);
  });
});
