// Named versions of a story ("Day 2 evening"). A version is only a name for a point in the
// document's history (its heads): nothing is copied, and Automerge can show the story as it was at
// any such point. Restoring writes the old content as a new change on top of history, so a restore
// is itself undoable, syncs like any edit, and merges with edits made at the same moment.
import {
  hasHeads,
  spans,
  updateSpans,
  view,
  type Doc,
  type UpdateSpansConfig,
} from "@automerge/automerge";
import { diffArrays } from "diff";
import { ErrorCode, err, ok, type Result } from "../result.ts";
import { STORY_STATUSES, type StoryStatus } from "../schema/community.ts";
import { checkName } from "../schema/input.ts";
import type { Story, Version } from "../schema/story.ts";
import type { OpContext } from "./context.ts";

const BODY = ["body"];
export const VERSION_NAME_MAX = 80;
const HEX_HASH = /^[0-9a-f]{64}$/;

export type VersionAuthor = { readonly deviceKey: string; readonly name: string };

export const checkVersionName = (value: unknown) =>
  checkName(value, "version name", VERSION_NAME_MAX);

/**
 * Records a version named `name` at `heads`. Take `heads` with `Automerge.getHeads(doc)` BEFORE the
 * change that calls this: the version is the story as it was, not including its own record.
 */
export function saveVersion(
  doc: Story,
  args: {
    readonly name: string;
    readonly heads: readonly string[];
    readonly author: VersionAuthor;
  },
  ctx: OpContext,
): Result<string> {
  const name = checkVersionName(args.name);
  if (!name.ok) return name;
  if (args.heads.length === 0 || !args.heads.every((h) => HEX_HASH.test(h)))
    return err(ErrorCode.BadInput, "This point in the story's history cannot be named.");
  const id = ctx.newId();
  doc.versions[id] = {
    name: name.value,
    heads: [...args.heads],
    at: ctx.now(),
    by: args.author.deviceKey,
    byName: args.author.name,
  };
  return ok(id);
}

export type ListedVersion = Version & { readonly id: string };

/** Newest first; ties (two peers saving in the same millisecond) broken by id, the same everywhere. */
export function listVersions(doc: Pick<Story, "versions">): ListedVersion[] {
  return Object.entries(doc.versions)
    .map(([id, v]) => ({ ...v, heads: [...v.heads], id }))
    .sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The story as it was at `heads`, or null when this document does not hold that history (a buggy
 * peer wrote heads that do not exist; a real version's history always travels with its record).
 */
export function versionView(doc: Doc<Story>, heads: readonly string[]): Doc<Story> | null {
  if (heads.length === 0 || !heads.every((h) => HEX_HASH.test(h))) return null;
  if (!hasHeads(doc, [...heads])) return null;
  return view(doc, [...heads]);
}

/**
 * Marks created by restoring expand like @automerge/prosemirror's basic schema: links do not grow
 * when typing at their edge, other marks do. The editor may pass its schema adapter's
 * `updateSpansConfig()` instead.
 */
export const DEFAULT_SPANS_CONFIG: UpdateSpansConfig = {
  defaultExpand: "both",
  perMarkExpand: { link: "none" },
};

const isStatus = (value: unknown): value is StoryStatus =>
  typeof value === "string" && (STORY_STATUSES as readonly string[]).includes(value);

function themeIds(value: unknown): string[] {
  // Themes were a list before schema version 2 and a set after; a version may predate either.
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  if (typeof value === "object" && value !== null)
    return Object.entries(value)
      .filter(([, v]) => v === true)
      .map(([k]) => k);
  return [];
}

/**
 * Writes the title, summary, status, themes and body of `oldDoc` (from `versionView`) into `doc`,
 * as a new change. Comments, versions, contributors and actors are left alone: restoring must not
 * delete a conversation, forget a version or unsay who wrote what. Only what differs is written, so
 * an edit someone makes at the same moment to a part the restore does not change survives it.
 */
export function restoreVersion(
  doc: Story,
  oldDoc: Doc<Story>,
  ctx: OpContext,
  spansConfig: UpdateSpansConfig = DEFAULT_SPANS_CONFIG,
): void {
  const old = oldDoc as Partial<Record<keyof Story, unknown>>;
  // Set whole, like the story ops: a concurrent rename then shows as a conflict, never a blend.
  if (typeof old.title === "string" && doc.title !== old.title) doc.title = old.title;
  if (typeof old.summary === "string" && doc.summary !== old.summary) doc.summary = old.summary;
  if (isStatus(old.status) && doc.status !== old.status) doc.status = old.status;
  const wanted = new Set(themeIds(old.themes));
  for (const id of Object.keys(doc.themes)) if (!wanted.has(id)) delete doc.themes[id];
  for (const id of wanted) if (doc.themes[id] !== true) doc.themes[id] = true;
  // updateSpans diffs against the current text and emits the few edits that turn it into the old
  // one, so unchanged characters keep their identity (and the comments anchored to them).
  updateSpans(doc, BODY, spans(oldDoc, BODY), spansConfig);
  doc.updatedAt = ctx.now();
}

export type DiffKind = "same" | "added" | "removed";
export type DiffPart = { text: string; kind: DiffKind };
/**
 * One block of a diff: its Automerge block type ("paragraph", "heading", "unordered-list-item"…)
 * and parents (["blockquote"]…), whether the block itself is new or gone, and its text.
 */
export type DiffBlock = { type: string; parents: string[]; kind: DiffKind; parts: DiffPart[] };

type Token = { block: true; type: string; parents: string[] } | { block: false; text: string };

// Words, runs of spaces, and single other characters: a changed word shows as that word, and
// punctuation next to it stays put.
const WORD = /[\p{L}\p{M}\p{N}_'’-]+|\s+|./gsu;

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

function tokens(doc: Doc<Story>): Token[] {
  const out: Token[] = [];
  let text = "";
  const flush = () => {
    for (const m of text.matchAll(WORD)) out.push({ block: false, text: m[0] });
    text = "";
  };
  for (const span of spans(doc, BODY)) {
    if (span.type === "block" && span.value.isEmbed === true) {
      // An inline embed (a line break inside a paragraph) reads as a line break in the text.
      text += "\n";
    } else if (span.type === "block") {
      flush();
      const type = span.value.type;
      out.push({
        block: true,
        type: typeof type === "string" ? type : "paragraph",
        parents: strings(span.value.parents),
      });
    } else {
      // Text before any block marker is an implicit paragraph, as @automerge/prosemirror reads it.
      if (out.length === 0 && text === "")
        out.push({ block: true, type: "paragraph", parents: [] });
      text += span.value;
    }
  }
  flush();
  return out;
}

const sameToken = (a: Token, b: Token) => (a.block ? b.block : !b.block && a.text === b.text);

/** One token of the diff with what it is on each side (a "same" token has both). */
type Entry = { kind: DiffKind; old?: Token; new?: Token };

/**
 * Myers' diff picks one of several equally short answers, and for block boundaries its pick can
 * be the wrong one for a reader: deleting a paragraph "A¶Gone¶B" → "A¶B" may come out as "Gone¶"
 * removed (text glued to A, B shown as the removed block). A run that ends with a boundary equal to
 * the boundary just before it is the same edit shifted by one token, so shift it to start with the
 * boundary instead (the "diff slider" clean-up, limited to boundaries).
 */
function slideBoundaries(entries: Entry[]): void {
  for (let i = 1; i < entries.length; i++) {
    const kind = entries[i]!.kind;
    if (kind === "same" || entries[i - 1]!.kind !== "same") continue;
    let j = i;
    while (j < entries.length && entries[j]!.kind === kind) j++;
    const end = j;
    if (j < entries.length && entries[j]!.kind !== "same") {
      i = end;
      continue; // only runs of one kind between two unchanged tokens
    }
    const side = kind === "removed" ? "old" : "new";
    while (i > 0 && entries[i - 1]!.kind === "same") {
      const first = entries[i]![side];
      const last = entries[j - 1]![side];
      const before = entries[i - 1]!;
      if (!first || first.block || !last?.block || !before[side]?.block) break;
      // The boundary before the run joins it; the run's last boundary pairs with the other side.
      entries[j - 1] = { ...before, [side]: last };
      entries[i - 1] = { kind, [side]: before[side] };
      i--;
      j--;
    }
    i = end;
  }
}

/**
 * Within a stretch of changes, removed and added tokens may come in any order; put text before
 * boundaries (removed text, then added text, then removed blocks, then added blocks) so that
 * added words are never drawn inside a removed paragraph, nor removed words inside an added one.
 */
function orderRegions(entries: readonly Entry[]): Entry[] {
  const out: Entry[] = [];
  let i = 0;
  while (i < entries.length) {
    if (entries[i]!.kind === "same") {
      out.push(entries[i++]!);
      continue;
    }
    const region: Entry[] = [];
    while (i < entries.length && entries[i]!.kind !== "same") region.push(entries[i++]!);
    const split = (kind: DiffKind): [Entry[], Entry[]] => {
      const run = region.filter((e) => e.kind === kind);
      const at = run.findIndex((e) => (e.old ?? e.new)?.block);
      return at < 0 ? [run, []] : [run.slice(0, at), run.slice(at)];
    };
    const [removedHead, removedTail] = split("removed");
    const [addedHead, addedTail] = split("added");
    out.push(...removedHead, ...addedHead, ...removedTail, ...addedTail);
  }
  return out;
}

/**
 * What changed in the body from `oldDoc` to `newDoc`, block by block in order. Block boundaries
 * are diffed as tokens of their own, so a split or joined paragraph shows as that, and a changed
 * block type alone is not a change (its new type is shown). Formatting changes are not shown.
 *
 * Reading the result: each block starts at a boundary of the old body, the new body or both
 * (`kind`). The new body is the "same" and "added" text, with a new paragraph at each block that
 * is not "removed" (text inside a "removed" block continues the paragraph before it, as when two
 * paragraphs were joined); the old body likewise with "same" and "removed".
 */
export function versionDiff(oldDoc: Doc<Story>, newDoc: Doc<Story>): DiffBlock[] {
  const oldTokens = tokens(oldDoc);
  const newTokens = tokens(newDoc);
  const entries: Entry[] = [];
  let o = 0;
  let n = 0;
  for (const change of diffArrays(oldTokens, newTokens, { comparator: sameToken })) {
    for (let k = 0; k < change.value.length; k++) {
      if (change.added) entries.push({ kind: "added", new: newTokens[n++] });
      else if (change.removed) entries.push({ kind: "removed", old: oldTokens[o++] });
      else entries.push({ kind: "same", old: oldTokens[o++], new: newTokens[n++] });
    }
  }
  slideBoundaries(entries);
  const blocks: DiffBlock[] = [];
  let current: DiffBlock | null = null;
  for (const entry of orderRegions(entries)) {
    const token = entry.kind === "removed" ? entry.old : entry.new;
    if (!token) continue;
    if (token.block) {
      current = { type: token.type, parents: token.parents, kind: entry.kind, parts: [] };
      blocks.push(current);
      continue;
    }
    if (!current) {
      current = { type: "paragraph", parents: [], kind: "same", parts: [] };
      blocks.push(current);
    }
    const last = current.parts.at(-1);
    if (last?.kind === entry.kind) last.text += token.text;
    else current.parts.push({ text: token.text, kind: entry.kind });
  }
  return blocks;
}

/** True when the diff has no added or removed text and no added or removed block. */
export const diffIsEmpty = (blocks: readonly DiffBlock[]) =>
  blocks.every((b) => b.kind === "same" && b.parts.every((p) => p.kind === "same"));
