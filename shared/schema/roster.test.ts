import { describe, expect, it } from "vitest";
import { ROSTER_SCHEMA, ROSTER_VERSION, rosterKind } from "./roster.ts";

const k = (c: string) => c.repeat(64);
const valid = () => ({
  schema: ROSTER_SCHEMA,
  version: ROSTER_VERSION,
  communityId: "2sbfoHcRkXHtrKrXbwd47BJDsbv3",
  members: { [k("a")]: { name: "Founder", addedBy: k("a"), addedAt: 1 } },
  removed: { [k("b")]: { by: k("a"), at: 2 } },
});

describe("rosterKind.read", () => {
  it("reads a valid roster as ok", () => {
    expect(rosterKind.read(valid())).toEqual({ state: "ok", doc: valid(), problems: [] });
  });
  it("marks a roster with a malformed device key as damaged", () => {
    const bad = { ...valid(), members: { nope: { name: "x", addedBy: k("a"), addedAt: 1 } } };
    expect(rosterKind.read(bad).state).toBe("damaged");
  });
  it("marks a roster without its tombstone map as damaged", () => {
    const { removed: _removed, ...rest } = valid();
    expect(rosterKind.read(rest).state).toBe("damaged");
  });
  it("reports a newer roster as newer, not damaged", () => {
    expect(rosterKind.read({ ...valid(), version: 2 })).toEqual({ state: "newer", version: 2 });
  });
});
