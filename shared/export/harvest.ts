// The retreat harvest: one self-contained HTML report of a range of days — every log entry of those
// days (from every log, grouped by day, with who took part and what happened, was tried, was
// learned and comes next), every story created or changed in them, in full, and every inquiry map
// changed in them, drawn inline as SVG. Like the book's HTML (html.ts): styles inline, no script,
// nothing fetched from anywhere, a print stylesheet (the PDF is printed from it), and everything
// people wrote escaped.
//
// Stories are given in full, not as excerpts: the harvest is the record of what a retreat wrote,
// and an excerpt would leave out most of it.
//
// "Changed in those days" is read from the documents themselves: a story's or map's own
// created/updated times, its nodes' and edges' times, and the time of every Automerge change to it
// (each change records when it was made, on whichever device made it), so a story edited on day 2
// and again a week later still counts as changed on day 2. Timestamps become calendar days in the
// given time zone (the device's own by default); log entries carry their day already.
//
// A log's entries are those it holds itself (written before logs had volumes) and those of its
// volumes (schema/logVolume.ts); the peer passes only the volumes whose quarters meet the range.
import * as Automerge from "@automerge/automerge";
import { z } from "zod";
import {
  DAY,
  ENTRY_KINDS,
  ENTRY_TEXT_FIELDS,
  logKind,
  type EntryKindName,
  type EntryTextField,
} from "../schema/log.ts";
import type { DocKind, ReadResult } from "../schema/kind.ts";
import { logVolumeKind, type LogVolume } from "../schema/logVolume.ts";
import { liveEntriesIn, type ListedLogEntry } from "../ops/log.ts";
import {
  NODE_KINDS,
  QUESTION_STATUSES,
  RELATIONS,
  mapKind,
  type InquiryMap,
} from "../schema/map.ts";
import { storyKind, type Story } from "../schema/story.ts";
import { STORY_STATUSES, type StoryStatus, type Theme } from "../schema/community.ts";
import { hrefRef } from "../links/ref.ts";
import { ErrorCode, err, ok, type Result } from "../result.ts";
import {
  cleanText,
  cleanTitle,
  readBlocks,
  uniqueSlugs,
  type Block,
  type BookLink,
} from "./book.ts";
import { blocksMarkup, escapeXml, type MarkupStyle, type PageSize } from "./html.ts";
import { mapToSvg, type MapSvgLabels } from "./mapSvg.ts";

/** The words the report prints around what people wrote; the renderer passes translated ones. */
export type HarvestLabels = {
  /** "{community}" is replaced by the community's name. */
  readonly title: string;
  /** "{from}" and "{to}" are replaced by the days. */
  readonly range: string;
  readonly oneDay: string;
  readonly contents: string;
  readonly logs: string;
  /** In the summary line: how many log entries the report holds. */
  readonly entries: string;
  readonly stories: string;
  readonly maps: string;
  readonly noEntries: string;
  readonly noStories: string;
  readonly noMaps: string;
  readonly participants: string;
  readonly themes: string;
  readonly created: string;
  readonly changed: string;
  readonly untitled: string;
  readonly fields: Readonly<Record<EntryTextField, string>>;
  readonly entryKinds: Readonly<Record<EntryKindName, string>>;
  readonly statuses: Readonly<Record<StoryStatus, string>>;
  readonly map: MapSvgLabels;
};

/** Longest label a window may send (a heading or a sentence, in any language). */
const LABEL_MAX = 300;

const label = z.string().min(1).max(LABEL_MAX);
const labelsOf = <K extends string>(keys: readonly K[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, label])) as Record<K, typeof label>).strict();

/**
 * The words of a report as a window sends them (its own language) through `harvest:write`:
 * checked before use, like anything that crosses the contract.
 */
export const harvestLabelsValidator = z
  .object({
    title: label,
    range: label,
    oneDay: label,
    contents: label,
    logs: label,
    entries: label,
    stories: label,
    maps: label,
    noEntries: label,
    noStories: label,
    noMaps: label,
    participants: label,
    themes: label,
    created: label,
    changed: label,
    untitled: label,
    fields: labelsOf(ENTRY_TEXT_FIELDS),
    entryKinds: labelsOf(ENTRY_KINDS),
    statuses: labelsOf(STORY_STATUSES),
    map: z
      .object({
        kind: labelsOf(NODE_KINDS),
        relation: labelsOf(RELATIONS),
        status: labelsOf(QUESTION_STATUSES),
        empty: label,
      })
      .strict(),
  })
  .strict();

export const ENGLISH_HARVEST_LABELS: HarvestLabels = {
  title: "{community}: retreat harvest",
  range: "{from} to {to}",
  oneDay: "{from}",
  contents: "Contents",
  logs: "Practice logs",
  entries: "Log entries",
  stories: "Stories",
  maps: "Inquiry maps",
  noEntries: "Nothing was logged on these days.",
  noStories: "No story was written or changed on these days.",
  noMaps: "No map was changed on these days.",
  participants: "Who took part",
  themes: "Themes",
  created: "New",
  changed: "Changed",
  untitled: "Untitled",
  fields: {
    happened: "What happened",
    tried: "What we tried",
    learned: "What we learned",
    next: "Next steps",
  },
  entryKinds: {
    gathering: "Gathering",
    experiment: "Experiment",
    reflection: "Reflection",
    decision: "Decision",
  },
  statuses: { seed: "Seed", draft: "Draft", ready: "Ready", published: "Published" },
  map: {
    kind: {
      question: "Question",
      insight: "Insight",
      resource: "Resource",
      practice: "Practice",
      story: "Story",
      entry: "Log entry",
    },
    relation: {
      raises: "raises",
      answers: "answers",
      supports: "supports",
      challenges: "challenges",
      relates: "relates to",
    },
    status: {
      open: "open",
      exploring: "exploring",
      insight: "insight found",
      reframed: "reframed",
    },
    empty: "This map has no nodes yet.",
  },
};

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

/** The longest range a report covers: a year of days. */
export const MAX_HARVEST_DAYS = 366;

const DAY_MS = 86_400_000;
const dayNumber = (day: string): number => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/** A day that is on the calendar: not 2025-02-30, which Date.parse quietly takes for 2 March. */
const realDay = (day: string): boolean => {
  const n = dayNumber(day);
  return Number.isFinite(n) && new Date(n * DAY_MS).toISOString().slice(0, 10) === day;
};

/** Checks a range of calendar days; the message says what to fix. */
export function checkRange(from: unknown, to: unknown): Result<{ from: string; to: string }> {
  for (const [name, day] of [
    ["start", from],
    ["end", to],
  ] as const) {
    if (typeof day !== "string" || !DAY.test(day) || !realDay(day))
      return err(
        ErrorCode.BadInput,
        `The ${name} day "${String(day).slice(0, 20)}" is not a day written as YYYY-MM-DD (e.g. 2025-06-01).`,
      );
  }
  const a = from as string;
  const b = to as string;
  if (a > b)
    return err(ErrorCode.BadInput, `The range starts (${a}) after it ends (${b}). Swap them.`);
  if (dayNumber(b) - dayNumber(a) + 1 > MAX_HARVEST_DAYS)
    return err(
      ErrorCode.BadInput,
      `A harvest covers at most ${MAX_HARVEST_DAYS} days; ${a} to ${b} is longer. Choose a shorter range.`,
    );
  return ok({ from: a, to: b });
}

/** The calendar day (`YYYY-MM-DD`) of a time in a zone (undefined: this device's). */
export function dayIn(timeZone: string | undefined): (ms: number) => string {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  return (ms) => {
    const parts = format.formatToParts(new Date(ms));
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "00";
    return `${part("year")}-${part("month")}-${part("day")}`;
  };
}

/** Reads a document of a kind, migrating a copy when it is older. */
function readMigrated<T>(
  kind: DocKind<T>,
  stored: Automerge.Doc<unknown>,
): { read: ReadResult<T>; doc: Automerge.Doc<unknown> } {
  let doc = stored;
  let read = kind.read(doc);
  if (read.state === "needs-migration") {
    // The stored document is the peer's to migrate; the report reads an up-to-date copy.
    doc = Automerge.change(Automerge.clone(doc), (d) => {
      kind.migrate(d as Record<string, unknown>);
    });
    read = kind.read(doc);
  }
  return { read, doc };
}

/** Reads a document of a kind, migrating a copy when it is older; null (with a warning) if not. */
function readDoc<T>(
  kind: DocKind<T>,
  item: HarvestDoc,
  what: string,
  warnings: string[],
): { value: T; doc: Automerge.Doc<unknown> } | null {
  const { read, doc } = readMigrated(kind, item.doc);
  const name = cleanTitle(item.title) || item.id;
  if (read.state === "ok") {
    if (read.problems.length > 0)
      warnings.push(
        `Parts of the ${what} "${name}" could not be read and are left out (${read.problems.length} item${read.problems.length === 1 ? "" : "s"}).`,
      );
    return { value: read.doc, doc };
  }
  warnings.push(
    read.state === "newer"
      ? `The ${what} "${name}" was made by a newer version of Meitheal and is left out. Update Meitheal to include it.`
      : `The ${what} "${name}" could not be read (it is damaged) and is left out.`,
  );
  return null;
}

/** The quarters of a volume as people read them in a warning: "2025-Q2" or "2025-Q1 to 2025-Q2". */
export function quartersText(periods: readonly string[]): string {
  const sorted = [...periods].sort();
  const [first, last] = [sorted[0] ?? "", sorted.at(-1) ?? ""];
  return first === last ? first : `${first} to ${last}`;
}

/**
 * A volume of the log `logId`, read (through migrations, on a copy); null, with a warning naming
 * the log and the volume's quarters, when it does not read as one. A volume naming another log
 * than its index entry does is not trusted with this log's entries.
 */
function readVolume(
  volume: HarvestVolume,
  logId: string,
  logName: string,
  warnings: string[],
): LogVolume | null {
  const which = `The entries of the log "${logName}" for ${quartersText(volume.periods)}`;
  const read = readMigrated(logVolumeKind, volume.doc).read;
  if (read.state === "ok" && read.doc.logId === logId) {
    if (read.problems.length > 0)
      warnings.push(
        `${which} could not all be read: ${read.problems.length} entr${read.problems.length === 1 ? "y is" : "ies are"} left out.`,
      );
    return read.doc;
  }
  warnings.push(
    read.state === "newer"
      ? `${which} were written by a newer version of Meitheal and are left out. Update Meitheal to include them.`
      : `${which} could not be read (they are damaged) and are left out.`,
  );
  return null;
}

/** Times (ms) of every change to a document, from the changes themselves. */
function changeTimes(doc: Automerge.Doc<unknown>): number[] {
  try {
    return Automerge.getChangesMetaSince(doc, [])
      .map((c) => c.time * 1000)
      .filter((t) => t > 0);
  } catch {
    return [];
  }
}

const fill = (template: string, values: Record<string, string>): string =>
  template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);

/** Text people wrote in a plain field, as paragraphs with their line breaks. */
function prose(text: string): string {
  return cleanText(text)
    .trim()
    .split(/\n[ \t]*\n+/)
    .filter((p) => p.trim() !== "")
    .map((p) => `<p>${escapeXml(p.trim()).replace(/\n/g, "<br>")}</p>`)
    .join("\n");
}

/** SVG ids are document-wide when inlined in HTML: each map's arrow markers get their own. */
const ownIds = (svg: string, prefix: string): string =>
  // Only attribute values: text people wrote is escaped, so `"` never occurs in it.
  svg
    .replace(/ id="arrow-/g, ` id="${prefix}-arrow-`)
    .replace(/="url\(#arrow-/g, `="url(#${prefix}-arrow-`)
    .replace(/ role="img">/, ` role="img" aria-labelledby="${prefix}-title">`)
    .replace(/<title>/, `<title id="${prefix}-title">`);

const CSS = `
:root { color-scheme: light dark; --ink: #1f2328; --muted: #59636e; --rule: #d0d7de; --accent: #0b6e4f; --paper: #fffdf8; --card: #ffffff; }
@media (prefers-color-scheme: dark) { :root { --ink: #e6e1d6; --muted: #a8a294; --rule: #3d3a35; --accent: #7fd1ae; --paper: #1b1a18; --card: #24221f; } }
* { box-sizing: border-box; }
html { background: var(--paper); color: var(--ink); }
body { margin: 0 auto; padding: 3rem 1.25rem 5rem; max-width: 46rem; font-family: "Iowan Old Style", "Palatino Linotype", Palatino, Georgia, "Times New Roman", serif; font-size: 1.08rem; line-height: 1.6; overflow-wrap: break-word; }
h1, h2, h3, h4, h5, h6, .meta, dt { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 1.8em 0 0.5em; }
h1 { font-size: 2.1rem; margin-top: 0; }
h2 { font-size: 1.6rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.2em; }
h3 { font-size: 1.25rem; }
h4, h5, h6 { font-size: 1.05rem; }
p { margin: 0 0 0.8em; }
a { color: var(--accent); }
blockquote { margin: 1em 0; padding: 0.1em 0 0.1em 1.1em; border-left: 3px solid var(--rule); color: var(--muted); font-style: italic; }
ul, ol { padding-left: 1.6em; margin: 0 0 0.8em; }
.range { font-size: 1.2rem; color: var(--muted); margin: -0.3em 0 0.4em; }
.summary, .meta, .none { color: var(--muted); }
.meta { font-size: 0.9rem; margin: 0 0 0.8em; }
.meta span + span::before { content: " · "; }
.toc ol { margin: 0.4em 0 0; }
.entry, .story { background: var(--card); border: 1px solid var(--rule); border-radius: 8px; padding: 1rem 1.2rem 0.4rem; margin: 0 0 1.2rem; }
.entry h4, .story h3 { margin-top: 0; }
dl { margin: 0; }
dt { font-weight: 600; font-size: 0.95rem; margin-top: 0.6em; }
dd { margin: 0.2em 0 0.4em; }
figure.map { margin: 0 0 2rem; }
figure.map svg { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); border-radius: 8px; background: #fff; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
@media print {
  :root { --ink: #000; --muted: #333; --rule: #999; --accent: #000; --paper: #fff; --card: #fff; }
  body { max-width: none; padding: 0; font-size: 10.5pt; line-height: 1.4; }
  h1, h2, h3, h4, h5, h6 { break-after: avoid; page-break-after: avoid; }
  p, li, blockquote, dd { orphans: 3; widows: 3; }
  a { text-decoration: none; }
  .toc { display: none; }
  section.part { break-before: page; page-break-before: always; }
  .entry, figure.map { break-inside: avoid; page-break-inside: avoid; }
  .entry, .story { border: 0; border-top: 1px solid var(--rule); border-radius: 0; padding: 0.6rem 0 0; }
}
`;

const PAGE_CSS: Record<PageSize, string> = {
  A4: "@page { size: A4; margin: 20mm 18mm 22mm; }",
  A5: "@page { size: A5; margin: 14mm 12mm 16mm; }\n@media print { body { font-size: 9.5pt; } }",
};

type StoryOut = {
  id: string;
  story: Story;
  doc: Automerge.Doc<unknown>;
  title: string;
  created: boolean;
  firstDay: string;
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
  const locale = options.locale ?? "en";
  const page = options.pageSize ?? "A4";
  const dayOf = dayIn(options.timeZone);
  const inRange = (day: string) => day >= from && day <= to;
  const anyInRange = (times: readonly number[]) => times.some((t) => inRange(dayOf(t)));
  const warnings: string[] = [];
  const untitled = labels.untitled;
  const themeLabel = (ids: Readonly<Record<string, true>>) =>
    Object.entries(source.themes)
      .filter(([id]) => ids[id] === true)
      .sort(([, a], [, b]) => a.order - b.order || a.label.localeCompare(b.label))
      .map(([, t]) => cleanTitle(t.label))
      .filter((l) => l !== "");
  let longDay: Intl.DateTimeFormat;
  try {
    longDay = new Intl.DateTimeFormat(locale, {
      weekday: "long",
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    });
  } catch {
    longDay = new Intl.DateTimeFormat("en", { dateStyle: "full", timeZone: "UTC" });
  }
  const writeDay = (day: string) => longDay.format(new Date(dayNumber(day) * DAY_MS));

  // ---- Log entries of the days ----
  const byDay = new Map<string, { log: string; entry: ListedLogEntry }[]>();
  for (const item of source.logs) {
    const read = readDoc(logKind, item, "log", warnings);
    if (!read) continue;
    const logTitle = cleanTitle(read.value.title) || untitled;
    // The log's own entries first, then its volumes by id: the order the window reads them in,
    // so an entry a buggy peer wrote into two of them is the same one here as there.
    const holders = [{ id: item.id, entries: read.value.entries }];
    for (const v of [...(item.volumes ?? [])].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const volume = readVolume(v, item.id, cleanTitle(item.title) || logTitle, warnings);
      if (volume) holders.push({ id: v.id, entries: volume.entries });
    }
    for (const entry of liveEntriesIn(holders)) {
      if (!inRange(entry.date)) continue;
      const list = byDay.get(entry.date) ?? [];
      list.push({ log: logTitle, entry });
      byDay.set(entry.date, list);
    }
  }
  const days = [...byDay.keys()].sort();
  let entryCount = 0;
  for (const day of days) {
    const list = byDay.get(day)!;
    list.sort(
      (a, b) =>
        a.log.localeCompare(b.log) ||
        a.entry.createdAt - b.entry.createdAt ||
        (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0),
    );
    entryCount += list.length;
  }

  // ---- Stories created or changed in the days ----
  const stories: StoryOut[] = [];
  for (const item of source.stories) {
    const read = readDoc(storyKind, item, "story", warnings);
    if (!read) continue;
    const story = read.value;
    const times = [story.createdAt, story.updatedAt, ...changeTimes(item.doc)];
    const hits = times.map(dayOf).filter(inRange).sort();
    if (hits.length === 0) continue;
    stories.push({
      id: item.id,
      story,
      doc: read.doc,
      title: cleanTitle(story.title) || untitled,
      created: inRange(dayOf(story.createdAt)),
      firstDay: hits[0]!,
    });
  }
  stories.sort(
    (a, b) =>
      a.firstDay.localeCompare(b.firstDay) ||
      a.title.localeCompare(b.title) ||
      (a.id < b.id ? -1 : 1),
  );
  const slugs = uniqueSlugs(stories.map((s) => s.title));
  const slugOf = new Map(stories.map((s, i) => [s.id, slugs[i]!]));
  const resolve = (href: string): BookLink | null => {
    const ref = hrefRef(href);
    if (ref) {
      const slug = ref.type === "story" ? slugOf.get(ref.docId) : undefined;
      return slug === undefined ? null : { type: "story", slug };
    }
    return /^(https?|mailto):/i.test(href) ? { type: "external", href } : null;
  };
  const style: MarkupStyle = { xml: false, headingShift: 3, storyHref: (slug) => `#story-${slug}` };

  // ---- Maps changed in the days ----
  const maps: { id: string; map: InquiryMap; title: string }[] = [];
  for (const item of source.maps) {
    const read = readDoc(mapKind, item, "map", warnings);
    if (!read) continue;
    const map = read.value;
    const times = [
      map.createdAt,
      map.updatedAt,
      ...Object.values(map.nodes).flatMap((n) => [n.createdAt, n.touchedAt]),
      ...Object.values(map.edges).map((e) => e.createdAt),
    ];
    if (!anyInRange(times) && !anyInRange(changeTimes(item.doc))) continue;
    maps.push({ id: item.id, map, title: cleanTitle(map.title) || untitled });
  }
  maps.sort((a, b) => a.title.localeCompare(b.title) || (a.id < b.id ? -1 : 1));

  // ---- The page ----
  const total = stories.length + maps.length;
  let done = 0;
  const step = () => options.onProgress?.(++done, total);
  options.onProgress?.(0, total);

  const community = cleanTitle(source.community) || untitled;
  const title = fill(labels.title, { community });
  const rangeText = fill(from === to ? labels.oneDay : labels.range, {
    from: writeDay(from),
    to: writeDay(to),
  });
  const out: string[] = [
    "<!DOCTYPE html>",
    `<html lang="${escapeXml(locale)}">`,
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Even if something slipped through, the browser is told to fetch nothing.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="generator" content="Meitheal">',
    `<title>${escapeXml(`${title} (${from} – ${to})`)}</title>`,
    `<style>${CSS}${PAGE_CSS[page]}\n</style>`,
    "</head>",
    "<body>",
    "<header>",
    `<h1>${escapeXml(title)}</h1>`,
    `<p class="range">${escapeXml(rangeText)}</p>`,
    `<p class="summary">${escapeXml(`${labels.entries}: ${entryCount} · ${labels.stories}: ${stories.length} · ${labels.maps}: ${maps.length}`)}</p>`,
    "</header>",
    '<nav class="toc" aria-labelledby="toc-title">',
    `<h2 id="toc-title">${escapeXml(labels.contents)}</h2>`,
    "<ol>",
    `<li><a href="#logs">${escapeXml(labels.logs)}</a></li>`,
    `<li><a href="#stories">${escapeXml(labels.stories)}</a></li>`,
    `<li><a href="#maps">${escapeXml(labels.maps)}</a></li>`,
    "</ol>",
    "</nav>",
    "<main>",
  ];

  out.push(
    '<section class="part" id="logs" aria-labelledby="logs-title">',
    `<h2 id="logs-title">${escapeXml(labels.logs)}</h2>`,
  );
  if (days.length === 0) out.push(`<p class="none">${escapeXml(labels.noEntries)}</p>`);
  for (const day of days) {
    out.push(
      `<section class="day" id="day-${day}" aria-labelledby="day-${day}-title">`,
      `<h3 id="day-${day}-title"><time datetime="${day}">${escapeXml(writeDay(day))}</time></h3>`,
    );
    for (const { log, entry } of byDay.get(day)!) {
      const people = [
        ...new Set(
          Object.values(entry.participants)
            .map((p) => cleanTitle(p.name))
            .filter((n) => n !== ""),
        ),
      ].sort((a, b) => a.localeCompare(b));
      const meta: string[] = [];
      if (people.length > 0) meta.push(`${labels.participants}: ${people.join(", ")}`);
      const themes = themeLabel(entry.themes);
      if (themes.length > 0) meta.push(`${labels.themes}: ${themes.join(", ")}`);
      out.push(
        `<article class="entry" data-entry="${escapeXml(entry.id)}">`,
        `<h4>${escapeXml(`${log} · ${labels.entryKinds[entry.kind]}`)}</h4>`,
      );
      if (meta.length > 0)
        out.push(`<p class="meta">${meta.map((m) => `<span>${escapeXml(m)}</span>`).join("")}</p>`);
      const fields = ENTRY_TEXT_FIELDS.filter((f) => entry[f].trim() !== "");
      if (fields.length > 0) {
        out.push("<dl>");
        for (const field of fields)
          out.push(
            `<dt>${escapeXml(labels.fields[field])}</dt>`,
            `<dd>${prose(entry[field])}</dd>`,
          );
        out.push("</dl>");
      }
      out.push("</article>");
    }
    out.push("</section>");
  }
  out.push("</section>");

  out.push(
    '<section class="part" id="stories" aria-labelledby="stories-title">',
    `<h2 id="stories-title">${escapeXml(labels.stories)}</h2>`,
  );
  if (stories.length === 0) out.push(`<p class="none">${escapeXml(labels.noStories)}</p>`);
  for (const s of stories) {
    const slug = slugOf.get(s.id)!;
    const meta = [
      labels.statuses[s.story.status],
      s.created ? labels.created : labels.changed,
      ...(() => {
        const themes = themeLabel(s.story.themes);
        return themes.length > 0 ? [`${labels.themes}: ${themes.join(", ")}`] : [];
      })(),
    ];
    const blocks: Block[] = readBlocks(s.doc, ["body"], resolve);
    out.push(
      `<article class="story" id="story-${slug}" aria-labelledby="story-${slug}-title">`,
      `<h3 id="story-${slug}-title">${escapeXml(s.title)}</h3>`,
      `<p class="meta">${meta.map((m) => `<span>${escapeXml(m)}</span>`).join("")}</p>`,
      blocksMarkup(blocks, style),
      "</article>",
    );
    step();
  }
  out.push("</section>");

  out.push(
    '<section class="part" id="maps" aria-labelledby="maps-title">',
    `<h2 id="maps-title">${escapeXml(labels.maps)}</h2>`,
  );
  if (maps.length === 0) out.push(`<p class="none">${escapeXml(labels.noMaps)}</p>`);
  maps.forEach((m, i) => {
    const prefix = `map${i + 1}`;
    const svg = mapToSvg(m.map, { title: m.title, labels: labels.map });
    out.push(
      `<figure class="map" id="${prefix}">`,
      // For moving by headings; the drawing shows the title itself.
      `<h3 class="visually-hidden">${escapeXml(m.title)}</h3>`,
      ownIds(svg, prefix).trimEnd(),
      "</figure>",
    );
    step();
  });
  out.push("</section>", "</main>", "</body>", "</html>", "");

  return ok({
    html: out.join("\n"),
    entries: entryCount,
    stories: stories.length,
    maps: maps.length,
    warnings,
  });
}

// The validator and the type say the same thing: a label added to one must be added to the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const labelsMatch: Same<z.infer<typeof harvestLabelsValidator>, DeepMutable<HarvestLabels>> = true;
void labelsMatch;
type DeepMutable<T> = { -readonly [K in keyof T]: T[K] extends object ? DeepMutable<T[K]> : T[K] };
