// exportCollection against a real peer's repo: what goes in, what is left out (and said), every
// refusal, progress, and that exporting never changes a document.
import type { AutomergeUrl, DocHandle } from "@automerge/automerge-repo";
import { unzipSync } from "fflate";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  makePeerCollection,
  storyBody,
  type PeerCollection,
} from "../../test/export/peerCollection.ts";
import { newDocId } from "../../test/export/fixtures.ts";
import { makeTempDir, removeDir } from "../../test/helpers/tmp.ts";
import { atPath, type TaskProgress } from "../../shared/contract.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { addStory } from "../../shared/ops/collection.ts";
import { systemContext } from "../../shared/ops/context.ts";
import type { Collection } from "../../shared/schema/collection.ts";
import type { Story } from "../../shared/schema/story.ts";
import { renameStory } from "../../shared/ops/story.ts";
import { PeerNode } from "../peerNode.ts";
import { exportCollection, percentSteps, warningSentences } from "./collection.ts";
import { NO_CHROMIUM } from "./pdf.ts";
import { asCollectionId } from "../../shared/ids.ts";

let dir: string;
let fixture: PeerCollection;
let node: PeerNode;

const STORIES = [
  { title: "The tide", status: "ready", body: storyBody(1, 200) },
  { title: "Hay in June", status: "published", body: storyBody(2, 200) },
  { title: "Half a thought", status: "draft", body: storyBody(3, 200) },
  { title: "Bog walk", status: "seed", body: storyBody(4, 200) },
] as const;

beforeEach(async () => {
  dir = await makeTempDir("meitheal-export-unit-");
  fixture = await makePeerCollection(join(dir, "data"), [...STORIES]);
  node = await PeerNode.start({ dataDir: fixture.dataDir, printPdf: fakePrinter });
});
afterEach(async () => {
  await node.close();
  await removeDir(dir);
});

const fakePrinter = (html: string, size: "a4" | "a5") =>
  Promise.resolve(new TextEncoder().encode(`%PDF-1.7 ${size} ${html.length}`));

const community = () => node.community(fixture.communityId)!;
const collectionHandle = async () =>
  community().repo.find<Collection>(`automerge:${fixture.collectionId}` as AutomergeUrl);
const run = (args: Partial<Parameters<typeof exportCollection>[1]> = {}, deps = {}) =>
  exportCollection(
    community(),
    {
      collectionId: fixture.collectionId,
      format: "markdown",
      path: join(dir, "out.zip"),
      ...args,
    },
    { printPdf: fakePrinter, ...deps },
  );
const messageOf = (r: { ok: boolean; error?: { message: string } }) =>
  r.ok ? "" : (r.error?.message ?? "");

/** Every document's heads: exporting must leave them all as they were. */
async function allHeads(): Promise<string> {
  const ids = [fixture.communityId, fixture.collectionId, ...fixture.storyIds];
  const heads = await Promise.all(
    ids.map(async (id) => (await community().repo.find(`automerge:${id}` as AutomergeUrl)).heads()),
  );
  return JSON.stringify(heads);
}

describe("exporting a collection", () => {
  it("takes ready and published stories by default, in order, and names the rest", async () => {
    const before = await allHeads();
    const r = await run();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ path: join(dir, "out.zip"), format: "markdown", stories: 2 });
    expect(r.value.warnings).toEqual([
      '2 stories were left out because of their status: "Half a thought" (a draft), "Bog walk" (a seed).',
    ]);
    const bytes = await readFile(join(dir, "out.zip"));
    expect(r.value.bytes).toBe(bytes.byteLength);
    const files = Object.keys(unzipSync(bytes));
    expect(files).toEqual([
      "harvest-of-the-shore/index.md",
      "harvest-of-the-shore/the-tide.md",
      "harvest-of-the-shore/hay-in-june.md",
    ]);
    expect(await allHeads()).toBe(before);
  });

  it("the statuses asked for decide what goes in", async () => {
    const all = await run({ statuses: ["seed", "draft", "ready", "published"] });
    expect(all).toMatchObject({ ok: true, value: { stories: 4, warnings: [] } });
    const drafts = await run({ statuses: ["draft"], format: "html", path: join(dir, "d.html") });
    expect(drafts).toMatchObject({ ok: true, value: { stories: 1 } });
    const html = await readFile(join(dir, "d.html"), "utf8");
    expect(html).toContain("Half a thought");
    expect(html).not.toContain("The tide");
  });

  it("reports progress as task:progress, ending at the total", async () => {
    const events: TaskProgress[] = [];
    const off = node.on("task:progress", (e) => events.push(e));
    const r = await node.handlers["export:collection"]({
      communityId: fixture.communityId,
      collectionId: fixture.collectionId,
      format: "epub",
      target: atPath(join(dir, "book.epub")),
    });
    off();
    expect(r.ok).toBe(true);
    expect(events.length).toBeGreaterThan(2);
    expect(events[0]).toEqual({
      communityId: fixture.communityId,
      task: "export",
      done: 0,
      total: 9,
    });
    expect(events.at(-1)).toEqual({
      communityId: fixture.communityId,
      task: "export",
      done: 9,
      total: 9,
    });
    // Reading the four stories is reported one by one, and progress never goes back.
    expect(events.slice(1, 5).map((e) => e.done)).toEqual([1, 2, 3, 4]);
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.done).toBeGreaterThanOrEqual(events[i - 1]!.done);
  });

  it("a folder as the path: the file is named after the collection and format", async () => {
    const r = await run({ format: "html", path: dir, pageSize: "a5" });
    expect(r).toMatchObject({ ok: true, value: { path: join(dir, "harvest-of-the-shore.html") } });
    expect(await readFile(join(dir, "harvest-of-the-shore.html"), "utf8")).toContain("size: A5");
  });

  it("PDF goes through the printer with the page size; without one it says what to do", async () => {
    const r = await run({ format: "pdf", path: join(dir, "b.pdf"), pageSize: "a5" });
    expect(r.ok).toBe(true);
    expect(await readFile(join(dir, "b.pdf"), "utf8")).toMatch(/^%PDF-1\.7 a5 \d+$/);
    expect(
      messageOf(await run({ format: "pdf", path: join(dir, "c.pdf") }, { printPdf: undefined })),
    ).toBe(NO_CHROMIUM);
  });

  it("a printer that fails: its message, and no file or temp file left", async () => {
    const r = await run(
      { format: "pdf", path: join(dir, "b.pdf") },
      { printPdf: () => Promise.reject(new Error("Chromium could not print the PDF (x).")) },
    );
    expect(messageOf(r)).toBe("Chromium could not print the PDF (x).");
    expect((await readdir(dir)).sort()).toEqual(["data"]);
  });

  it("missing and damaged stories are left out and named; the rest is exported", async () => {
    const repo = community().repo;
    const missing = newDocId();
    const damaged: DocHandle<Record<string, unknown>> = repo.create();
    damaged.change((d) => {
      d.schema = "meitheal/story";
      d.version = 2;
      d.title = 42;
    });
    community().index!.change((d) => {
      addEntry(d, missing, {
        kind: "story",
        title: "Still on Aoife's laptop",
        status: "ready",
        createdAt: 1,
        updatedAt: 1,
      });
    });
    (await collectionHandle()).change((d) => {
      addStory(d, missing, systemContext());
      addStory(d, damaged.documentId, systemContext());
    });
    const r = await run({}, { loadTimeoutMs: 2_000 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.stories).toBe(2);
    expect(r.value.warnings[0]).toBe(
      `The story "Still on Aoife's laptop" is not on this device yet, so it was left out. Sync with a device that has it, then export again.`,
    );
    expect(r.value.warnings[1]).toMatch(
      new RegExp(
        `^A story \\(${damaged.documentId}\\) could not be read \\(.*title.*\\), so it was left out\\.$`,
      ),
    );
  });
});

describe("where stories are read from", () => {
  const storyTitles = (html: string) =>
    [...html.matchAll(/<h2 id="story-[^"]*-title">([^<]*)<\/h2>/g)].map((m) => m[1]);

  it("an open story's latest change goes in, even before it is saved to disk", async () => {
    const handle = await community().repo.find<Story>(
      `automerge:${fixture.storyIds[0]}` as AutomergeUrl,
    );
    handle.change((d) => renameStory(d, "The turning tide", systemContext()));
    const path = join(dir, "open.html");
    const r = await run({ format: "html", path });
    expect(r.ok).toBe(true);
    expect(storyTitles(await readFile(path, "utf8"))).toEqual(["The turning tide", "Hay in June"]);
  });

  it("a stored chunk Automerge will not load strictly: the story is read as the repo reads it", async () => {
    // A valid file whose payload is no Automerge chunk: the repo's incremental load skips it.
    await community().storage.save(
      [fixture.storyIds[1]!, "incremental", "not-a-chunk"],
      new TextEncoder().encode("not an automerge chunk"),
    );
    await node.close();
    node = await PeerNode.start({ dataDir: fixture.dataDir, printPdf: fakePrinter });
    const path = join(dir, "chunk.html");
    const r = await run({ format: "html", path });
    expect(r.ok && r.value.warnings).toEqual([
      `2 stories were left out because of their status: "Half a thought" (a draft), "Bog walk" (a seed).`,
    ]);
    expect(storyTitles(await readFile(path, "utf8"))).toEqual(["The tide", "Hay in June"]);
  });
});

describe("refusals", () => {
  it("an unknown collection, or a story given as one", async () => {
    for (const id of [newDocId(), fixture.storyIds[0]!, "not an id", "__proto__"]) {
      const r = await run({ collectionId: asCollectionId(id) });
      expect(r).toMatchObject({ ok: false, error: { code: "not-found" } });
      expect(messageOf(r)).toMatch(/There is no collection .* in this community/);
    }
  });

  it("a damaged or newer collection: a clear error, nothing written", async () => {
    const handle = await collectionHandle();
    handle.change((d) => {
      (d as unknown as Record<string, unknown>).title = ["not", "text"];
    });
    expect(messageOf(await run())).toMatch(
      /^This collection could not be read \(.*title.*\), so it cannot be exported\. Its stories are unharmed/,
    );
    handle.change((d) => {
      (d as unknown as Record<string, unknown>).version = 99;
    });
    expect(messageOf(await run())).toMatch(/made by a newer version of Meitheal\. Update Meitheal/);
    expect(await readdir(dir)).toEqual(["data"]);
  });

  it("no story included: says only ready and published go in by default, and how to add others", async () => {
    // A collection of a draft and a seed only.
    (await collectionHandle()).change((d) => {
      d.stories.splice(0, 2);
    });
    const drafts = await run();
    expect(drafts).toMatchObject({ ok: false, error: { code: "bad-input" } });
    expect(messageOf(drafts)).toMatch(
      /None of the 2 stories in this collection is ready or published.*only ready and published stories are included unless you choose otherwise.*--all-statuses/,
    );
    expect(messageOf(await run({ statuses: ["published"] }))).toMatch(
      /None of the 2 stories in this collection has one of the statuses chosen \(published\)/,
    );
    (await collectionHandle()).change((d) => {
      d.stories.splice(0, d.stories.length);
    });
    expect(messageOf(await run())).toMatch(/This collection has no stories yet/);
    expect(await readdir(dir)).toEqual(["data"]);
  });

  it("bad arguments and a path that cannot be used are refused before any work", async () => {
    expect(messageOf(await run({ format: "docx" as "html" }))).toMatch(
      /"docx" is not an export format/,
    );
    expect(messageOf(await run({ statuses: [] }))).toMatch(/Choose at least one status/);
    expect(messageOf(await run({ statuses: ["final" as "ready"] }))).toMatch(
      /"final" is not a story status/,
    );
    expect(messageOf(await run({ pageSize: "a3" as "a4" }))).toMatch(/a4 or a5/);
    expect(messageOf(await run({ path: "relative/book.zip" }))).toMatch(/is not a full path/);
    expect(messageOf(await run({ path: join(dir, "missing", "b.zip") }))).toMatch(
      /The folder .*missing does not exist/,
    );
  });
});

describe("warning sentences", () => {
  it("many stories left out by status become one sentence naming five", () => {
    const warnings = Array.from({ length: 7 }, (_, i) => ({
      type: "excluded" as const,
      storyId: `s${i}`,
      title: `Story ${i}`,
      status: "draft" as const,
    }));
    expect(warningSentences(warnings, () => undefined)).toEqual([
      '7 stories were left out because of their status: "Story 0" (a draft), "Story 1" (a draft), "Story 2" (a draft), "Story 3" (a draft), "Story 4" (a draft) and 2 more.',
    ]);
    expect(
      warningSentences(
        [
          { type: "newer", storyId: "x" },
          { type: "collection-problems", problems: ["credit 1: bad"] },
        ],
        () => "Tide",
      ),
    ).toEqual([
      'The story "Tide" was written by a newer version of Meitheal, so it was left out. Update Meitheal to include it.',
      "Part of the collection could not be read (credit 1: bad); the rest was exported.",
    ]);
  });
});

describe("progress", () => {
  it("is passed on once per whole percent, always at the start and the end", () => {
    const seen: number[] = [];
    const report = percentSteps((done) => seen.push(done));
    for (let done = 0; done <= 401; done++) report(done, 401);
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(401);
    expect(seen.length).toBe(101);
    const few: number[] = [];
    const small = percentSteps((done) => few.push(done));
    for (const done of [0, 1, 1, 2, 3]) small(done, 3);
    expect(few).toEqual([0, 1, 2, 3]);
  });
});
