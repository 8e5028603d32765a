// A backup protected by a passphrase: the whole backup zip (format.ts), encrypted, so whoever holds
// the file without the passphrase learns nothing of the community and holds no key to it.
//
// File format, version 1 (all integers little-endian):
//
//   cleartext header (the associated data of every chunk: none of it can be edited)
//     8 bytes   magic "MTHLBKP1"
//     1 byte    format version (1)
//     1 byte    pwhash algorithm (crypto_pwhash_ALG_ARGON2ID13)
//     4 bytes   pwhash opslimit
//     4 bytes   pwhash memlimit, in KiB
//     16 bytes  salt (random)
//     16 bytes  key check: crypto_kdf_derive_from_key(16, KEY_CHECK_SUBKEY, "MTHLBKPW", K)
//     24 bytes  crypto_secretstream_xchacha20poly1305 header (random)
//   body: a secretstream (XChaCha20-Poly1305) under crypto_kdf_derive_from_key(32, STREAM_SUBKEY,
//         "MTHLBKPW", K), as frames of 4 bytes length L, then L bytes of ciphertext of one chunk of
//         the zip; every chunk tagged MESSAGE except the last, tagged FINAL, which ends the file
//
//   where K = crypto_pwhash (Argon2id) of the passphrase (UTF-8, NFC) under the salt.
//
// Why this shape:
// - Argon2id, libsodium's crypto_pwhash, at its MODERATE cost (3 passes over 256 MiB, about a
//   second on a laptop): a file can be attacked offline for ever, so guessing must be slow; more
//   would make every check and restore wait. The cost is in the header, so a later version may
//   raise it and still read these; a header asking for more than SENSITIVE is refused (a crafted
//   file must not make the peer allocate gigabytes).
// - The key check tells a wrong passphrase ("type it again") from a damaged file ("use another
//   copy"); it reveals nothing of K. The stream's chained nonces and FINAL tag find a cut-off,
//   reordered or edited chunk, like the offline bundle's (sync/bundle/format.ts).
// - Inside is the same sealed zip as an unprotected backup: one reader checks both.
// - The magic starts the file, so a protected backup is told from any other file by its first
//   bytes (format.ts, looksLikeBackup), as a zip backup is by its manifest.
// Only library primitives (sodium-universal); nothing here is home-made crypto.
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { sodium } from "../sodium.ts";

export const PROTECTED_MAGIC = new TextEncoder().encode("MTHLBKP1");
const FORMAT_VERSION = 1;
const KDF_CONTEXT = new TextEncoder().encode("MTHLBKPW");
const STREAM_SUBKEY = 1;
const KEY_CHECK_SUBKEY = 2;
const KEY_CHECK_BYTES = 16;
const SALT_BYTES = sodium.crypto_pwhash_SALTBYTES;
const SS_HEADER_BYTES = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES;
const ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES;
const TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
const TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
const HEADER_BYTES =
  PROTECTED_MAGIC.byteLength + 1 + 1 + 4 + 4 + SALT_BYTES + KEY_CHECK_BYTES + SS_HEADER_BYTES;
/** Plaintext bytes per secretstream chunk. */
const CHUNK_BYTES = 64 * 1024;

/** The cost of hashing a passphrase, as written in new files. */
export const PWHASH = {
  opslimit: sodium.crypto_pwhash_OPSLIMIT_MODERATE,
  memlimit: sodium.crypto_pwhash_MEMLIMIT_MODERATE,
} as const;

export const MIN_PASSPHRASE_CHARS = 8;
const MAX_PASSPHRASE_CHARS = 1024;

export const NEEDS_PASSPHRASE =
  "This backup is protected by a passphrase. Give the passphrase to open it; nothing was changed.";
export const WRONG_PASSPHRASE =
  "That passphrase does not open this backup. Nothing was changed. Type it again: capitals, spaces and accents count.";
const DAMAGED =
  "The protected backup is damaged or incomplete (perhaps it was cut short while copying, or changed afterwards). Nothing was restored, and nothing on this device was changed. Use another copy of the backup, or write a new one.";

/** Argon2id needs 256 MiB: a computer short of memory may refuse it. */
export const hashFailed = (e: unknown) =>
  `The passphrase could not be worked through (${e instanceof Error ? e.message : String(e)}); this needs about 256 MB of free memory. Nothing was changed. Close other programs and try again.`;

/** Whether a file's first bytes are a protected backup's. */
export const isProtected = (head: Uint8Array): boolean =>
  head.byteLength >= PROTECTED_MAGIC.byteLength && PROTECTED_MAGIC.every((b, i) => head[i] === b);

/** A passphrase a window or the CLI gave, checked: a string of sane length. */
export function checkPassphrase(value: unknown): Result<string> {
  if (typeof value !== "string")
    return err(ErrorCode.BadInput, "The passphrase must be text. Nothing was written.");
  const chars = [...value].length;
  if (chars < MIN_PASSPHRASE_CHARS)
    return err(
      ErrorCode.BadInput,
      `A passphrase needs at least ${MIN_PASSPHRASE_CHARS} characters; this one has ${chars}. Nothing was written. A few words are easy to remember and hard to guess.`,
    );
  if (chars > MAX_PASSPHRASE_CHARS)
    return err(
      ErrorCode.BadInput,
      `A passphrase may have at most ${MAX_PASSPHRASE_CHARS} characters. Nothing was written.`,
    );
  return ok(value);
}

async function keysOf(
  passphrase: string,
  salt: Uint8Array,
  cost: { opslimit: number; memlimit: number },
): Promise<{ streamKey: Uint8Array; keyCheck: Uint8Array }> {
  const master = new Uint8Array(sodium.crypto_kdf_KEYBYTES);
  const secret = new TextEncoder().encode(passphrase.normalize("NFC"));
  try {
    await sodium.crypto_pwhash_async(
      master,
      secret,
      salt,
      cost.opslimit,
      cost.memlimit,
      sodium.crypto_pwhash_ALG_ARGON2ID13,
    );
    const streamKey = new Uint8Array(sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES);
    sodium.crypto_kdf_derive_from_key(streamKey, STREAM_SUBKEY, KDF_CONTEXT, master);
    const keyCheck = new Uint8Array(KEY_CHECK_BYTES);
    sodium.crypto_kdf_derive_from_key(keyCheck, KEY_CHECK_SUBKEY, KDF_CONTEXT, master);
    return { streamKey, keyCheck };
  } finally {
    sodium.sodium_memzero(master);
    sodium.sodium_memzero(secret);
  }
}

/** The backup zip `plain`, encrypted under `passphrase` (checked by checkPassphrase first). */
export async function protect(plain: Uint8Array, passphrase: string): Promise<Uint8Array> {
  const cost = PWHASH;
  const salt = new Uint8Array(SALT_BYTES);
  sodium.randombytes_buf(salt);
  const { streamKey, keyCheck } = await keysOf(passphrase, salt, cost);
  const header = new Uint8Array(HEADER_BYTES);
  const view = new DataView(header.buffer);
  let at = 0;
  header.set(PROTECTED_MAGIC, at);
  at += PROTECTED_MAGIC.byteLength;
  header[at++] = FORMAT_VERSION;
  header[at++] = sodium.crypto_pwhash_ALG_ARGON2ID13;
  view.setUint32(at, cost.opslimit, true);
  view.setUint32(at + 4, cost.memlimit / 1024, true);
  at += 8;
  header.set(salt, at);
  at += SALT_BYTES;
  header.set(keyCheck, at);
  at += KEY_CHECK_BYTES;
  const state = new Uint8Array(sodium.crypto_secretstream_xchacha20poly1305_STATEBYTES);
  const streamHeader = header.subarray(at, at + SS_HEADER_BYTES);
  sodium.crypto_secretstream_xchacha20poly1305_init_push(state, streamHeader, streamKey);
  sodium.sodium_memzero(streamKey);

  const chunks = Math.max(1, Math.ceil(plain.byteLength / CHUNK_BYTES));
  const out = new Uint8Array(HEADER_BYTES + plain.byteLength + chunks * (4 + ABYTES));
  out.set(header, 0);
  const outView = new DataView(out.buffer);
  let written = HEADER_BYTES;
  for (let i = 0; i < chunks; i++) {
    const m = plain.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
    const c = out.subarray(written + 4, written + 4 + m.byteLength + ABYTES);
    outView.setUint32(written, c.byteLength, true);
    sodium.crypto_secretstream_xchacha20poly1305_push(
      state,
      c,
      m,
      header,
      i === chunks - 1 ? TAG_FINAL : TAG_MESSAGE,
    );
    written += 4 + c.byteLength;
  }
  return out;
}

/** The backup zip inside a protected file; a wrong passphrase and a damaged file are told apart. */
export async function unprotect(
  file: Uint8Array,
  passphrase: unknown,
): Promise<Result<Uint8Array>> {
  if (typeof passphrase !== "string" || passphrase === "")
    return err(ErrorCode.BadInput, NEEDS_PASSPHRASE);
  if (file.byteLength < HEADER_BYTES) return err(ErrorCode.Damaged, DAMAGED);
  const header = file.subarray(0, HEADER_BYTES);
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  let at = PROTECTED_MAGIC.byteLength;
  const version = header[at++] ?? 0;
  if (version > FORMAT_VERSION)
    return err(
      ErrorCode.NewerVersion,
      `This backup was protected by a newer version of Meitheal (format ${version}). Update Meitheal on this device to restore it; nothing was changed.`,
    );
  const alg = header[at++];
  const opslimit = view.getUint32(at, true);
  const memlimit = view.getUint32(at + 4, true) * 1024;
  at += 8;
  // Not authenticated yet (the key comes from them): bounds, so a crafted header cannot make the
  // peer spend minutes or gigabytes before the key check fails.
  if (
    version !== FORMAT_VERSION ||
    alg !== sodium.crypto_pwhash_ALG_ARGON2ID13 ||
    opslimit < sodium.crypto_pwhash_OPSLIMIT_MIN ||
    opslimit > sodium.crypto_pwhash_OPSLIMIT_SENSITIVE ||
    memlimit < sodium.crypto_pwhash_MEMLIMIT_MIN ||
    memlimit > sodium.crypto_pwhash_MEMLIMIT_SENSITIVE
  )
    return err(ErrorCode.Damaged, DAMAGED);
  const salt = header.subarray(at, at + SALT_BYTES);
  at += SALT_BYTES;
  const keyCheck = header.subarray(at, at + KEY_CHECK_BYTES);
  at += KEY_CHECK_BYTES;
  const streamHeader = header.subarray(at, at + SS_HEADER_BYTES);

  let keys: { streamKey: Uint8Array; keyCheck: Uint8Array };
  try {
    keys = await keysOf(passphrase, salt, { opslimit, memlimit });
  } catch (e) {
    return err(ErrorCode.Internal, hashFailed(e));
  }
  if (!sodium.sodium_memcmp(keys.keyCheck, keyCheck)) {
    sodium.sodium_memzero(keys.streamKey);
    return err(ErrorCode.BadInput, WRONG_PASSPHRASE);
  }
  const state = new Uint8Array(sodium.crypto_secretstream_xchacha20poly1305_STATEBYTES);
  sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, streamHeader, keys.streamKey);
  sodium.sodium_memzero(keys.streamKey);

  const plain = new Uint8Array(Math.max(0, file.byteLength - HEADER_BYTES));
  const tag = new Uint8Array(1);
  let read = HEADER_BYTES;
  let length = 0;
  for (;;) {
    if (read + 4 > file.byteLength) return err(ErrorCode.Damaged, DAMAGED);
    const size = new DataView(file.buffer, file.byteOffset + read, 4).getUint32(0, true);
    read += 4;
    if (size < ABYTES || size > CHUNK_BYTES + ABYTES || read + size > file.byteLength)
      return err(ErrorCode.Damaged, DAMAGED);
    const m = plain.subarray(length, length + size - ABYTES);
    try {
      sodium.crypto_secretstream_xchacha20poly1305_pull(
        state,
        m,
        tag,
        file.subarray(read, read + size),
        header,
      );
    } catch {
      return err(ErrorCode.Damaged, DAMAGED);
    }
    read += size;
    length += m.byteLength;
    if (tag[0] === TAG_FINAL) break;
  }
  // Nothing may follow the final chunk.
  if (read !== file.byteLength) return err(ErrorCode.Damaged, DAMAGED);
  return ok(plain.subarray(0, length));
}
