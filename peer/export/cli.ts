// meitheal-peer commands of this feature: `export` (a collection to Markdown, HTML, EPUB or PDF)
// and `collections` (list a community's collections, for scripts that export them).
import type { AutomergeUrl } from "@automerge/automerge-repo";
import { isAbsolute, resolve } from "node:path";
import {
  atPath,
  type ExportFormat,
  type ExportSummary,
  type StoryStatusName,
} from "../../shared/contract.ts";
import { orderedStories } from "../../shared/ops/collection.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { collectionKind } from "../../shared/schema/collection.ts";
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
import { FORMATS, STATUSES } from "./collection.ts";
import { asCollectionId, type CollectionId } from "../../shared/ids.ts";

type ListedCollection = { id: string; title: string; updatedAt: number };

function listedCollections(node: PeerNode, communityId: string): ListedCollection[] {
  const entries = node.community(communityId)?.index?.doc()?.entries ?? {};
  return Object.entries(entries)
    .filter(([, e]) => e.kind === "collection")
    .map(([id, e]) => ({
      id,
      title: typeof e.title === "string" ? e.title : "",
      updatedAt: e.updatedAt,
    }))
    .sort((a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id));
}

/** A collection by id, or by title when exactly one has it. */
export function findCollection(
  node: PeerNode,
  communityId: string,
  given: unknown,
): Result<CollectionId> {
  if (typeof given !== "string" || given.trim() === "")
    return err(
      ErrorCode.BadInput,
      "Say which collection with --collection ID or TITLE (meitheal-peer collections --community ID lists them).",
    );
  const list = listedCollections(node, communityId);
  const byId = list.find((c) => c.id === given.trim());
  if (byId) return ok(asCollectionId(byId.id));
  const titled = list.filter((c) => fold(c.title) === fold(given));
  if (titled.length === 1 && titled[0]) return ok(asCollectionId(titled[0].id));
  return err(
    ErrorCode.BadInput,
    titled.length > 1
      ? `Several collections are called "${given}": give the id instead (${titled.map((c) => c.id).join(", ")}).`
      : `No collection "${given}" in this community (meitheal-peer collections --community ${communityId} lists them).`,
  );
}

/** --status / --all-statuses as a list; an error for people when they are wrong. */
export function statusesOf(values: Record<string, unknown>): Result<StoryStatusName[] | undefined> {
  const all = values["all-statuses"] === true;
  const given = values.status;
  if (all && given !== undefined)
    return err(ErrorCode.BadInput, "Give either --all-statuses or --status, not both.");
  if (all) return ok([...STATUSES]);
  if (given === undefined) return ok(undefined);
  const list = (typeof given === "string" ? given : "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "");
  const odd = list.find((s) => !(STATUSES as readonly string[]).includes(s));
  if (list.length === 0 || odd !== undefined)
    return err(
      ErrorCode.BadInput,
      `--status takes statuses separated by commas, from: ${STATUSES.join(", ")}${odd === undefined ? "" : ` ("${odd}" is not one)`}.`,
    );
  return ok(list as StoryStatusName[]);
}

/** A path given on the command line: relative ones are taken from the current folder. */
export const outPath = (text: string, cwd = process.cwd()): string => {
  const trimmed = text.trim();
  if (trimmed === "~" || trimmed.startsWith("~/") || isAbsolute(trimmed)) return trimmed;
  return resolve(cwd, trimmed);
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const storyCount = (n: number) => plural(n, "story", "stories");

export function summaryText(summary: ExportSummary): string {
  const lines = [
    `Exported ${storyCount(summary.stories)} as ${summary.format} to ${summary.path} (${summary.bytes.toLocaleString("en")} bytes).`,
  ];
  if (summary.warnings.length > 0) {
    lines.push(`${plural(summary.warnings.length, "warning")}:`);
    for (const w of summary.warnings) lines.push(`  - ${w}`);
  }
  return lines.join("\n");
}

const EXPORT_USAGE =
  "meitheal-peer export --collection ID|TITLE --format markdown|html|epub|pdf --out PATH [--community ID|NAME] [--all-statuses | --status ready,published] [--page a4|a5] [--json] [--data DIR]";

const EXPORT_HELP = `--out is a file, or a folder to save the export in (named after the collection).
An existing file is replaced only once the new one is complete.
Only stories marked ready or published are included unless --status or --all-statuses says otherwise.
--page sets the printed page size of HTML and PDF (default a4; a5 for a booklet).
PDF needs Chromium (/usr/bin/chromium, chromium-browser or google-chrome) or the desktop app.`;

async function runExport(
  node: PeerNode,
  values: Record<string, unknown>,
  io: Io,
  usage: string,
): Promise<number> {
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
  const statuses = statusesOf(values);
  if (!statuses.ok) {
    io.err(`${statuses.error.message}\nUsage: ${usage}`);
    return EXIT.usage;
  }
  const result = await node.handlers["export:collection"]({
    communityId: community.value,
    collectionId: collection.value,
    format: values.format as ExportFormat,
    target: atPath(outPath(String(values.out))),
    ...(statuses.value ? { statuses: statuses.value } : {}),
    pageSize: values.page === "a5" ? "a5" : "a4",
  });
  if (!result.ok) {
    io.err(result.error.message);
    return EXIT.failed;
  }
  io.out(values.json ? JSON.stringify(result.value, null, 2) : summaryText(result.value));
  return EXIT.ok;
}

export const exportCommands: Record<string, Command> = {
  export: {
    summary: "Export a collection as Markdown (zip), HTML, EPUB or PDF.",
    usage: EXPORT_USAGE,
    help: EXPORT_HELP,
    options: {
      community: { type: "string" },
      collection: { type: "string" },
      format: { type: "string" },
      out: { type: "string" },
      status: { type: "string" },
      "all-statuses": { type: "boolean" },
      page: { type: "string" },
    },
    async run(values, _positionals, io) {
      // Checked before the peer starts: a typo costs nothing and locks nothing.
      const format = String(values.format ?? "").toLowerCase();
      if (!(FORMATS as readonly string[]).includes(format)) {
        io.err(
          `${values.format === undefined ? "Say which format with --format" : `"${String(values.format)}" is not a format: use --format`} ${FORMATS.join("|")}.\nUsage: ${this.usage}`,
        );
        return EXIT.usage;
      }
      if (typeof values.out !== "string" || values.out.trim() === "") {
        io.err(
          `Say where the export goes with --out PATH (a file or a folder).\nUsage: ${this.usage}`,
        );
        return EXIT.usage;
      }
      const page = values.page === undefined ? "a4" : String(values.page).toLowerCase();
      if (page !== "a4" && page !== "a5") {
        io.err(`--page is a4 or a5, not "${String(values.page)}".\nUsage: ${this.usage}`);
        return EXIT.usage;
      }
      const statuses = statusesOf(values);
      if (!statuses.ok) {
        io.err(`${statuses.error.message}\nUsage: ${this.usage}`);
        return EXIT.usage;
      }
      // Read only: an export never writes the data folder, so it works on one that cannot be written.
      return withPeer(
        dataDirOf(values),
        (node) => runExport(node, { ...values, format, page }, io, this.usage),
        { readOnly: true },
      );
    },
  },
  collections: {
    summary: "List the collections of a community (ids, titles, how many stories).",
    usage: "meitheal-peer collections [--community ID|NAME] [--json] [--data DIR]",
    options: { community: { type: "string" } },
    async run(values, _positionals, io) {
      return withPeer(
        dataDirOf(values),
        async (node) => {
          const community = findCommunity(node, values.community);
          if (!community.ok) {
            io.err(community.error.message);
            return EXIT.usage;
          }
          const repo = node.community(community.value)?.repo;
          const list = await Promise.all(
            listedCollections(node, community.value).map(async (c) => {
              let stories: number | null = null;
              try {
                const handle = await repo?.find(`automerge:${c.id}` as AutomergeUrl, {
                  allowableStates: ["ready", "requesting", "unavailable"],
                });
                const read = handle?.isReady() ? collectionKind.read(handle.doc()) : undefined;
                if (read?.state === "ok") stories = orderedStories(read.doc).length;
              } catch {
                // Not on this device yet: listed without a count.
              }
              return {
                id: c.id,
                title: c.title,
                stories,
                updatedAt: new Date(c.updatedAt).toISOString(),
              };
            }),
          );
          if (values.json) io.out(JSON.stringify(list, null, 2));
          else if (list.length === 0) io.out("This community has no collections yet.");
          else
            for (const c of list)
              io.out(
                `${c.id}  ${c.title || "(untitled)"}  ${c.stories === null ? "not on this device yet" : storyCount(c.stories)}`,
              );
          return EXIT.ok;
        },
        { readOnly: true },
      );
    },
  },
};
