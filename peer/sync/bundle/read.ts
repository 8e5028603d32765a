// Reading a bundle (format.ts): its header alone (peekBundle, to pick the community key), or the
// whole file, every chunk authenticated and decrypted, its records parsed as they arrive.
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { isValidDocumentId } from "@automerge/automerge-repo";
import { ErrorCode, err, ok, type Result } from "../../../shared/result.ts";
import { fileErrorReason } from "../../storage/userFile.ts";
import {
  ABYTES,
  BundleError,
  CHUNK_BYTES,
  decodeHeader,
  deriveKeys,
  FAILED_CHECK,
  INCOMPLETE,
  MAX_BUNDLE_BYTES,
  MAX_BUNDLE_DOCUMENTS,
  MAX_HEADER_BYTES,
  MAX_ID_BYTES,
  NOT_A_BUNDLE,
  readU32,
  sodium,
  TAG_FINAL,
  TAG_MESSAGE,
  type BundleContents,
  type Header,
} from "./format.ts";

const READ_BLOCK_BYTES = 1024 * 1024;

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
      `The bundle at ${path} could not be opened (${fileErrorReason(e)}).`,
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
  return err(ErrorCode.Storage, `The bundle at ${path} could not be read (${fileErrorReason(e)}).`);
}
