import * as Automerge from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { addLogEntry, initLog } from "../ops/log.ts";
import { initLogVolume } from "../ops/logVolumes.ts";
import { initStory, renameStory } from "../ops/story.ts";
import type { Log } from "../schema/log.ts";
import type { Story } from "../schema/story.ts";
import { buildHarvest, ENGLISH_HARVEST_LABELS, type HarvestVolume } from "./harvest.ts";
import { checkRange, dayIn } from "./harvestDays.ts";
import { quartersText } from "./harvestGather.ts";

const at = (iso: string) => Date.parse(iso);
const ctx = (ms: number) => {
  let n = 0;
  return { now: () => ms, newId: () => `x${++n}` };
};
const seconds = (ms: number) => Math.floor(ms / 1000);

function story(createdIso: string, title: string, editedIso?: string): Automerge.Doc<unknown> {
  const created = at(createdIso);
  let doc = Automerge.change(Automerge.init<Story>(), { time: seconds(created) }, (d) =>
    initStory(d as unknown as Record<string, unknown>, { communityId: "c", title }, ctx(created)),
  );
  if (editedIso) {
    const edited = at(editedIso);
    doc = Automerge.change(doc, { time: seconds(edited) }, (d) =>
      renameStory(d, `${title}!`, ctx(edited)),
    );
  }
  return doc;
}

function log(entries: { date: string; happened: string }[]): Automerge.Doc<unknown> {
  return Automerge.change(Automerge.init<Log>(), (d) => {
    initLog(d, { communityId: "c", title: "Circle" }, ctx(0));
    entries.forEach((e, i) =>
      addLogEntry(d, { kind: "gathering", by: "k", byName: "A", ...e }, ctx(i)),
    );
  });
}

/** A volume of the log `logId` holding entries of the given days. */
function volume(
  logId: string,
  id: string,
  entries: { date: string; happened: string }[],
): HarvestVolume {
  const doc = Automerge.change(Automerge.init<Record<string, unknown>>(), (d) => {
    initLogVolume(d, { communityId: "c", logId }, ctx(0));
    entries.forEach((e, i) =>
      addLogEntry(
        d as unknown as Log,
        { kind: "gathering", by: "k", byName: "A", ...e },
        { now: () => i + 1, newId: () => `${id}-${i}` },
      ),
    );
  });
  return { id, periods: ["2025-Q2"], doc };
}

const source = (parts: {
  stories?: Automerge.Doc<unknown>[];
  logs?: Automerge.Doc<unknown>[];
}) => ({
  community: "Shore",
  themes: {},
  logs: (parts.logs ?? []).map((doc, i) => ({ id: `l${i}`, title: "Log", doc })),
  stories: (parts.stories ?? []).map((doc, i) => ({ id: `s${i}`, title: `S${i}`, doc })),
  maps: [],
});

describe("checkRange", () => {
  it("takes calendar days, in order, at most a year", () => {
    expect(checkRange("2025-06-01", "2025-06-01").ok).toBe(true);
    expect(checkRange("2025-02-30", "2025-03-01").ok).toBe(false);
    expect(checkRange("2024-02-29", "2024-03-01").ok).toBe(true);
    expect(checkRange("2025-13-01", "2025-06-01").ok).toBe(false);
    expect(checkRange("2025-06-02", "2025-06-01").ok).toBe(false);
    expect(checkRange("2025-01-01", "2025-12-31").ok).toBe(true);
    expect(checkRange("2024-01-01", "2024-12-31").ok).toBe(true);
    expect(checkRange("2024-01-01", "2025-01-01").ok).toBe(false);
    expect(checkRange(20250601, "2025-06-01").ok).toBe(false);
  });
});

describe("buildHarvest", () => {
  it("counts a time on the calendar day of the chosen time zone", () => {
    // 23:30 UTC on the 1st is already the 2nd in Dublin's summer time.
    const late = story("2025-06-01T23:30:00Z", "Late night");
    const inDublin = buildHarvest(source({ stories: [late] }), {
      from: "2025-06-02",
      to: "2025-06-02",
      timeZone: "Europe/Dublin",
    });
    const inUtc = buildHarvest(source({ stories: [late] }), {
      from: "2025-06-02",
      to: "2025-06-02",
      timeZone: "UTC",
    });
    expect(inDublin.ok && inDublin.value.stories).toBe(1);
    expect(inUtc.ok && inUtc.value.stories).toBe(0);
    expect(dayIn("Pacific/Auckland")(at("2025-06-01T13:00:00Z"))).toBe("2025-06-02");
  });

  it("finds a change in the middle of a story's history", () => {
    const edited = story("2025-05-01T10:00:00Z", "Old", "2025-06-02T10:00:00Z");
    // Edited again later: its updatedAt is after the range, its history is not.
    const again = Automerge.change(edited, { time: seconds(at("2025-07-01T10:00:00Z")) }, (d) => {
      (d as Story).updatedAt = at("2025-07-01T10:00:00Z");
    });
    const r = buildHarvest(source({ stories: [again] }), {
      from: "2025-06-02",
      to: "2025-06-02",
      timeZone: "UTC",
    });
    expect(r.ok && r.value.stories).toBe(1);
    const none = buildHarvest(source({ stories: [again] }), {
      from: "2025-06-03",
      to: "2025-06-30",
      timeZone: "UTC",
    });
    expect(none.ok && none.value.stories).toBe(0);
  });

  it("escapes what people wrote and uses the labels it is given", () => {
    const r = buildHarvest(
      {
        ...source({
          logs: [log([{ date: "2025-06-02", happened: "<img src=x onerror=alert(1)>" }])],
        }),
        community: '"Quotes" & <tags>',
      },
      {
        from: "2025-06-02",
        to: "2025-06-02",
        locale: "ga",
        labels: { ...ENGLISH_HARVEST_LABELS, title: "Fómhar: {community}", noStories: "Dada" },
      },
    );
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(r.value.html).not.toContain("<img");
    expect(r.value.html).toContain("<h1>Fómhar: &quot;Quotes&quot; &amp; &lt;tags&gt;</h1>");
    expect(r.value.html).toContain('<html lang="ga">');
    expect(r.value.html).toContain("Dada");
  });

  it("gives a log's entries from the log itself and from its volumes, and skips a volume it cannot trust", () => {
    const old = log([{ date: "2025-06-02", happened: "Written inline" }]);
    const r = buildHarvest(
      {
        ...source({}),
        logs: [
          {
            id: "l0",
            title: "Circle",
            doc: old,
            volumes: [
              volume("l0", "v1", [
                { date: "2025-06-02", happened: "From a volume" },
                { date: "2025-06-09", happened: "After the range" },
              ]),
              volume("l0", "v2", [{ date: "2025-06-03", happened: "From another volume" }]),
              // Names another log: its entries are not this log's.
              volume("l9", "v3", [{ date: "2025-06-02", happened: "Not this log's" }]),
              { id: "v4", periods: ["2025-Q1", "2025-Q2"], doc: Automerge.from({ schema: 5 }) },
            ],
          },
        ],
      },
      { from: "2025-06-02", to: "2025-06-03", timeZone: "UTC" },
    );
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.entries).toBe(3);
    expect(r.value.html).toContain("Written inline");
    expect(r.value.html).toContain("From a volume");
    expect(r.value.html).toContain("From another volume");
    expect(r.value.html).not.toContain("After the range");
    expect(r.value.html).not.toContain("Not this log");
    expect(r.value.warnings).toEqual([
      'The entries of the log "Circle" for 2025-Q2 could not be read (they are damaged) and are left out.',
      'The entries of the log "Circle" for 2025-Q1 to 2025-Q2 could not be read (they are damaged) and are left out.',
    ]);
    expect(quartersText(["2025-Q3", "2024-Q4", "2025-Q1"])).toBe("2024-Q4 to 2025-Q3");
  });

  it("names what it could not read, and reports progress", () => {
    const steps: number[] = [];
    const r = buildHarvest(
      source({
        stories: [
          Automerge.from({ schema: "meitheal/story", version: 99 }),
          story("2025-06-02T09:00:00Z", "Fine"),
        ],
      }),
      { from: "2025-06-02", to: "2025-06-02", timeZone: "UTC", onProgress: (d) => steps.push(d) },
    );
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.warnings).toEqual([expect.stringContaining("newer version of Meitheal")]);
    expect(r.value.stories).toBe(1);
    expect(steps).toEqual([0, 1]);
  });
});
