import { cbor, generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import { describe, expect, it } from "vitest";
import {
  MAX_CATCH_UP_BATCH,
  MAX_HEADS_DOCUMENTS,
  decodeFrame,
  encodeCatchUp,
  encodeHeadsAnswer,
  encodeHeadsQuery,
  encodeHello,
  validateHeadsFrame,
  validateHello,
  validateCatchUp,
  validateRepoMessage,
  type CatchUpFrame,
} from "./messages.ts";

const DOC = parseAutomergeUrl(generateAutomergeUrl()).documentId;
const base = { senderId: "device-aa", targetId: "device-bb" };

describe("validateRepoMessage", () => {
  it("rebuilds each known type from checked fields only", () => {
    const data = new Uint8Array([1, 2]);
    const sync = validateRepoMessage(
      { ...base, type: "sync", documentId: DOC, data, extra: 1 },
      10,
    );
    expect(sync).toEqual({ ...base, type: "sync", documentId: DOC, data });
    expect(
      validateRepoMessage(
        { ...base, type: "ephemeral", documentId: DOC, data, count: 3, sessionId: "s" },
        10,
      ),
    ).toMatchObject({ type: "ephemeral", count: 3 });
    expect(validateRepoMessage({ ...base, type: "doc-unavailable", documentId: DOC }, 10)).toEqual({
      ...base,
      type: "doc-unavailable",
      documentId: DOC,
    });
    expect(
      validateRepoMessage(
        {
          ...base,
          type: "remote-heads-changed",
          documentId: DOC,
          newHeads: { st: { heads: ["h"], timestamp: 1 } },
        },
        10,
      ),
    ).toMatchObject({ newHeads: { st: { heads: ["h"], timestamp: 1 } } });
    expect(
      validateRepoMessage({ ...base, type: "remote-subscription-change", add: ["st"] }, 10),
    ).toEqual({ ...base, type: "remote-subscription-change", add: ["st"] });
  });

  it("refuses unknown types, bad ids, missing or oversized data", () => {
    const data = new Uint8Array(11);
    const bad: unknown[] = [
      null,
      "sync",
      [],
      { ...base, type: "hello", documentId: DOC, data: new Uint8Array(1) },
      { ...base, type: "sync", documentId: "not-a-doc-id", data: new Uint8Array(1) },
      { ...base, type: "sync", documentId: DOC },
      { ...base, type: "sync", documentId: DOC, data },
      { ...base, type: "sync", documentId: DOC, data: [1, 2] },
      { ...base, senderId: "x".repeat(500), type: "doc-unavailable", documentId: DOC },
      {
        ...base,
        type: "ephemeral",
        documentId: DOC,
        data: new Uint8Array(1),
        count: -1,
        sessionId: "s",
      },
      { ...base, type: "remote-subscription-change", add: [1] },
      { ...base, type: "remote-heads-changed", documentId: DOC, newHeads: { st: { heads: "h" } } },
    ];
    for (const value of bad)
      expect(validateRepoMessage(value, 10), JSON.stringify(value)).toBeUndefined();
  });
});

describe("hello", () => {
  it("round-trips and refuses anything else", () => {
    const bytes = encodeHello({ community: DOC, isEphemeral: false, storageId: "st-1" as never });
    expect(validateHello(decodeFrame(bytes))).toEqual({
      community: DOC,
      isEphemeral: false,
      storageId: "st-1",
    });
    expect(
      validateHello({ type: "meitheal/hello", v: 1, community: "x", isEphemeral: true }),
    ).toBeUndefined();
    expect(
      validateHello(cbor.decode(cbor.encode({ type: "meitheal/hello", v: 2, isEphemeral: true }))),
    ).toBeUndefined();
    expect(
      validateHello({ type: "meitheal/hello", v: 1, community: DOC, isEphemeral: "yes" }),
    ).toBeUndefined();
    expect(
      validateHello({
        type: "meitheal/hello",
        v: 1,
        community: DOC,
        isEphemeral: true,
        storageId: 5,
      }),
    ).toBeUndefined();
  });
});

describe("decodeFrame", () => {
  it("returns undefined for garbage and for nesting deep enough to overflow the decoder", () => {
    expect(decodeFrame(new Uint8Array([0xff, 0xff, 0x00]))).toBeUndefined();
    expect(decodeFrame(new Uint8Array(200_000).fill(0x81))).toBeUndefined();
  });
});

describe("heads query and answer", () => {
  it("round-trip, and refuse bad ids, long lists and other shapes", () => {
    expect(validateHeadsFrame(decodeFrame(encodeHeadsQuery([DOC])))).toEqual({
      kind: "query",
      documents: [DOC],
    });
    expect(validateHeadsFrame(decodeFrame(encodeHeadsAnswer({ [DOC]: ["h1", "h2"] })))).toEqual({
      kind: "answer",
      heads: { [DOC]: ["h1", "h2"] },
    });
    expect(
      validateHeadsFrame({ type: "meitheal/heads?", documents: ["not an id"] }),
    ).toBeUndefined();
    expect(
      validateHeadsFrame({
        type: "meitheal/heads?",
        documents: Array<string>(MAX_HEADS_DOCUMENTS + 1).fill(DOC),
      }),
    ).toBeUndefined();
    expect(validateHeadsFrame({ type: "meitheal/heads", heads: { [DOC]: [1] } })).toBeUndefined();
    expect(validateHeadsFrame({ type: "meitheal/heads", heads: { nope: [] } })).toBeUndefined();
    expect(validateHeadsFrame({ type: "sync" })).toBeUndefined();
    // The query never carries more than the cap, however many are asked.
    const many = Array<string>(MAX_HEADS_DOCUMENTS * 2).fill(DOC);
    expect(validateHeadsFrame(decodeFrame(encodeHeadsQuery(many)))).toMatchObject({
      kind: "query",
    });
  });
});

describe("catch-up frames", () => {
  const bytes = new Uint8Array([0x85, 0x6f, 0x4a, 0x83]);
  const roundTrip = (frame: CatchUpFrame) =>
    validateCatchUp(decodeFrame(encodeCatchUp(frame)), 1_000);

  it("round-trip every kind, and the hello says whether the device speaks it", () => {
    const ask: CatchUpFrame = { kind: "ask", have: [DOC], heads: { [DOC]: ["h1"] } };
    expect(roundTrip(ask)).toEqual(ask);
    const docs = roundTrip({ kind: "docs", docs: [[DOC, bytes]] });
    expect(docs?.kind === "docs" && docs.docs.map(([id, b]) => [id, [...b]])).toEqual([
      [DOC, [...bytes]],
    ]);
    expect(roundTrip({ kind: "end", sent: 3 })).toEqual({ kind: "end", sent: 3 });
    expect(roundTrip({ kind: "done", heads: { [DOC]: ["h2"] } })).toEqual({
      kind: "done",
      heads: { [DOC]: ["h2"] },
    });
    const hello = { community: DOC, isEphemeral: false };
    expect(validateHello(decodeFrame(encodeHello({ ...hello, catchUp: true })))).toEqual({
      ...hello,
      catchUp: true,
    });
    expect(validateHello(decodeFrame(encodeHello(hello)))).toEqual(hello);
  });

  it("refuses ids that are not documents, data that is not bytes or too large, and lists too long", () => {
    const refused = [
      { type: "meitheal/catch-up?", have: ["not-a-document"], heads: {} },
      { type: "meitheal/catch-up?", have: [DOC], heads: { [DOC]: "h" } },
      { type: "meitheal/catch-up?", have: Array(20_001).fill(DOC), heads: {} },
      { type: "meitheal/catch-up", docs: [[DOC, "bytes"]] },
      { type: "meitheal/catch-up", docs: [[DOC, new Uint8Array(0)]] },
      { type: "meitheal/catch-up", docs: [[DOC, new Uint8Array(1_001)]] },
      { type: "meitheal/catch-up", docs: [["nope", bytes]] },
      { type: "meitheal/catch-up", docs: [[DOC, bytes, "extra"]] },
      { type: "meitheal/catch-up", docs: Array(MAX_CATCH_UP_BATCH + 1).fill([DOC, bytes]) },
      { type: "meitheal/catch-up.", sent: -1 },
      { type: "meitheal/catch-up.", sent: "3" },
      { type: "meitheal/catch-up!", heads: { nope: ["h"] } },
      { type: "meitheal/catch-up!" },
    ];
    for (const value of refused)
      expect(validateCatchUp(decodeFrame(cbor.encode(value)), 1_000), JSON.stringify(value)).toBe(
        undefined,
      );
  });
});
