// Who a restore lets in: what restoring a backup would change on a community's member list here.
//
// Members' devices may link to this device and read everything, so a restore that changes the list
// is shown first and applied only with the person's consent (backup.ts, the restore page, the CLI's
// --yes). A sealed backup was written by a holder of the community key, but an unprotected backup
// carries that key, so whoever holds the file could have made it: the list is what a person can
// judge ("I do not know Mallory").
//
// The change is worked out as sync would merge the two rosters: member entries and removals are
// both unions, and a removal wins (shared/schema/roster.ts). So a device is a member afterwards
// when either roster lists it and neither removed it.
import * as Automerge from "@automerge/automerge";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import type { RestoreConsent, RosterChange, RosterMember } from "../../shared/contract.ts";
import { asDeviceKey } from "../../shared/ids.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { rosterKind, type Roster } from "../../shared/schema/roster.ts";
import type { OpenCommunity } from "../communities.ts";
import { readRoster, rosterDocumentId } from "../sync/membership.ts";
import { isMember } from "../trust/roster.ts";
import type { DecodedBackup } from "./format.ts";

const own = (record: object | undefined, key: string) =>
  record !== undefined && Object.prototype.hasOwnProperty.call(record, key);

/** The backup's roster; undefined when it holds none (a community from before rosters). */
export function rosterOfBackup(backup: DecodedBackup): Result<Roster | undefined> {
  const id = rosterDocumentId(backup.manifest.communityId);
  const doc = backup.documents.find((d) => d.id === id);
  if (!doc) return ok(undefined);
  const read = rosterKind.read(Automerge.load<unknown>(doc.bytes));
  if (read.state === "ok") return ok(read.doc);
  if (read.state === "newer")
    return err(
      ErrorCode.NewerVersion,
      "This backup's member list was written by a newer version of Meitheal. Update Meitheal on this device to restore it; nothing was changed.",
    );
  return err(
    ErrorCode.Damaged,
    "This backup's member list cannot be read, so Meitheal cannot show who restoring it would let in. Nothing was restored. Use another copy of the backup.",
  );
}

/** The roster of a community on this device as it is now; undefined while it has not arrived. */
export async function rosterHere(community: OpenCommunity): Promise<Roster | undefined> {
  const handle = await community.repo.find<Roster>(
    `automerge:${rosterDocumentId(community.id)}` as AutomergeUrl,
    { allowableStates: ["ready", "requesting", "unavailable"] },
  );
  return readRoster(handle);
}

/** What merging `incoming` into `here` (undefined: a community new to this device) changes. */
export function rosterChange(here: Roster | undefined, incoming: Roster | undefined): RosterChange {
  const keys = new Set([
    ...Object.keys(here?.members ?? {}),
    ...Object.keys(incoming?.members ?? {}),
  ]);
  const before = (key: string) => here !== undefined && isMember(here, key);
  const after = (key: string) =>
    (own(here?.members, key) || own(incoming?.members, key)) &&
    !own(here?.removed, key) &&
    !own(incoming?.removed, key);
  const nameOf = (key: string) =>
    (incoming?.members[key]?.name ?? here?.members[key]?.name ?? "").trim();
  const added = [...keys].filter((k) => after(k) && !before(k));
  const removed = [...keys].filter((k) => before(k) && !after(k));
  return { added: byName(added, nameOf), removed: byName(removed, nameOf) };
}

function byName(keys: string[], nameOf: (key: string) => string): RosterMember[] {
  const groups = new Map<string, string[]>();
  for (const key of keys.sort()) groups.set(nameOf(key), [...(groups.get(nameOf(key)) ?? []), key]);
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, deviceKeys]) => ({ name, deviceKeys: deviceKeys.map(asDeviceKey) }));
}

export const changesRoster = (change: RosterChange) =>
  change.added.length > 0 || change.removed.length > 0;

/** Every device key a change names. */
export const devicesOf = (change: RosterChange) =>
  [...change.added, ...change.removed].flatMap((m) => m.deviceKeys);

const devices = (n: number) => `${n} device${n === 1 ? "" : "s"}`;
const listed = (members: RosterMember[]) =>
  members
    .map((m) => `${m.name === "" ? "(no name)" : m.name} (${devices(m.deviceKeys.length)})`)
    .join(", ");

/** The change in a sentence or two, for the CLI and for a refusal's message. */
export function describeChange(change: RosterChange, merges: boolean): string {
  const parts: string[] = [];
  const count = (members: RosterMember[]) =>
    devices(devicesOf({ added: members, removed: [] }).length);
  if (change.added.length > 0)
    parts.push(
      merges
        ? `It adds ${count(change.added)} to the community's member list on this device: ${listed(change.added)}.`
        : `Its member list (${count(change.added)}), whose devices may then sync with this one: ${listed(change.added)}.`,
    );
  if (change.removed.length > 0)
    parts.push(
      `It removes ${count(change.removed)} from the member list, for good: ${listed(change.removed)}.`,
    );
  return parts.join(" ");
}

export const UNSEALED_WARNING =
  "This backup is not sealed: it was written by an older version of Meitheal, so nothing shows whether it was changed since. Restore it only if it has been in safe hands.";

/**
 * Why a restore may not go ahead with `consent` (undefined: it may): a device changed on the
 * member list that the person did not agree to, or an unsealed backup they did not accept.
 */
export function withoutConsent(
  change: RosterChange,
  sealed: boolean,
  merges: boolean,
  consent: RestoreConsent | undefined,
): string | undefined {
  const agreed = new Set<string>(consent?.devices ?? []);
  const unagreed = devicesOf(change).some((key) => !agreed.has(key));
  const unsealed = !sealed && consent?.unsealed !== true;
  if (!unagreed && !unsealed) return undefined;
  return [unsealed ? UNSEALED_WARNING : "", unagreed ? describeChange(change, merges) : ""]
    .filter((s) => s !== "")
    .join(" ");
}

/** A consent the window sent, checked (it comes from outside); undefined when there is none. */
export function consentOf(value: unknown): RestoreConsent | undefined {
  const c = value as Partial<{ devices: unknown; unsealed: unknown }> | null | undefined;
  if (c === null || typeof c !== "object") return undefined;
  const devices = Array.isArray(c.devices)
    ? c.devices
        .slice(0, 10_000)
        .filter((k): k is string => typeof k === "string" && /^[0-9a-f]{64}$/.test(k))
    : [];
  return { devices: devices.map(asDeviceKey), unsealed: c.unsealed === true };
}
