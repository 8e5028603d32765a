// Where a device keeps its data, and the checks that make a bad folder a clear message instead of
// lost work: a file where a folder should be, a folder we cannot write, a path we cannot create.
import { randomBytes } from "node:crypto";
import { mkdir, open, rm, stat } from "node:fs/promises";
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

const explain = (dir: string, e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return `Meitheal cannot write to its data folder ${dir} (permission denied or read-only). Nothing was changed. Make the folder writable, or choose another with --data DIR.`;
    case "ENOTDIR":
      return `Part of the data folder path ${dir} is a file, not a folder. Nothing was changed. Choose another folder with --data DIR.`;
    case "ENOSPC":
      return `The disk holding ${dir} is full. Nothing was changed. Free some space and start Meitheal again.`;
    default:
      return `Meitheal cannot use its data folder ${dir} (${code ?? String(e)}). Nothing was changed. Choose another folder with --data DIR.`;
  }
};

/** Makes sure `dir` is a folder we can write to; creates it if missing. Returns its absolute path. */
export async function prepareDataDir(dir: string): Promise<string> {
  const abs = resolve(dir);
  try {
    const info = await stat(abs);
    if (!info.isDirectory()) {
      throw new MeithealFailure(
        ErrorCode.DataFolder,
        `The data folder ${abs} is a file, not a folder. Nothing was changed. Choose another folder with --data DIR.`,
      );
    }
  } catch (e) {
    if (e instanceof MeithealFailure) throw e;
    if ((e as NodeJS.ErrnoException).code !== "ENOENT")
      throw new MeithealFailure(ErrorCode.DataFolder, explain(abs, e));
    try {
      await mkdir(abs, { recursive: true, mode: 0o700 });
    } catch (e2) {
      throw new MeithealFailure(ErrorCode.DataFolder, explain(abs, e2));
    }
  }
  // Permission bits do not tell the truth everywhere (root, ACLs, read-only mounts): write a probe.
  const probe = join(abs, `.write-probe-${randomBytes(4).toString("hex")}`);
  try {
    const handle = await open(probe, "w");
    await handle.close();
    await rm(probe, { force: true });
  } catch (e) {
    throw new MeithealFailure(ErrorCode.DataFolder, explain(abs, e));
  }
  return abs;
}
