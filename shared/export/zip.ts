// Zip files for the exporters (fflate: small, runs in the browser and in Node). Output is
// deterministic: entries in the order given and one fixed timestamp, so exporting the same
// collection twice gives the same bytes.
import { strToU8, zipSync, type Zippable } from "fflate";

export type ZipEntry = {
  readonly path: string;
  readonly data: string | Uint8Array;
  /** Stored uncompressed (an EPUB's `mimetype` must be). */
  readonly store?: boolean;
};

// The zip format keeps local time with no zone, and fflate reads the Date's local fields: a Date
// whose local fields are the UTC fields of `ms` makes the archive the same in every time zone.
function zipTime(ms: number): Date {
  // Zip dates start in 1980.
  const utc = new Date(Math.max(ms, Date.UTC(1980, 0, 1)));
  return new Date(
    utc.getUTCFullYear(),
    utc.getUTCMonth(),
    utc.getUTCDate(),
    utc.getUTCHours(),
    utc.getUTCMinutes(),
    utc.getUTCSeconds(),
  );
}

/** A zip of `entries`, each stamped with `modified` (ms since the epoch). */
export function zipFiles(entries: readonly ZipEntry[], modified: number): Uint8Array {
  const mtime = zipTime(modified);
  const files: Zippable = {};
  for (const entry of entries) {
    const data = typeof entry.data === "string" ? strToU8(entry.data) : entry.data;
    files[entry.path] = [data, { level: entry.store ? 0 : 6, mtime }];
  }
  return zipSync(files);
}
