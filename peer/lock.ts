// One peer per data folder: two processes compacting the same documents would delete each other's
// chunks. The lock file holds the owner's pid; a lock left by a process that no longer runs
// (kill -9, power loss) is taken over.
import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCode, MeithealFailure } from "../shared/result.ts";
import { dataFolderProblem } from "./dataDir.ts";

export const LOCK_FILE = "peer.lock";

/** Lock files held by this process. A lock naming our own pid is only stale if we do not hold it. */
const heldHere = new Set<string>();

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * `readOnly` (a command that only reads, such as an export): a folder this account cannot write
 * is used without a lock, since no peer with its rights can change it either; a lock held by a
 * running peer still refuses.
 */
export async function acquireLock(dataDir: string, readOnly = false): Promise<() => Promise<void>> {
  const path = join(dataDir, LOCK_FILE);
  if (heldHere.has(path)) {
    throw new MeithealFailure(
      ErrorCode.DataFolder,
      `This Meitheal (process ${process.pid}) is already using the data folder ${dataDir}. Close it first, or choose another folder with --data DIR.`,
    );
  }
  // Claimed before the first await, so two starts racing in one process cannot both get it.
  heldHere.add(path);
  try {
    return await takeLockFile(path, dataDir);
  } catch (e) {
    heldHere.delete(path);
    const code =
      (e as { cause?: NodeJS.ErrnoException }).cause?.code ?? (e as NodeJS.ErrnoException).code;
    if (readOnly && (code === "EACCES" || code === "EPERM" || code === "EROFS"))
      return () => Promise.resolve();
    throw e;
  }
}

async function takeLockFile(path: string, dataDir: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx", 0o600);
      try {
        await handle.writeFile(String(process.pid));
        await handle.sync();
      } catch (e) {
        // A full disk lets the file be made but not written: an empty lock names no owner, so
        // it is removed again, and the failure said as the data folder's.
        await handle.close().catch(() => undefined);
        await rm(path, { force: true }).catch(() => undefined);
        throw new MeithealFailure(ErrorCode.DataFolder, dataFolderProblem(dataDir, e));
      }
      await handle.close();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        heldHere.delete(path);
        const owner = await readFile(path, "utf8").catch(() => "");
        if (owner === String(process.pid)) await rm(path, { force: true });
      };
    } catch (e) {
      if (e instanceof MeithealFailure) throw e;
      if ((e as NodeJS.ErrnoException).code !== "EEXIST")
        throw Object.assign(
          new MeithealFailure(ErrorCode.DataFolder, dataFolderProblem(dataDir, e)),
          { cause: e },
        );
      const pid = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
      // Our own pid in a lock we do not hold was left by an earlier process that had the same pid
      // (containers restart with the same small pids).
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new MeithealFailure(
          ErrorCode.DataFolder,
          `Another Meitheal (process ${pid}) is already using the data folder ${dataDir}. Close it first, or choose another folder with --data DIR.`,
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new MeithealFailure(
    ErrorCode.DataFolder,
    `Could not lock the data folder ${dataDir}. Close other Meitheal windows and try again.`,
  );
}
