// The YAML front matter at the top of a Markdown file: split from the body, and the title, status
// and themes read from it (what cannot be used is a warning, never an error).
import { parseDocument } from "yaml";
import { cleanTitle } from "../export/book.ts";
import { STORY_STATUSES, type StoryStatus } from "../schema/community.ts";

const FRONT_MATTER = /^---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

export type FrontMatter = Record<string, unknown>;

export function splitFrontMatter(
  text: string,
  warnings: string[],
): { front: FrontMatter | null; body: string } {
  const match = FRONT_MATTER.exec(text);
  if (!match) return { front: null, body: text };
  const yaml = match[1] ?? "";
  const body = text.slice(match[0].length);
  const doc = parseDocument(yaml, { prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    warnings.push(
      `The front matter (between the --- lines at the top) is not valid YAML (${doc.errors[0]?.message.split("\n")[0] ?? "unreadable"}), so the title, status and themes were not taken from it.`,
    );
    return { front: null, body };
  }
  let value: unknown;
  try {
    // maxAliasCount bounds the "billion laughs": aliases that expand to gigabytes.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch {
    warnings.push(
      "The front matter could not be read, so the title, status and themes were not taken from it.",
    );
    return { front: null, body };
  }
  if (value === null || value === undefined) return { front: {}, body };
  // "---" then prose then "---" is a thematic break and a heading, not front matter.
  if (typeof value !== "object" || Array.isArray(value)) return { front: null, body: text };
  return { front: value as FrontMatter, body };
}

export const scalarText = (value: unknown): string | null =>
  typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : null;

export function themeLabels(value: unknown, warnings: string[]): string[] {
  if (value === undefined || value === null) return [];
  const raw = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : [value];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const item of raw) {
    const label = scalarText(item);
    if (label === null) {
      warnings.push("A theme in the front matter is not text and was left out.");
      continue;
    }
    const clean = cleanTitle(label).normalize("NFC");
    const key = clean.toLocaleLowerCase();
    if (clean === "" || seen.has(key)) continue;
    seen.add(key);
    out.push(clean);
  }
  return out;
}

export function statusOf(value: unknown, warnings: string[]): StoryStatus {
  if (value === undefined || value === null) return "seed";
  const text = scalarText(value)?.trim().toLowerCase() ?? "";
  if ((STORY_STATUSES as readonly string[]).includes(text)) return text as StoryStatus;
  warnings.push(
    `The status "${String(scalarText(value) ?? "?").slice(0, 40)}" is not one Meitheal knows (seed, draft, ready, published); the story starts as a seed.`,
  );
  return "seed";
}

/** Dates before this are not a story's: a slip of the keyboard, or a date read as a number. */
const EARLIEST = Date.UTC(1900, 0, 1);
/** A day ahead allows for a clock set wrong; further ahead is not a date a story was written. */
const AHEAD_MS = 24 * 60 * 60 * 1000;

/**
 * A date of the front matter (`created`, `updated`) in milliseconds, or null when there is none;
 * one that cannot be read, or lies in the future, is a warning and null (the story is dated now).
 */
export function dateOf(
  value: unknown,
  name: string,
  now: number,
  warnings: string[],
): number | null {
  if (value === undefined || value === null) return null;
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === "string"
        ? Date.parse(value.trim())
        : Number.NaN;
  if (Number.isFinite(ms) && ms >= EARLIEST && ms <= now + AHEAD_MS) return ms;
  warnings.push(
    `The ${name} date "${String(scalarText(value) ?? "?").slice(0, 40)}" in the front matter could not be used, so the story is dated today.`,
  );
  return null;
}
