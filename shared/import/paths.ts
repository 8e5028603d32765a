// The "/"-separated paths of an import's files: joining them, the file a relative link names, and a
// title made from a file name.
import { cleanTitle } from "../export/book.ts";

/** The folder part of a "/"-separated path ("" at the top). */
export const dirOf = (path: string): string => {
  const at = path.lastIndexOf("/");
  return at < 0 ? "" : path.slice(0, at);
};

/** Joins and normalises "/"-separated paths: "." and ".." resolved, never above the root. */
export function joinPath(base: string, relative: string): string {
  const absolute = base.startsWith("/");
  const parts: string[] = [];
  for (const part of `${base}/${relative}`.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `${absolute ? "/" : ""}${parts.join("/")}`;
}

/** The file a relative link names, or null when it is not a link to a file (a page anchor). */
export function relativeTarget(url: string, from: string): string | null {
  const bare = url.replace(/[?#].*$/s, "");
  if (bare === "") return null;
  let decoded = bare;
  try {
    decoded = decodeURIComponent(bare);
  } catch {
    // A stray "%" in a file name: take the name as written.
  }
  return joinPath(dirOf(from), decoded);
}

/** A title made from a file name: "the-first-day.md" → "the first day". */
export function titleFromPath(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1).replace(/\.(md|markdown|txt)$/i, "");
  return cleanTitle(name.replace(/[-_]+/g, " "));
}
