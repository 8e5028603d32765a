// Where a log's entries live (schema/logVolume.ts): which volume a new entry goes into, what the
// index says each volume may hold, and, while volumes are still arriving, which part of the
// timeline is already complete. Pure, like every operation here.
import type { CommunityIndex } from "../schema/community.ts";
import { LOG_VOLUME_SCHEMA, LOG_VOLUME_VERSION } from "../schema/logVolume.ts";
import type { OpContext } from "./context.ts";

/** The calendar quarter of a day: "2024-07-03" → "2024-Q3". Quarters sort as strings. */
export function quarterOf(date: string): string {
  const month = Number(date.slice(5, 7));
  return `${date.slice(0, 4)}-Q${Math.floor((month - 1) / 3) + 1}`;
}

export type VolumeInfo = {
  id: string;
  /** The quarters it may hold, newest first. */
  periods: string[];
};

/**
 * A log's volumes as the index lists them, newest quarter first (then by id, so every window
 * loads them in the same order): the order to load them in.
 */
export function logVolumes(index: Pick<CommunityIndex, "entries">, logId: string): VolumeInfo[] {
  const out: VolumeInfo[] = [];
  for (const [id, entry] of Object.entries(index.entries)) {
    if (entry.kind !== "log-volume" || entry.log !== logId) continue;
    const periods = Object.keys(entry.periods ?? {})
      .sort()
      .reverse();
    if (periods.length > 0) out.push({ id, periods });
  }
  return out.sort(
    (a, b) =>
      (a.periods[0]! < b.periods[0]! ? 1 : a.periods[0]! > b.periods[0]! ? -1 : 0) ||
      (a.id < b.id ? -1 : 1),
  );
}

/**
 * The volumes that may hold entries dated `date`, smallest id first. A new entry goes into the
 * first: two laptops that each made a volume for the same quarter at once agree on one after they
 * sync. Empty when a volume must be made.
 */
export function volumesForDate(volumes: readonly VolumeInfo[], date: string): string[] {
  const quarter = quarterOf(date);
  return volumes
    .filter((v) => v.periods.includes(quarter))
    .map((v) => v.id)
    .sort();
}

/** The volume a new entry dated `date` goes into, or null when one must be made. */
export const volumeForDate = (volumes: readonly VolumeInfo[], date: string): string | null =>
  volumesForDate(volumes, date)[0] ?? null;

export function initLogVolume(
  doc: Record<string, unknown>,
  args: { communityId: string; logId: string },
  ctx: OpContext,
): void {
  const now = ctx.now();
  Object.assign(doc, {
    schema: LOG_VOLUME_SCHEMA,
    version: LOG_VOLUME_VERSION,
    communityId: args.communityId,
    logId: args.logId,
    createdAt: now,
    updatedAt: now,
    entries: {},
  });
}

/** Lists a new volume in the index, holding one quarter. */
export function listVolume(
  index: CommunityIndex,
  volumeId: string,
  args: { logId: string; quarter: string },
  ctx: OpContext,
): void {
  const now = ctx.now();
  index.entries[volumeId] = {
    kind: "log-volume",
    title: "",
    createdAt: now,
    updatedAt: now,
    log: args.logId,
    periods: { [args.quarter]: true },
  };
}

/** Records that a volume may now hold entries of `quarter` (an entry's date moved there). */
export function coverQuarter(index: CommunityIndex, volumeId: string, quarter: string): void {
  const entry = index.entries[volumeId];
  if (entry?.kind !== "log-volume" || !entry.periods || entry.periods[quarter]) return;
  entry.periods[quarter] = true;
}

/**
 * While volumes are arriving: the newest quarter a volume not yet read may hold entries of, or
 * null when every volume has been read (or given up on). Entries of later quarters are all here
 * and can be drawn in their final order; entries of this quarter and older may still gain
 * neighbours, so a timeline drawn newest first stops above it.
 */
export function pendingQuarter(
  volumes: readonly VolumeInfo[],
  settled: (volumeId: string) => boolean,
): string | null {
  let newest: string | null = null;
  for (const v of volumes)
    if (!settled(v.id) && (newest === null || v.periods[0]! > newest)) newest = v.periods[0]!;
  return newest;
}

/** Whether an entry dated `date` is in its final place once volumes up to `pending` are read. */
export const isSettledDate = (date: string, pending: string | null): boolean =>
  pending === null || quarterOf(date) > pending;
