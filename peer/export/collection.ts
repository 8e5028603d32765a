// Exporting a collection to a file (contract `export:collection`): the collection and its stories
// are read from this device once (a story from its open handle, else straight from storage), turned
// into a Book (shared/export/book.ts) and then into the bytes of the format asked for, which are
// written atomically. The path is checked before any of that work, so a folder that cannot be
// written is reported at once; a failure at any step leaves nothing behind and changes nothing in
// the community.
import * as Automerge from "@automerge/automerge";
import type { AutomergeUrl, DocHandle, DocumentId } from "@automerge/automerge-repo";
import type {
  ArgsOf,
  ExportFormat,
  ExportSummary,
  PageSize,
  StoryStatusName,
} from "../../shared/contract.ts";
import {
  DEFAULT_STATUSES,
  bookFromDocs,
  slugify,
  type BookWarning,
  type ProgressCallback,
} from "../../shared/export/book.ts";
import { buildEpub } from "../../shared/export/epub.ts";
import { buildHtml } from "../../shared/export/html.ts";
import { buildMarkdownZip } from "../../shared/export/markdown.ts";
import { orderedStories } from "../../shared/ops/collection.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { collectionKind } from "../../shared/schema/collection.ts";
import { themeValidator, type Theme } from "../../shared/schema/community.ts";
import type { OpenCommunity } from "../communities.ts";
import { exportTarget, resolveTypedPath, writeExportFile } from "./file.ts";
import { NO_CHROMIUM, printWithFonts, type PdfPrinter } from "./pdf.ts";

/** The call's arguments, with the place to write as a path on this device (handlers/export.ts). */
export type ExportArgs = Omit<ArgsOf<"export:collection">, "communityId" | "target"> & {
  path: string;
};

export type ExportDeps = {
  /** `done` of `total` steps: one per story read, one per story built, one for the file. */
  progress?: ProgressCallback;
  /** Prints the HTML export to PDF; PDF export fails with a clear message without one. */
  printPdf?: PdfPrinter;
  /** How long to wait for one document to load from storage. */
  loadTimeoutMs?: number;
};

export const FORMATS: readonly ExportFormat[] = ["markdown", "html", "epub", "pdf"];
export const STATUSES: readonly StoryStatusName[] = ["seed", "draft", "ready", "published"];
export const EXTENSIONS: Readonly<Record<ExportFormat, string>> = {
  markdown: "zip",
  html: "html",
  epub: "epub",
  pdf: "pdf",
};

const LOAD_MS = 10_000;
/** Stories are read from storage a few at a time: enough to overlap the disk, not to swamp it. */
const CONCURRENCY = 8;

const STATUS_WORDS: Readonly<Record<StoryStatusName, string>> = {
  seed: "a seed",
  draft: "a draft",
  ready: "ready",
  published: "published",
};

/**
 * A document from this device's storage, or undefined when it is not here (never arrived, or an id
 * automerge-repo refuses). Only storage is waited for, never a peer that may never answer.
 */
async function loadDoc(
  community: OpenCommunity,
  id: string,
  timeoutMs: number,
): Promise<Automerge.Doc<unknown> | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const handle = await Promise.race([
      community.repo.find<unknown>(`automerge:${id}` as AutomergeUrl, {
        allowableStates: ["ready", "requesting", "unavailable"],
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timed out")), timeoutMs);
      }),
    ]);
    return handle.isReady() ? handle.doc() : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A story for the book, read the cheapest way that gives what people see: the open handle's document
 * when this peer has it open, else the chunks in storage loaded straight into a document. Through
 * the repo, every document is loaded incrementally, diffed into patches and diffed again by its
 * handle, which is most of an export's time (200 stories: about 3 s of 4); nothing here needs a
 * handle, so none is made. Anything unusual (a handle still loading, nothing stored, a chunk
 * Automerge will not load strictly) takes the repo's way, exactly as before.
 */
async function loadStory(
  community: OpenCommunity,
  id: string,
  timeoutMs: number,
): Promise<Automerge.Doc<unknown> | undefined> {
  const open = community.repo.handles[id as DocumentId] as DocHandle<unknown> | undefined;
  if (open?.isReady()) return open.doc();
  if (open === undefined) {
    try {
      // Its chunks as stored, snapshots then incremental changes (a file that fails its check
      // gives undefined, and the repo's load below moves it aside as always).
      const bytes = community.storage.documentBytesSync(id);
      if (bytes) return Automerge.load<unknown>(bytes);
    } catch {
      // Automerge.load is strict where the repo's incremental load skips what it cannot read.
    }
  }
  return loadDoc(community, id, timeoutMs);
}

async function loadAll(
  community: OpenCommunity,
  ids: readonly string[],
  timeoutMs: number,
  onLoaded: (done: number) => void,
): Promise<Map<string, Automerge.Doc<unknown>>> {
  const docs = new Map<string, Automerge.Doc<unknown>>();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const doc = await loadStory(community, id, timeoutMs);
      if (doc !== undefined) docs.set(id, doc);
      onLoaded(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker));
  return docs;
}

function communityThemes(raw: unknown): Record<string, Theme> {
  const themes: Record<string, Theme> = {};
  if (typeof raw !== "object" || raw === null) return themes;
  for (const [id, value] of Object.entries(raw)) {
    const theme = themeValidator.safeParse(value);
    if (theme.success) themes[id] = theme.data;
  }
  return themes;
}

const quoted = (title: string) => `"${title.length > 80 ? `${title.slice(0, 79)}…` : title}"`;

/** The book's warnings as sentences for people; left-out stories by status become one sentence. */
export function warningSentences(
  warnings: readonly BookWarning[],
  titleOf: (id: string) => string | undefined,
): string[] {
  const out: string[] = [];
  const name = (id: string) => {
    const title = titleOf(id);
    return title ? `The story ${quoted(title)}` : `A story (${id})`;
  };
  const excluded: { title: string; status: StoryStatusName }[] = [];
  for (const w of warnings) {
    switch (w.type) {
      case "missing":
        out.push(
          `${name(w.storyId)} is not on this device yet, so it was left out. Sync with a device that has it, then export again.`,
        );
        break;
      case "damaged":
        out.push(
          `${name(w.storyId)} could not be read (${w.problems.slice(0, 2).join("; ") || "damaged"}), so it was left out.`,
        );
        break;
      case "newer":
        out.push(
          `${name(w.storyId)} was written by a newer version of Meitheal, so it was left out. Update Meitheal to include it.`,
        );
        break;
      case "excluded":
        excluded.push({ title: w.title, status: w.status });
        break;
      case "collection-problems":
        out.push(
          `Part of the collection could not be read (${w.problems.slice(0, 2).join("; ")}); the rest was exported.`,
        );
        break;
    }
  }
  if (excluded.length > 0) {
    const shown = excluded
      .slice(0, 5)
      .map((e) => `${quoted(e.title)} (${STATUS_WORDS[e.status]})`)
      .join(", ");
    const more = excluded.length > 5 ? ` and ${excluded.length - 5} more` : "";
    out.push(
      excluded.length === 1
        ? `1 story was left out because of its status: ${shown}.`
        : `${excluded.length} stories were left out because of their status: ${shown}${more}.`,
    );
  }
  return out;
}

function checkArgs(
  args: ExportArgs,
): Result<{ format: ExportFormat; statuses: StoryStatusName[]; pageSize: PageSize }> {
  if (!FORMATS.includes(args.format))
    return err(
      ErrorCode.BadInput,
      `"${String(args.format)}" is not an export format. Choose one of: ${FORMATS.join(", ")}.`,
    );
  const pageSize = args.pageSize ?? "a4";
  if (pageSize !== "a4" && pageSize !== "a5")
    return err(ErrorCode.BadInput, `The page size must be a4 or a5, not "${String(pageSize)}".`);
  const statuses = args.statuses ?? [...DEFAULT_STATUSES];
  if (!Array.isArray(statuses) || statuses.length === 0)
    return err(
      ErrorCode.BadInput,
      "Choose at least one status of stories to include (seed, draft, ready, published).",
    );
  const odd = statuses.find((s) => !STATUSES.includes(s));
  if (odd !== undefined)
    return err(
      ErrorCode.BadInput,
      `"${String(odd)}" is not a story status. Choose from: ${STATUSES.join(", ")}.`,
    );
  return ok({ format: args.format, statuses: [...new Set(statuses)], pageSize });
}

function noStoryMessage(total: number, statuses: readonly StoryStatusName[], left: number): string {
  if (total === 0)
    return "This collection has no stories yet, so there is nothing to export. Add stories to it first.";
  const defaults =
    statuses.length === DEFAULT_STATUSES.length &&
    DEFAULT_STATUSES.every((s) => statuses.includes(s));
  if (left > 0 && defaults)
    return `None of the ${total} stories in this collection is ready or published, so there is nothing to export: only ready and published stories are included unless you choose otherwise. Mark stories as ready, or choose to include drafts and seeds too (on the command line: --all-statuses, or --status draft,ready,published).`;
  if (left > 0)
    return `None of the ${total} stories in this collection has one of the statuses chosen (${statuses.join(", ")}), so there is nothing to export. Choose other statuses, or change the stories' status.`;
  return `None of the ${total} stories in this collection could be read on this device, so there is nothing to export. See the warnings, sync with a device that has them, and try again.`;
}

/** Passes on progress only when the whole percent changes (and at the start and end): a progress
 * bar needs no more, and every event crosses to each window. */
export function percentSteps(report: ProgressCallback | undefined): ProgressCallback {
  let last = -1;
  return (done, total) => {
    const percent = total > 0 ? Math.floor((done * 100) / total) : 100;
    if (percent === last && done !== 0 && done !== total) return;
    last = percent;
    report?.(done, total);
  };
}

/**
 * Exports a collection of `community` to a file. Fails (and writes nothing) when the collection is
 * unknown or unreadable, the path cannot be written, or no story is left to include.
 */
export async function exportCollection(
  community: OpenCommunity,
  args: ExportArgs,
  deps: ExportDeps = {},
): Promise<Result<ExportSummary>> {
  const checked = checkArgs(args);
  if (!checked.ok) return checked;
  const progress = percentSteps(deps.progress);
  const { format, statuses, pageSize } = checked.value;
  const printPdf = deps.printPdf;
  if (format === "pdf" && !printPdf) return err(ErrorCode.Unavailable, NO_CHROMIUM);
  const typed = resolveTypedPath(args.path, `~/Documents/book.${EXTENSIONS[format]}`);
  if (!typed.ok) return typed;

  const index = community.index?.doc();
  if (!index)
    return err(
      ErrorCode.Unavailable,
      "This community's list of documents is not on this device yet, so nothing can be exported from it. Sync with another member's device first.",
    );
  const entries = (index.entries ?? {}) as Record<string, { kind?: unknown; title?: unknown }>;
  const entry = Object.hasOwn(entries, args.collectionId) ? entries[args.collectionId] : undefined;
  if (entry?.kind !== "collection")
    return err(
      ErrorCode.NotFound,
      `There is no collection ${String(args.collectionId).slice(0, 80)} in this community. Choose one of its collections (meitheal-peer collections lists them).`,
    );
  const timeoutMs = deps.loadTimeoutMs ?? LOAD_MS;
  const collectionDoc = await loadDoc(community, args.collectionId, timeoutMs);
  if (collectionDoc === undefined)
    return err(
      ErrorCode.Unavailable,
      "This collection is listed but has not arrived on this device yet. Sync with a device that has it, then export again.",
    );
  const read = collectionKind.read(collectionDoc);
  if (read.state === "damaged")
    return err(
      ErrorCode.Damaged,
      `This collection could not be read (${read.problems.slice(0, 2).join("; ")}), so it cannot be exported. Its stories are unharmed; another member's device may still have a good copy.`,
    );
  if (read.state === "newer")
    return err(
      ErrorCode.NewerVersion,
      "This collection was made by a newer version of Meitheal. Update Meitheal to export it.",
    );
  if (read.state !== "ok")
    return err(ErrorCode.Damaged, "This collection could not be read, so it cannot be exported.");

  const fileName = `${slugify(read.doc.title || "collection")}.${EXTENSIONS[format]}`;
  const target = await exportTarget(typed.value, fileName);
  if (!target.ok) return target;

  const ids = orderedStories(read.doc);
  // Reading the documents is most of the work (Automerge loads each whole), so it is reported too.
  const total = 2 * ids.length + 1;
  progress(0, total);
  const stories = await loadAll(community, ids, timeoutMs, (done) => progress(done, total));
  const built = bookFromDocs(
    { id: args.collectionId, doc: collectionDoc },
    stories,
    communityThemes(index.themes),
    {
      includeStatuses: statuses,
    },
  );
  if (!built.ok) return built;
  const { book, warnings } = built.value;
  const titleOf = (id: string) => {
    const title = entries[id]?.title;
    return typeof title === "string" && title.trim() !== "" ? title.trim() : undefined;
  };
  const sentences = warningSentences(warnings, titleOf);
  if (book.stories.length === 0) {
    const excluded = warnings.filter((w) => w.type === "excluded").length;
    const message = noStoryMessage(ids.length, statuses, excluded);
    return err(
      ErrorCode.BadInput,
      excluded === 0 && ids.length > 0 ? `${message} ${sentences.join(" ")}` : message,
    );
  }

  // The builders report stories written, of those in the book: scaled to the stories listed.
  const onProgress: ProgressCallback = (done, of) =>
    progress(ids.length + Math.round((done / Math.max(of, 1)) * ids.length), total);
  let bytes: Uint8Array;
  try {
    switch (format) {
      case "markdown":
        bytes = buildMarkdownZip(book, { onProgress });
        break;
      case "epub":
        bytes = buildEpub(book, { onProgress });
        break;
      case "html":
        bytes = new TextEncoder().encode(
          buildHtml(book, { pageSize: pageSize === "a5" ? "A5" : "A4", onProgress }),
        );
        break;
      case "pdf": {
        if (!printPdf) return err(ErrorCode.Unavailable, NO_CHROMIUM);
        const html = buildHtml(book, { pageSize: pageSize === "a5" ? "A5" : "A4", onProgress });
        const printed = await printWithFonts(printPdf, html, pageSize);
        bytes = printed.bytes;
        sentences.push(...printed.warnings);
        break;
      }
    }
  } catch (e) {
    return err(
      format === "pdf" ? ErrorCode.Unavailable : ErrorCode.Internal,
      format === "pdf"
        ? e instanceof Error
          ? e.message
          : String(e)
        : `The ${format} file could not be made (${e instanceof Error ? e.message : String(e)}). Nothing was written. Please report this.`,
    );
  }
  const written = await writeExportFile(target.value, bytes);
  if (!written.ok) return written;
  progress(total, total);
  return ok({
    path: target.value,
    download: null,
    format,
    stories: book.stories.length,
    bytes: written.value,
    warnings: sentences,
  });
}
