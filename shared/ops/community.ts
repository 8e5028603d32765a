// Operations on the community index document. Inputs are already checked (schema/input.ts).
import { updateText } from "@automerge/automerge";
import {
  COMMUNITY_SCHEMA,
  COMMUNITY_VERSION,
  DEFAULT_THEMES,
  type CommunityIndex,
  type IndexEntry,
} from "../schema/community.ts";
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

/** Updates what the list shows of a document; text fields merge as text. */
export function updateEntry(
  doc: CommunityIndex,
  id: string,
  patch: Partial<Pick<IndexEntry, "title" | "status">>,
  ctx: OpContext,
): void {
  const entry = doc.entries[id];
  if (!entry) return;
  if (patch.title !== undefined && patch.title !== entry.title)
    updateText(doc, ["entries", id, "title"], patch.title);
  if (patch.status !== undefined && patch.status !== entry.status) entry.status = patch.status;
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
