// What the tests do with the file arguments of the contract (FileSource, FileTarget).

/** The path a summary names: the tests that call with a path expect one back. */
export function pathOf(summary: { path: string | null }): string {
  if (summary.path === null) throw new Error("The summary names no path (a download or upload?).");
  return summary.path;
}
