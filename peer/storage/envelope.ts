import { createHash } from "node:crypto";

// On-disk envelope around every chunk, so a torn or rotted file is caught before automerge sees it
// (automerge's partial load would otherwise silently drop everything after a bad chunk):
//   4 bytes  magic "MTH1"
//   32 bytes SHA-256 of the payload
//   8 bytes  payload length, little-endian
//   payload
export const ENVELOPE_MAGIC = Uint8Array.of(0x4d, 0x54, 0x48, 0x31);
export const ENVELOPE_HEADER_BYTES = 4 + 32 + 8;

export type EnvelopeResult = { ok: true; payload: Uint8Array } | { ok: false; reason: string };

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex").toUpperCase();

export const encodeEnvelope = (payload: Uint8Array): Uint8Array => {
  const out = Buffer.alloc(ENVELOPE_HEADER_BYTES + payload.byteLength);
  out.set(ENVELOPE_MAGIC, 0);
  out.set(createHash("sha256").update(payload).digest(), 4);
  out.writeBigUInt64LE(BigInt(payload.byteLength), 36);
  out.set(payload, ENVELOPE_HEADER_BYTES);
  return out;
};

export const decodeEnvelope = (bytes: Uint8Array): EnvelopeResult => {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.byteLength === 0) return { ok: false, reason: "empty file" };
  // Magic first: a file of the wrong kind should say so rather than claim to be truncated.
  const magicLen = Math.min(ENVELOPE_MAGIC.byteLength, buf.byteLength);
  if (!buf.subarray(0, magicLen).equals(ENVELOPE_MAGIC.subarray(0, magicLen))) {
    return {
      ok: false,
      reason: `bad magic bytes: expected ${hex(ENVELOPE_MAGIC)}, found ${hex(buf.subarray(0, 4))}`,
    };
  }
  if (buf.byteLength < ENVELOPE_HEADER_BYTES) {
    return {
      ok: false,
      reason: `file truncated: header needs ${ENVELOPE_HEADER_BYTES} bytes, found ${buf.byteLength}`,
    };
  }
  const declared = buf.readBigUInt64LE(36);
  const expectedTotal = BigInt(ENVELOPE_HEADER_BYTES) + declared;
  const actualTotal = BigInt(buf.byteLength);
  if (actualTotal < expectedTotal) {
    return {
      ok: false,
      reason: `file truncated: expected ${expectedTotal} bytes, found ${actualTotal}`,
    };
  }
  if (actualTotal > expectedTotal) {
    return {
      ok: false,
      reason: `file too long: expected ${expectedTotal} bytes, found ${actualTotal}`,
    };
  }
  const payload = buf.subarray(ENVELOPE_HEADER_BYTES);
  const digest = createHash("sha256").update(payload).digest();
  if (!digest.equals(buf.subarray(4, 36))) return { ok: false, reason: "checksum mismatch" };
  // A plain Uint8Array copy: callers (and the conformance suite) compare by type, and a Buffer view
  // would keep the whole file's memory alive.
  return { ok: true, payload: new Uint8Array(payload) };
};
