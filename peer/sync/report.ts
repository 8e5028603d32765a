// What the Sync screen shows of one community, read from its sync state (communitySync.ts): its
// status (links, first-sync progress, "in sync — safe to leave", problems) and its members.
import {
  RECENTLY_LINKED_MS,
  type MemberInfo,
  type MissingDevice,
  type SyncStatus,
} from "../../shared/contract.ts";
import { asDeviceKey } from "../../shared/ids.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { listMembers } from "../trust/roster.ts";
import { headsOf, type CommunitySync } from "./communitySync.ts";
import { documentTitle, indexEntries } from "./membership.ts";
import { findGaps, sameHeads, syncState, type DocFacts } from "./status.ts";

/** What the status says of this device as a whole, the same for every community. */
export type DeviceSyncFacts = {
  listening: string[];
  discovery: SyncStatus["discovery"];
  /** Why discovery failed, when it did. */
  discoveryProblem: string | undefined;
  /** The byte budget of one document per link, for the problem that says it was spent. */
  maxBytesPerDocument: number;
};

export function communityStatus(sync: CommunitySync, device: DeviceSyncFacts): SyncStatus {
  const roster = sync.rosterDoc();
  const links = sync.adapter.links();
  const linked = links.map((l) => asDeviceKey(l.remoteKey));
  const storageOf = new Map(links.map((l) => [l.remoteKey, l.storageId]));
  const docs: DocFacts[] = [];
  let here = 0;
  const entries = indexEntries(sync.community);
  const titleOf = (id: string) => documentTitle(sync.id, entries, id);
  for (const id of sync.listed) {
    const handle = sync.opened.get(id) ?? sync.community.repo.handles[id as never];
    const ready = handle?.isReady() === true;
    // A document that came whole by catch-up is here before any handle opens it.
    const caughtUp = ready ? undefined : sync.caughtUp.get(id);
    if (ready || caughtUp) here++;
    docs.push({
      id,
      title: titleOf(id),
      heads: ready ? headsOf(handle) : caughtUp,
      theirs: (key) => {
        // The newer of two reports: the sync messages it sent, or its answer to our query.
        const storageId = storageOf.get(key);
        const fromSync =
          storageId === undefined ? undefined : handle?.getSyncInfo(storageId)?.lastHeads;
        const answered = sync.reported.get(key)?.get(id);
        const mine = ready ? headsOf(handle) : caughtUp;
        if (mine && answered && sameHeads(answered, mine)) return answered;
        return fromSync ?? answered;
      },
    });
  }
  const gaps = links.length === 0 ? [] : findGaps(docs, linked);
  // Linked, and still sending (or being sent) what one side lacks: not yet in sync with them.
  const arriving = sync.adapter.catchingUp();
  const missing = missingDevices(
    sync,
    new Set([...links, ...arriving].map((l) => l.remoteKey)),
    Date.now(),
  );
  const problems: string[] = [];
  if (!roster) problems.push("The member list has not arrived yet.");
  for (const [documentId, keys] of sync.overBudget) {
    const who = [...keys].map((k) => roster?.members[k]?.name ?? `device ${k.slice(0, 8)}`);
    const title = sync.titleOf(documentId) ?? documentId;
    problems.push(
      `${who.join(", ")} sent more changes to “${title}” than one link may carry (${Math.round(device.maxBytesPerDocument / 1024 / 1024)} MB). What arrived is kept; further changes to it from that device are refused until it links again. If this keeps happening, that device may be faulty.`,
    );
  }
  if (device.discovery === "failed" && device.discoveryProblem)
    problems.push(
      `Finding devices on the network automatically does not work here (${device.discoveryProblem}). Type the other device's address instead.`,
    );
  return {
    communityId: sync.id,
    listening: device.listening,
    discovery: device.discovery,
    peers: [...links, ...arriving].map((l) => ({
      deviceKey: asDeviceKey(l.remoteKey),
      name: roster?.members[l.remoteKey]?.name ?? null,
      address: l.remoteAddress,
      since: new Date(l.since).toISOString(),
      direction: l.direction,
    })),
    documents: { total: sync.listed.size, here },
    state: arriving.length > 0 ? "syncing" : syncState(links.length, gaps, missing.length),
    missing,
    gaps,
    problems,
  };
}

/**
 * Member devices (on the roster, not removed) whose link ended within RECENTLY_LINKED_MS and that
 * are not linked now, newest first.
 */
function missingDevices(sync: CommunitySync, linked: Set<string>, now: number): MissingDevice[] {
  const roster = sync.rosterDoc();
  const out: { key: string; at: number }[] = [];
  for (const [key, at] of sync.linkEnded) {
    const member = roster?.members[key];
    if (linked.has(key) || !member || roster?.removed[key] || now - at > RECENTLY_LINKED_MS)
      continue;
    out.push({ key, at });
  }
  return out
    .sort((a, b) => b.at - a.at)
    .map(({ key, at }) => ({
      deviceKey: asDeviceKey(key),
      name: roster?.members[key]?.name ?? null,
      lastLinked: new Date(at).toISOString(),
    }));
}

/** The community's roster, removed devices included (marked); `self` is this device's key. */
export function memberList(sync: CommunitySync, self: string): Result<MemberInfo[]> {
  const roster = sync.rosterDoc();
  if (!roster)
    return err(
      ErrorCode.Unavailable,
      "The member list has not arrived yet. It comes with the first sync.",
    );
  const names = new Map(Object.entries(roster.members).map(([k, m]) => [k, m.name]));
  return ok(
    listMembers(roster, { includeRemoved: true }).map((m) => ({
      deviceKey: m.deviceKey,
      name: m.name,
      addedBy: asDeviceKey(m.addedBy),
      addedByName: names.get(m.addedBy) ?? null,
      addedAt: new Date(m.addedAt).toISOString(),
      removed: m.removed
        ? {
            by: m.removed.by,
            byName: names.get(m.removed.by) ?? null,
            at: new Date(m.removed.at).toISOString(),
          }
        : null,
      self: m.deviceKey === self,
      connected: sync.adapter.isLinked(m.deviceKey),
    })),
  );
}
