// The gate of the smoke suite: every method of the contract has a smoke case, and there is no case
// for a method the contract lacks. CASES is typed by Method, so the type check refuses a missing
// case too; this holds when the suite runs without it (vitest does not type-check).
import { describe, expect, it } from "vitest";
import { METHODS } from "../../shared/contract.ts";
import { CASES } from "./cases.ts";
import { ENTRIES } from "./entries.ts";

describe("the smoke suite's cases", () => {
  it("cover every method of the contract, once", () => {
    const missing = METHODS.filter((m) => !Object.hasOwn(CASES, m));
    const unknown = Object.keys(CASES).filter((m) => !(METHODS as readonly string[]).includes(m));
    expect({ missing, unknown }).toEqual({ missing: [], unknown: [] });
    console.log(
      `smoke cases: ${Object.keys(CASES).length} of ${METHODS.length} contract methods, ` +
        `run on each of ${ENTRIES.length} entries (${ENTRIES.join(", ")})`,
    );
  });
});
