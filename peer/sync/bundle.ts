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
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import * as A from "@automerge/automerge";
import { isValidDocumentId, type DocumentId, type Repo } from "@automerge/automerge-repo";
import * as sodiumModule from "sodium-universal";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { fileErrorReason, ReplacementFile } from "../storage/userFile.ts";

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

export type MergeReport = {
  /** Documents this device already had; the bundle's version was merged into them. */
  merged: number;
  /** Of `merged`, those that gained changes (the rest already had everything in the bundle). */
  changed: number;
  /** Documents this device did not have, added under the same id. */
  added: number;
  /** Documents `accept` refused (not listed in the community), left out. */
  skipped: number;
  /** One sentence per document that could not be merged (it is left out; the others are merged). */
  problems: string[];
};

// ---------------------------------------------------------------------------------------------
// libsodium, through sodium-universal. peer/trust/vendor.d.ts types only the few functions the
// invite code uses; this is the typed view of what bundles use (signatures as in sodium-native).

type SodiumForBundles = {
  crypto_kdf_derive_from_key(
    subkey: Uint8Array,
    subkeyId: number,
    ctx: Uint8Array,
    key: Uint8Array,
  ): void;
  crypto_kdf_KEYBYTES: number;
  crypto_kdf_CONTEXTBYTES: number;
  crypto_secretstream_xchacha20poly1305_init_push(
    state: Uint8Array,
    header: Uint8Array,
    key: Uint8Array,
  ): void;
  crypto_secretstream_xchacha20poly1305_init_pull(
    state: Uint8Array,
    header: Uint8Array,
    key: Uint8Array,
  ): void;
  /** Throws when it fails; returns the ciphertext length. */
  crypto_secretstream_xchacha20poly1305_push(
    state: Uint8Array,
    c: Uint8Array,
    m: Uint8Array,
    ad: Uint8Array | null,
    tag: number,
  ): number;
  /** Throws when the chunk fails authentication. */
  crypto_secretstream_xchacha20poly1305_pull(
    state: Uint8Array,
    m: Uint8Array,
    tag: Uint8Array,
    c: Uint8Array,
    ad: Uint8Array | null,
  ): number;
  crypto_secretstream_xchacha20poly1305_STATEBYTES: number;
  crypto_secretstream_xchacha20poly1305_HEADERBYTES: number;
  crypto_secretstream_xchacha20poly1305_KEYBYTES: number;
  crypto_secretstream_xchacha20poly1305_ABYTES: number;
  crypto_secretstream_xchacha20poly1305_TAG_MESSAGE: number;
  crypto_secretstream_xchacha20poly1305_TAG_FINAL: number;
  sodium_memcmp(a: Uint8Array, b: Uint8Array): boolean;
  sodium_memzero(buf: Uint8Array): void;
};
const sodium = sodiumModule as unknown as SodiumForBundles;

const MAGIC = new TextEncoder().encode("MTHLSYN1");
const KDF_CONTEXT = new TextEncoder().encode("MTHLSYNC");
const STREAM_SUBKEY = 1;
const KEY_CHECK_SUBKEY = 2;
const KEY_CHECK_BYTES = 16;
const SS_HEADER_BYTES = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES;
const ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES;
const TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
const TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
/** Document ids are base58check of 16 bytes (~22 characters); anything near this is not one. */
const MAX_ID_BYTES = 128;
const FIXED_HEADER_BYTES = MAGIC.byteLength + 1 + 2;
const MAX_HEADER_BYTES = FIXED_HEADER_BYTES + MAX_ID_BYTES + KEY_CHECK_BYTES + SS_HEADER_BYTES;
const READ_BLOCK_BYTES = 1024 * 1024;

const NOT_A_BUNDLE = "This file is not a Meitheal sync bundle.";
const FAILED_CHECK =
  "The bundle is damaged or was changed after it was written (it failed its check). Write it again from the other device.";
const INCOMPLETE =
  "The bundle is incomplete: it ends early (perhaps the stick was removed while it was being written). Write it again from the other device.";

/** Thrown inside this module only; every exported function turns it into a Result. */
class BundleError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const reasonOf = fileErrorReason;

const deriveKeys = (communityKey: Uint8Array): { streamKey: Uint8Array; keyCheck: Uint8Array } => {
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

const u32 = (n: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
};
const readU32 = (b: Uint8Array, at = 0): number =>
  new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);

// ---------------------------------------------------------------------------------------------
// Header

type Header = {
  communityId: string;
  keyCheck: Uint8Array;
  streamHeader: Uint8Array;
  /** The header's bytes exactly as in the file: the associated data of every chunk. */
  bytes: Uint8Array;
};

function encodeHeader(communityId: string, keyCheck: Uint8Array, streamHeader: Uint8Array) {
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
function decodeHeader(bytes: Uint8Array): Header {
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

// ---------------------------------------------------------------------------------------------
// Writing

/** Cuts the plaintext into CHUNK_BYTES chunks, encrypts each and hands frames to the file. */
class ChunkEncryptor {
  private readonly state = new Uint8Array(sodium.crypto_secretstream_xchacha20poly1305_STATEBYTES);
  private readonly plain = new Uint8Array(CHUNK_BYTES);
  private filled = 0;
  readonly streamHeader = new Uint8Array(SS_HEADER_BYTES);
  private ad: Uint8Array = new Uint8Array(0);

  constructor(
    key: Uint8Array,
    private readonly out: ReplacementFile,
  ) {
    sodium.crypto_secretstream_xchacha20poly1305_init_push(this.state, this.streamHeader, key);
  }

  /** The header as written, once known (it contains the stream header made above). */
  setAssociatedData(ad: Uint8Array): void {
    this.ad = ad;
  }

  async push(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.byteLength) {
      const n = Math.min(CHUNK_BYTES - this.filled, bytes.byteLength - at);
      this.plain.set(bytes.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === CHUNK_BYTES) await this.emit(TAG_MESSAGE);
    }
  }

  /** The last chunk (possibly empty), tagged FINAL. */
  finish(): Promise<void> {
    return this.emit(TAG_FINAL);
  }

  private async emit(tag: number): Promise<void> {
    const m = this.plain.subarray(0, this.filled);
    const frame = new Uint8Array(4 + m.byteLength + ABYTES);
    frame.set(u32(m.byteLength + ABYTES), 0);
    sodium.crypto_secretstream_xchacha20poly1305_push(
      this.state,
      frame.subarray(4),
      m,
      this.ad,
      tag,
    );
    this.filled = 0;
    await this.out.append(frame);
  }

  wipe(): void {
    sodium.sodium_memzero(this.state);
    sodium.sodium_memzero(this.plain);
  }
}

function checkContents(contents: BundleContents): void {
  const bad = (what: string) =>
    new BundleError(ErrorCode.BadInput, `The bundle could not be written: ${what}.`);
  if (!isValidDocumentId(contents.communityId)) {
    throw bad(`"${contents.communityId}" is not a community id`);
  }
  if (contents.documents.size > MAX_BUNDLE_DOCUMENTS) {
    throw bad(
      `the community has ${contents.documents.size} documents, more than a bundle can hold (${MAX_BUNDLE_DOCUMENTS})`,
    );
  }
  let total = MAX_HEADER_BYTES + 4;
  for (const [id, bytes] of contents.documents) {
    if (!isValidDocumentId(id)) throw bad(`"${id}" is not a document id`);
    total += 1 + id.length + 4 + bytes.byteLength;
  }
  // Frames add 4 + ABYTES per chunk.
  total += Math.ceil(total / CHUNK_BYTES + 1) * (4 + ABYTES);
  if (total > MAX_BUNDLE_BYTES) {
    throw bad(
      `its documents come to about ${Math.round(total / 1024 ** 2)} MB, more than a bundle can hold (${MAX_BUNDLE_BYTES / 1024 ** 3} GiB)`,
    );
  }
}

/**
 * Encrypts the community's documents with the community key and writes them to `path`, atomically:
 * `path` ends up holding the whole new bundle, or — on any failure — whatever it held before, and
 * no temp file is left behind. `onProgress(done, total)` is called with 0 first, then after each
 * document is written; if it throws, or `signal` aborts, the write stops and fails cleanly.
 */
export async function writeBundle(
  path: string,
  contents: BundleContents,
  communityKey: Uint8Array,
  options: { onProgress?(done: number, total: number): void; signal?: AbortSignal } = {},
): Promise<Result<{ bytes: number; documents: number }>> {
  let keys: ReturnType<typeof deriveKeys>;
  try {
    checkContents(contents);
    keys = deriveKeys(communityKey);
  } catch (e) {
    if (e instanceof BundleError) return err(e.code, e.message);
    throw e;
  }
  const total = contents.documents.size;
  let file: ReplacementFile | undefined;
  let encryptor: ChunkEncryptor | undefined;
  try {
    file = await ReplacementFile.create(path, 0o600);
    encryptor = new ChunkEncryptor(keys.streamKey, file);
    const header = encodeHeader(contents.communityId, keys.keyCheck, encryptor.streamHeader);
    encryptor.setAssociatedData(header);
    await file.append(header);

    options.onProgress?.(0, total);
    await encryptor.push(u32(total));
    let done = 0;
    for (const [id, bytes] of contents.documents) {
      options.signal?.throwIfAborted();
      const idBytes = new TextEncoder().encode(id);
      const prefix = new Uint8Array(1 + idBytes.byteLength + 4);
      prefix[0] = idBytes.byteLength;
      prefix.set(idBytes, 1);
      prefix.set(u32(bytes.byteLength), 1 + idBytes.byteLength);
      await encryptor.push(prefix);
      await encryptor.push(bytes);
      done++;
      options.onProgress?.(done, total);
    }
    options.signal?.throwIfAborted();
    await encryptor.finish();
    const bytes = file.bytes;
    await file.commit();
    return ok({ bytes, documents: total });
  } catch (e) {
    await file?.discard();
    if (options.signal?.aborted && e === options.signal.reason) {
      return err(ErrorCode.Unavailable, `Writing the bundle to ${path} was cancelled.`);
    }
    return err(
      ErrorCode.Storage,
      `The bundle could not be written to ${path} (${reasonOf(e)}). Check the stick is not full or read-only, and try again.`,
    );
  } finally {
    encryptor?.wipe();
    sodium.sodium_memzero(keys.streamKey);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Reads a file in blocks and hands out exact byte ranges, or fewer bytes at the end of the file. */
class BlockReader {
  private buffered: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
    private filePosition = 0,
  ) {}

  /** Bytes of the file not yet handed out. */
  get remaining(): number {
    return this.size - this.filePosition + this.buffered.byteLength;
  }

  /** Exactly `n` bytes, or all that is left if fewer. */
  async take(n: number): Promise<Uint8Array> {
    while (this.buffered.byteLength < n && this.filePosition < this.size) {
      const want = Math.min(Math.max(READ_BLOCK_BYTES, n), this.size - this.filePosition);
      const block = Buffer.alloc(want);
      const { bytesRead } = await this.handle.read(block, 0, want, this.filePosition);
      if (bytesRead === 0) break; // The file shrank while being read: treated as cut short.
      this.filePosition += bytesRead;
      this.buffered =
        this.buffered.byteLength === 0
          ? block.subarray(0, bytesRead)
          : Buffer.concat([this.buffered, block.subarray(0, bytesRead)]);
    }
    const out = this.buffered.subarray(0, Math.min(n, this.buffered.byteLength));
    this.buffered = this.buffered.subarray(out.byteLength);
    return out;
  }
}

type OpenedFile = { handle: FileHandle; size: number };

async function openBundleFile(path: string): Promise<OpenedFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      throw new BundleError(ErrorCode.NotFound, `There is no file at ${path}.`);
    }
    throw new BundleError(
      ErrorCode.Storage,
      `The bundle at ${path} could not be opened (${reasonOf(e)}).`,
    );
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new BundleError(ErrorCode.BadInput, NOT_A_BUNDLE);
    if (info.size > MAX_BUNDLE_BYTES) {
      throw new BundleError(
        ErrorCode.BadInput,
        `This file is ${Math.round(info.size / 1024 ** 2)} MB, more than a sync bundle can be (${MAX_BUNDLE_BYTES / 1024 ** 3} GiB); it was not read. Check that it is the bundle you meant.`,
      );
    }
    return { handle, size: info.size };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** The records of the decrypted plaintext, parsed as chunks arrive (see the format at the top). */
class RecordParser {
  readonly documents = new Map<string, Uint8Array>();
  private stage: "count" | "idLength" | "id" | "docLength" | "doc" | "done" = "count";
  private target = new Uint8Array(4);
  private filled = 0;
  private left = 0;
  private id = "";

  /** `maxDocBytes` bounds what a length field can make us allocate: no more than the file. */
  constructor(private readonly maxDocBytes: number) {}

  feed(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.byteLength) {
      if (this.stage === "done") throw this.damaged("there is data after its last document");
      const n = Math.min(this.target.byteLength - this.filled, chunk.byteLength - at);
      this.target.set(chunk.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === this.target.byteLength) this.advance();
    }
  }

  finish(): Map<string, Uint8Array> {
    if (this.stage !== "done") throw this.damaged("it ends before its last document");
    return this.documents;
  }

  private expect(stage: RecordParser["stage"], bytes: number): void {
    this.stage = stage;
    this.target = new Uint8Array(bytes);
    this.filled = 0;
  }

  private advance(): void {
    switch (this.stage) {
      case "count":
        this.left = readU32(this.target);
        if (this.left > MAX_BUNDLE_DOCUMENTS) {
          throw this.damaged(`it claims ${this.left} documents`);
        }
        if (this.left === 0) this.stage = "done";
        else this.expect("idLength", 1);
        return;
      case "idLength": {
        const n = this.target[0] ?? 0;
        if (n === 0 || n > MAX_ID_BYTES) throw this.damaged("a document id has a bad length");
        this.expect("id", n);
        return;
      }
      case "id": {
        let id: string;
        try {
          id = new TextDecoder("utf-8", { fatal: true }).decode(this.target);
        } catch {
          throw this.damaged("a document id is not text");
        }
        if (!isValidDocumentId(id)) throw this.damaged(`"${id}" is not a document id`);
        if (this.documents.has(id)) throw this.damaged(`document ${id} appears twice`);
        this.id = id;
        this.expect("docLength", 4);
        return;
      }
      case "docLength": {
        const n = readU32(this.target);
        // Authentic but longer than the file: chunks are missing (cut or dropped), and the
        // length must not make us allocate more than the file could hold anyway.
        if (n > this.maxDocBytes) throw new BundleError(ErrorCode.Damaged, INCOMPLETE);
        this.expect("doc", n);
        if (n === 0) this.advance();
        return;
      }
      case "doc":
        this.documents.set(this.id, this.target);
        this.left--;
        if (this.left === 0) this.stage = "done";
        else this.expect("idLength", 1);
        return;
      case "done":
        return;
    }
  }

  // The plaintext passed authentication, so a malformed record was written that way: a bug or a
  // hostile member device, not a bad stick. Still "damaged" to the person reading it.
  private damaged(why: string): BundleError {
    return new BundleError(
      ErrorCode.Damaged,
      `The bundle is damaged: ${why}. Write it again from the other device.`,
    );
  }
}

async function readHeader(file: OpenedFile): Promise<Header> {
  return decodeHeader(await new BlockReader(file.handle, file.size).take(MAX_HEADER_BYTES));
}

/** Reads the cleartext header only (format version, community id) — so the caller can pick the community key. */
export async function peekBundle(path: string): Promise<Result<{ communityId: string }>> {
  try {
    const file = await openBundleFile(path);
    try {
      const header = await readHeader(file);
      return ok({ communityId: header.communityId });
    } finally {
      await file.handle.close();
    }
  } catch (e) {
    return asResult(e, path);
  }
}

/**
 * Reads, authenticates and decrypts a bundle. Nothing is returned unless every chunk passed its
 * check and the stream ended with its FINAL chunk at the end of the file. With
 * `expectCommunityId`, a bundle for any other community is refused before any decryption.
 */
export async function readBundle(
  path: string,
  communityKey: Uint8Array,
  options: { expectCommunityId?: string } = {},
): Promise<Result<BundleContents>> {
  let streamKey: Uint8Array | undefined;
  const state = new Uint8Array(sodium.crypto_secretstream_xchacha20poly1305_STATEBYTES);
  try {
    const keys = deriveKeys(communityKey);
    streamKey = keys.streamKey;
    const file = await openBundleFile(path);
    try {
      const header = await readHeader(file);
      if (
        options.expectCommunityId !== undefined &&
        header.communityId !== options.expectCommunityId
      ) {
        throw new BundleError(
          ErrorCode.BadInput,
          `This bundle is for another community (${header.communityId}), not this one. Open it from that community, or write a bundle from this community on the other device.`,
        );
      }
      if (!sodium.sodium_memcmp(header.keyCheck, keys.keyCheck)) {
        throw new BundleError(
          ErrorCode.BadInput,
          "This bundle was not locked with this device's key for its community, so it cannot be opened: it was written for another community, or its header was changed. Write it again from a device in this community.",
        );
      }
      const body = new BlockReader(file.handle, file.size, header.bytes.byteLength);

      sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, header.streamHeader, streamKey);
      const parser = new RecordParser(file.size);
      const tag = new Uint8Array(1);
      for (;;) {
        const lengthBytes = await body.take(4);
        if (lengthBytes.byteLength < 4) throw new BundleError(ErrorCode.Damaged, INCOMPLETE);
        const length = readU32(lengthBytes);
        if (length < ABYTES || length > CHUNK_BYTES + ABYTES) {
          throw new BundleError(ErrorCode.Damaged, FAILED_CHECK);
        }
        const c = await body.take(length);
        if (c.byteLength < length) throw new BundleError(ErrorCode.Damaged, INCOMPLETE);
        const m = new Uint8Array(length - ABYTES);
        try {
          sodium.crypto_secretstream_xchacha20poly1305_pull(state, m, tag, c, header.bytes);
        } catch {
          throw new BundleError(ErrorCode.Damaged, FAILED_CHECK);
        }
        parser.feed(m);
        if (tag[0] === TAG_FINAL) break;
        if (tag[0] !== TAG_MESSAGE) throw new BundleError(ErrorCode.Damaged, FAILED_CHECK);
      }
      if (body.remaining > 0) throw new BundleError(ErrorCode.Damaged, FAILED_CHECK);
      return ok({ communityId: header.communityId, documents: parser.finish() });
    } finally {
      await file.handle.close();
    }
  } catch (e) {
    return asResult(e, path);
  } finally {
    sodium.sodium_memzero(state);
    if (streamKey) sodium.sodium_memzero(streamKey);
  }
}

function asResult<T>(e: unknown, path: string): Result<T> {
  if (e instanceof BundleError) return err(e.code, e.message);
  return err(ErrorCode.Storage, `The bundle at ${path} could not be read (${reasonOf(e)}).`);
}

// ---------------------------------------------------------------------------------------------
// Merging

const headsKey = (heads: readonly string[]): string => [...heads].sort().join(",");

/**
 * Merges each document into the community's repo exactly like sync would: one this device has
 * gets `Automerge.merge` of the bundle's version (handle.update); a missing one is imported under
 * the same id (repo.import(bytes, { docId })), so it is the same document as on the other device.
 *
 * The community index (the document named by `contents.communityId`) is merged first; `accept` is
 * asked about each document just before it is merged, so a caller that accepts "listed in the
 * index or roster" sees entries the bundle itself brought. Documents `accept` refuses are counted
 * in `skipped`; one that Automerge cannot load is reported in `problems` and left out, and the
 * others are still merged. Everything merged is flushed to storage before this resolves.
 *
 * The caller picks `repo` by `contents.communityId` (readBundle checked the key for it).
 */
export async function mergeBundle(
  repo: Repo,
  contents: BundleContents,
  accept: (docId: string) => boolean,
): Promise<MergeReport> {
  const report: MergeReport = { merged: 0, changed: 0, added: 0, skipped: 0, problems: [] };
  const order = [...contents.documents.keys()].sort((a, b) =>
    a === contents.communityId ? -1 : b === contents.communityId ? 1 : 0,
  );
  const touched: DocumentId[] = [];
  for (const id of order) {
    const bytes = contents.documents.get(id);
    if (bytes === undefined) continue;
    if (!isValidDocumentId(id) || !accept(id)) {
      report.skipped++;
      continue;
    }
    let incoming: A.Doc<unknown>;
    try {
      incoming = A.load<unknown>(bytes);
    } catch (e) {
      report.problems.push(
        `Document ${id} in the bundle could not be read (${e instanceof Error ? e.message : String(e)}), so it was left out; the other documents were merged.`,
      );
      continue;
    }
    try {
      // "requesting"/"unavailable": not in storage here. find() loads from storage first, so a
      // document this device has but has not opened is merged into, not replaced in memory.
      const handle = await repo.find<unknown>(id, {
        allowableStates: ["ready", "requesting", "unavailable"],
      });
      if (handle.isReady()) {
        const before = headsKey(handle.heads());
        handle.update((doc) => A.merge(doc, incoming));
        report.merged++;
        if (headsKey(handle.heads()) !== before) report.changed++;
      } else {
        repo.import(bytes, { docId: id });
        report.added++;
      }
      touched.push(id);
    } catch (e) {
      report.problems.push(
        `Document ${id} could not be merged (${e instanceof Error ? e.message : String(e)}); the other documents were merged.`,
      );
    }
  }
  // An acknowledged merge is on disk (DESIGN.md, Durability), not waiting for the save throttle.
  await repo.flush(touched);
  return report;
}
