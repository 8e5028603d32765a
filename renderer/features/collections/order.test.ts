import { describe, expect, it } from "vitest";
import type { IndexEntry } from "../../../shared/schema/community.ts";
import { dropTarget, stepTarget, storyRows } from "./order.ts";

const entry = (title: string, status?: IndexEntry["status"]): IndexEntry => ({
  kind: "story",
  title,
  ...(status ? { status } : {}),
  createdAt: 1,
  updatedAt: 1,
});

describe("storyRows", () => {
  it("keeps the order, reads titles and statuses, and marks what an export leaves out", () => {
    const rows = storyRows(["b", "a", "gone", "log"], {
      a: entry("Alder", "published"),
      b: entry("Birch"),
      log: { kind: "log", title: "A log", createdAt: 1, updatedAt: 1 },
    });
    expect(rows).toEqual([
      { id: "b", title: "Birch", status: "seed", leftOut: true },
      { id: "a", title: "Alder", status: "published", leftOut: false },
      { id: "gone", title: null, status: "seed", leftOut: true },
      // Not a story in the index: shown as missing, never with another kind's title.
      { id: "log", title: null, status: "seed", leftOut: true },
    ]);
  });

  it("includes ready stories by default", () => {
    expect(storyRows(["r"], { r: entry("Rowan", "ready") })[0]?.leftOut).toBe(false);
    expect(storyRows(["d"], { d: entry("Dock", "draft") })[0]?.leftOut).toBe(true);
  });
});

describe("dropTarget", () => {
  // Positions in [A, B, C, D].
  it("moves down: dropped before a later row lands just above it", () => {
    expect(dropTarget(0, 2, true)).toBe(1); // A before C → B A C D
    expect(dropTarget(0, 2, false)).toBe(2); // A after C → B C A D
    expect(dropTarget(0, 3, false)).toBe(3); // A after D → B C D A
  });
  it("moves up: dropped after an earlier row lands just below it", () => {
    expect(dropTarget(3, 0, true)).toBe(0); // D before A → D A B C
    expect(dropTarget(3, 0, false)).toBe(1); // D after A → A D B C
  });
  it("is no move when dropped on or next to its own place", () => {
    expect(dropTarget(1, 1, true)).toBeNull();
    expect(dropTarget(1, 1, false)).toBeNull();
    expect(dropTarget(1, 0, false)).toBeNull();
    expect(dropTarget(1, 2, true)).toBeNull();
    expect(dropTarget(-1, 2, true)).toBeNull();
  });
});

describe("stepTarget", () => {
  it("moves one place and stops at the ends", () => {
    expect(stepTarget(0, 3, 1)).toBe(1);
    expect(stepTarget(2, 3, -1)).toBe(1);
    expect(stepTarget(0, 3, -1)).toBeNull();
    expect(stepTarget(2, 3, 1)).toBeNull();
  });
});
