// Seeding a practice log as the app writes one: a log document listed in the index, and its
// entries in volumes of a quarter each (shared/logs/write.ts).
import type { DocHandle, Repo } from "@automerge/automerge-repo";
import type { OpContext } from "../../shared/ops/context.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { initLog, type NewEntry } from "../../shared/ops/log.ts";
import { addEntryToLog } from "../../shared/logs/write.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Log } from "../../shared/schema/log.ts";

export async function seedLog(
  community: { id: string; repo: Repo; index: DocHandle<CommunityIndex> | undefined },
  ctx: OpContext,
  log: { title: string; description?: string },
  entries: readonly NewEntry[],
): Promise<{ logId: string; handle: DocHandle<Log>; entryIds: string[]; volumeIds: string[] }> {
  const index = community.index;
  if (!index) throw new Error("seedLog: the community has no index");
  const handle = community.repo.create<Log>();
  handle.change((d) => initLog(d, { communityId: community.id, ...log }, ctx));
  const now = ctx.now();
  index.change((d) =>
    addEntry(d, handle.documentId, {
      kind: "log",
      title: log.title,
      createdAt: now,
      updatedAt: now,
    }),
  );
  const target = {
    repo: community.repo,
    index,
    communityId: community.id,
    logId: handle.documentId,
  };
  const entryIds: string[] = [];
  const volumes = new Set<string>();
  for (const entry of entries) {
    const at = await addEntryToLog(target, entry, ctx);
    entryIds.push(at.entryId);
    volumes.add(at.volumeId);
  }
  return { logId: handle.documentId, handle, entryIds, volumeIds: [...volumes] };
}
