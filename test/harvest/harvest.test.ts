// The retreat harvest of a community with logs, stories and maps spread over five days: the report
// for two of them holds exactly those days' log entries, the stories created or changed in them
// (a story changed on day 2 and again a week later included), and the maps changed in them as
// inline SVG; a damaged story is a warning, not a failure. A log's entries come from the log itself
// and from its volumes, of which only those whose quarters meet the range are read (a volume of
// another quarter that is not on this device is never asked for, so never warned about). Opened in
// headless Chromium it makes no network request; as PDF it is printed by Chromium. Bad paths and
// ranges change nothing.
import * as Automerge from "@automerge/automerge";
import { generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { volumesInRange } from "../../peer/harvest/write.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { ENGLISH_HARVEST_LABELS, type HarvestLabels } from "../../shared/export/harvest.ts";
import type { IndexEntry } from "../../shared/schema/community.ts";
import { parseDocument } from "../export/dom.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { logOn, mapOn, noon, storyOn, volumeOn } from "./fixtures.ts";
import { asCommunityId } from "../../shared/ids.ts";
import { atPath } from "../../shared/contract.ts";

let dir = "";
let node: PeerNode;
let communityId = asCommunityId("");
const ids: Record<string, string> = {};

const value = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

/** Puts a document in the community and lists it, as creating it in the app would. */
function put(
  name: string,
  doc: Automerge.Doc<unknown> | null,
  entry: Pick<IndexEntry, "kind" | "title" | "log" | "periods">,
) {
  const community = node.community(communityId)!;
  const docId = parseAutomergeUrl(generateAutomergeUrl()).documentId;
  // No document: listed, but not on this device (as when it has not arrived from the laptop that
  // made it).
  if (doc) community.repo.import(Automerge.save(doc), { docId: docId });
  community.index!.change((d) =>
    addEntry(d, docId, { ...entry, createdAt: noon("2025-06-01"), updatedAt: noon("2025-06-01") }),
  );
  ids[name] = docId;
}

beforeAll(async () => {
  dir = await makeTempDir("meitheal-harvest-");
  node = await PeerNode.start({ dataDir: join(dir, "data"), mode: "web" });
  const created = value(await node.createCommunity({ name: "Shore <Circle>", purpose: "" }));
  communityId = created.id;
  const themes = node.community(communityId)!.index!.doc().themes;
  const nature = Object.keys(themes).find((id) => themes[id]?.label === "Nature")!;

  const circle = logOn("2025-06-01", "Morning circle", [
    { date: "2025-06-01", happened: "Day one: arrivals." },
    {
      date: "2025-06-02",
      happened: "We walked the shore.\n\nThen <script>alert(1)</script> & talked.",
      tried: "Silence for ten minutes.",
      learned: "Listening takes practice.",
      next: "Try it again tomorrow.",
      participants: [{ name: "Aoife" }, { name: "Brían", member: "k2" }],
      themes: [nature],
    },
    { date: "2025-06-03", kind: "reflection", learned: "Day three learning." },
    { date: "2025-06-02", happened: "A deleted entry.", deleted: true },
    { date: "2025-06-05", happened: "Leaving day." },
  ]);
  put("circle", circle.doc, { kind: "log", title: "Morning circle" });
  ids.e1 = circle.ids[0]!;
  ids.e2 = circle.ids[1]!;
  ids.e3 = circle.ids[2]!;
  ids.e5 = circle.ids[3]!;
  // The garden log is written as the app writes logs now: its entries in volumes.
  put("garden", logOn("2025-06-01", "Garden", []).doc, { kind: "log", title: "Garden" });
  const garden = volumeOn("2025-06-01", ids.garden!, [
    { date: "2025-06-03", kind: "experiment", tried: "Planting by the moon." },
    { date: "2025-06-04", happened: "Day four, after the range." },
    { date: "2025-06-02", happened: "A deleted volume entry.", deleted: true },
  ]);
  put("gardenQ2", garden.doc, {
    kind: "log-volume",
    title: "",
    log: ids.garden,
    periods: { "2025-Q2": true },
  });
  ids.g1 = garden.ids[0]!;
  // A second volume of the quarter (made on another laptop at the same moment), in the range.
  const second = volumeOn("2025-06-02", ids.garden!, [
    { date: "2025-06-02", happened: "Compost turned, from the other laptop." },
  ]);
  put("gardenQ2b", second.doc, {
    kind: "log-volume",
    title: "",
    log: ids.garden,
    periods: { "2025-Q2": true },
  });
  ids.g2 = second.ids[0]!;
  // Volumes that are listed but not here: one of an earlier year, which a harvest of June never
  // asks for (no warning), and one of June's quarter, which it does (a warning).
  put("gardenOld", null, {
    kind: "log-volume",
    title: "",
    log: ids.garden,
    periods: { "2024-Q1": true, "2024-Q3": true },
  });
  put("circleMissing", null, {
    kind: "log-volume",
    title: "",
    log: ids.circle,
    periods: { "2025-Q1": true, "2025-Q2": true },
  });

  put("s1", storyOn("2025-06-01", "Only day one"), { kind: "story", title: "Only day one" });
  put(
    "s2",
    storyOn("2025-06-01", "Written on day two", {
      changed: ["2025-06-02"],
      body: [
        { type: "heading", level: 2, text: "On the shore" },
        { type: "rich", runs: [{ text: "We saw " }, { text: "herons", em: true }, { text: "." }] },
      ],
    }),
    { kind: "story", title: "Written on day two" },
  );
  put("s3", storyOn("2025-06-03", "Begun on day three", { themes: [nature] }), {
    kind: "story",
    title: "Begun on day three",
  });
  put(
    "s4",
    storyOn("2025-05-20", "Edited then and later", { changed: ["2025-06-02", "2025-06-10"] }),
    { kind: "story", title: "Edited then and later" },
  );
  put("s5", storyOn("2025-06-04", "After the range"), { kind: "story", title: "After the range" });
  put("broken", Automerge.from({ schema: "meitheal/story", version: 2, title: 5 }), {
    kind: "story",
    title: "Broken one",
  });

  put(
    "m1",
    mapOn("2025-06-01", "What is listening?", [
      { day: "2025-06-01", kind: "question", text: "What is listening?", at: { x: 0, y: 0 } },
      { day: "2025-06-03", kind: "insight", text: "Silence helps <b>", at: { x: 300, y: 0 } },
    ]),
    { kind: "map", title: "What is listening?" },
  );
  put(
    "m2",
    mapOn("2025-06-01", "Untouched map", [
      { day: "2025-06-01", kind: "question", text: "Old question", at: { x: 0, y: 0 } },
    ]),
    { kind: "map", title: "Untouched map" },
  );
  put(
    "m3",
    mapOn("2025-06-02", "Tools we share", [
      { day: "2025-06-02", kind: "resource", text: "The seed library", at: { x: 0, y: 0 } },
      { day: "2025-06-02", kind: "practice", text: "Swap days", at: { x: 0, y: 200 } },
    ]),
    { kind: "map", title: "Tools we share" },
  );
  await node.flush();
});

afterAll(async () => {
  await node?.close();
  await removeDir(dir);
});

describe("harvest:write", () => {
  let html = "";
  const path = () => join(dir, "harvest.html");

  it("holds exactly the entries, stories and maps of the days", async () => {
    const progress: number[] = [];
    const off = node.on("task:progress", (p) => progress.push(p.done));
    const summary = value(
      await node.handlers["harvest:write"]({
        communityId,
        from: "2025-06-02",
        to: "2025-06-03",
        format: "html",
        target: atPath(path()),
      }),
    );
    off();
    expect(summary).toMatchObject({ path: path(), format: "html", stories: 3 });
    expect(summary.warnings).toEqual([
      'Entries of the log "Morning circle" for 2025-Q1 to 2025-Q2 are not on this device yet, so they are left out. Let the community sync, then write the harvest again.',
      expect.stringContaining('The story "Broken one" could not be read'),
    ]);
    // 2 logs, 6 stories, 3 maps and the 3 volumes of the range: read one by one, then the report.
    expect(progress.slice(0, 15)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    html = await readFile(path(), "utf8");
    expect(summary.bytes).toBe(Buffer.byteLength(html));
    const doc = parseDocument(html);

    expect(doc.querySelectorAll("h1")[0]?.textContent).toBe("Shore <Circle>: retreat harvest");
    // Days in order; within a day, logs by title.
    const days = [...doc.querySelectorAll("section.day time")].map((t) =>
      t.getAttribute("datetime"),
    );
    expect(days).toEqual(["2025-06-02", "2025-06-03"]);
    const entries = [...doc.querySelectorAll("[data-entry]")].map((e) =>
      e.getAttribute("data-entry"),
    );
    expect(entries).toEqual([ids.g2, ids.e2, ids.g1, ids.e3]);
    const first = doc.querySelectorAll(`[data-entry="${ids.e2}"]`)[0]!;
    expect(first.textContent).toContain("Who took part: Aoife, Brían");
    expect(first.textContent).toContain("Themes: Nature");
    expect(first.textContent).toContain("What we tried");
    expect(first.textContent).toContain("Then <script>alert(1)</script> & talked.");
    expect(doc.querySelectorAll("script")).toHaveLength(0);

    const stories = [...doc.querySelectorAll("article.story h3")].map((h) => h.textContent);
    expect(stories).toEqual(["Edited then and later", "Written on day two", "Begun on day three"]);
    const metas = [...doc.querySelectorAll("article.story .meta")].map((m) => m.textContent);
    // The " · " between the parts is drawn by the style sheet.
    expect(metas).toEqual(["DraftChanged", "DraftChanged", "SeedNewThemes: Nature"]);
    const two = doc.getElementById("story-written-on-day-two")!;
    // Under the report's h1, the part's h2 and the story's h3: the body's level 2 is an h5.
    expect(two.querySelectorAll("h5")[0]?.textContent).toBe("On the shore");
    expect(two.querySelectorAll("em")[0]?.textContent).toBe("herons");

    const maps = [...doc.querySelectorAll("figure.map")];
    expect(maps.map((f) => f.querySelectorAll("h3")[0]?.textContent)).toEqual([
      "Tools we share",
      "What is listening?",
    ]);
    for (const figure of maps) expect(figure.querySelectorAll("svg")).toHaveLength(1);
    expect(maps[1]!.textContent).toContain("Silence helps <b>");
    expect(maps[1]!.querySelectorAll("line")).toHaveLength(1);
    // Each map's arrow markers have ids of their own in the one document.
    const markerIds = [...doc.querySelectorAll("marker")].map((m) => m.id);
    expect(new Set(markerIds).size).toBe(markerIds.length);
    expect(markerIds).toContain("map1-arrow-raises");
    expect(html).not.toContain("Leaving day");
    expect(html).not.toContain("A deleted entry");
    expect(html).not.toContain("A deleted volume entry");
    expect(html).not.toContain("Day four, after the range");
    expect(html).not.toContain("Only day one");
    expect(html).not.toContain("Untouched map");
  });

  it("opened in headless Chromium makes no network request, and looks right", async () => {
    const browser = await launchBrowser();
    try {
      const requests: string[] = [];
      browser.context.on("request", (r) => requests.push(r.url()));
      const page = await browser.context.newPage();
      await page.goto(pathToFileURL(path()).href);
      await page.waitForLoadState("load");
      expect(requests).toEqual([pathToFileURL(path()).href]);
      // The maps are drawn: an SVG with a size on the page.
      const box = await page.locator("figure.map svg").first().boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      await page.screenshot({ path: "docs/harvest.png", fullPage: true });
      // Does the check above see a request when there is one?
      await page.setContent('<img src="http://127.0.0.1:9/x.png">');
      expect(requests.some((u) => u.startsWith("http://127.0.0.1:9/"))).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it("prints to PDF with Chromium", async () => {
    const pdf = join(dir, "harvest.pdf");
    const summary = value(
      await node.handlers["harvest:write"]({
        communityId,
        from: "2025-06-02",
        to: "2025-06-03",
        format: "pdf",
        target: atPath(pdf),
        pageSize: "a5",
      }),
    );
    const bytes = await readFile(pdf);
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    expect(summary.bytes).toBe(bytes.byteLength);
    // Its text is printed with the bundled fonts, as stories are (poppler's pdffonts; `.ci/run`
    // installs it). The map's SVG labels keep their own sans-serif.
    const fonts = (await promisify(execFile)("pdffonts", [pdf])).stdout;
    const names = new Set(
      fonts
        .split("\n")
        .slice(2)
        .filter(Boolean)
        .map((line) => line.split(/\s+/)[0]!.replace(/^[A-Z]{6}\+/, "")),
    );
    expect(names.has("NotoSerif-Regular") && names.has("NotoSerif-Bold")).toBe(true);
  });

  it("refuses bad ranges and paths, and writes nothing", async () => {
    const before = (await readdir(dir)).sort();
    const cases: [Record<string, unknown>, string][] = [
      [{ from: "2025-06-03", to: "2025-06-02" }, "starts (2025-06-03) after it ends"],
      [{ from: "June 2nd" }, 'The start day "June 2nd" is not a day written as YYYY-MM-DD'],
      [{ from: "2024-01-01", to: "2025-06-02" }, "at most 366 days"],
      [{ target: atPath(join(dir, "missing", "h.html")) }, "does not exist"],
      [{ target: atPath("harvest.html") }, "is not a full path"],
      [{ format: "docx" }, 'written as "html" or "pdf"'],
      [{ locale: "not a language!" }, 'The language "not a language!"'],
      [{ timeZone: "Mars/Olympus" }, 'time zone "Mars/Olympus"'],
    ];
    const badLabels: [unknown, string][] = [
      [{ ...ENGLISH_HARVEST_LABELS, title: "" }, "report's words sent by this window"],
      [{ ...ENGLISH_HARVEST_LABELS, extra: "x" }, "report's words sent by this window"],
      [{ ...ENGLISH_HARVEST_LABELS, fields: { happened: "What" } }, "report's words"],
    ];
    for (const [labels, message] of badLabels) {
      const r = await node.handlers["harvest:write"]({
        communityId,
        from: "2025-06-02",
        to: "2025-06-03",
        format: "html",
        target: atPath(join(dir, "bad.html")),
        labels: labels as HarvestLabels,
      });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toContain(message);
    }
    for (const [change, message] of cases) {
      const r = await node.handlers["harvest:write"]({
        communityId,
        from: "2025-06-02",
        to: "2025-06-03",
        format: "html",
        target: atPath(join(dir, "bad.html")),
        ...(change as { format?: "html" }),
      });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toContain(message);
    }
    expect((await readdir(dir)).sort()).toEqual(before);
  });
});

describe("harvest:write in the window's language", () => {
  it("prints the words, language and time zone the window sends", async () => {
    const target = join(dir, "fomhar.html");
    value(
      await node.handlers["harvest:write"]({
        communityId,
        from: "2025-06-02",
        to: "2025-06-02",
        format: "html",
        target: atPath(target),
        locale: "ga",
        timeZone: "Europe/Dublin",
        labels: {
          ...ENGLISH_HARVEST_LABELS,
          title: "Fómhar an chúlaithe: {community}",
          stories: "Scéalta",
          entryKinds: { ...ENGLISH_HARVEST_LABELS.entryKinds, gathering: "Cruinniú" },
        },
      }),
    );
    const written = await readFile(target, "utf8");
    expect(written).toContain('<html lang="ga"');
    expect(written).toContain("Fómhar an chúlaithe: ");
    expect(written).toContain("Scéalta");
    expect(written).toContain("Cruinniú");
    expect(written).not.toContain("retreat harvest");
  });
});

describe("volumesInRange", () => {
  it("keeps the volumes with a quarter from the range's first to its last, both included", () => {
    const volumes = [
      { id: "a", periods: ["2025-Q3"] },
      { id: "b", periods: ["2025-Q2"] },
      { id: "c", periods: ["2025-Q1", "2024-Q4"] },
      { id: "d", periods: ["2024-Q3"] },
      // An entry moved to another quarter: the volume holds both.
      { id: "e", periods: ["2025-Q4", "2023-Q1"] },
    ];
    const ids = (from: string, to: string) => volumesInRange(volumes, from, to).map((v) => v.id);
    expect(ids("2025-06-30", "2025-06-30")).toEqual(["b"]);
    expect(ids("2025-03-31", "2025-07-01")).toEqual(["a", "b", "c"]);
    expect(ids("2024-12-01", "2024-12-31")).toEqual(["c"]);
    expect(ids("2023-02-01", "2023-02-01")).toEqual(["e"]);
    expect(ids("2022-01-01", "2022-12-31")).toEqual([]);
  });
});
