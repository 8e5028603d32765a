// Where an export goes, and writing it there so that nothing half-written is ever left: the bytes
// go to a temp file next to the target ("wx": never an existing file), which is fsynced and only
// then renamed over the target, and removed on every failure, rename included. A file already at
// the target is replaced only by that rename, so it is either the old file or the whole new one.
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { fileErrorReason, replaceFile } from "../storage/userFile.ts";

export { fileErrorReason as reasonOf } from "../storage/userFile.ts";

/** A path typed by a person: "~/…" is the home folder; anything else must be absolute. */
export function resolveTypedPath(text: string, example: string): Result<string> {
  const trimmed = String(text).trim();
  if (trimmed === "") return err(ErrorCode.BadInput, `Say where the file goes, e.g. ${example}.`);
  const path =
    trimmed === "~" || trimmed.startsWith("~/") ? join(homedir(), trimmed.slice(1)) : trimmed;
  if (!isAbsolute(path))
    return err(
      ErrorCode.BadInput,
      `"${trimmed.slice(0, 120)}" is not a full path. Give the whole path, e.g. ${example}.`,
    );
  return ok(path);
}

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === "ENOENT";

/**
 * The file an export writes: `path` itself, or — when `path` is a folder — `fileName` inside it.
 * Checked before any work is done: the folder must exist and be writable, and what is at the
 * target (if anything) must be a file that may be replaced.
 */
export async function exportTarget(path: string, fileName: string): Promise<Result<string>> {
  let target = path;
  try {
    if ((await stat(path)).isDirectory()) target = join(path, fileName);
  } catch (e) {
    if (!isMissing(e) && (e as NodeJS.ErrnoException).code !== "ENOTDIR")
      return err(
        ErrorCode.Storage,
        `${path} cannot be used (${fileErrorReason(e)}). Choose another place.`,
      );
  }
  const folder = dirname(target);
  try {
    const info = await stat(folder);
    if (!info.isDirectory())
      return err(
        ErrorCode.BadInput,
        `${folder} is a file, not a folder, so nothing can be saved inside it. Choose a folder that exists.`,
      );
  } catch (e) {
    return err(
      ErrorCode.BadInput,
      isMissing(e)
        ? `The folder ${folder} does not exist. Create it first, or choose a folder that exists.`
        : `The folder ${folder} cannot be used (${fileErrorReason(e)}). Choose another folder.`,
    );
  }
  try {
    await access(folder, constants.W_OK);
  } catch (e) {
    return err(
      ErrorCode.Storage,
      `Nothing can be saved in ${folder} (${fileErrorReason(e)}). Choose a folder you can write to, such as your Documents folder, or change its permissions.`,
    );
  }
  try {
    const info = await stat(target);
    if (info.isDirectory())
      return err(
        ErrorCode.BadInput,
        `${target} is a folder, so the export cannot be saved under that name. Choose another file name, or give the folder itself to save the export inside it.`,
      );
    if (!info.isFile())
      return err(
        ErrorCode.BadInput,
        `${target} is not an ordinary file (a device, a pipe or a socket), so it will not be replaced. Choose another file name.`,
      );
  } catch (e) {
    if (!isMissing(e))
      return err(
        ErrorCode.Storage,
        `${target} cannot be used (${fileErrorReason(e)}). Choose another place.`,
      );
  }
  return ok(target);
}

/** Writes `bytes` to `path` atomically; on failure nothing new is left and `path` is as it was. */
export async function writeExportFile(path: string, bytes: Uint8Array): Promise<Result<number>> {
  try {
    await replaceFile(path, bytes, 0o644);
  } catch (e) {
    return err(
      ErrorCode.Storage,
      `The export could not be saved to ${path} (${fileErrorReason(e)}). Nothing was written and any file already there is as it was; check the disk has room and can be written to, then try again.`,
    );
  }
  return ok(bytes.byteLength);
}
