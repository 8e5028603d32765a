import { generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import { describe, expect, it } from "vitest";
import { decodeBeacon, encodeBeacon, MAX_BEACON_DOCUMENTS, recordSize } from "./beacon.ts";

const ID_A = "2vC3rtveixVqrcNYgU4mTZg73sxz";
const ID_B = "rNnvGhRHiJVETjZ9x7aGj6oLGWL";

describe("beacon framing", () => {
  it("reads back what it wrote, record by record, with its size counted exactly", () => {
    const records = [
      { documentId: ID_A, changes: new Uint8Array([1, 2, 3]) },
      { documentId: ID_B, changes: new Uint8Array(0) },
    ];
    const body = encodeBeacon(records);
    expect(body.byteLength).toBe(records.reduce((n, r) => n + recordSize(r), 0));
    expect(decodeBeacon(body)).toEqual({ ok: true, records });
    expect(decodeBeacon(new Uint8Array(0))).toEqual({ ok: true, records: [] });
  });

  it("refuses a body cut short, with bytes left over, a bad id, a repeated id or too many", () => {
    const body = encodeBeacon([{ documentId: ID_A, changes: new Uint8Array([9, 9]) }]);
    expect(decodeBeacon(body.slice(0, -1)).ok).toBe(false);
    expect(decodeBeacon(new Uint8Array([...body, 0])).ok).toBe(false);
    expect(
      decodeBeacon(encodeBeacon([{ documentId: "../x", changes: new Uint8Array(0) }])).ok,
    ).toBe(false);
    const twice = { documentId: ID_A, changes: new Uint8Array(0) };
    expect(decodeBeacon(encodeBeacon([twice, twice])).ok).toBe(false);
    const many = Array.from({ length: MAX_BEACON_DOCUMENTS + 1 }, () => ({
      documentId: parseAutomergeUrl(generateAutomergeUrl()).documentId,
      changes: new Uint8Array(0),
    }));
    expect(decodeBeacon(encodeBeacon(many.slice(1))).ok).toBe(true);
    expect(decodeBeacon(encodeBeacon(many))).toEqual({
      ok: false,
      reason: `more than ${MAX_BEACON_DOCUMENTS} documents`,
    });
  });
});
