import { describe, expect, it } from "vitest";
import { formatRef, type LinkRef } from "../../../shared/links/ref.ts";
import { href, parseRoute } from "../../route.ts";
import { refRoute, refStringRoute } from "./navigate.ts";

const DOC = "ULfvzSdMs2gjWUQwaS5tqGCkV24";
const C = "3Gwjs9RPQoaMBZjedhDJbtXWbpdr";

describe("refRoute", () => {
  it("opens a story, an entry in its log and a node on its map", () => {
    expect(refRoute(C, { type: "story", docId: DOC })).toEqual({
      page: "community",
      communityId: C,
      section: "stories",
      docId: DOC,
      focus: null,
    });
    expect(refRoute(C, { type: "entry", docId: DOC, itemId: "e-1" })).toEqual({
      page: "community",
      communityId: C,
      section: "logs",
      docId: DOC,
      focus: "e-1",
    });
    expect(refRoute(C, { type: "node", docId: DOC, itemId: "n_2" })).toEqual({
      page: "community",
      communityId: C,
      section: "maps",
      docId: DOC,
      focus: "n_2",
    });
  });

  it("survives the trip through the address bar", () => {
    const refs: LinkRef[] = [
      { type: "story", docId: DOC },
      { type: "entry", docId: DOC, itemId: "e-1" },
      { type: "node", docId: DOC, itemId: "n_2" },
    ];
    for (const ref of refs) expect(parseRoute(href(refRoute(C, ref)))).toEqual(refRoute(C, ref));
  });

  it("reads link strings, and refuses what is not one", () => {
    expect(refStringRoute(C, formatRef({ type: "story", docId: DOC }))).toEqual(
      refRoute(C, { type: "story", docId: DOC }),
    );
    expect(refStringRoute(C, "story/nope")).toBeNull();
    expect(refStringRoute(C, `map/${DOC}`)).toBeNull();
  });
});
