// The retreat harvest: one self-contained HTML report of a range of days — every log entry of those
// days (from every log, grouped by day, with who took part and what happened, was tried, was
// learned and comes next), every story created or changed in them, in full, and every inquiry map
// changed in them, drawn inline as SVG.
//
// Stories are given in full, not as excerpts: the harvest is the record of what a retreat wrote,
// and an excerpt would leave out most of it.
//
// Made in three steps, a file each: the range is checked (harvestDays.ts), the days' material
// chosen (harvestGather.ts), and the page written (harvestPage.ts) in the words of
// harvestLabels.ts, which the contract and the window import from here.
import type * as Automerge from "@automerge/automerge";
import type { Theme } from "../schema/community.ts";
import { ok, type Result } from "../result.ts";
import type { PageSize } from "./html.ts";
import { checkRange, dayIn } from "./harvestDays.ts";
import { gatherHarvest } from "./harvestGather.ts";
import { ENGLISH_HARVEST_LABELS, type HarvestLabels } from "./harvestLabels.ts";
import { harvestPage } from "./harvestPage.ts";

export {
  ENGLISH_HARVEST_LABELS,
  harvestLabelsValidator,
  type HarvestLabels,
} from "./harvestLabels.ts";

/** A document of the community as the peer found it; `title` is the index's, for warnings. */
export type HarvestDoc = {
  readonly id: string;
  readonly title: string;
  readonly doc: Automerge.Doc<unknown>;
};

/** A volume of a log's entries as the peer found it; `periods` are its quarters in the index. */
export type HarvestVolume = {
  readonly id: string;
  readonly periods: readonly string[];
  readonly doc: Automerge.Doc<unknown>;
};

/** A log and those of its volumes the report needs (none for a log written before volumes). */
export type HarvestLog = HarvestDoc & { readonly volumes?: readonly HarvestVolume[] };

export type HarvestSource = {
  readonly community: string;
  readonly themes: Readonly<Record<string, Theme>>;
  readonly logs: readonly HarvestLog[];
  readonly stories: readonly HarvestDoc[];
  readonly maps: readonly HarvestDoc[];
};

export type HarvestOptions = {
  /** Calendar days, `YYYY-MM-DD`, both included. */
  readonly from: string;
  readonly to: string;
  readonly labels?: HarvestLabels;
  /** BCP 47 tag for the page and for how days are written. */
  readonly locale?: string;
  /** IANA zone the days are counted in; default: this device's. */
  readonly timeZone?: string;
  readonly pageSize?: PageSize;
  readonly onProgress?: (done: number, total: number) => void;
};

export type HarvestReport = {
  readonly html: string;
  readonly entries: number;
  readonly stories: number;
  readonly maps: number;
  /** Documents that could not be read, each a sentence for people. */
  readonly warnings: string[];
};

/** Builds the report. Fails only on a bad range; unreadable documents are named in `warnings`. */
export function buildHarvest(
  source: HarvestSource,
  options: HarvestOptions,
): Result<HarvestReport> {
  const range = checkRange(options.from, options.to);
  if (!range.ok) return range;
  const { from, to } = range.value;
  const labels = options.labels ?? ENGLISH_HARVEST_LABELS;
  const warnings: string[] = [];
  const material = gatherHarvest(
    source,
    { from, to, dayOf: dayIn(options.timeZone), untitled: labels.untitled },
    warnings,
  );
  const html = harvestPage(material, {
    community: source.community,
    themes: source.themes,
    from,
    to,
    labels,
    locale: options.locale ?? "en",
    pageSize: options.pageSize ?? "A4",
    onProgress: options.onProgress,
  });
  return ok({
    html,
    entries: material.entries,
    stories: material.stories.length,
    maps: material.maps.length,
    warnings,
  });
}
