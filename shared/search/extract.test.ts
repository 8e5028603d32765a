import * as A from "@automerge/automerge";
import { generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import "../../test/helpers/fastCheckSeed.ts";
import type { OpContext } from "../ops/context.ts";
import {
  addLogEntry,
  addParticipant,
  deleteLogEntry,
  initLog,
  setEntryThemes,
} from "../ops/log.ts";
import { initLogVolume } from "../ops/logVolumes.ts";
import { addNode, addNodeLink, initMap } from "../ops/map.ts";
import { initStory, setSummary, setThemes } from "../ops/story.ts";
import { storySchemaAdapter } from "../richtext/schema.ts";
import { blocksToSpans } from "../richtext/text.ts";
import { logKind, type Log } from "../schema/log.ts";
import { mapKind, type InquiryMap } from "../schema/map.ts";
import { storyKind, type Story } from "../schema/story.ts";
import {
  entryItem,
  entryTitle,
  extractDocument,
  extractVolume,
  firstLine,
  isSearchableKind,
  logItems,
  mapItems,
  markRef,
  nodeItem,
  nodeTitle,
  readAs,
  readBodySpans,
  storyBody,
  storyItem,
  TITLE_MAX,
  validRefs,
} from "./extract.ts";

const newDocId = () => parseAutomergeUrl(generateAutomergeUrl()).documentId as string;

const ctx = (): OpContext => {
  let n = 0;
  return { now: () => 1_000 + n, newId: () => `id${++n}` };
};

const OTHER = newDocId();
const LOG = newDocId();
const linkValue = (href: string) => JSON.stringify({ href });

/** A story with a body of two paragraphs, the second word of the first linked to another story. */
function storyDoc(c = ctx()) {
  let doc = A.change(A.init<Record<string, unknown>>(), (d) =>
    initStory(d, { communityId: "c", title: "  Tide tables  " }, c),
  );
  doc = A.change(doc, (d) => {
    A.updateSpans(
      d,
      ["body"],
      blocksToSpans([
        { type: "paragraph", text: "The harbour at dawn" },
        { type: "paragraph", text: "Nets mended together" },
      ]),
      storySchemaAdapter.updateSpansConfig(),
    );
    const s = d as unknown as Story;
    setSummary(s, "About the sea", c);
    setThemes(s, ["t2", "t1"], c);
  });
  // "harbour" is characters 5..12 (after the first block marker).
  doc = A.change(doc, (d) => {
    A.mark(
      d,
      ["body"],
      { start: 5, end: 12, expand: "none" },
      "link",
      linkValue(`meitheal:story/${OTHER}`),
    );
    A.mark(
      d,
      ["body"],
      { start: 14, end: 18, expand: "none" },
      "link",
      linkValue("https://example.org/"),
    );
  });
  return doc as A.Doc<unknown>;
}

function logDoc() {
  const c = ctx();
  const ids: string[] = [];
  const doc = A.change(A.init<Record<string, unknown>>(), (d) => {
    initLog(d, { communityId: "c", title: "Circle log" }, c);
    const log = d as unknown as Log;
    ids.push(
      addLogEntry(
        log,
        {
          date: "2024-05-01",
          kind: "gathering",
          by: "k",
          byName: "Ana",
          happened: "We met by the well\nand talked",
        },
        c,
      ),
    );
    ids.push(
      addLogEntry(
        log,
        { date: "2024-05-02", kind: "experiment", by: "k", byName: "Ana", tried: "Silence first" },
        c,
      ),
    );
    ids.push(
      addLogEntry(
        log,
        { date: "2024-05-03", kind: "decision", by: "k", byName: "Ana", happened: "Gone" },
        c,
      ),
    );
    addParticipant(log, ids[0]!, { name: "Bríd" }, c);
    setEntryThemes(log, ids[0]!, ["t1"], c);
    log.entries[ids[0]!]!.links[`story/${OTHER}`] = true;
    log.entries[ids[0]!]!.links["not a ref"] = true;
    deleteLogEntry(log, ids[2]!, c);
  });
  return { doc: doc as A.Doc<unknown>, ids };
}

/** A volume of the log LOG: two entries, one deleted, one linking to a story. */
function volumeDoc(logId = LOG) {
  const c = ctx();
  const ids: string[] = [];
  const doc = A.change(A.init<Record<string, unknown>>(), (d) => {
    initLogVolume(d, { communityId: "c", logId }, c);
    const volume = d as unknown as Log;
    ids.push(
      addLogEntry(
        volume,
        {
          date: "2024-08-01",
          kind: "gathering",
          by: "k",
          byName: "Ana",
          happened: "Swim at the pier",
          learned: "Cold water wakes you",
        },
        c,
      ),
    );
    ids.push(
      addLogEntry(
        volume,
        { date: "2024-08-02", kind: "decision", by: "k", byName: "Ana", happened: "Gone" },
        c,
      ),
    );
    volume.entries[ids[0]!]!.links[`story/${OTHER}`] = true;
    deleteLogEntry(volume, ids[1]!, c);
  });
  return { doc, ids };
}

function mapDoc() {
  const c = ctx();
  const ids: string[] = [];
  const doc = A.change(A.init<Record<string, unknown>>(), (d) => {
    initMap(d, { communityId: "c", title: "What we ask" }, c);
    const map = d as unknown as InquiryMap;
    ids.push(
      addNode(
        map,
        { kind: "question", text: "Why gather?\nMore", at: { x: 0, y: 0 }, by: "k", byName: "A" },
        c,
      ),
    );
    ids.push(
      addNode(
        map,
        {
          kind: "entry",
          text: "",
          at: { x: 1, y: 1 },
          by: "k",
          byName: "A",
          target: `entry/${LOG}/e1`,
        },
        c,
      ),
    );
    addNodeLink(map, ids[0]!, `story/${OTHER}`, c);
  });
  return { doc: doc as A.Doc<unknown>, ids };
}

describe("firstLine", () => {
  it("takes the first non-empty line, trimmed", () => {
    expect(firstLine("\n  \n  Hello there \nsecond")).toBe("Hello there");
    expect(firstLine("")).toBe("");
    expect(firstLine(" \n\t")).toBe("");
  });
  it("cuts a long line to TITLE_MAX characters", () => {
    const line = firstLine("word ".repeat(100));
    expect(line.length).toBeLessThanOrEqual(TITLE_MAX);
    expect(line.endsWith("…")).toBe(true);
  });
});

describe("validRefs", () => {
  it("keeps each parsable link string once, in order", () => {
    const story = `story/${OTHER}`;
    const entry = `entry/${LOG}/e1`;
    expect(validRefs([entry, "story/nope", story, 42, null, entry, `meitheal:${story}`])).toEqual([
      entry,
      story,
    ]);
  });
  it("never throws and only returns strings that parse", () => {
    fc.assert(
      fc.property(fc.array(fc.anything()), (values) => {
        for (const ref of validRefs(values)) expect(ref).toMatch(/^(story|entry|node)\//);
      }),
    );
  });
});

describe("markRef", () => {
  it("reads an internal link from a stored mark value", () => {
    expect(markRef(linkValue(`meitheal:story/${OTHER}`))).toBe(`story/${OTHER}`);
    expect(markRef(linkValue(`meitheal:node/${OTHER}/n1`))).toBe(`node/${OTHER}/n1`);
    // A bare href (another editor) is read too.
    expect(markRef(`meitheal:entry/${LOG}/e1`)).toBe(`entry/${LOG}/e1`);
  });
  it("is null for web links, junk and other types", () => {
    expect(markRef(linkValue("https://example.org/"))).toBeNull();
    expect(markRef(linkValue("meitheal:story/x"))).toBeNull();
    expect(markRef("{not json")).toBeNull();
    expect(markRef(JSON.stringify({ href: 5 }))).toBeNull();
    expect(markRef(true)).toBeNull();
    expect(markRef(null)).toBeNull();
  });
});

describe("readBodySpans and storyBody", () => {
  it("gives the plain text, one line per block, and the internal links once", () => {
    const doc = storyDoc();
    const body = storyBody(doc, "");
    expect(body.text).toBe("The harbour at dawn\nNets mended together");
    expect(body.links).toEqual([`story/${OTHER}`]);
    expect(readBodySpans(A.spans(doc, ["body"]))).toEqual(body);
  });
  it("falls back to the string when the body cannot be read as spans", () => {
    const doc = A.from({ body: 5 }) as A.Doc<unknown>;
    expect(storyBody(doc, "\uFFFCone\uFFFCtwo")).toEqual({ text: "one\ntwo", links: [] });
  });
});

describe("storyItem", () => {
  it("is one item with the title, summary, sorted themes and body links", () => {
    const docId = newDocId();
    const doc = storyDoc();
    const story = readAs(storyKind, doc)!;
    const item = storyItem(docId, story, storyBody(doc, story.body));
    expect(item).toEqual({
      ref: `story/${docId}`,
      type: "story",
      title: "Tide tables",
      context: null,
      text: "The harbour at dawn\nNets mended together",
      summary: "About the sea",
      themes: ["t1", "t2"],
      links: [`story/${OTHER}`],
    });
  });
});

describe("entries", () => {
  it("titles an entry by the first line of what happened, else by date and kind", () => {
    const { doc, ids } = logDoc();
    const log = readAs(logKind, doc)!;
    expect(entryTitle(log.entries[ids[0]!]!)).toBe("We met by the well");
    expect(entryTitle(log.entries[ids[1]!]!)).toBe("2024-05-02 experiment");
  });
  it("makes one item per live entry, with all text fields, names, themes and valid links", () => {
    const docId = newDocId();
    const { doc, ids } = logDoc();
    const log = readAs(logKind, doc)!;
    const items = logItems(docId, log);
    expect(items.map((i) => i.ref).sort()).toEqual(
      [`entry/${docId}/${ids[0]}`, `entry/${docId}/${ids[1]}`].sort(),
    );
    const first = items.find((i) => i.ref.endsWith(`/${ids[0]}`))!;
    expect(first).toEqual({
      ref: `entry/${docId}/${ids[0]}`,
      type: "entry",
      title: "We met by the well",
      context: "Circle log",
      text: "We met by the well\nand talked\nBríd",
      summary: "",
      themes: ["t1"],
      links: [`story/${OTHER}`],
    });
    expect(entryItem(docId, ids[1]!, log.entries[ids[1]!]!, "L").text).toBe("Silence first");
  });
});

describe("log volumes", () => {
  it("gives the live entries as entries of the log its index entry names, in the log's title", () => {
    const { doc, ids } = volumeDoc();
    expect(extractVolume(doc, { log: LOG, logTitle: "  Sea swims " })).toEqual([
      {
        ref: `entry/${LOG}/${ids[0]}`,
        type: "entry",
        title: "Swim at the pier",
        context: "Sea swims",
        text: "Swim at the pier\nCold water wakes you",
        summary: "",
        themes: [],
        links: [`story/${OTHER}`],
      },
    ]);
  });
  it("is null for a volume of another log, a log, a damaged or a newer volume", () => {
    expect(extractVolume(volumeDoc(newDocId()).doc, { log: LOG, logTitle: "x" })).toBeNull();
    expect(extractVolume(logDoc().doc, { log: LOG, logTitle: "x" })).toBeNull();
    const damaged = A.change(volumeDoc().doc, (d) => {
      d.logId = 7;
    });
    expect(extractVolume(damaged, { log: LOG, logTitle: "x" })).toBeNull();
    const newer = A.change(volumeDoc().doc, (d) => {
      d.version = 99;
    });
    expect(extractVolume(newer, { log: LOG, logTitle: "x" })).toBeNull();
  });
  it("never throws, whatever a peer wrote", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (fields) => {
        const doc = A.from({ ...fields, schema: "meitheal/log-volume", version: 1, logId: LOG });
        const items = extractVolume(doc, { log: LOG, logTitle: "x" });
        expect(items === null || Array.isArray(items)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

describe("nodes", () => {
  it("titles a node by its first line, else by its kind", () => {
    const { doc, ids } = mapDoc();
    const map = readAs(mapKind, doc)!;
    expect(nodeTitle(map.nodes[ids[0]!]!)).toBe("Why gather?");
    expect(nodeTitle(map.nodes[ids[1]!]!)).toBe("entry");
  });
  it("makes one item per node with its links and target", () => {
    const docId = newDocId();
    const { doc, ids } = mapDoc();
    const map = readAs(mapKind, doc)!;
    const items = mapItems(docId, map);
    expect(items).toHaveLength(2);
    expect(nodeItem(docId, ids[0]!, map.nodes[ids[0]!]!, "What we ask")).toEqual({
      ref: `node/${docId}/${ids[0]}`,
      type: "node",
      title: "Why gather?",
      context: "What we ask",
      text: "Why gather?\nMore",
      summary: "",
      themes: [],
      links: [`story/${OTHER}`],
    });
    expect(items.find((i) => i.ref.endsWith(`/${ids[1]}`))?.links).toEqual([`entry/${LOG}/e1`]);
  });
});

describe("readAs", () => {
  it("reads a story of an older version through its migrations without changing it", () => {
    const old = A.from<Record<string, unknown>>({
      schema: "meitheal/story",
      version: 1,
      communityId: "c",
      title: "Old",
      summary: "",
      status: "seed",
      themes: ["t1"],
      body: "",
      createdAt: 1,
      updatedAt: 1,
    });
    const heads = A.getHeads(old);
    expect(readAs(storyKind, old)?.themes).toEqual({ t1: true });
    expect(A.getHeads(old)).toEqual(heads);
  });
  it("is null for a damaged or newer document", () => {
    expect(
      readAs(storyKind, A.from({ schema: "meitheal/story", version: 2, title: 5 })),
    ).toBeNull();
    expect(readAs(storyKind, A.from({ schema: "meitheal/story", version: 99 }))).toBeNull();
  });
});

describe("extractDocument", () => {
  it("reads each kind as the index lists it", () => {
    const id = newDocId();
    expect(extractDocument("story", id, storyDoc())?.map((i) => i.type)).toEqual(["story"]);
    expect(extractDocument("log", id, logDoc().doc)?.map((i) => i.type)).toEqual([
      "entry",
      "entry",
    ]);
    expect(extractDocument("map", id, mapDoc().doc)?.map((i) => i.type)).toEqual(["node", "node"]);
  });
  it("is null for a document of another kind or a damaged one", () => {
    const id = newDocId();
    expect(extractDocument("log", id, storyDoc())).toBeNull();
    expect(
      extractDocument("story", id, A.from({ schema: "meitheal/story", version: 2, body: 5 })),
    ).toBeNull();
  });
  it("leaves out one malformed entry and keeps the rest", () => {
    const id = newDocId();
    const { doc } = logDoc();
    const broken = A.change(doc as A.Doc<{ entries: Record<string, unknown> }>, (d) => {
      d.entries.bad = { date: 7 };
    });
    expect(extractDocument("log", id, broken)).toHaveLength(2);
  });
  it("never throws, whatever a peer wrote", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("story" as const, "log" as const, "map" as const),
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.constantFrom("meitheal/story", "meitheal/log", "meitheal/map"),
        (kind, fields, schema) => {
          const doc = A.from({ ...fields, schema, version: 1 });
          const items = extractDocument(kind, newDocId(), doc);
          expect(items === null || Array.isArray(items)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
  it("knows which index kinds are searchable", () => {
    expect(["story", "log", "map", "collection", 5].map(isSearchableKind)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
