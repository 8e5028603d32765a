// Where a new node goes: its box centred in the view, then the nearest free place around it, clear
// of every node's box (measured sizes, with room between), inside what the canvas shows when
// anything there is free, and otherwise the nearest free place beyond it: never on another node.
import { describe, expect, it } from "vitest";
import { freeSpot, guessBox, type Box } from "./useMapViewport.ts";

const middle = { x: 500, y: 300 };
const wide = { from: { x: -5000, y: -5000 }, to: { x: 5000, y: 5000 } };
const NEW = { w: 190, h: 96 };
const boxAt = (p: { x: number; y: number }): Box => ({ ...p, ...NEW });
const apart = (a: Box, b: Box, gap = 24) =>
  a.x + a.w + gap <= b.x ||
  b.x + b.w + gap <= a.x ||
  a.y + a.h + gap <= b.y ||
  b.y + b.h + gap <= a.y;

describe("freeSpot", () => {
  it("puts the first node in the middle (its box centred there)", () => {
    expect(freeSpot([], middle, wide)).toEqual({ x: 405, y: 252 });
  });

  it("puts each of thirty nodes clear of every other, nearest first", () => {
    const taken: Box[] = [];
    for (let i = 0; i < 30; i++) taken.push(boxAt(freeSpot(taken, middle, wide)));
    for (const [i, a] of taken.entries())
      for (const b of taken.slice(i + 1)) expect(apart(a, b)).toBe(true);
    const distance = (b: Box) => Math.hypot(b.x - 405, b.y - 252);
    expect(distance(taken[1]!)).toBeLessThanOrEqual(distance(taken[29]!));
    // Packed near the middle, not strung out: thirty nodes within a few node sizes of it.
    for (const b of taken) expect(distance(b)).toBeLessThan(1000);
  });

  it("keeps clear of a node's measured size, however big", () => {
    const big: Box = { x: 300, y: 150, w: 420, h: 300 };
    const p = freeSpot([big], middle, wide);
    expect(apart(boxAt(p), big)).toBe(true);
  });

  it("keeps to what a narrow canvas shows", () => {
    const narrow = { from: { x: 300, y: -1000 }, to: { x: 700, y: 1000 } };
    const taken = [boxAt(freeSpot([], middle, narrow))];
    const next = freeSpot(taken, middle, narrow);
    expect(next.x).toBeGreaterThanOrEqual(300);
    expect(next.x + 190).toBeLessThanOrEqual(700);
    expect(apart(boxAt(next), taken[0]!)).toBe(true);
  });

  it("goes beyond the view, never on top, when nothing in view is free", () => {
    const tight = { from: { x: 400, y: 250 }, to: { x: 600, y: 350 } };
    const first = boxAt(freeSpot([], middle, tight));
    const second = boxAt(freeSpot([first], middle, tight));
    expect(apart(first, second)).toBe(true);
  });

  it("guesses the size of a node not drawn yet from its text", () => {
    expect(guessBox({ x: 1, y: 2 }, "Short")).toEqual({ x: 1, y: 2, w: 190, h: 56 });
    expect(guessBox({ x: 0, y: 0 }, "x".repeat(200)).h).toBeGreaterThan(100);
    expect(guessBox({ x: 0, y: 0 }, "", { width: 240, height: 80 })).toMatchObject({
      w: 240,
      h: 80,
    });
  });
});
