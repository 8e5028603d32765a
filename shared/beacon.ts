// The last changes a browser window sends as it leaves (renderer/repo.ts, `sendLastWords`) and the
// served peer applies (peer/beacon.ts). Chromium does not reliably deliver WebSocket data sent
// during a navigation or unload; a beacon (navigator.sendBeacon) is the browser's sanctioned way to
// get a last request out of a page that is going.
//
// The body is a run of records, one per document:
//   u16 (big-endian) length of the document id, the id (ASCII),
//   u32 (big-endian) length of the changes, the changes (Automerge.saveSince).
// No other bytes: anything left over or cut short makes the whole body unreadable.
import { isDocumentId } from "./ids.ts";

/** The endpoint: POST `${BEACON_PATH}/<communityId>?token=…` (beacons cannot set headers). */
export const BEACON_PATH = "/beacon";

/**
 * What one page may have in flight through sendBeacon and keepalive fetches together (Chromium's
 * quota, 64 KiB); a larger beacon is refused by the browser, not sent.
 */
export const BEACON_QUOTA_BYTES = 64 * 1024;

/** The largest body the peer reads; anything declared or sent beyond it is refused (413). */
export const MAX_BEACON_BYTES = 256 * 1024;

/** The most documents one beacon may name. */
export const MAX_BEACON_DOCUMENTS = 256;

export type BeaconRecord = { documentId: string; changes: Uint8Array };

const ID_HEADER = 2;
const DATA_HEADER = 4;

/** The bytes a record takes in a body. */
export const recordSize = (record: BeaconRecord) =>
  ID_HEADER + record.documentId.length + DATA_HEADER + record.changes.byteLength;

export function encodeBeacon(records: readonly BeaconRecord[]): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(records.reduce((n, r) => n + recordSize(r), 0));
  const view = new DataView(body.buffer);
  let at = 0;
  for (const { documentId, changes } of records) {
    view.setUint16(at, documentId.length);
    at += ID_HEADER;
    for (let i = 0; i < documentId.length; i++) body[at + i] = documentId.charCodeAt(i) & 0x7f;
    at += documentId.length;
    view.setUint32(at, changes.byteLength);
    at += DATA_HEADER;
    body.set(changes, at);
    at += changes.byteLength;
  }
  return body;
}

/**
 * Reads a body, or says why it cannot: a cut-short record, bytes left over, an id that is not a
 * document id, a document named twice, or more than MAX_BEACON_DOCUMENTS.
 */
export function decodeBeacon(
  body: Uint8Array,
): { ok: true; records: BeaconRecord[] } | { ok: false; reason: string } {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const records: BeaconRecord[] = [];
  const seen = new Set<string>();
  let at = 0;
  while (at < body.byteLength) {
    if (records.length >= MAX_BEACON_DOCUMENTS)
      return { ok: false, reason: `more than ${MAX_BEACON_DOCUMENTS} documents` };
    if (at + ID_HEADER > body.byteLength) return { ok: false, reason: "cut short" };
    const idLength = view.getUint16(at);
    at += ID_HEADER;
    if (idLength === 0 || idLength > 64 || at + idLength > body.byteLength)
      return { ok: false, reason: "bad document id length" };
    const documentId = String.fromCharCode(...body.subarray(at, at + idLength));
    at += idLength;
    if (!isDocumentId(documentId)) return { ok: false, reason: "not a document id" };
    if (seen.has(documentId)) return { ok: false, reason: "a document named twice" };
    seen.add(documentId);
    if (at + DATA_HEADER > body.byteLength) return { ok: false, reason: "cut short" };
    const length = view.getUint32(at);
    at += DATA_HEADER;
    if (at + length > body.byteLength) return { ok: false, reason: "cut short" };
    records.push({ documentId, changes: body.slice(at, at + length) });
    at += length;
  }
  return { ok: true, records };
}
