// meitheal-peer commands that make a collection as the app's collection page does: `stories` (list
// a community's stories, to name them), `create-collection`, `add-stories` (appended in the order
// given) and `set-introduction` (from a Markdown file). Each change is made to the collection's
// document and its entry in the index, as renderer/features/collections/actions.ts makes it.
import * as Automerge from "@automerge/automerge";
import type { AutomergeUrl, DocHandle } from "@automerge/automerge-repo";
import { readFile } from "node:fs/promises";
import { markdownBlocks } from "../../shared/import/bodyBlocks.ts";
import { splitFrontMatter } from "../../shared/import/frontMatter.ts";
import { importSpans } from "../../shared/import/spans.ts";
import { addStory, initCollection, orderedStories } from "../../shared/ops/collection.ts";
import { addEntry, updateEntry } from "../../shared/ops/community.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { storySchemaAdapter } from "../../shared/richtext/schema.ts";
import { collectionKind, type Collection } from "../../shared/schema/collection.ts";
import { checkTitle } from "../../shared/schema/input.ts";
import {
  dataDirOf,
  EXIT,
  findCommunity,
  fold,
  withPeer,
  type Command,
  type Io,
} from "../cliKit.ts";
import type { PeerNode } from "../peerNode.ts";
import { findCollection, outPath } from "./cli.ts";

const entriesOf = (node: PeerNode, communityId: string) =>
  node.community(communityId)?.index?.doc()?.entries ?? {};

type Listed = { id: string; title: string; status: string };

const storiesOf = (node: PeerNode, communityId: string): Listed[] =>
  Object.entries(entriesOf(node, communityId))
    .filter(([, e]) => e.kind === "story")
    .map(([id, e]) => ({
      id,
      title: typeof e.title === "string" ? e.title : "",
      status: typeof e.status === "string" ? e.status : "",
    }))
    .sort((a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id));

/** A story by id, or by title when exactly one has it. */
function findStory(list: readonly Listed[], given: string, communityId: string): Result<string> {
  const byId = list.find((s) => s.id === given.trim());
  if (byId) return ok(byId.id);
  const titled = list.filter((s) => fold(s.title) === fold(given));
  if (titled.length === 1 && titled[0]) return ok(titled[0].id);
  return err(
    ErrorCode.BadInput,
    titled.length > 1
      ? `Several stories are called "${given}": give the id instead (${titled.map((s) => s.id).join(", ")}).`
      : `No story "${given}" in this community (meitheal-peer stories --community ${communityId} lists them).`,
  );
}

/** The introduction a Markdown file holds, as spans; what could not be kept, as warnings. */
async function introductionFrom(
  file: string,
): Promise<Result<{ spans: Automerge.Span[]; warnings: string[] }>> {
  const path = outPath(file);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return err(
      ErrorCode.BadInput,
      code === "ENOENT"
        ? `There is no file at ${path}. Nothing was changed.`
        : code === undefined
          ? `${path} is not UTF-8 text. Save it as UTF-8, then try again. Nothing was changed.`
          : `${path} could not be read (${code}). Nothing was changed.`,
    );
  }
  const warnings: string[] = [];
  const { body } = splitFrontMatter(text, warnings);
  const read = markdownBlocks(body, path.split("\\").join("/"), warnings);
  // A link to a file cannot name a story here: it is kept as its text.
  const spans = importSpans(read.blocks, () => null);
  return ok({ spans, warnings: [...warnings, ...read.changes] });
}

/** Opens a collection's document; an error for people when it is not on this device. */
async function openCollection(
  node: PeerNode,
  communityId: string,
  id: string,
): Promise<Result<DocHandle<Collection>>> {
  const repo = node.community(communityId)?.repo;
  try {
    const handle = await repo?.find<Collection>(`automerge:${id}` as AutomergeUrl);
    if (handle && collectionKind.read(handle.doc()).state === "ok") return ok(handle);
  } catch {
    // Said below.
  }
  return err(
    ErrorCode.Unavailable,
    "That collection is listed but not readable on this device (it may not have arrived yet). Let it sync, then try again. Nothing was changed.",
  );
}

function setIntroduction(
  node: PeerNode,
  communityId: string,
  handle: DocHandle<Collection>,
  spans: Automerge.Span[],
) {
  handle.change((d) => {
    Automerge.updateSpans(d, ["introduction"], spans, storySchemaAdapter.updateSpansConfig());
    d.updatedAt = node.ctx.now();
  });
  node
    .community(communityId)
    ?.index?.change((d) => updateEntry(d, handle.documentId, {}, node.ctx));
}

/** Saves, then says what was done: a failed save is said as one, never as done. */
async function saved(node: PeerNode, io: Io, done: string): Promise<number> {
  try {
    await node.flush();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(
      `The change could not be saved in ${node.dataDir} (${code === "ENOSPC" ? "the disk is full" : code === "EACCES" || code === "EROFS" || code === "EPERM" ? "the folder cannot be written" : (code ?? (e as Error).message)}), so nothing of it was saved. Free space or make the folder writable, then run the command again.`,
    );
    return EXIT.failed;
  }
  io.out(done);
  return EXIT.ok;
}

const warn = (io: Io, warnings: readonly string[]) => {
  for (const w of warnings) io.err(`! ${w}`);
};

export const collectionCommands: Record<string, Command> = {
  stories: {
    summary: "List the stories of a community (ids, titles, statuses), to name them.",
    usage: "meitheal-peer stories [--community ID|NAME] [--json] [--data DIR]",
    options: { community: { type: "string" } },
    async run(values, _p, io) {
      return withPeer(
        dataDirOf(values),
        (node) => {
          const community = findCommunity(node, values.community);
          if (!community.ok) {
            io.err(community.error.message);
            return Promise.resolve(EXIT.usage);
          }
          const list = storiesOf(node, community.value);
          if (values.json) io.out(JSON.stringify(list, null, 2));
          else if (list.length === 0) io.out("This community has no stories yet.");
          else for (const s of list) io.out(`${s.id}  ${s.title || "(untitled)"}  ${s.status}`);
          return Promise.resolve(EXIT.ok);
        },
        { readOnly: true },
      );
    },
  },
  "create-collection": {
    summary:
      "Create a collection (a book of stories), optionally with its stories and introduction.",
    usage:
      "meitheal-peer create-collection TITLE [STORY...] [--subtitle TEXT] [--introduction FILE.md] [--community ID|NAME] [--json] [--data DIR]",
    help: [
      "STORY: a story's id or title (meitheal-peer stories lists them); the stories go into the",
      "collection in the order given. --introduction reads a Markdown file as the collection's",
      "introduction (what the book says before its stories). More stories: add-stories.",
    ].join("\n"),
    options: {
      community: { type: "string" },
      subtitle: { type: "string" },
      introduction: { type: "string" },
    },
    async run(values, positionals, io) {
      const [given, ...storyNames] = positionals;
      const title = checkTitle(given);
      if (!title.ok || given === undefined) {
        io.err(
          `${title.ok ? "create-collection needs a TITLE." : title.error.message}\nUsage: ${this.usage}`,
        );
        return EXIT.usage;
      }
      // Read before the peer starts: a wrong path costs nothing and changes nothing.
      const intro =
        typeof values.introduction === "string"
          ? await introductionFrom(values.introduction)
          : undefined;
      if (intro && !intro.ok) {
        io.err(intro.error.message);
        return EXIT.usage;
      }
      return withPeer(dataDirOf(values), async (node) => {
        const community = findCommunity(node, values.community);
        const open = community.ok ? node.community(community.value) : undefined;
        if (!community.ok || !open?.index) {
          io.err(
            community.ok
              ? "This community's index is not readable on this device yet."
              : community.error.message,
          );
          return EXIT.usage;
        }
        const list = storiesOf(node, community.value);
        const ids: string[] = [];
        for (const name of storyNames) {
          const found = findStory(list, name, community.value);
          if (!found.ok) {
            io.err(`${found.error.message} Nothing was created.`);
            return EXIT.usage;
          }
          ids.push(found.value);
        }
        const ctx = node.ctx;
        const handle = open.repo.create<Collection>();
        handle.change((d) => {
          initCollection(
            d,
            {
              communityId: community.value,
              title: title.value,
              ...(typeof values.subtitle === "string" ? { subtitle: values.subtitle.trim() } : {}),
            },
            ctx,
          );
          for (const id of ids) addStory(d, id, ctx);
        });
        if (intro?.ok) setIntroduction(node, community.value, handle, intro.value.spans);
        const now = ctx.now();
        open.index.change((d) =>
          addEntry(d, handle.documentId, {
            kind: "collection",
            title: title.value,
            createdAt: now,
            updatedAt: now,
          }),
        );
        if (intro?.ok) warn(io, intro.value.warnings);
        const stories = orderedStories(handle.doc()).length;
        return saved(
          node,
          io,
          values.json
            ? JSON.stringify({ id: handle.documentId, title: title.value, stories }, null, 2)
            : `Created the collection "${title.value}" (${handle.documentId}) with ${stories} stor${stories === 1 ? "y" : "ies"}${intro?.ok ? " and an introduction" : ""}.`,
        );
      });
    },
  },
  "add-stories": {
    summary: "Add stories to a collection, at its end, in the order given.",
    usage:
      "meitheal-peer add-stories --collection ID|TITLE STORY... [--community ID|NAME] [--json] [--data DIR]",
    help: "STORY: a story's id or title (meitheal-peer stories lists them). A story already in the\ncollection stays where it is.",
    options: { community: { type: "string" }, collection: { type: "string" } },
    async run(values, positionals, io) {
      if (positionals.length === 0) {
        io.err(`add-stories needs at least one STORY.\nUsage: ${this.usage}`);
        return EXIT.usage;
      }
      return withPeer(dataDirOf(values), async (node) => {
        const community = findCommunity(node, values.community);
        if (!community.ok) {
          io.err(community.error.message);
          return EXIT.usage;
        }
        const collection = findCollection(node, community.value, values.collection);
        if (!collection.ok) {
          io.err(collection.error.message);
          return EXIT.usage;
        }
        const list = storiesOf(node, community.value);
        const ids: string[] = [];
        for (const name of positionals) {
          const found = findStory(list, name, community.value);
          if (!found.ok) {
            io.err(`${found.error.message} Nothing was added.`);
            return EXIT.usage;
          }
          ids.push(found.value);
        }
        const handle = await openCollection(node, community.value, collection.value);
        if (!handle.ok) {
          io.err(handle.error.message);
          return EXIT.failed;
        }
        let added = 0;
        handle.value.change((d) => {
          for (const id of ids) if (addStory(d, id, node.ctx)) added++;
        });
        if (added > 0)
          node
            .community(community.value)
            ?.index?.change((d) => updateEntry(d, collection.value, {}, node.ctx));
        const total = orderedStories(handle.value.doc()).length;
        const already = ids.length - added;
        return saved(
          node,
          io,
          values.json
            ? JSON.stringify({ added, stories: total }, null, 2)
            : `Added ${added} stor${added === 1 ? "y" : "ies"}${already > 0 ? ` (${already} already in it)` : ""}; the collection has ${total} now.`,
        );
      });
    },
  },
  "set-introduction": {
    summary: "Set a collection's introduction from a Markdown file (replacing what it says now).",
    usage:
      "meitheal-peer set-introduction --collection ID|TITLE FILE.md [--community ID|NAME] [--data DIR]",
    help: "Headings, paragraphs, quotes, lists, emphasis and web links are kept; what an\nintroduction cannot hold is kept as text and named.",
    options: { community: { type: "string" }, collection: { type: "string" } },
    async run(values, positionals, io) {
      if (positionals.length !== 1 || !positionals[0]) {
        io.err(`set-introduction takes one Markdown FILE.\nUsage: ${this.usage}`);
        return EXIT.usage;
      }
      const intro = await introductionFrom(positionals[0]);
      if (!intro.ok) {
        io.err(intro.error.message);
        return EXIT.usage;
      }
      return withPeer(dataDirOf(values), async (node) => {
        const community = findCommunity(node, values.community);
        if (!community.ok) {
          io.err(community.error.message);
          return EXIT.usage;
        }
        const collection = findCollection(node, community.value, values.collection);
        if (!collection.ok) {
          io.err(collection.error.message);
          return EXIT.usage;
        }
        const handle = await openCollection(node, community.value, collection.value);
        if (!handle.ok) {
          io.err(handle.error.message);
          return EXIT.failed;
        }
        setIntroduction(node, community.value, handle.value, intro.value.spans);
        warn(io, intro.value.warnings);
        return saved(node, io, "The introduction was set.");
      });
    },
  },
};
