// Where a new node goes: the middle of the view, then the nearest free spot around it, always
// inside what the canvas shows, and on top of the middle when nothing is free.
import { describe, expect, it } from "vitest";
import { freeSpot } from "./useMapViewport.ts";

const middle = { x: 500, y: 300 };
const wide = { from: { x: -5000, y: -5000 }, to: { x: 5000, y: 5000 } };

describe("freeSpot", () => {
  it("puts the first node in the middle (its box centred there)", () => {
    expect(freeSpot([], middle, wide)).toEqual({ x: 405, y: 265 });
  });

  it("puts each next node clear of the ones before, nearest first", () => {
    const taken: { x: number; y: number }[] = [];
    for (let i = 0; i < 12; i++) taken.push(freeSpot(taken, middle, wide));
    for (const [i, p] of taken.entries())
      for (const q of taken.slice(i + 1))
        expect(Math.abs(p.x - q.x) >= 210 || Math.abs(p.y - q.y) >= 100).toBe(true);
    // The nearest spots are used before farther ones.
    const distance = (p: { x: number; y: number }) => Math.hypot(p.x - 405, p.y - 265);
    expect(distance(taken[1]!)).toBeLessThanOrEqual(distance(taken[11]!));
  });

  it("keeps to what a narrow canvas shows", () => {
    const narrow = { from: { x: 300, y: -1000 }, to: { x: 700, y: 1000 } };
    const taken = [freeSpot([], middle, narrow)];
    const next = freeSpot(taken, middle, narrow);
    expect(next.x).toBeGreaterThanOrEqual(300);
    expect(next.x + 190).toBeLessThanOrEqual(700);
  });

  it("falls back to the middle when nothing in view is free", () => {
    const tight = { from: { x: 400, y: 260 }, to: { x: 600, y: 340 } };
    const first = freeSpot([], middle, tight);
    expect(freeSpot([first], middle, tight)).toEqual(first);
  });
});
