// Operations on the community index document. Inputs are already checked (schema/input.ts).
import { updateText } from "@automerge/automerge";
import {
  COMMUNITY_SCHEMA,
  COMMUNITY_VERSION,
  DEFAULT_THEMES,
  type CommunityIndex,
  type IndexEntry,
} from "../schema/community.ts";
import { isConflicted } from "./conflicts.ts";
import type { OpContext } from "./context.ts";

export type NewCommunity = { name: string; purpose: string; themes?: readonly string[] };

/** Fills an empty document as a new community index. */
export function initCommunity(
  doc: Record<string, unknown>,
  args: NewCommunity,
  ctx: OpContext,
): void {
  const labels = args.themes && args.themes.length > 0 ? args.themes : DEFAULT_THEMES;
  const themes: CommunityIndex["themes"] = {};
  labels.forEach((label, order) => {
    themes[ctx.newId()] = { label, order };
  });
  Object.assign(doc, {
    schema: COMMUNITY_SCHEMA,
    version: COMMUNITY_VERSION,
    name: args.name,
    purpose: args.purpose,
    createdAt: ctx.now(),
    themes,
    entries: {},
  });
}

export function renameCommunity(doc: CommunityIndex, name: string): void {
  updateText(doc, ["name"], name);
}

export function setPurpose(doc: CommunityIndex, purpose: string): void {
  updateText(doc, ["purpose"], purpose);
}

/** Adds a theme at the end; returns its id. */
export function addTheme(doc: CommunityIndex, label: string, ctx: OpContext): string {
  const id = ctx.newId();
  const last = Math.max(-1, ...Object.values(doc.themes).map((t) => t.order));
  doc.themes[id] = { label, order: last + 1 };
  return id;
}

export function renameTheme(doc: CommunityIndex, id: string, label: string): void {
  if (doc.themes[id]) updateText(doc, ["themes", id, "label"], label);
}

export function removeTheme(doc: CommunityIndex, id: string): void {
  delete doc.themes[id];
}

/** Themes in display order (order, then label, then id: every peer sorts the same). */
export function sortedThemes(
  index: Pick<CommunityIndex, "themes">,
): { id: string; label: string }[] {
  return Object.entries(index.themes)
    .sort(
      ([ia, a], [ib, b]) =>
        a.order - b.order || a.label.localeCompare(b.label) || ia.localeCompare(ib),
    )
    .map(([id, t]) => ({ id, label: t.label }));
}

export function addEntry(doc: CommunityIndex, id: string, entry: IndexEntry): void {
  doc.entries[id] = entry;
}

export type EntryPatch = Partial<Pick<IndexEntry, "title" | "status">> & {
  themes?: readonly string[];
  contributors?: Readonly<Record<string, string>>;
};

/** Updates what the list shows of a document. Sets are updated key by key, so concurrent edits merge. */
export function updateEntry(
  doc: CommunityIndex,
  id: string,
  patch: EntryPatch,
  ctx: OpContext,
): void {
  const entry = doc.entries[id];
  if (!entry) return;
  // Written again when the entry holds two values (two devices renamed it apart), though the one
  // shown is the same: a new set settles the list's copy as the document was settled.
  if (patch.title !== undefined && (patch.title !== entry.title || isConflicted(entry, "title")))
    entry.title = patch.title;
  if (
    patch.status !== undefined &&
    (patch.status !== entry.status || isConflicted(entry, "status"))
  )
    entry.status = patch.status;
  if (patch.themes) {
    entry.themes ??= {};
    const wanted = new Set(patch.themes);
    for (const t of Object.keys(entry.themes)) if (!wanted.has(t)) delete entry.themes[t];
    for (const t of wanted) if (!entry.themes[t]) entry.themes[t] = true;
  }
  if (patch.contributors) {
    entry.contributors ??= {};
    for (const [key, name] of Object.entries(patch.contributors)) {
      if (entry.contributors[key] !== name) entry.contributors[key] = name;
    }
  }
  entry.updatedAt = ctx.now();
}

export type ListedEntry = IndexEntry & { id: string };

/** Entries of one kind, newest change first (ties by title then id, so every peer agrees). */
export function listEntries(
  index: Pick<CommunityIndex, "entries">,
  kind: IndexEntry["kind"],
): ListedEntry[] {
  return Object.entries(index.entries)
    .filter(([, e]) => e.kind === kind)
    .map(([id, e]) => ({ ...e, id }))
    .sort(
      (a, b) =>
        b.updatedAt - a.updatedAt || a.title.localeCompare(b.title) || a.id.localeCompare(b.id),
    );
}

export const SORTS = ["updated", "created", "title"] as const;
export type EntrySort = (typeof SORTS)[number];
export type EntryFilter = {
  status?: string;
  theme?: string;
  contributor?: string;
  sort?: EntrySort;
};

/** The story list as shown: filtered by status, theme and contributor, then sorted. */
export function filterEntries(entries: readonly ListedEntry[], filter: EntryFilter): ListedEntry[] {
  const kept = entries.filter(
    (e) =>
      (!filter.status || (e.status ?? "seed") === filter.status) &&
      (!filter.theme || e.themes?.[filter.theme] === true) &&
      (!filter.contributor || e.contributors?.[filter.contributor] !== undefined),
  );
  const byTitle = (a: ListedEntry, b: ListedEntry) =>
    (a.title < b.title ? -1 : a.title > b.title ? 1 : 0) || (a.id < b.id ? -1 : 1);
  switch (filter.sort ?? "updated") {
    case "title":
      return kept.sort((a, b) => a.title.localeCompare(b.title) || byTitle(a, b));
    case "created":
      return kept.sort((a, b) => b.createdAt - a.createdAt || byTitle(a, b));
    case "updated":
      return kept.sort((a, b) => b.updatedAt - a.updatedAt || byTitle(a, b));
  }
}

/** Everyone who has edited any entry: device key → latest known name, sorted by name. */
export function entryContributors(
  entries: readonly ListedEntry[],
): { key: string; name: string }[] {
  const names = new Map<string, string>();
  for (const e of entries)
    for (const [key, name] of Object.entries(e.contributors ?? {})) names.set(key, name);
  return [...names]
    .map(([key, name]) => ({ key, name }))
    .sort((a, b) => a.name.localeCompare(b.name) || (a.key < b.key ? -1 : 1));
}
