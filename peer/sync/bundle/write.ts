// Writing a bundle (format.ts): the documents cut into chunks, each encrypted and framed, into a
// file that is put in place whole (storage/userFile.ts) or not at all.
import { isValidDocumentId } from "@automerge/automerge-repo";
import { ErrorCode, err, ok, type Result } from "../../../shared/result.ts";
import { fileErrorReason, ReplacementFile } from "../../storage/userFile.ts";
import {
  ABYTES,
  BundleError,
  CHUNK_BYTES,
  deriveKeys,
  encodeHeader,
  MAX_BUNDLE_BYTES,
  MAX_BUNDLE_DOCUMENTS,
  MAX_HEADER_BYTES,
  sodium,
  SS_HEADER_BYTES,
  TAG_FINAL,
  TAG_MESSAGE,
  u32,
  type BundleContents,
} from "./format.ts";

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
      `The bundle could not be written to ${path} (${fileErrorReason(e)}). Check the stick is not full or read-only, and try again.`,
    );
  } finally {
    encryptor?.wipe();
    sodium.sodium_memzero(keys.streamKey);
  }
}
