// Roster operations: pure functions over a roster document. The mutating ones are meant to run
// inside `handle.change` (or Automerge.change), so they only assign keys in existing maps: two
// devices changing the roster at once merge key by key instead of one map hiding the other.
import type { CommunityId, DeviceKey } from "../../shared/ids.ts";
import { asDeviceKey } from "../../shared/ids.ts";
import { err, ErrorCode, ok, type Result } from "../../shared/result.ts";
import {
  ROSTER_SCHEMA,
  ROSTER_VERSION,
  type Member,
  type Roster,
} from "../../shared/schema/roster.ts";

export const ROSTER_MESSAGES = {
  removed: "That device was removed from this community and cannot be added again.",
  notMember: "Only a member of this community can do that.",
  unknown: "That device is not on this community's roster.",
  badKey: "That is not a device key.",
} as const;

export type MemberView = Member & {
  readonly deviceKey: DeviceKey;
  readonly removed?: { readonly by: DeviceKey; readonly at: number };
};

const isKey = (key: string) => /^[0-9a-f]{64}$/.test(key);
const own = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key);

/** A new roster with its founder; pass the result to `repo.create`. */
export function createRoster(
  communityId: CommunityId,
  founder: { deviceKey: DeviceKey; name: string },
  at: number,
): Roster {
  return {
    schema: ROSTER_SCHEMA,
    version: ROSTER_VERSION,
    communityId,
    members: {
      [founder.deviceKey]: { name: founder.name, addedBy: founder.deviceKey, addedAt: at },
    },
    removed: {},
  };
}

/** A device may take part in the community: on the roster and never removed. */
export const isMember = (roster: Roster, deviceKey: string): boolean =>
  own(roster.members, deviceKey) && !own(roster.removed, deviceKey);

/** Whether this key was ever removed (its connections are refused for good). */
export const isRemoved = (roster: Roster, deviceKey: string): boolean =>
  own(roster.removed, deviceKey);

/**
 * Adds a device, added by a current member. Adding a current member again changes nothing;
 * a removed device is refused.
 */
export function addMember(
  roster: Roster,
  entry: { deviceKey: DeviceKey; name: string; addedBy: DeviceKey; at: number },
): Result<MemberView> {
  if (!isKey(entry.deviceKey)) return err(ErrorCode.BadInput, ROSTER_MESSAGES.badKey);
  if (isRemoved(roster, entry.deviceKey)) return err(ErrorCode.BadInput, ROSTER_MESSAGES.removed);
  if (!isMember(roster, entry.addedBy)) return err(ErrorCode.BadInput, ROSTER_MESSAGES.notMember);
  const existing = roster.members[entry.deviceKey];
  if (existing) return ok(view(entry.deviceKey, existing, undefined));
  const member: Member = { name: entry.name, addedBy: entry.addedBy, addedAt: entry.at };
  roster.members[entry.deviceKey] = member;
  return ok(view(entry.deviceKey, member, undefined));
}

/** Removes a device for good (a tombstone), by a current member; removing it again changes nothing. */
export function removeMember(
  roster: Roster,
  deviceKey: DeviceKey,
  by: DeviceKey,
  at: number,
): Result<void> {
  if (!isMember(roster, by)) return err(ErrorCode.BadInput, ROSTER_MESSAGES.notMember);
  if (!own(roster.members, deviceKey) && !isRemoved(roster, deviceKey))
    return err(ErrorCode.NotFound, ROSTER_MESSAGES.unknown);
  if (!isRemoved(roster, deviceKey)) roster.removed[deviceKey] = { by, at };
  return ok(undefined);
}

const view = (
  key: string,
  m: Member,
  removal: Roster["removed"][string] | undefined,
): MemberView => ({
  deviceKey: asDeviceKey(key),
  name: m.name,
  addedBy: asDeviceKey(m.addedBy),
  addedAt: m.addedAt,
  ...(removal ? { removed: { by: asDeviceKey(removal.by), at: removal.at } } : {}),
});

/** Current members, oldest first; with `includeRemoved`, removed devices too, marked as such. */
export function listMembers(
  roster: Roster,
  options: { includeRemoved?: boolean } = {},
): MemberView[] {
  const out: MemberView[] = [];
  for (const [key, m] of Object.entries(roster.members)) {
    const removal = roster.removed[key];
    if (removal && !options.includeRemoved) continue;
    out.push(view(key, m, removal));
  }
  return out.sort((a, b) => a.addedAt - b.addedAt || a.deviceKey.localeCompare(b.deviceKey));
}
