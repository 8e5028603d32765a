// Files a person names (exports, backups, bundles on a USB stick), written so that the path holds
// the old file or the whole new one, never part of one: the bytes go to a temp file next to the
// target ("wx": never an existing file), which is fsynced and only then renamed over the target,
// and removed on every failure, rename included. One place for the bundle, the export and the backup.
import { randomBytes } from "node:crypto";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Why a file operation failed, in words a person can act on; the message where there is none. */
export function fileErrorReason(e: unknown): string {
  switch ((e as NodeJS.ErrnoException | undefined)?.code) {
    case "ENOENT":
      return "the folder does not exist";
    case "ENOTDIR":
      return "part of the path is a file, not a folder";
    case "EISDIR":
      return "a folder has that name";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "the disk is read-only";
    case "ENOSPC":
      return "the disk is full";
    case "EDQUOT":
      return "the disk quota is used up";
    case "EFBIG":
      return "the file is too large for this disk";
    case "ENAMETOOLONG":
      return "the name is too long";
    case "EIO":
      return "the disk reported an input/output error";
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

/**
 * fsync of the folder makes the rename durable. Some file systems and platforms (Windows, some
 * FAT drivers) cannot fsync a folder at all; the file itself is already synced there, so that is
 * not a failure of the write.
 */
export async function syncFolder(dir: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(dir, "r");
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "EPERM" && code !== "EISDIR" && code !== "ENOTSUP") throw e;
  } finally {
    await handle.close();
  }
}

/** A temp file next to `path`, created new ("wx"), to be committed over `path` or discarded. */
export async function openTempBeside(path: string, mode: number) {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx", mode);
  return { tmp, handle };
}

/** Writes all of `bytes` at `position`, however many writes that takes. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array, position = 0) {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(
      bytes,
      done,
      bytes.byteLength - done,
      position + done,
    );
    if (bytesWritten === 0) throw new Error("the disk accepted no more bytes");
    done += bytesWritten;
  }
  return done;
}

/** Pieces are batched to about this size before they are written: fewer system calls on slow sticks. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * A file written piece by piece and put in place whole: the pieces go to a temp file beside `path`
 * (batched), which commit() fsyncs and renames over `path`, and discard() removes. Streaming keeps
 * one copy of large content (a bundle of hundreds of MB) in memory instead of two.
 */
export class ReplacementFile {
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #position = 0;

  private constructor(
    readonly path: string,
    readonly tmp: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string, mode: number): Promise<ReplacementFile> {
    const { tmp, handle } = await openTempBeside(path, mode);
    return new ReplacementFile(path, tmp, handle);
  }

  /** Bytes appended so far. */
  get bytes(): number {
    return this.#position + this.#pendingBytes;
  }

  async append(chunk: Uint8Array): Promise<void> {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.byteLength;
    if (this.#pendingBytes >= WRITE_BATCH_BYTES) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    // One piece alone (a whole export) is written as it is, not copied into a batch first.
    const batch =
      this.#pending.length === 1 && this.#pending[0]
        ? this.#pending[0]
        : Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#position += await writeAll(this.handle, batch, this.#position);
  }

  /** Writes what is pending, fsyncs, renames over `path`, fsyncs the folder. */
  async commit(): Promise<void> {
    await this.#flush();
    await this.handle.sync();
    await this.handle.close();
    await rename(this.tmp, this.path);
    await syncFolder(dirname(this.path));
  }

  /** Removes the temp file; never throws (the caller is already reporting a failure). */
  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.tmp, { force: true }).catch(() => undefined);
  }
}

/** Writes `bytes` to `path` atomically; throws after removing the temp file on any failure. */
export async function replaceFile(path: string, bytes: Uint8Array, mode: number): Promise<void> {
  const file = await ReplacementFile.create(path, mode);
  try {
    await file.append(bytes);
    await file.commit();
  } catch (e) {
    await file.discard();
    throw e;
  }
}
