// `import:preview` and `import:run`: Markdown files, folders and zips become stories of a community.
// The preview reads and plans without touching the community. The import reads and plans the same
// way, refuses while anything it would import has a problem, builds every story document in memory
// first (ids chosen up front, so links between the imported files become internal story links),
// then adds them to the repo and lists them all in the index in one change: the community never
// shows half an import. Should adding fail part-way, what was added is deleted again.
import * as Automerge from "@automerge/automerge";
import {
  generateAutomergeUrl,
  parseAutomergeUrl,
  type DocumentId,
} from "@automerge/automerge-repo";
import type { ImportPreview, TaskProgress } from "../../shared/contract.ts";
import { planImport, type PlannedStory } from "../../shared/import/plan.ts";
import { importSpans } from "../../shared/import/spans.ts";
import { storyDates } from "../../shared/import/markdown.ts";
import { addEntry } from "../../shared/ops/community.ts";
import type { OpContext } from "../../shared/ops/context.ts";
import { initStory } from "../../shared/ops/story.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { storySchemaAdapter } from "../../shared/richtext/schema.ts";
import { communityKind, type CommunityIndex } from "../../shared/schema/community.ts";
import { storyKind, type Story } from "../../shared/schema/story.ts";
import type { OpenCommunity } from "../communities.ts";
import { gatherFiles, type FileProblem, type ImportInput } from "./files.ts";
import { asStoryId, type StoryId } from "../../shared/ids.ts";

export type ImportDeps = {
  community: OpenCommunity;
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
): Promise<Result<{ stories: PlannedStory[]; problems: FileProblem[]; notes: string[] }>> {
  const index = readIndex(deps.community);
  if (!index.ok) return index;
  if (!Array.isArray(paths) || !paths.every(isInput))
    return err(ErrorCode.BadInput, "The paths to import must be a list of file or folder paths.");
  const gathered = await gatherFiles(paths, deps.cwd);
  if (!gathered.ok) return gathered;
  const planned = planImport(gathered.value.files, index.value.themes, only);
  return ok({
    stories: planned.stories,
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
    problems: [...planned.value.problems.map((p) => p.message), ...planned.value.notes],
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
  try {
    for (const s of stories) {
      docs.push(storyDocument(community.id, s, resolve, deps.ctx));
      progress(docs.length);
    }
  } catch (e) {
    return err(
      ErrorCode.Internal,
      `The stories could not be prepared (${(e as Error).message}). Nothing was imported.`,
    );
  }

  const added: DocumentId[] = [];
  try {
    docs.forEach((doc, i) => {
      const docId = ids[i]!;
      community.repo.import<Story>(Automerge.save(doc), { docId });
      added.push(docId);
    });
    const now = deps.ctx.now();
    community.index!.change((d) => {
      stories.forEach((s, i) => {
        const themes: Record<string, true> = {};
        for (const id of s.themeIds) themes[id] = true;
        addEntry(d, ids[i]!, {
          kind: "story",
          title: s.story.title,
          status: s.story.status,
          themes,
          ...storyDates(s.story, now),
        });
      });
    });
  } catch (e) {
    for (const docId of added) community.repo.delete(docId);
    return err(
      ErrorCode.Storage,
      `The stories could not be added (${(e as Error).message}). Nothing was imported.`,
    );
  }
  try {
    await community.repo.flush([...added, community.id as unknown as DocumentId]);
  } catch (e) {
    return err(
      ErrorCode.Storage,
      `The stories were imported but could not all be saved yet (${(e as Error).message}). They are open on this device; check the data folder has space.`,
    );
  }
  return ok({ storyIds: ids.map(asStoryId) });
}
