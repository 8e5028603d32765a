// `harvest:write`: the retreat harvest of a community written to a file. The community's logs,
// stories and maps are read as this device has them (each validated; one that is damaged, from a
// newer Meitheal or not here yet is named in the warnings, never fatal), the report is built
// (shared/export/harvest.ts) and written as every export is (peer/export/file.ts): atomically, so
// a failure leaves whatever was at the path before, and no temp file. A PDF is printed from the
// report by the peer's PdfPrinter (Electron's printToPDF in the desktop app, else Chromium).
//
// A log's entries are kept in volumes of a quarter each (schema/logVolume.ts): only the volumes
// whose quarters, as the index lists them, meet the range are read, so a harvest of a weekend
// reads a quarter or two of each log, not ten years of it.
import type * as Automerge from "@automerge/automerge";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import type { ArgsOf, ExportSummary, PageSize, TaskProgress } from "../../shared/contract.ts";
import {
  buildHarvest,
  harvestLabelsValidator,
  type HarvestDoc,
  type HarvestLabels,
  type HarvestLog,
  type HarvestVolume,
} from "../../shared/export/harvest.ts";
import { checkRange } from "../../shared/export/harvestDays.ts";
import { quartersText } from "../../shared/export/harvestGather.ts";
import { logVolumes, quarterOf, type VolumeInfo } from "../../shared/ops/logVolumes.ts";
import type { PageSize as HtmlPageSize } from "../../shared/export/html.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { communityKind } from "../../shared/schema/community.ts";
import { describeIssues } from "../../shared/schema/kind.ts";
import type { OpenCommunity } from "../communities.ts";
import { exportTarget, resolveTypedPath, writeExportFile } from "../export/file.ts";
import { printWithFonts, type PdfPrinter } from "../export/pdf.ts";

const LOAD_MS = 10_000;

export type HarvestDeps = {
  community: OpenCommunity;
  /** Absent where no Chromium is at hand (a headless peer without one). */
  printPdf?: PdfPrinter;
  progress?: (p: TaskProgress) => void;
  labels?: HarvestLabels;
  locale?: string;
  timeZone?: string;
};

/** The call's arguments, with the place to write as a path on this device (handlers/harvest.ts). */
export type HarvestArgs = Omit<ArgsOf<"harvest:write">, "target"> & { path: string };

/** The window's words, language and zone for the report, checked; absent ones fall back to `deps`. */
function checkWording(
  args: HarvestArgs,
  deps: HarvestDeps,
): Result<{ labels?: HarvestLabels; locale?: string; timeZone?: string }> {
  const again = "Nothing was written. Reload the window and write the report again.";
  let labels = deps.labels;
  if (args.labels !== undefined) {
    const parsed = harvestLabelsValidator.safeParse(args.labels);
    if (!parsed.success)
      return err(
        ErrorCode.BadInput,
        `The report's words sent by this window are not usable (${describeIssues(parsed.error.issues)[0] ?? "unreadable"}). ${again}`,
      );
    labels = parsed.data;
  }
  try {
    if (args.locale !== undefined) Intl.getCanonicalLocales(args.locale);
    if (args.timeZone !== undefined) new Intl.DateTimeFormat("en", { timeZone: args.timeZone });
  } catch {
    return err(
      ErrorCode.BadInput,
      `The language "${String(args.locale)}" or time zone "${String(args.timeZone)}" sent by this window is not one this device knows. ${again}`,
    );
  }
  return ok({
    labels,
    locale: args.locale ?? deps.locale,
    timeZone: args.timeZone ?? deps.timeZone,
  });
}

export const PDF_UNAVAILABLE =
  "A PDF needs Chromium or the desktop app, and this peer has neither. Write the harvest as HTML and print it from a browser.";

/** The volumes of a log that may hold entries of the days `from`–`to`: a quarter meets the range. */
export function volumesInRange(
  volumes: readonly VolumeInfo[],
  from: string,
  to: string,
): VolumeInfo[] {
  const [first, last] = [quarterOf(from), quarterOf(to)];
  return volumes.filter((v) => v.periods.some((p) => p >= first && p <= last));
}

async function load(community: OpenCommunity, id: string): Promise<Automerge.Doc<unknown> | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const handle = await Promise.race([
      community.repo.find<unknown>(`automerge:${id}` as AutomergeUrl),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("not here")), LOAD_MS);
      }),
    ]);
    return handle.doc();
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

export async function writeHarvest(
  deps: HarvestDeps,
  args: HarvestArgs,
): Promise<Result<ExportSummary>> {
  const { community } = deps;
  if (args.format !== "html" && args.format !== "pdf")
    return err(
      ErrorCode.BadInput,
      `A harvest is written as "html" or "pdf", not "${String(args.format)}".`,
    );
  const pageSize: PageSize = args.pageSize ?? "a4";
  if (pageSize !== "a4" && pageSize !== "a5")
    return err(ErrorCode.BadInput, `The page size is "a4" or "a5", not "${String(pageSize)}".`);
  const range = checkRange(args.from, args.to);
  if (!range.ok) return range;
  const wording = checkWording(args, deps);
  if (!wording.ok) return wording;
  const typed = resolveTypedPath(args.path, `/home/me/retreat-harvest.${args.format}`);
  if (!typed.ok) return typed;
  // Checked before any document is read: a PDF that cannot be made should say so at once.
  if (args.format === "pdf" && !deps.printPdf) return err(ErrorCode.Unavailable, PDF_UNAVAILABLE);
  // A folder given as the path gets a file named after the range.
  const path = await exportTarget(
    typed.value,
    `harvest-${range.value.from}${range.value.to === range.value.from ? "" : `-to-${range.value.to}`}.${args.format}`,
  );
  if (!path.ok) return path;

  const indexDoc = community.index?.isReady() ? community.index.doc() : undefined;
  const index = indexDoc ? communityKind.read(indexDoc) : undefined;
  if (!index || index.state !== "ok")
    return err(
      ErrorCode.Unavailable,
      "This community's index is not readable on this device yet, so there is nothing to harvest. Let it sync (or restore it from a backup), then try again.",
    );
  const warnings: string[] = [];
  const docs: { log: HarvestLog[]; story: HarvestDoc[]; map: HarvestDoc[] } = {
    log: [],
    story: [],
    map: [],
  };
  // Volumes are read with their log, not as documents of their own.
  const listed = Object.entries(index.doc.entries).filter(
    (e): e is [string, (typeof e)[1] & { kind: "log" | "story" | "map" }] =>
      e[1].kind === "log" || e[1].kind === "story" || e[1].kind === "map",
  );
  const volumesOf = new Map(
    listed
      .filter(([, entry]) => entry.kind === "log")
      .map(([id]) => [
        id,
        volumesInRange(logVolumes(index.doc, id), range.value.from, range.value.to),
      ]),
  );
  const total = listed.length + [...volumesOf.values()].reduce((n, v) => n + v.length, 0);
  const progress = (done: number, total: number) =>
    deps.progress?.({ communityId: community.id, task: "harvest", done, total });
  // Reading is most of the work: progress counts documents read (volumes too), then the report's
  // parts.
  let read = 0;
  progress(0, total);
  for (const [id, entry] of listed) {
    const doc = await load(community, id);
    progress(++read, total);
    const name = entry.title || id;
    if (doc === null) {
      warnings.push(
        `"${name}" is listed but not on this device yet, so it is left out. Let the community sync, then write the harvest again.`,
      );
      // Its volumes are not read: without the log there is nothing to put their entries under.
      const skipped = volumesOf.get(id)?.length ?? 0;
      if (skipped > 0) progress((read += skipped), total);
      continue;
    }
    if (entry.kind !== "log") {
      docs[entry.kind].push({ id, title: entry.title, doc });
      continue;
    }
    const volumes: HarvestVolume[] = [];
    for (const volume of volumesOf.get(id) ?? []) {
      const volumeDoc = await load(community, volume.id);
      progress(++read, total);
      if (volumeDoc === null)
        warnings.push(
          `Entries of the log "${name}" for ${quartersText(volume.periods)} are not on this device yet, so they are left out. Let the community sync, then write the harvest again.`,
        );
      else volumes.push({ id: volume.id, periods: volume.periods, doc: volumeDoc });
    }
    docs.log.push({ id, title: entry.title, doc, volumes });
  }

  const report = buildHarvest(
    {
      community: index.doc.name,
      themes: index.doc.themes,
      logs: docs.log,
      stories: docs.story,
      maps: docs.map,
    },
    {
      from: range.value.from,
      to: range.value.to,
      labels: wording.value.labels,
      locale: wording.value.locale,
      timeZone: wording.value.timeZone,
      pageSize: (pageSize === "a5" ? "A5" : "A4") satisfies HtmlPageSize,
    },
  );
  if (!report.ok) return report;
  warnings.push(...report.value.warnings);

  let data: Uint8Array = new TextEncoder().encode(report.value.html);
  if (args.format === "pdf") {
    try {
      const printed = await printWithFonts(deps.printPdf!, report.value.html, pageSize);
      data = printed.bytes;
      warnings.push(...printed.warnings);
    } catch (e) {
      return err(
        ErrorCode.Unavailable,
        `The PDF could not be made (${(e as Error).message}). Write the harvest as HTML instead, and print that from a browser. Nothing was written.`,
      );
    }
  }
  const written = await writeExportFile(path.value, data);
  if (!written.ok) return written;
  return ok({
    path: path.value,
    download: null,
    format: args.format,
    stories: report.value.stories,
    bytes: written.value,
    warnings,
  });
}
