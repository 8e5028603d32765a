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

/** Writes `bytes` to `path` atomically; throws after removing the temp file on any failure. */
export async function replaceFile(path: string, bytes: Uint8Array, mode: number): Promise<void> {
  let tmp: string | undefined;
  let handle: FileHandle | undefined;
  try {
    ({ tmp, handle } = await openTempBeside(path, mode));
    await writeAll(handle, bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    if (tmp) await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncFolder(dirname(path));
}
