// The offline sync bundle: when there is no network at all, one device writes a community's
// documents to a file (say on a USB stick) and another reads it and merges it. Merging is the same
// as syncing: every document is merged with Automerge, never overwritten, so a bundle can be read
// in any order, twice, or after the devices have synced anyway, and nothing is lost.
//
// File format, version 1 (all integers little-endian):
//
//   cleartext header
//     8 bytes   magic "MTHLSYN1"
//     1 byte    format version (1)
//     2 bytes   length n of the community id (1..MAX_ID_BYTES)
//     n bytes   community id (UTF-8; the automerge-repo DocumentId of the community's index)
//     16 bytes  key check: crypto_kdf_derive_from_key(16, KEY_CHECK_SUBKEY, "MTHLSYNC", community key)
//     24 bytes  crypto_secretstream_xchacha20poly1305 header (random; the stream's nonce)
//   body: a libsodium secretstream (XChaCha20-Poly1305) under the key
//         crypto_kdf_derive_from_key(32, STREAM_SUBKEY, "MTHLSYNC", community key), as frames
//     4 bytes   length L of the ciphertext (17..CHUNK_BYTES + 17)
//     L bytes   ciphertext of one chunk of the plaintext, with the whole cleartext header as
//               associated data; every chunk is tagged MESSAGE except the last, tagged FINAL,
//               which ends the file (nothing may follow it)
//   plaintext (the chunks joined, cut every CHUNK_BYTES regardless of records)
//     4 bytes   document count
//     per document: 1 byte id length, the id (UTF-8), 4 bytes length, Automerge.save bytes
//
// Why this shape:
// - The community id is in clear so a reader can pick which community key to try (peekBundle)
//   and say "this bundle is for another community" instead of "damaged"; it, the version and the
//   stream header are the associated data of every chunk, so none can be swapped or edited.
// - secretstream (not one AEAD over the whole body) lets a bundle of hundreds of MB be written and
//   read chunk by chunk without a second copy in memory, and its chained nonces plus the FINAL tag
//   detect a reordered, repeated or cut-off chunk — a stick pulled out mid-write is "incomplete",
//   never a bundle with silently fewer documents.
// - The community key is never used directly: a KDF (libsodium's crypto_kdf, BLAKE2b) derives the
//   stream key and a separate key check, so the key can serve other purposes without reuse. The key
//   check lets "wrong key" be told apart from "damaged"; it reveals nothing about the key.
// - Only library primitives are used (sodium-universal); nothing here is home-made crypto.
//
// Failures are Results (shared/result.ts) whose messages say what happened and what to do. An
// authentication failure anywhere rejects the whole bundle; an authentic bundle with a document
// Automerge cannot load merges the others and reports that one in `problems` (it was written by a
// member device, so the rest is trustworthy, and refusing everything would help no one).
import { isValidDocumentId } from "@automerge/automerge-repo";
import { sodium } from "../../sodium.ts";
import { ErrorCode } from "../../../shared/result.ts";

export const BUNDLE_EXTENSION = ".meitheal-sync";
export const BUNDLE_FORMAT_VERSION = 1;
/** A file larger than this is refused on read, and a bundle that would be is refused on write. */
export const MAX_BUNDLE_BYTES = 2 * 1024 ** 3;
/** More documents than any community should have; a bound on what a file can make us allocate. */
export const MAX_BUNDLE_DOCUMENTS = 100_000;
/** Plaintext bytes per secretstream chunk. */
export const CHUNK_BYTES = 64 * 1024;

export type BundleContents = {
  communityId: string;
  /** DocumentId → Automerge.save bytes. */
  documents: Map<string, Uint8Array>;
};

// libsodium's typed view is shared with backups (peer/sodium.ts); re-exported for the bundle's
// other parts.
export { sodium };

const MAGIC = new TextEncoder().encode("MTHLSYN1");
const KDF_CONTEXT = new TextEncoder().encode("MTHLSYNC");
const STREAM_SUBKEY = 1;
const KEY_CHECK_SUBKEY = 2;
const KEY_CHECK_BYTES = 16;
export const SS_HEADER_BYTES = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES;
export const ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES;
export const TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
export const TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
/** Document ids are base58check of 16 bytes (~22 characters); anything near this is not one. */
export const MAX_ID_BYTES = 128;
const FIXED_HEADER_BYTES = MAGIC.byteLength + 1 + 2;
export const MAX_HEADER_BYTES =
  FIXED_HEADER_BYTES + MAX_ID_BYTES + KEY_CHECK_BYTES + SS_HEADER_BYTES;

export const NOT_A_BUNDLE = "This file is not a Meitheal sync bundle.";
export const FAILED_CHECK =
  "The bundle is damaged or was changed after it was written (it failed its check). Write it again from the other device.";
export const INCOMPLETE =
  "The bundle is incomplete: it ends early (perhaps the stick was removed while it was being written). Write it again from the other device.";

/** Thrown inside the bundle modules only; every exported function turns it into a Result. */
export class BundleError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const deriveKeys = (
  communityKey: Uint8Array,
): { streamKey: Uint8Array; keyCheck: Uint8Array } => {
  if (communityKey.byteLength !== sodium.crypto_kdf_KEYBYTES) {
    throw new BundleError(
      ErrorCode.Internal,
      `The community key has ${communityKey.byteLength} bytes instead of ${sodium.crypto_kdf_KEYBYTES}; the bundle cannot be locked or opened with it.`,
    );
  }
  const streamKey = new Uint8Array(sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES);
  sodium.crypto_kdf_derive_from_key(streamKey, STREAM_SUBKEY, KDF_CONTEXT, communityKey);
  const keyCheck = new Uint8Array(KEY_CHECK_BYTES);
  sodium.crypto_kdf_derive_from_key(keyCheck, KEY_CHECK_SUBKEY, KDF_CONTEXT, communityKey);
  return { streamKey, keyCheck };
};

export const u32 = (n: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
};
export const readU32 = (b: Uint8Array, at = 0): number =>
  new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);

// ---------------------------------------------------------------------------------------------
// Header

export type Header = {
  communityId: string;
  keyCheck: Uint8Array;
  streamHeader: Uint8Array;
  /** The header's bytes exactly as in the file: the associated data of every chunk. */
  bytes: Uint8Array;
};

export function encodeHeader(communityId: string, keyCheck: Uint8Array, streamHeader: Uint8Array) {
  const id = new TextEncoder().encode(communityId);
  const out = new Uint8Array(
    FIXED_HEADER_BYTES + id.byteLength + KEY_CHECK_BYTES + SS_HEADER_BYTES,
  );
  out.set(MAGIC, 0);
  out[MAGIC.byteLength] = BUNDLE_FORMAT_VERSION;
  new DataView(out.buffer).setUint16(MAGIC.byteLength + 1, id.byteLength, true);
  let at = FIXED_HEADER_BYTES;
  out.set(id, at);
  at += id.byteLength;
  out.set(keyCheck, at);
  at += KEY_CHECK_BYTES;
  out.set(streamHeader, at);
  return out;
}

/** Parses the header at the start of `bytes` (which may hold more of the file, or less). */
export function decodeHeader(bytes: Uint8Array): Header {
  // Magic first: a file of another kind should say so, not claim to be damaged or cut short.
  const magicLen = Math.min(MAGIC.byteLength, bytes.byteLength);
  if (
    bytes.byteLength < MAGIC.byteLength ||
    !bytes.subarray(0, magicLen).every((b, i) => b === MAGIC[i])
  ) {
    throw new BundleError(ErrorCode.BadInput, NOT_A_BUNDLE);
  }
  if (bytes.byteLength < FIXED_HEADER_BYTES) throw new BundleError(ErrorCode.Damaged, INCOMPLETE);
  const version = bytes[MAGIC.byteLength] ?? 0;
  if (version !== BUNDLE_FORMAT_VERSION) {
    throw version > BUNDLE_FORMAT_VERSION
      ? new BundleError(
          ErrorCode.NewerVersion,
          `This bundle was written by a newer version of Meitheal (bundle format ${version}). Update Meitheal on this device to read it.`,
        )
      : new BundleError(ErrorCode.Damaged, FAILED_CHECK);
  }
  const idLen = new DataView(bytes.buffer, bytes.byteOffset).getUint16(MAGIC.byteLength + 1, true);
  // Not authenticated yet (the key is not known here): a bad length or id is "damaged".
  if (idLen === 0 || idLen > MAX_ID_BYTES) throw new BundleError(ErrorCode.Damaged, FAILED_CHECK);
  const total = FIXED_HEADER_BYTES + idLen + KEY_CHECK_BYTES + SS_HEADER_BYTES;
  if (bytes.byteLength < total) throw new BundleError(ErrorCode.Damaged, INCOMPLETE);
  let communityId: string;
  try {
    communityId = new TextDecoder("utf-8", { fatal: true }).decode(
      bytes.subarray(FIXED_HEADER_BYTES, FIXED_HEADER_BYTES + idLen),
    );
  } catch {
    throw new BundleError(ErrorCode.Damaged, FAILED_CHECK);
  }
  if (!isValidDocumentId(communityId)) throw new BundleError(ErrorCode.Damaged, FAILED_CHECK);
  let at = FIXED_HEADER_BYTES + idLen;
  const keyCheck = bytes.slice(at, at + KEY_CHECK_BYTES);
  at += KEY_CHECK_BYTES;
  const streamHeader = bytes.slice(at, at + SS_HEADER_BYTES);
  return { communityId, keyCheck, streamHeader, bytes: bytes.slice(0, total) };
}
