// One peer per data folder: two processes compacting the same documents would delete each other's
// chunks. The lock file holds the owner's pid; a lock left by a process that no longer runs
// (kill -9, power loss) is taken over.
import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCode, MeithealFailure } from "../shared/result.ts";

export const LOCK_FILE = "peer.lock";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

export async function acquireLock(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx", 0o600);
      await handle.writeFile(String(process.pid));
      await handle.sync();
      await handle.close();
      return async () => {
        const owner = await readFile(path, "utf8").catch(() => "");
        if (owner === String(process.pid)) await rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new MeithealFailure(
          ErrorCode.DataFolder,
          `Another Meitheal (process ${pid}) is already using the data folder ${dataDir}. Close it first, or choose another folder with --data DIR.`,
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new MeithealFailure(ErrorCode.DataFolder, `Could not lock the data folder ${dataDir}. Close other Meitheal windows and try again.`);
}
