// Writing a new entry into a log through a Repo: the entry goes into the volume of its date's
// quarter (schema/logVolume.ts), made and listed in the index when the log has none for it yet.
// Used by the window and by anything that seeds logs; the pure parts are in ops/logVolumes.ts.
import type { AutomergeUrl, DocHandle, Repo } from "@automerge/automerge-repo";
import type { CommunityIndex } from "../schema/community.ts";
import type { LogVolume } from "../schema/logVolume.ts";
import type { OpContext } from "../ops/context.ts";
import { addLogEntry, type NewEntry } from "../ops/log.ts";
import {
  initLogVolume,
  listVolume,
  logVolumes,
  quarterOf,
  volumesForDate,
} from "../ops/logVolumes.ts";

export type LogTarget = {
  repo: Repo;
  index: DocHandle<CommunityIndex>;
  communityId: string;
  logId: string;
};

/**
 * The volume an entry dated `date` belongs in, made if the log has none for its quarter. An
 * existing volume comes from `loaded` when the caller has it open (the window does), else from
 * the repo.
 */
export async function volumeFor(
  target: LogTarget,
  date: string,
  ctx: OpContext,
  loaded?: (volumeId: string) => DocHandle<LogVolume> | undefined,
): Promise<DocHandle<LogVolume>> {
  const { repo, index, communityId, logId } = target;
  for (const id of volumesForDate(logVolumes(index.doc(), logId), date)) {
    const open = loaded?.(id);
    if (open) return open;
    try {
      return await repo.find<LogVolume>(`automerge:${id}` as AutomergeUrl);
    } catch {
      // Listed but not on this device yet (it has not arrived from the laptop that made it): the
      // next one for the quarter, or a new one, keeps the entry; both are read wherever both are.
    }
  }
  const handle = repo.create<LogVolume>();
  handle.change((d) => initLogVolume(d, { communityId, logId }, ctx));
  index.change((d) => listVolume(d, handle.documentId, { logId, quarter: quarterOf(date) }, ctx));
  return handle;
}

/** Adds an entry to a log; resolves with where it went. */
export async function addEntryToLog(
  target: LogTarget,
  entry: NewEntry,
  ctx: OpContext,
  loaded?: (volumeId: string) => DocHandle<LogVolume> | undefined,
): Promise<{ volumeId: string; entryId: string }> {
  const volume = await volumeFor(target, entry.date, ctx, loaded);
  let entryId = "";
  volume.change((d) => {
    entryId = addLogEntry(d, entry, ctx);
  });
  return { volumeId: volume.documentId, entryId };
}
