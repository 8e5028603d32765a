// What a restore that was stopped (kill -9, power cut) leaves in the data folder, and how the next
// start tidies it, before any community opens (PeerNode.start, holding the folder's lock).
//
// A community new to this device is restored in two steps (backup.ts): its folder is built in a
// staging folder `.restore-<random>` and renamed into `communities/<id>` with a marker file in it,
// then the community is added to the device's list (communities.json) and the marker removed. The
// list is what says a community is here, so a stop at any moment leaves one of two states:
//
//   - not on the list: the old state. A staging folder, or a community folder still marked, is
//     removed here, and the log says so; restoring the backup again starts afresh.
//   - on the list: the restored state, whole (every document was written and synced to disk
//     before the rename). A marker left in it is removed.
//
// Nothing else is touched: a folder in communities/ without the marker is never removed here,
// whatever the list says (it may be a person's own copy).
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { communityDir, readRegistry } from "../communities.ts";
import { fsyncDir } from "../storage/atomicFile.ts";

/** The staging folder of one restore, in the data folder. */
export const STAGING_PREFIX = ".restore-";
export const isStaging = (name: string) => /^\.restore-[0-9a-f]+$/.test(name);
/** In a community folder a restore moved into place and has not yet listed. */
export const RESTORING_MARKER = ".restoring";

const exists = (path: string) =>
  readdir(path).then(
    () => true,
    () => false,
  );

async function markerIn(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.includes(RESTORING_MARKER);
}

/**
 * Removes what stopped restores left in `dataDir`, saying so in `log`. Never throws: a leftover
 * that cannot be removed costs disk space, not data, and is tried again at the next start.
 */
export async function sweepRestoreLeftovers(
  dataDir: string,
  log: (line: string) => void = (line) => console.warn(line),
): Promise<void> {
  const names = await readdir(dataDir).catch(() => [] as string[]);
  for (const name of names.filter(isStaging)) {
    try {
      await rm(join(dataDir, name), { recursive: true, force: true });
      log(
        `Removed ${join(dataDir, name)}: a restore was stopped before it finished, and nothing of it had been added to this device. Restore the backup again if you still want it.`,
      );
    } catch (e) {
      log(
        `Could not remove ${join(dataDir, name)}, left by a restore that was stopped (${(e as NodeJS.ErrnoException).code ?? String(e)}). It holds nothing this device uses; remove it by hand.`,
      );
    }
  }
  const communities = join(dataDir, "communities");
  if (!(await exists(communities))) return;
  let listed: Set<string>;
  try {
    listed = new Set((await readRegistry(dataDir)).communities.map((c) => c.id));
  } catch {
    // An unreadable list is reported when the peer opens it; without it, nothing can be judged.
    return;
  }
  for (const id of await readdir(communities).catch(() => [] as string[])) {
    const dir = communityDir(dataDir, id);
    if (!(await markerIn(dir))) continue;
    try {
      if (listed.has(id)) {
        await rm(join(dir, RESTORING_MARKER), { force: true });
        await fsyncDir(dir);
      } else {
        await rm(dir, { recursive: true, force: true });
        await fsyncDir(communities);
        log(
          `Removed the folder of community ${id} from ${communities}: a restore was stopped after copying it and before adding it to this device, so it was never in use. Restore the backup again if you still want it.`,
        );
      }
    } catch (e) {
      log(
        `Could not tidy ${dir}, left by a restore that was stopped (${(e as NodeJS.ErrnoException).code ?? String(e)}). Move it out of the data folder, then restore the backup again.`,
      );
    }
  }
}
