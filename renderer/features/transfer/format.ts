// Paths and progress as the transfer screens show them: pure functions, tested in Node. Paths are
// on the computer the peer runs on and typed by the person (the advanced option); the peer
// expands a leading `~/`.
import type { ExportFormat, TaskProgress } from "../../../shared/contract.ts";

export const EXTENSIONS: Record<ExportFormat, string> = {
  markdown: "zip",
  html: "html",
  epub: "epub",
  pdf: "pdf",
};

/** The backup file's extension (what the desktop app associates with Meitheal). */
export const BACKUP_EXTENSION = "meitheal-backup";

// What no file name should hold on any of the systems people use: separators, characters Windows
// refuses, and control characters.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[/\\:*?"<>|\u0000-\u001f\u007f]+/g;

/** A title as a file name: unsafe characters dropped, spaces collapsed, not too long. */
export function fileStem(title: string, fallback: string): string {
  const stem = title
    .replace(UNSAFE, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^\.+/, "")
    .slice(0, 80)
    .trim();
  return stem || fallback;
}

/** `~/<title>.<ext>`: where a file goes unless the person types another path. */
export const defaultPath = (title: string, extension: string, fallback: string): string =>
  `~/${fileStem(title, fallback)}.${extension}`;

/**
 * The path with its extension swapped for another format's, when it ends in one of ours; a path
 * the person typed with an extension of their own is left alone.
 */
export function withExtension(path: string, extension: string): string {
  const known = Object.values(EXTENSIONS).join("|");
  const match = new RegExp(`\\.(${known})$`, "i").exec(path);
  return match ? `${path.slice(0, match.index)}.${extension}` : path;
}

/** Paths typed one a line: trimmed, blank lines dropped, each once. */
export function parsePaths(text: string): string[] {
  const seen = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const path = line.trim();
    if (path) seen.add(path);
  }
  return [...seen];
}

/** A progress event's share as a whole percentage (0–100); null while the total is unknown. */
export function percent(progress: Pick<TaskProgress, "done" | "total"> | null): number | null {
  if (!progress || !(progress.total > 0)) return null;
  const share = Math.min(Math.max(progress.done, 0), progress.total) / progress.total;
  return Math.round(share * 100);
}

/** YYYY-MM-DD of a local day (for date fields). */
export const isoDay = (at: Date): string =>
  `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, "0")}-${String(at.getDate()).padStart(2, "0")}`;

/** "3 Mar 2026, 10:42": when a backup was written; "" when the time cannot be read. */
export function formatWhen(iso: string, locale?: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime())
    ? ""
    : new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(at);
}
