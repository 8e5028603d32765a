import { describe, expect, it } from "vitest";
import { asDeviceKey } from "../../shared/ids.ts";
import { findGaps, syncState, type DocFacts } from "./status.ts";

const A = asDeviceKey("a".repeat(64));
const B = asDeviceKey("b".repeat(64));

const doc = (
  id: string,
  heads: string[] | undefined,
  theirs: Record<string, string[]>,
): DocFacts => ({
  id,
  title: id.toUpperCase(),
  heads,
  theirs: (key) => theirs[key],
});

describe("in sync — safe to leave", () => {
  it("is true only when every linked device reported the same heads for every document", () => {
    const docs = [doc("x", ["h1", "h2"], { [A]: ["h2", "h1"], [B]: ["h1", "h2"] })];
    expect(findGaps(docs, [A, B])).toEqual([]);
    expect(syncState(2, [], 0)).toBe("in-sync");
  });

  it("names a document held back on one device, and which device", () => {
    const docs = [
      doc("x", ["h1"], { [A]: ["h1"], [B]: ["h1"] }),
      doc("y", ["h3"], { [A]: ["h3"], [B]: ["h2"] }),
    ];
    const gaps = findGaps(docs, [A, B]);
    expect(gaps).toEqual([{ documentId: "y", title: "Y", peers: [B], reason: "differs" }]);
    expect(syncState(2, gaps, 0)).toBe("syncing");
  });

  it("counts a device that has not reported, and a document not here yet, as not in sync", () => {
    const gaps = findGaps([doc("x", ["h1"], { [A]: ["h1"] }), doc("z", undefined, {})], [A, B]);
    expect(gaps).toEqual([
      { documentId: "x", title: "X", peers: [B], reason: "differs" },
      { documentId: "z", title: "Z", peers: [A, B], reason: "fetching" },
    ]);
  });

  it("is 'partial', never 'in-sync', while a member device linked a short while ago is missing", () => {
    const docs = [doc("x", ["h1"], { [A]: ["h1"] })];
    expect(syncState(1, findGaps(docs, [A]), 1)).toBe("partial");
    expect(syncState(1, findGaps(docs, [A]), 0)).toBe("in-sync");
  });

  it("is 'alone' with nobody linked, whatever the documents", () => {
    expect(syncState(0, findGaps([doc("x", undefined, {})], []), 1)).toBe("alone");
  });
});
