// Where a device keeps its data, and the checks that make a bad folder a clear message instead of
// lost work: a file where a folder should be, a folder we cannot write, a path we cannot create.
// The folder holds the device's private key, community keys and every document, so it is made
// readable by this account only (0700); the files the peer writes in it are 0600 (storage/).
import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { ErrorCode, MeithealFailure } from "../shared/result.ts";

export const APP_FOLDER = "Meitheal";

/** The per-OS convention: ~/.config/Meitheal (Linux, or $XDG_CONFIG_HOME), ~/Library/Application Support/Meitheal, %APPDATA%\Meitheal. */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
): string {
  if (platform === "darwin") return join(home, "Library", "Application Support", APP_FOLDER);
  if (platform === "win32")
    return join(env.APPDATA ?? join(home, "AppData", "Roaming"), APP_FOLDER);
  return join(
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith("/")
      ? env.XDG_CONFIG_HOME
      : join(home, ".config"),
    APP_FOLDER,
  );
}

/** What a file system error on the data folder means for people, and what to do. */
export const dataFolderProblem = (dir: string, e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return `Meitheal cannot write to its data folder ${dir} (permission denied or read-only). Nothing was changed. Make the folder writable, or choose another with --data DIR.`;
    case "ENOENT":
      return `There is no data folder at ${dir}. Nothing was changed. Check the path given with --data DIR.`;
    case "ENOTDIR":
      return `Part of the data folder path ${dir} is a file, not a folder. Nothing was changed. Choose another folder with --data DIR.`;
    case "ENOSPC":
      return `The disk holding ${dir} is full. Nothing was changed. Free some space and start Meitheal again.`;
    default:
      return `Meitheal cannot use its data folder ${dir} (${code ?? String(e)}). Nothing was changed. Choose another folder with --data DIR.`;
  }
};

const octal = (mode: number) => (mode & 0o777).toString(8);

/**
 * A data folder other accounts on this computer could read (made by hand, or by an older Meitheal
 * that left it 0755) is made 0700, and the log says so. Only the folder itself: it is the one door
 * to everything inside, and a folder given with --data may hold more than Meitheal's files, whose
 * modes are not ours to change. A shared folder (the sticky bit, as /tmp has) is left alone.
 */
async function makePrivate(abs: string, mode: number, log: (line: string) => void) {
  if (process.platform === "win32" || (mode & 0o077) === 0) return;
  const was = `Meitheal's data folder ${abs} could be read by other accounts on this computer (mode ${octal(mode)})`;
  if (mode & 0o1000) {
    log(
      `${was}; it is a shared folder, so it was left as it is. Choose a folder of your own with --data DIR.`,
    );
    return;
  }
  try {
    await chmod(abs, 0o700);
    log(`${was}; it is now private to this account (mode 700).`);
  } catch (e) {
    log(
      `${was}, and it could not be made private (${(e as NodeJS.ErrnoException).code ?? String(e)}). Make it readable by you only (chmod 700), or choose another folder with --data DIR.`,
    );
  }
}

/**
 * Makes sure `dir` is a folder we can write to, readable by this account only; creates it if
 * missing. Returns its absolute path. `log` hears what was changed (the peer's log: stderr).
 */
export async function prepareDataDir(
  dir: string,
  log: (line: string) => void = (line) => console.warn(line),
  readOnly = false,
): Promise<string> {
  const abs = resolve(dir);
  // Only read (an export): the folder must be there, and nothing in it is created or changed.
  if (readOnly) {
    const info = await stat(abs).catch((e: unknown) => {
      throw new MeithealFailure(ErrorCode.DataFolder, dataFolderProblem(abs, e));
    });
    if (!info.isDirectory())
      throw new MeithealFailure(
        ErrorCode.DataFolder,
        `The data folder ${abs} is a file, not a folder. Nothing was changed. Choose another folder with --data DIR.`,
      );
    return abs;
  }
  try {
    const info = await stat(abs);
    if (!info.isDirectory()) {
      throw new MeithealFailure(
        ErrorCode.DataFolder,
        `The data folder ${abs} is a file, not a folder. Nothing was changed. Choose another folder with --data DIR.`,
      );
    }
    await makePrivate(abs, info.mode, log);
  } catch (e) {
    if (e instanceof MeithealFailure) throw e;
    if ((e as NodeJS.ErrnoException).code !== "ENOENT")
      throw new MeithealFailure(ErrorCode.DataFolder, dataFolderProblem(abs, e));
    try {
      await mkdir(abs, { recursive: true, mode: 0o700 });
    } catch (e2) {
      throw new MeithealFailure(ErrorCode.DataFolder, dataFolderProblem(abs, e2));
    }
  }
  // Permission bits do not tell the truth everywhere (root, ACLs, read-only mounts): write a probe.
  const probe = join(abs, `.write-probe-${randomBytes(4).toString("hex")}`);
  try {
    const handle = await open(probe, "w", 0o600);
    await handle.close();
    await rm(probe, { force: true });
  } catch (e) {
    throw new MeithealFailure(ErrorCode.DataFolder, dataFolderProblem(abs, e));
  }
  return abs;
}
