// `import:preview` and `import:run`: Markdown files, folders and zips become stories of a community.
// The preview reads and plans without touching the community. The import reads and plans the same
// way, refuses while anything it would import has a problem, builds every story document in memory
// first (ids chosen up front, so links between the imported files become internal story links),
// then stores them and lists them all in the index in one change, saved last: the community never
// shows half an import. A contents page of a collection exported by Meitheal (index.md) becomes that
// collection again: title, introduction, credits and its stories in order. Should storing fail
// part-way, what was added is deleted again and the message says that nothing was saved; should the
// peer be killed part-way, the import's journal (journal.ts) has the next start remove what it left.
import * as Automerge from "@automerge/automerge";
import {
  generateAutomergeUrl,
  parseAutomergeUrl,
  type DocumentId,
} from "@automerge/automerge-repo";
import type { ImportPreview, TaskProgress } from "../../shared/contract.ts";
import { planImport, type PlannedCollection, type PlannedStory } from "../../shared/import/plan.ts";
import { importSpans } from "../../shared/import/spans.ts";
import { storyDates } from "../../shared/import/markdown.ts";
import { addCredit, addStory, initCollection } from "../../shared/ops/collection.ts";
import { addEntry } from "../../shared/ops/community.ts";
import type { OpContext } from "../../shared/ops/context.ts";
import { initStory } from "../../shared/ops/story.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { storySchemaAdapter } from "../../shared/richtext/schema.ts";
import { collectionKind, type Collection } from "../../shared/schema/collection.ts";
import { communityKind, type CommunityIndex } from "../../shared/schema/community.ts";
import { storyKind, type Story } from "../../shared/schema/story.ts";
import { communityDir, type OpenCommunity } from "../communities.ts";
import { gatherFiles, type FileProblem, type ImportInput } from "./files.ts";
import { beginImport, endImport } from "./journal.ts";
import { asStoryId, type StoryId } from "../../shared/ids.ts";

export type ImportDeps = {
  community: OpenCommunity;
  /** The data folder: where the import's journal is kept (journal.ts). */
  dataDir: string;
  ctx: OpContext;
  progress?: (p: TaskProgress) => void;
  /** Resolves relative paths (the CLI's working folder); absent: paths must be absolute. */
  cwd?: string;
};

/** The community's index as read now, or a readable error. */
function readIndex(community: OpenCommunity): Result<CommunityIndex> {
  const doc = community.index?.isReady() ? community.index.doc() : undefined;
  const read = doc ? communityKind.read(doc) : undefined;
  if (!read || read.state !== "ok")
    return err(
      read?.state === "newer" ? ErrorCode.NewerVersion : ErrorCode.Unavailable,
      read?.state === "newer"
        ? "This community was changed by a newer version of Meitheal. Update Meitheal, then import."
        : "This community's index is not readable on this device yet, so nothing can be added to it. Let it sync (or restore it from a backup), then import.",
    );
  return ok(read.doc);
}

const isInput = (p: unknown): p is ImportInput =>
  typeof p === "string" ||
  (typeof p === "object" &&
    p !== null &&
    typeof (p as { path?: unknown }).path === "string" &&
    typeof (p as { name?: unknown }).name === "string");

async function plan(
  deps: ImportDeps,
  paths: readonly ImportInput[],
  only?: ReadonlySet<string>,
): Promise<
  Result<{
    stories: PlannedStory[];
    collections: PlannedCollection[];
    problems: FileProblem[];
    notes: string[];
  }>
> {
  const index = readIndex(deps.community);
  if (!index.ok) return index;
  if (!Array.isArray(paths) || !paths.every(isInput))
    return err(ErrorCode.BadInput, "The paths to import must be a list of file or folder paths.");
  const gathered = await gatherFiles(paths, deps.cwd);
  if (!gathered.ok) return gathered;
  const planned = planImport(gathered.value.files, index.value.themes, only);
  return ok({
    stories: planned.stories,
    collections: planned.collections,
    // Problems with files that were not picked do not stop an import of the others.
    problems: gathered.value.problems.filter((p) => !only || only.has(p.source)),
    notes: planned.notes,
  });
}

/** What the paths would become, without changing anything. */
export async function previewImport(
  deps: ImportDeps,
  paths: readonly ImportInput[],
): Promise<Result<ImportPreview>> {
  const planned = await plan(deps, paths);
  if (!planned.ok) return planned;
  return ok({
    candidates: planned.value.stories.map((s) => s.candidate),
    problems: planned.value.problems.map((p) => p.message),
    notes: planned.value.notes,
  });
}

const newDocumentId = (): DocumentId => parseAutomergeUrl(generateAutomergeUrl()).documentId;

/** A story document as `initStory` and the editor would leave it, with the imported body. */
function storyDocument(
  communityId: string,
  planned: PlannedStory,
  resolve: (path: string) => string | null,
  ctx: OpContext,
): Automerge.Doc<Story> {
  const spans = importSpans(planned.story.blocks, resolve);
  const doc = Automerge.change(Automerge.init<Story>(), (d) => {
    initStory(d, { communityId, title: planned.story.title }, ctx);
    Object.assign(d, storyDates(planned.story, ctx.now()));
    d.status = planned.story.status;
    for (const id of planned.themeIds) d.themes[id] = true;
    if (spans.length > 0)
      Automerge.updateSpans(d, ["body"], spans, storySchemaAdapter.updateSpansConfig());
  });
  // Built by this code from checked values: a failure here is a bug, caught before anything is added.
  const read = storyKind.read(doc);
  if (read.state !== "ok") throw new Error(`imported story does not validate (${read.state})`);
  return doc;
}

/**
 * Creates the stories. `sources` picks some of the previewed files (default: all). All or nothing:
 * any problem with a file it would import, and nothing is created.
 */
export async function runImport(
  deps: ImportDeps,
  paths: readonly ImportInput[],
  sources?: readonly string[],
): Promise<Result<{ storyIds: StoryId[] }>> {
  if (
    sources !== undefined &&
    (!Array.isArray(sources) || sources.some((s) => typeof s !== "string"))
  )
    return err(
      ErrorCode.BadInput,
      "The sources to import must be a list of the preview's sources.",
    );
  const only = sources ? new Set<string>(sources) : undefined;
  const planned = await plan(deps, paths, only);
  if (!planned.ok) return planned;
  const community = deps.community;
  const { stories, problems } = planned.value;
  if (problems.length > 0)
    return err(
      ErrorCode.BadInput,
      `Nothing was imported, because ${problems.length === 1 ? "one file has a problem" : `${problems.length} files have problems`}:\n${problems.map((p) => p.message).join("\n")}`,
    );
  if (only) {
    const found = new Set(stories.map((s) => s.source));
    const missing = [...only].filter((s) => !found.has(s));
    if (missing.length > 0)
      return err(
        ErrorCode.BadInput,
        `${missing[0]} is not among the files these paths hold (preview again to see them). Nothing was imported.`,
      );
  }
  if (stories.length === 0)
    return err(
      ErrorCode.BadInput,
      "There is no story to import in these paths (Markdown files, .md or .markdown).",
    );

  const total = stories.length;
  const progress = (done: number) =>
    deps.progress?.({ communityId: community.id, task: "import", done, total });
  progress(0);

  // Every id first, so a link from one imported file to another becomes an internal link.
  const ids = stories.map(() => newDocumentId());
  const idOfPath = new Map(stories.map((s, i) => [s.path, ids[i]!]));
  const resolve = (path: string) => idOfPath.get(path) ?? null;
  const docs: Automerge.Doc<Story>[] = [];
  const made: { id: DocumentId; doc: Automerge.Doc<Collection>; title: string }[] = [];
  try {
    for (const s of stories) {
      docs.push(storyDocument(community.id, s, resolve, deps.ctx));
      progress(docs.length);
    }
    for (const c of planned.value.collections)
      made.push({
        id: newDocumentId(),
        doc: collectionDocument(community.id, c, idOfPath, resolve, deps.ctx),
        title: c.index.title,
      });
  } catch (e) {
    return err(
      ErrorCode.Internal,
      `The stories could not be prepared (${(e as Error).message}). Nothing was imported.`,
    );
  }
  const storyIds = ids.map(asStoryId);
  return store(deps, stories, storyIds, docs, made);
}

const storyCount = (n: number) => `${n} stor${n === 1 ? "y" : "ies"}`;

/**
 * What a file system error means for an import, and what to do about it. Nothing of a failed
 * import is kept, so every answer says so.
 */
function notSaved(e: unknown, total: number, where: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  const none = `Nothing was imported: 0 of ${storyCount(total)} ${total === 1 ? "was" : "were"} saved`;
  switch (code) {
    case "ENOSPC":
    case "EDQUOT":
      return `${none}, because the disk holding ${where} is full. Free some space on it, then import again.`;
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return `${none}, because ${where} cannot be written (its permissions do not let this account write there, or it is read-only). Make it writable for this account, or choose another data folder with --data DIR, then import again.`;
    default:
      return `${none}, because ${where} could not be written (${code ?? (e as Error).message}). Check that the data folder can be written and has space, then import again.`;
  }
}

/**
 * Stores an import: a journal naming its documents first (journal.ts), then the documents, each
 * saved, then the index listing them, saved; the journal goes last. The community lists the
 * stories only once they are all on disk, so a failure or a kill at any point leaves either
 * the whole import or none of it (what is left unlisted is removed: here, or on the next start).
 */
async function store(
  deps: ImportDeps,
  stories: readonly PlannedStory[],
  storyIds: readonly StoryId[],
  docs: readonly Automerge.Doc<Story>[],
  made: readonly { id: DocumentId; doc: Automerge.Doc<Collection>; title: string }[],
): Promise<Result<{ storyIds: StoryId[] }>> {
  const community = deps.community;
  const where = communityDir(deps.dataDir, community.id);
  const total = stories.length;
  const docIds = [...storyIds.map((id) => id as unknown as DocumentId), ...made.map((c) => c.id)];
  try {
    await beginImport(deps.dataDir, community.id, docIds);
  } catch (e) {
    return err(ErrorCode.Storage, notSaved(e, total, where));
  }

  const added: DocumentId[] = [];
  try {
    docs.forEach((doc, i) => {
      const docId = docIds[i]!;
      community.repo.import<Story>(Automerge.save(doc), { docId });
      added.push(docId);
    });
    for (const c of made) {
      community.repo.import<Collection>(Automerge.save(c.doc), { docId: c.id });
      added.push(c.id);
    }
    await community.repo.flush(added);
  } catch (e) {
    // Not listed anywhere: removed now, or on the next start (the journal stays until then).
    for (const docId of added) community.repo.delete(docId);
    await community.repo.flush(added).catch(() => undefined);
    return err(ErrorCode.Storage, notSaved(e, total, where));
  }

  const indexId = community.id as unknown as DocumentId;
  try {
    const now = deps.ctx.now();
    community.index!.change((d) => {
      stories.forEach((s, i) => {
        const themes: Record<string, true> = {};
        for (const id of s.themeIds) themes[id] = true;
        addEntry(d, storyIds[i]!, {
          kind: "story",
          title: s.story.title,
          status: s.story.status,
          themes,
          ...storyDates(s.story, now),
        });
      });
      for (const c of made)
        addEntry(d, c.id, { kind: "collection", title: c.title, createdAt: now, updatedAt: now });
    });
    await community.repo.flush([indexId]);
  } catch (e) {
    // The index lists them in memory only: on disk the community does not, and the next start
    // removes the documents. Said as it is: nothing was saved.
    return err(
      ErrorCode.Storage,
      `${notSaved(e, total, where)} (the stories show on this device until Meitheal closes, but the community's list of them is not on disk).`,
    );
  }
  // Listed and saved: a journal that cannot be removed now is cleared harmlessly on the next start.
  await endImport(deps.dataDir, community.id, docIds).catch(() => undefined);
  return ok({ storyIds: [...storyIds] });
}

/** A collection document as the app makes one, from a contents page of the import. */
function collectionDocument(
  communityId: string,
  planned: PlannedCollection,
  idOfPath: ReadonlyMap<string, DocumentId>,
  resolve: (path: string) => string | null,
  ctx: OpContext,
): Automerge.Doc<Collection> {
  const { index } = planned;
  const spans = importSpans(index.introduction, resolve);
  const doc = Automerge.change(Automerge.init<Collection>(), (d) => {
    initCollection(
      d,
      {
        communityId,
        title: index.title,
        subtitle: index.subtitle,
        ...(index.language === null ? {} : { language: index.language }),
      },
      ctx,
    );
    if (spans.length > 0)
      Automerge.updateSpans(d, ["introduction"], spans, storySchemaAdapter.updateSpansConfig());
    for (const credit of index.credits) addCredit(d, credit, ctx);
    for (const path of planned.storyPaths) {
      const id = idOfPath.get(path);
      if (id !== undefined) addStory(d, id, ctx);
    }
  });
  const read = collectionKind.read(doc);
  if (read.state !== "ok") throw new Error(`imported collection does not validate (${read.state})`);
  return doc;
}
