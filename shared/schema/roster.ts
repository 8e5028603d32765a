// A community's roster: which device keys are members. A synced document, so every member's device
// can check a connecting key against it. Removal is a tombstone in its own map, never a delete and
// never a field inside the member entry: a concurrent re-add of the same device (which writes a new
// member entry) then cannot hide the removal, and a removed device is refused from then on.
// Both maps are created with the roster, by one writer (see story.ts on concurrent map creation).
import { z } from "zod";
import { defineKind } from "./kind.ts";

export const ROSTER_SCHEMA = "meitheal/roster";
export const ROSTER_VERSION = 1;

const time = z.number().finite().nonnegative();
const deviceKeyHex = z.string().regex(/^[0-9a-f]{64}$/, "not a device key");

export const memberValidator = z.object({
  name: z.string().max(200),
  /** Device key of the member who added this one (itself for the founder). */
  addedBy: deviceKeyHex,
  addedAt: time,
});
export type Member = z.infer<typeof memberValidator>;

export const removalValidator = z.object({ by: deviceKeyHex, at: time });
export type Removal = z.infer<typeof removalValidator>;

export const rosterValidator = z.object({
  schema: z.literal(ROSTER_SCHEMA),
  version: z.literal(ROSTER_VERSION),
  communityId: z.string(),
  /** Device key (hex) → member. */
  members: z.record(deviceKeyHex, memberValidator),
  /** Device key (hex) → removal. Once here, a key is never a member again. */
  removed: z.record(deviceKeyHex, removalValidator),
});
export type Roster = z.infer<typeof rosterValidator>;

export const rosterKind = defineKind<Roster>({
  schema: ROSTER_SCHEMA,
  version: ROSTER_VERSION,
  validator: rosterValidator,
  migrations: [],
});
