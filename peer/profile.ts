// The local profile: how this device's person appears to others. Device data, kept in profile.json.
import { join } from "node:path";
import type { Profile } from "../shared/contract.ts";
import { defaultColour } from "../shared/palette.ts";
import { checkColour, checkName } from "../shared/schema/input.ts";
import { ErrorCode, err, ok, type Result } from "../shared/result.ts";
import { readJson, writeJsonAtomic } from "./storage/atomicFile.ts";

export const PROFILE_FILE = "profile.json";
const NAME_LIMIT = 60;

/**
 * The name shown until the person chooses one: never the computer's account name, which would
 * reach every member's list (a founder who never opened the profile) and says nothing they chose.
 */
const defaultName = (deviceKey: string): string => `Member ${deviceKey.slice(0, 4).toUpperCase()}`;

export const checkProfile = (value: Partial<Profile>): Result<Profile> => {
  const displayName = checkName(value.displayName, "display name", NAME_LIMIT);
  if (!displayName.ok) return displayName;
  const colour = checkColour(value.colour);
  if (!colour.ok) return colour;
  return ok({ displayName: displayName.value, colour: colour.value });
};

/** The saved profile, or a stand-in (`chosen: false`) until the person saves one. */
export async function loadProfile(dataDir: string, deviceKey: string): Promise<Profile> {
  const fallback = {
    displayName: defaultName(deviceKey),
    colour: defaultColour(deviceKey),
    chosen: false,
  };
  let stored: unknown;
  try {
    stored = await readJson(join(dataDir, PROFILE_FILE));
  } catch {
    return fallback; // A damaged profile is only a name and a colour: fall back, keep the file for the next save to replace.
  }
  if (typeof stored !== "object" || stored === null) return fallback;
  const checked = checkProfile(stored);
  return checked.ok ? { ...checked.value, chosen: true } : fallback;
}

export async function saveProfile(
  dataDir: string,
  value: Partial<Profile>,
): Promise<Result<Profile>> {
  const checked = checkProfile(value);
  if (!checked.ok) return checked;
  try {
    await writeJsonAtomic(join(dataDir, PROFILE_FILE), checked.value);
  } catch (e) {
    return err(
      ErrorCode.Storage,
      `Your profile could not be saved (${(e as Error).message}). Check the data folder is writable and try again.`,
    );
  }
  return ok({ ...checked.value, chosen: true });
}
