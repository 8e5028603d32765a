// Search and links in a real peer: documents made through the community's repo (as a window makes
// them), read from disk after a restart, edited, deleted, damaged.
import * as A from "@automerge/automerge";
import {
  generateAutomergeUrl,
  parseAutomergeUrl,
  type AutomergeUrl,
  type DocHandle,
} from "@automerge/automerge-repo";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SearchResult } from "../../shared/contract.ts";
import { addEntry, updateEntry } from "../../shared/ops/community.ts";
import type { OpContext } from "../../shared/ops/context.ts";
import {
  addEntryLink,
  addLogEntry,
  deleteLogEntry,
  initLog,
  restoreLogEntry,
  setEntryText,
  type NewEntry,
} from "../../shared/ops/log.ts";
import { initLogVolume } from "../../shared/ops/logVolumes.ts";
import { addNode, initMap } from "../../shared/ops/map.ts";
import { initStory, renameStory, setThemes } from "../../shared/ops/story.ts";
import { storySchemaAdapter } from "../../shared/richtext/schema.ts";
import { blocksToSpans } from "../../shared/richtext/text.ts";
import type { CommunityIndex, IndexEntry } from "../../shared/schema/community.ts";
import type { Log } from "../../shared/schema/log.ts";
import type { LogVolume } from "../../shared/schema/logVolume.ts";
import type { InquiryMap } from "../../shared/schema/map.ts";
import type { Story } from "../../shared/schema/story.ts";
import { ErrorCode, type Result } from "../../shared/result.ts";
import { seedLog } from "../../test/helpers/logs.ts";
import { eventually } from "../../test/helpers/peerRpc.ts";
import { makeTempDir, removeDir } from "../../test/helpers/tmp.ts";
import type { OpenCommunity } from "../communities.ts";
import { PeerNode } from "../peerNode.ts";
import { CommunitySearch } from "./service.ts";
import { asCommunityId, type CommunityId } from "../../shared/ids.ts";

const FAST = { debounceMs: 20, maxWaitMs: 100, notifyMs: 20 };
const WAIT = 10_000;

let dir: string;
let node: PeerNode;
let community: OpenCommunity;
let index: DocHandle<CommunityIndex>;
let communityId: CommunityId;
const services: CommunitySearch[] = [];

const ctx = (): OpContext => {
  let n = 0;
  return { now: () => 1_700_000_000_000 + n * 1000, newId: () => `i${++n}` };
};

const value = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

async function startNode() {
  node = await PeerNode.start({ dataDir: dir });
}

beforeEach(async () => {
  dir = await makeTempDir("meitheal-search-");
  await startNode();
  communityId = value(await node.createCommunity({ name: "Harbour" })).id;
  community = node.community(communityId)!;
  index = community.index!;
});

afterEach(async () => {
  for (const s of services.splice(0)) s.close();
  await node.close();
  await removeDir(dir);
});

const list = (id: string, entry: Pick<IndexEntry, "kind" | "title">) =>
  index.change((d) => addEntry(d, id, { ...entry, createdAt: 1, updatedAt: 1 }));

/** A story whose body has one paragraph per string, listed in the index. */
function makeStory(title: string, paragraphs: string[], themes: string[] = []) {
  const handle = community.repo.create<Story>();
  const c = ctx();
  handle.change((d) => {
    initStory(d, { communityId, title }, c);
    A.updateSpans(
      d,
      ["body"],
      blocksToSpans(paragraphs.map((text) => ({ type: "paragraph" as const, text }))),
      storySchemaAdapter.updateSpansConfig(),
    );
    if (themes.length > 0) setThemes(d, themes, c);
  });
  list(handle.documentId, { kind: "story", title });
  return handle;
}

function makeLog(title: string, entries: { happened: string; themes?: string[] }[]) {
  const handle = community.repo.create<Log>();
  const c = ctx();
  const ids: string[] = [];
  handle.change((d) => {
    initLog(d, { communityId, title }, c);
    for (const e of entries)
      ids.push(
        addLogEntry(d, { date: "2024-06-01", kind: "gathering", by: "k", byName: "Ana", ...e }, c),
      );
  });
  list(handle.documentId, { kind: "log", title });
  return { handle, ids };
}

function makeMap(title: string, nodes: { text: string; target?: string }[]) {
  const handle = community.repo.create<InquiryMap>();
  const c = ctx();
  const ids: string[] = [];
  handle.change((d) => {
    initMap(d, { communityId, title }, c);
    for (const n of nodes)
      ids.push(
        addNode(d, { kind: "question", at: { x: 0, y: 0 }, by: "k", byName: "Ana", ...n }, c),
      );
  });
  list(handle.documentId, { kind: "map", title });
  return { handle, ids };
}

/** A log whose entries are kept in volumes, as the app writes them (test/helpers/logs.ts). */
async function makeVolumeLog(
  title: string,
  entries: { happened: string; date?: string; themes?: string[] }[],
) {
  const seeded = await seedLog(
    community,
    ctx(),
    { title },
    entries.map((e): NewEntry => ({
      date: "2024-06-01",
      kind: "gathering",
      by: "k",
      byName: "Ana",
      ...e,
    })),
  );
  const volumes = await Promise.all(
    seeded.volumeIds.map((id) => community.repo.find<LogVolume>(`automerge:${id}` as AutomergeUrl)),
  );
  /** The volume holding an entry. */
  const holder = (entryId: string) => volumes.find((v) => v.doc().entries[entryId])!;
  return { ...seeded, ids: seeded.entryIds, volumes, holder };
}

/** A service of its own over the node's community, with short delays. */
function serviceOf(onChanged: () => void = () => undefined, tuning = {}) {
  const s = new CommunitySearch(community, onChanged, { ...FAST, ...tuning });
  services.push(s);
  s.start();
  return s;
}

const refs = (r: SearchResult) => r.hits.map((h) => h.ref).sort();

/** Polls the service until the query's refs satisfy `check`. */
const until = (
  s: CommunitySearch,
  text: string,
  check: (refs: string[]) => boolean,
  what: string,
) =>
  eventually(
    () => {
      const r = s.query({ text });
      return check(refs(r)) ? r : undefined;
    },
    WAIT,
    what,
  );

describe("search in a peer", () => {
  it("finds stories, entries and nodes by prefix and with a typo, and narrows by type and theme", async () => {
    const story = makeStory("Tide tables", ["The harbour at dawn", "Nets mended together"], ["t1"]);
    const log = makeLog("Circle log", [
      { happened: "We walked to the harbour wall", themes: ["t1"] },
      { happened: "Soup and bread" },
    ]);
    const map = makeMap("Questions", [{ text: "Who keeps the harbour?" }]);
    const s = serviceOf();
    await s.idle();
    const storyRef = `story/${story.documentId}`;
    const entryRef = `entry/${log.handle.documentId}/${log.ids[0]}`;
    const nodeRef = `node/${map.handle.documentId}/${map.ids[0]}`;

    expect(refs(s.query({ text: "harbour" }))).toEqual([entryRef, nodeRef, storyRef].sort());
    expect(refs(s.query({ text: "harb" }))).toEqual([entryRef, nodeRef, storyRef].sort());
    expect(refs(s.query({ text: "harbor" }))).toEqual([entryRef, nodeRef, storyRef].sort());
    // Two words: both must match.
    expect(refs(s.query({ text: "harbour dawn" }))).toEqual([storyRef]);
    expect(refs(s.query({ text: "HARBOUR", types: ["entry", "node"] }))).toEqual(
      [entryRef, nodeRef].sort(),
    );
    expect(refs(s.query({ text: "harbour", theme: "t1" }))).toEqual([entryRef, storyRef].sort());
    // The log's title is searchable as the entries' context.
    expect(refs(s.query({ text: "circle" })).length).toBe(2);

    const hit = s.query({ text: "mend" }).hits[0]!;
    expect(hit).toMatchObject({
      ref: storyRef,
      type: "story",
      title: "Tide tables",
      context: null,
      themes: ["t1"],
    });
    expect(hit.terms).toEqual(["mended"]);
    expect(hit.snippet).toContain("Nets mended together");
    const entryHit = s.query({ text: "soup" }).hits[0]!;
    expect(entryHit).toMatchObject({
      type: "entry",
      title: "Soup and bread",
      context: "Circle log",
    });

    // A title match ranks first.
    makeStory("Baking", ["A sourdough starter, fed daily"]);
    makeStory("Sourdough", ["Flour."]);
    const ranked = await until(s, "sourdough", (r) => r.length === 2, "the new stories are found");
    expect(ranked.hits.map((h) => h.title)).toEqual(["Sourdough", "Baking"]);

    const limited = s.query({ text: "harbour", limit: 1 });
    expect(limited.hits).toHaveLength(1);
    expect(limited.total).toBe(3);
    expect(s.query({ text: "   " })).toEqual({ hits: [], total: 0, indexing: null });
    expect(s.query({ text: "!!!" }).hits).toEqual([]);
  });

  it("follows edits: a new word is found, a removed word is gone, only that document is read again", async () => {
    // A long story (20,000 words): editing it must cost that story alone.
    const long = Array.from(
      { length: 2000 },
      (_, i) => `paragraph ${i} of words that go on and on`,
    );
    const story = makeStory("Notes", ["one two three", ...long]);
    const others = Array.from({ length: 5 }, (_, i) => makeStory(`Other ${i}`, ["quiet"]));
    const s = serviceOf();
    await s.idle();
    expect(s.size).toBe(6);
    const read = s.stats.documentsRead;
    const indexed = s.stats.itemsIndexed;

    for (let i = 0; i < 5; i++) story.change((d) => A.splice(d, ["body"], 1, 0, `kelp${i} `));
    await until(s, "kelp4", (r) => r.length === 1, "the typed word is found");
    story.change((d) => A.splice(d, ["body"], 1, "kelp4 kelp3 kelp2 kelp1 kelp0 ".length, ""));
    await until(s, "kelp", (r) => r.length === 0, "the removed words are gone");
    expect(refs(s.query({ text: "three" }))).toEqual([`story/${story.documentId}`]);
    // Only the edited story was read and indexed again (debounced: fewer reads than changes).
    expect(s.stats.documentsRead - read).toBeLessThanOrEqual(6);
    expect(s.stats.itemsIndexed - indexed).toBe(s.stats.documentsRead - read);
    expect(s.query({ text: "quiet" }).total).toBe(others.length);

    // Renaming is found as well.
    story.change((d) => renameStory(d, "Seaweed notes", ctx()));
    await until(s, "seaweed", (r) => r.length === 1, "the new title is found");
  });

  it("re-indexes only the entry that changed in a long log, and forgets a deleted entry until it is restored", async () => {
    // 200 entries over two years: eight volumes of 25.
    const log = await makeVolumeLog(
      "Long log",
      Array.from({ length: 200 }, (_, i) => ({
        happened: `Gathering number ${i}`,
        date: `${2023 + Math.floor(i / 100)}-${String(1 + (Math.floor(i / 25) % 4) * 3).padStart(2, "0")}-01`,
      })),
    );
    expect(log.volumeIds).toHaveLength(8);
    const s = serviceOf();
    await s.idle();
    expect(s.size).toBe(200);
    const indexed = s.stats.itemsIndexed;
    const read = s.stats.documentsRead;
    const id = log.ids[7]!;
    const ref = `entry/${log.logId}/${id}`;
    const volume = log.holder(id);
    volume.change((d) => setEntryText(d, id, "learned", "Barnacles everywhere", ctx()));
    await until(s, "barnacles", (r) => r.length === 1, "the edited entry is found");
    // One volume read again, one entry indexed again.
    expect(s.stats.itemsIndexed - indexed).toBe(1);
    expect(s.stats.documentsRead - read).toBe(1);
    expect(s.query({ text: "barnacles" }).hits[0]).toMatchObject({
      ref,
      title: "Gathering number 7",
      context: "Long log",
    });

    volume.change((d) => deleteLogEntry(d, id, ctx()));
    await until(s, "barnacles", (r) => r.length === 0, "the deleted entry is gone");
    expect(s.describe([ref])[0]).toMatchObject({
      ref,
      type: "entry",
      missing: true,
      context: "Long log",
    });
    volume.change((d) => restoreLogEntry(d, id, ctx()));
    await until(s, "barnacles", (r) => r.length === 1, "the restored entry is back");
  });

  it("finds a log's entries in its volumes and in the log itself, in the title the index gives the log", async () => {
    const story = makeStory("Pier story", ["plain"]);
    const storyRef = `story/${story.documentId}`;
    const log = await makeVolumeLog("  Sea swims ", [
      { happened: "Swim at the pier", date: "2024-05-01" },
      { happened: "Swim at the cove", date: "2024-08-01" },
    ]);
    // An entry written before logs had volumes, in the log document itself.
    let inline = "";
    log.handle.change((d) => {
      inline = addLogEntry(
        d,
        { date: "2023-01-01", kind: "gathering", by: "k", byName: "Ana", happened: "Swim, first" },
        { ...ctx(), newId: () => "old" },
      );
    });
    const other = await makeVolumeLog("Other log", [{ happened: "Swim elsewhere" }]);
    const [pier, cove] = log.ids.map((id) => `entry/${log.logId}/${id}`) as [string, string];
    const oldRef = `entry/${log.logId}/${inline}`;
    const elsewhere = `entry/${other.logId}/${other.ids[0]}`;
    log.holder(log.ids[0]!).change((d) => addEntryLink(d, log.ids[0]!, storyRef, ctx()));
    const map = makeMap("Map", [{ text: "Points at the pier", target: pier }]);
    const nodeRef = `node/${map.handle.documentId}/${map.ids[0]}`;
    const s = serviceOf();
    await s.idle();

    expect(refs(s.query({ text: "swim" }))).toEqual([pier, cove, oldRef, elsewhere].sort());
    expect(s.query({ text: "cove" }).hits[0]).toMatchObject({
      ref: cove,
      type: "entry",
      title: "Swim at the cove",
      context: "Sea swims",
    });
    // Links to and from an entry in a volume.
    expect(s.backlinks(storyRef)).toEqual([
      { ref: pier, type: "entry", title: "Swim at the pier", context: "Sea swims", missing: false },
    ]);
    expect(s.backlinks(pier).map((t) => t.ref)).toEqual([nodeRef]);
    expect(s.describe([pier])).toEqual([
      { ref: pier, type: "entry", title: "Swim at the pier", context: "Sea swims", missing: false },
    ]);

    // Renamed in the index: the volumes of that log (and nothing else) are read again.
    const read = s.stats.documentsRead;
    const indexed = s.stats.itemsIndexed;
    index.change((d) => updateEntry(d, log.logId, { title: "Cold swims" }, ctx()));
    await until(s, "cold", (r) => r.length === 2, "the entries are found by the new title");
    expect(refs(s.query({ text: "cold" }))).toEqual([pier, cove].sort());
    expect(s.describe([cove])[0]?.context).toBe("Cold swims");
    expect(s.stats.documentsRead - read).toBe(log.volumeIds.length);
    expect(s.stats.itemsIndexed - indexed).toBe(2);

    // The log taken out of the index: its entries, in volumes or not, are found no more.
    index.change((d) => {
      delete d.entries[log.logId];
    });
    await until(s, "swim", (r) => r.length === 1, "the removed log's entries are gone");
    expect(refs(s.query({ text: "swim" }))).toEqual([elsewhere]);
    expect(s.backlinks(storyRef)).toEqual([]);
  });

  it("never reads a volume as another log's, nor a document listed as a volume that is not one", async () => {
    const a = await makeVolumeLog("Log A", [{ happened: "Heron on the rocks" }]);
    const b = await makeVolumeLog("Log B", [{ happened: "Nothing here" }]);
    // A volume of log A listed as one of log B: a peer could write that.
    const stray = community.repo.create<LogVolume>();
    let strayEntry = "";
    stray.change((d) => {
      const c = { ...ctx(), newId: () => "stray" };
      initLogVolume(d, { communityId, logId: a.logId }, c);
      strayEntry = addLogEntry(
        d,
        { date: "2024-06-02", kind: "gathering", by: "k", byName: "Ana", happened: "Heron flew" },
        c,
      );
    });
    const story = makeStory("Heron story", ["heron"]);
    index.change((d) => {
      for (const [id, log] of [
        [stray.documentId, b.logId],
        // A story listed as a volume.
        [story.documentId, a.logId],
      ] as const)
        (d.entries as Record<string, unknown>)[id] = {
          kind: "log-volume",
          title: "",
          createdAt: 1,
          updatedAt: 1,
          log,
          periods: { "2024-Q2": true },
        };
    });
    const s = serviceOf();
    await s.idle();
    expect(refs(s.query({ text: "heron" }))).toEqual([`entry/${a.logId}/${a.ids[0]}`]);
    expect(
      s.describe([`entry/${b.logId}/${strayEntry}`, `entry/${a.logId}/${strayEntry}`]),
    ).toEqual([
      {
        ref: `entry/${b.logId}/${strayEntry}`,
        type: "entry",
        title: "",
        context: "Log B",
        missing: true,
      },
      {
        ref: `entry/${a.logId}/${strayEntry}`,
        type: "entry",
        title: "",
        context: "Log A",
        missing: true,
      },
    ]);

    // Listed under its own log, it is read.
    index.change((d) => {
      d.entries[stray.documentId]!.log = a.logId;
    });
    await until(s, "heron", (r) => r.length === 2, "the volume listed rightly is read");
    expect(refs(s.query({ text: "flew" }))).toEqual([`entry/${a.logId}/${strayEntry}`]);
  });

  it("skips a damaged document, a document of another kind and a junk index entry, and reads one once it is fixed", async () => {
    const good = makeStory("Good", ["lighthouse keeper"]);
    const damaged = community.repo.create<Record<string, unknown>>();
    damaged.change((d) =>
      Object.assign(d, { schema: "meitheal/story", version: 2, title: 5, body: "lighthouse" }),
    );
    list(damaged.documentId, { kind: "story", title: "Broken" });
    const wrongKind = makeLog("A log", [{ happened: "lighthouse" }]);
    index.change((d) => {
      // Listed as a story, but it is a log.
      d.entries[wrongKind.handle.documentId]!.kind = "story";
      // Not a document id, and not an entry at all.
      (d.entries as Record<string, unknown>)["not-an-id"] = {
        kind: "story",
        title: "x",
        createdAt: 1,
        updatedAt: 1,
      };
      (d.entries as Record<string, unknown>)[good.documentId.slice(0, -1) + "1"] = "junk";
    });
    const s = serviceOf();
    await s.idle();
    expect(refs(s.query({ text: "lighthouse" }))).toEqual([`story/${good.documentId}`]);

    damaged.change((d) => {
      const c = ctx();
      initStory(d, { communityId, title: "Mended", body: "lighthouse" }, c);
    });
    await until(s, "lighthouse", (r) => r.length === 2, "the repaired story is found");
  });

  it("keeps backlinks both ways and describes what links point at", async () => {
    const target = makeStory("Target story", ["plain"]);
    const log = makeLog("Log", [{ happened: "An entry" }]);
    const entryRef = `entry/${log.handle.documentId}/${log.ids[0]}`;
    const storyRef = `story/${target.documentId}`;
    // The story links to the entry through a link mark, the entry to the story through its links.
    target.change((d) =>
      A.mark(
        d,
        ["body"],
        { start: 1, end: 6, expand: "none" },
        "link",
        JSON.stringify({ href: `meitheal:${entryRef}` }),
      ),
    );
    log.handle.change((d) => addEntryLink(d, log.ids[0]!, storyRef, ctx()));
    const map = makeMap("Map", [{ text: "Points at the story", target: storyRef }]);
    const nodeRef = `node/${map.handle.documentId}/${map.ids[0]}`;
    const s = serviceOf();
    await s.idle();

    expect(s.backlinks(storyRef)).toEqual([
      { ref: entryRef, type: "entry", title: "An entry", context: "Log", missing: false },
      { ref: nodeRef, type: "node", title: "Points at the story", context: "Map", missing: false },
    ]);
    expect(s.backlinks(entryRef).map((t) => t.ref)).toEqual([storyRef]);
    expect(s.backlinks(nodeRef)).toEqual([]);

    // The link mark removed: the entry's backlink goes.
    target.change((d) => A.unmark(d, ["body"], { start: 0, end: 6, expand: "none" }, "link"));
    await eventually(
      () => (s.backlinks(entryRef).length === 0 ? true : undefined),
      WAIT,
      "backlink removed",
    );

    const listedOnly = "story/" + makeStoryIdListedWithoutDocument("Not here yet");
    const described = s.describe([
      storyRef,
      nodeRef,
      "story/nonsense",
      listedOnly,
      `node/${map.handle.documentId}/gone`,
    ]);
    expect(described).toEqual([
      { ref: storyRef, type: "story", title: "Target story", context: null, missing: false },
      { ref: nodeRef, type: "node", title: "Points at the story", context: "Map", missing: false },
      { ref: "story/nonsense", type: "story", title: "", context: null, missing: true },
      { ref: listedOnly, type: "story", title: "Not here yet", context: null, missing: true },
      {
        ref: `node/${map.handle.documentId}/gone`,
        type: "node",
        title: "",
        context: "Map",
        missing: true,
      },
    ]);
  });

  it("picks up documents listed later, and drops those the index no longer lists", async () => {
    const s = serviceOf();
    await s.idle();
    const story = makeStory("Late", ["driftwood"]);
    await until(s, "driftwood", (r) => r.length === 1, "a story listed later is found");
    index.change((d) => {
      delete d.entries[story.documentId];
    });
    await until(s, "driftwood", (r) => r.length === 0, "an unlisted story is dropped");
  });

  it("reports progress while reading documents from disk for the first time", async () => {
    for (let i = 0; i < 30; i++) makeStory(`Story ${i}`, [`cormorant number ${i}`]);
    await node.close();
    await startNode();
    community = node.community(communityId)!;
    index = community.index!;
    const s = serviceOf(undefined, { concurrency: 2 });
    const first = s.indexing;
    expect(first?.total).toBe(30);
    expect(first?.done).toBeLessThan(30);
    expect(s.query({ text: "cormorant" }).indexing).not.toBeNull();
    await s.idle();
    expect(s.indexing).toBeNull();
    expect(s.query({ text: "cormorant" }).total).toBe(30);
  });

  it("closes cleanly: every listener off, no more notices", async () => {
    const story = makeStory("Closing", ["gull"]);
    const before = story.listenerCount("change");
    const beforeIndex = index.listenerCount("change");
    let notices = 0;
    const s = serviceOf(() => notices++);
    await s.idle();
    expect(story.listenerCount("change")).toBe(before + 1);
    story.change((d) => A.splice(d, ["body"], 1, 0, "tern "));
    s.close();
    const seen = notices;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(notices).toBe(seen);
    expect(story.listenerCount("change")).toBe(before);
    expect(index.listenerCount("change")).toBe(beforeIndex);
  });
});

/** Lists a story whose document is not on this device (as when the index arrived before it). */
function makeStoryIdListedWithoutDocument(title: string): string {
  const id = parseAutomergeUrl(generateAutomergeUrl()).documentId;
  list(id, { kind: "story", title });
  return id;
}

describe("the contract calls", () => {
  it("answers search, describe and backlinks, and says when a community is not here", async () => {
    const story = makeStory("Contract", ["anemone"]);
    let events = 0;
    const off = node.on("search:changed", (data) => {
      expect(data).toEqual({ communityId });
      events++;
    });
    const first = value(await node.handlers["search:query"]({ communityId, text: "anemone" }));
    expect(first.indexing === null || first.indexing.total === 1).toBe(true);
    const found = await eventually(
      async () => {
        const r = value(await node.handlers["search:query"]({ communityId, text: "anem" }));
        return r.hits.length === 1 ? r : undefined;
      },
      WAIT,
      "the story is found through the contract",
    );
    expect(found.indexing).toBeNull();
    expect(value(await node.handlers["search:query"]({ communityId, text: "" }))).toEqual({
      hits: [],
      total: 0,
      indexing: null,
    });
    const ref = `story/${story.documentId}`;
    expect(
      value(await node.handlers["links:describe"]({ communityId, refs: [ref] }))[0]?.title,
    ).toBe("Contract");
    expect(value(await node.handlers["links:backlinks"]({ communityId, ref }))).toEqual([]);

    // Typing emits search:changed, a few times at most however fast the keys come.
    await eventually(() => (events > 0 ? true : undefined), WAIT, "a first search:changed");
    const seen = events;
    for (let i = 0; i < 20; i++) story.change((d) => A.splice(d, ["body"], 1, 0, "x"));
    await eventually(() => (events > seen ? true : undefined), WAIT, "search:changed after typing");
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(events - seen).toBeLessThanOrEqual(3);
    off();

    for (const call of [
      node.handlers["search:query"]({ communityId: asCommunityId("nope"), text: "x" }),
      node.handlers["links:describe"]({ communityId: asCommunityId("nope"), refs: [] }),
      node.handlers["links:backlinks"]({ communityId: asCommunityId("nope"), ref: "story/x" }),
    ]) {
      const r = await call;
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe(ErrorCode.NotFound);
        expect(r.error.message).toContain("not on this device");
      }
    }
    const badTypes = await node.handlers["search:query"]({
      communityId,
      text: "x",
      types: ["collection" as never],
    });
    expect(badTypes.ok).toBe(false);
  });
});
