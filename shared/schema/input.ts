// Checks of what a person types, before it reaches a document. Each failure says what is wrong and
// what to do, in words fit to show.
import { ErrorCode, err, ok, type Result } from "../result.ts";
import { LIMITS } from "./community.ts";

const clean = (value: string) => value.normalize("NFC").replace(/\s+/g, " ").trim();

export function checkName(value: unknown, what: string, max: number): Result<string> {
  if (typeof value !== "string") return err(ErrorCode.BadInput, `The ${what} must be text.`);
  const name = clean(value);
  if (name.length === 0) return err(ErrorCode.BadInput, `The ${what} is empty. Type a ${what}.`);
  if (name.length > max)
    return err(
      ErrorCode.BadInput,
      `The ${what} is ${name.length} characters long; the limit is ${max}. Shorten it.`,
    );
  return ok(name);
}

export const checkCommunityName = (value: unknown) =>
  checkName(value, "community name", LIMITS.name);
export const checkTitle = (value: unknown) => checkName(value, "title", LIMITS.title);
export const checkThemeLabel = (value: unknown) => checkName(value, "theme", LIMITS.themeLabel);

export function checkPurpose(value: unknown): Result<string> {
  if (value === undefined) return ok("");
  if (typeof value !== "string") return err(ErrorCode.BadInput, "The purpose must be text.");
  const purpose = value.normalize("NFC").trim();
  if (purpose.length > LIMITS.purpose) {
    return err(
      ErrorCode.BadInput,
      `The purpose is ${purpose.length} characters long; the limit is ${LIMITS.purpose}. Shorten it.`,
    );
  }
  return ok(purpose);
}

/** Theme labels: each cleaned, empty ones dropped, duplicates (ignoring case) removed. */
export function checkThemes(value: unknown): Result<string[]> {
  if (value === undefined) return ok([]);
  if (!Array.isArray(value)) return err(ErrorCode.BadInput, "Themes must be a list of words.");
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of value) {
    if (typeof item === "string" && clean(item) === "") continue;
    const label = checkThemeLabel(item);
    if (!label.ok) return label;
    const key = label.value.toLocaleLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(label.value);
  }
  if (out.length > LIMITS.themes)
    return err(ErrorCode.BadInput, `A community can have at most ${LIMITS.themes} themes.`);
  return ok(out);
}

export const HEX_COLOUR = /^#[0-9a-f]{6}$/i;

export function checkColour(value: unknown): Result<string> {
  if (typeof value === "string" && HEX_COLOUR.test(value)) return ok(value.toLowerCase());
  return err(ErrorCode.BadInput, "The colour must look like #2a7a5e. Pick one from the list.");
}
