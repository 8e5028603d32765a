import { interpretAsDocumentId, type BinaryDocumentId } from "@automerge/automerge-repo";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  LINK_SCHEME,
  formatRef,
  hrefRef,
  isItemId,
  parseRef,
  refHref,
  sameRef,
  type LinkRef,
} from "./ref.ts";

const docId = (fill: number) =>
  interpretAsDocumentId(new Uint8Array(16).fill(fill) as BinaryDocumentId) as string;
const DOC = docId(1);
const OTHER = docId(2);

/** Any automerge-repo document id: base58check of 16 random bytes. */
const docIdArb = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((bytes) => interpretAsDocumentId(bytes as BinaryDocumentId) as string);
const itemIdArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const refArb: fc.Arbitrary<LinkRef> = fc.oneof(
  fc.record({ type: fc.constant("story" as const), docId: docIdArb }),
  fc.record({ type: fc.constant("entry" as const), docId: docIdArb, itemId: itemIdArb }),
  fc.record({ type: fc.constant("node" as const), docId: docIdArb, itemId: itemIdArb }),
);

describe("isItemId", () => {
  it.each(["e1", "a-b_C", "x".repeat(64), "0"])("accepts %s", (id) => {
    expect(isItemId(id)).toBe(true);
  });
  it.each(["", "x".repeat(65), "a/b", "a b", "é", "a.b", 5, null, undefined])(
    "refuses %j",
    (id) => {
      expect(isItemId(id)).toBe(false);
    },
  );
});

describe("formatRef", () => {
  it("writes each kind of link", () => {
    expect(formatRef({ type: "story", docId: DOC })).toBe(`story/${DOC}`);
    expect(formatRef({ type: "entry", docId: DOC, itemId: "e1" })).toBe(`entry/${DOC}/e1`);
    expect(formatRef({ type: "node", docId: DOC, itemId: "n-2" })).toBe(`node/${DOC}/n-2`);
  });
});

describe("parseRef", () => {
  it("reads each kind back", () => {
    expect(parseRef(`story/${DOC}`)).toEqual({ type: "story", docId: DOC });
    expect(parseRef(`entry/${DOC}/e1`)).toEqual({ type: "entry", docId: DOC, itemId: "e1" });
    expect(parseRef(`node/${DOC}/n_2`)).toEqual({ type: "node", docId: DOC, itemId: "n_2" });
  });

  it.each([
    ["not a string", 5],
    ["null", null],
    ["an object", { type: "story", docId: DOC }],
    ["empty", ""],
    ["an unknown type", `map/${DOC}`],
    ["a story with an item", `story/${DOC}/e1`],
    ["an entry without an item", `entry/${DOC}`],
    ["an entry with an empty item", `entry/${DOC}/`],
    ["a node with a bad item", `node/${DOC}/a b`],
    ["too many parts", `node/${DOC}/a/b`],
    ["a bad document id", "story/not-a-document"],
    [
      "a document id with a wrong checksum",
      `story/${DOC.slice(0, -1)}${DOC.endsWith("Y") ? "Z" : "Y"}`,
    ],
    ["upper-case type", `Story/${DOC}`],
    ["a leading slash", `/story/${DOC}`],
    ["a trailing slash", `story/${DOC}/`],
    ["too long", `node/${DOC}/${"a".repeat(200)}`],
    ["a URL", `https://example.org/story/${DOC}`],
  ])("refuses %s", (_name, text) => {
    expect(parseRef(text)).toBeNull();
  });

  it("round-trips every link: parse(format(ref)) is ref", () => {
    fc.assert(
      fc.property(refArb, (ref) => {
        expect(parseRef(formatRef(ref))).toEqual(ref);
        expect(hrefRef(refHref(ref))).toEqual(ref);
      }),
      { numRuns: 300 },
    );
  });

  it("every string it accepts formats back to itself, and it never throws", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.anything(),
          refArb
            .map(formatRef)
            .chain((s) =>
              fc
                .tuple(fc.nat(s.length), fc.string({ maxLength: 3 }))
                .map(([at, bit]) => s.slice(0, at) + bit + s.slice(at)),
            ),
        ),
        (text) => {
          const ref = parseRef(text);
          if (ref) expect(formatRef(ref)).toBe(text);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("refHref and hrefRef", () => {
  it("makes the href of a story's internal link, and reads it back", () => {
    const ref: LinkRef = { type: "entry", docId: DOC, itemId: "e1" };
    expect(refHref(ref)).toBe(`meitheal:entry/${DOC}/e1`);
    expect(LINK_SCHEME).toBe("meitheal:");
    expect(hrefRef(refHref(ref))).toEqual(ref);
  });

  it.each([
    ["an ordinary web link", "https://example.org"],
    ["a bare link string (no scheme)", `story/${DOC}`],
    ["the scheme with a bad link", "meitheal:story/nope"],
    ["the scheme in capitals", `MEITHEAL:story/${DOC}`],
    ["not a string", 42],
    ["undefined", undefined],
  ])("reads %s as no internal link", (_name, href) => {
    expect(hrefRef(href)).toBeNull();
  });
});

describe("sameRef", () => {
  it("compares by value", () => {
    expect(sameRef({ type: "story", docId: DOC }, { type: "story", docId: DOC })).toBe(true);
    expect(sameRef({ type: "story", docId: DOC }, { type: "story", docId: OTHER })).toBe(false);
    expect(
      sameRef(
        { type: "entry", docId: DOC, itemId: "a" },
        { type: "node", docId: DOC, itemId: "a" },
      ),
    ).toBe(false);
    expect(
      sameRef({ type: "node", docId: DOC, itemId: "a" }, { type: "node", docId: DOC, itemId: "b" }),
    ).toBe(false);
  });
});
