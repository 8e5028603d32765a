// Backup files on disk: where a typed path points, reading a file only once it looks like a backup,
// and writing one atomically (temp file → fsync → rename → fsync folder; the temp file removed on
// every failure), so a path holds the old file or the whole new one, never part of one.
import type { FileHandle } from "node:fs/promises";
import { open, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { fileErrorReason, replaceFile } from "../storage/userFile.ts";
import {
  BACKUP_EXTENSION,
  HEAD_BYTES,
  looksLikeBackup,
  MAX_BACKUP_BYTES,
  NOT_A_BACKUP,
} from "./format.ts";

export { fileErrorReason as reasonOf } from "../storage/userFile.ts";

/** A path typed by a person: "~/…" is the home folder; anything else must be absolute. */
export function resolveBackupPath(text: unknown, what: "write" | "read"): Result<string> {
  const trimmed = typeof text === "string" ? text.trim() : "";
  const example = `/media/usb/community${BACKUP_EXTENSION}`;
  if (trimmed === "")
    return err(
      ErrorCode.BadInput,
      what === "write"
        ? `Type where the backup goes, e.g. ${example}.`
        : `Type where the backup is, e.g. ${example}.`,
    );
  const path =
    trimmed === "~" || trimmed.startsWith("~/") ? join(homedir(), trimmed.slice(1)) : trimmed;
  if (!isAbsolute(path))
    return err(
      ErrorCode.BadInput,
      `"${trimmed.slice(0, 120)}" is not a full path. Give the whole path, e.g. ${example}.`,
    );
  return ok(path);
}

/** A file name for a backup of `name` written at `iso`: "Cois-Farraige-2025-06-01.meitheal-backup". */
export function backupFileName(name: string | null, iso: string): string {
  const slug =
    (name ?? "community")
      .normalize("NFKD")
      .replace(/[^\p{L}\p{N}]+/gu, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "community";
  return `${slug}-${iso.slice(0, 10)}${BACKUP_EXTENSION}`;
}

/**
 * Where a backup asked for at `path` goes: into it when it is a folder, under a name made from the
 * community; with the backup extension added when it has none, so the app opens it.
 */
export async function backupTarget(
  path: string,
  name: string | null,
  iso: string,
): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) return join(path, backupFileName(name, iso));
  return path.toLowerCase().endsWith(BACKUP_EXTENSION) ? path : `${path}${BACKUP_EXTENSION}`;
}

/** Writes `bytes` to `path` atomically; on failure nothing is left behind and `path` is as it was. */
export async function writeBackupFile(path: string, bytes: Uint8Array): Promise<Result<null>> {
  try {
    await replaceFile(path, bytes, 0o600);
    return ok(null);
  } catch (e) {
    return err(
      ErrorCode.Storage,
      `The backup could not be written to ${path} (${fileErrorReason(e)}). Nothing was written. Choose a folder you can write to, on a disk with space, and try again.`,
    );
  }
}

/**
 * The bytes of a backup file. Refuses, before reading the rest, a file that is too large or whose
 * first bytes are not a backup's, so a wrong 200 MB file costs one small read.
 */
export async function readBackupFile(path: string): Promise<Result<Uint8Array>> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      return err(ErrorCode.NotFound, `There is no file at ${path}. Check the path and try again.`);
    if (code === "EISDIR")
      return err(
        ErrorCode.BadInput,
        `${path} is a folder. Choose the ${BACKUP_EXTENSION} file inside it.`,
      );
    return err(
      ErrorCode.Storage,
      `The backup at ${path} could not be opened (${fileErrorReason(e)}).`,
    );
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory())
      return err(
        ErrorCode.BadInput,
        `${path} is a folder. Choose the ${BACKUP_EXTENSION} file inside it.`,
      );
    if (!info.isFile())
      return err(ErrorCode.BadInput, `${path} is not a file. Choose a ${BACKUP_EXTENSION} file.`);
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
    if (!looksLikeBackup(head.subarray(0, bytesRead))) return err(ErrorCode.BadInput, NOT_A_BACKUP);
    if (info.size > MAX_BACKUP_BYTES)
      return err(
        ErrorCode.BadInput,
        `This file is ${Math.round(info.size / 1024 ** 2)} MB, more than a backup can be (${MAX_BACKUP_BYTES / 1024 ** 3} GiB); it was not read. Check that it is the backup you meant.`,
      );
    const bytes = Buffer.alloc(info.size);
    let done = 0;
    while (done < info.size) {
      const { bytesRead: n } = await handle.read(bytes, done, info.size - done, done);
      if (n === 0) break; // shrank while being read: decodeBackup finds it incomplete
      done += n;
    }
    return ok(bytes.subarray(0, done));
  } catch (e) {
    return err(
      ErrorCode.Storage,
      `The backup at ${path} could not be read (${fileErrorReason(e)}).`,
    );
  } finally {
    await handle.close();
  }
}
