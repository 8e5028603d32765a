// meitheal-peer import: Markdown files, folders or zips become stories of a community.
import { atPath, type ImportCandidate, type ImportPreview } from "../../shared/contract.ts";
import { dataDirOf, EXIT, findCommunity, withPeer, type Command } from "../cliKit.ts";
import type { PeerNode } from "../peerNode.ts";
import { importPath } from "./files.ts";

const describe = (c: ImportCandidate): string[] => {
  const themes = c.themes.length > 0 ? `, themes: ${c.themes.join(", ")}` : "";
  return [
    `  ${c.title} — ${c.status}, ${c.words} word${c.words === 1 ? "" : "s"}${themes}`,
    `      from ${c.source}`,
    ...c.warnings.map((w) => `      ! ${w}`),
  ];
};

const previewText = (preview: ImportPreview): string => {
  const lines: string[] = [];
  const n = preview.candidates.length;
  lines.push(n === 0 ? "No stories found." : `${n} stor${n === 1 ? "y" : "ies"} would be created:`);
  for (const c of preview.candidates) lines.push(...describe(c));
  if (preview.notes.length > 0) {
    lines.push("", "Also:");
    for (const note of preview.notes) lines.push(`  ${note}`);
  }
  if (preview.problems.length > 0) {
    lines.push("", "Problems:");
    for (const p of preview.problems) lines.push(`  ${p}`);
  }
  return lines.join("\n");
};

const entriesOf = (node: PeerNode, communityId: string) =>
  node.community(communityId)?.index?.doc()?.entries ?? {};

const collectionIds = (node: PeerNode, communityId: string): string[] =>
  Object.entries(entriesOf(node, communityId))
    .filter(([, e]) => e.kind === "collection")
    .map(([id]) => id);

const titleOf = (node: PeerNode, communityId: string, id: string): string => {
  const title = entriesOf(node, communityId)[id]?.title;
  return typeof title === "string" ? title : "";
};

export const importCommands: Record<string, Command> = {
  import: {
    summary:
      "Import Markdown files, folders or zips as stories (--dry-run shows what would be made).",
    usage: "meitheal-peer import [--community ID|NAME] PATH... [--dry-run] [--json] [--data DIR]",
    help: [
      "PATH: a .md, .markdown or .txt file, a folder (every .md in it, and in folders inside it),",
      "or a .zip of Markdown files (such as a collection exported from Meitheal as Markdown).",
      "Front matter sets the title, status (seed, draft, ready, published) and themes; a theme",
      "the community does not have is left out. Links between the imported files become links",
      "between the new stories. Nothing is imported if any file has a problem.",
      "A collection exported from Meitheal as Markdown comes back as a collection: its index.md",
      "gives the title, introduction, credits and the order of the stories.",
    ].join("\n"),
    options: { community: { type: "string" }, "dry-run": { type: "boolean" } },
    async run(values, positionals, io) {
      if (positionals.length === 0) {
        io.err(`import needs at least one PATH.\nUsage: ${this.usage}`);
        return EXIT.usage;
      }
      const paths: string[] = [];
      for (const p of positionals) {
        const path = importPath(p, process.cwd());
        if (!path.ok) {
          io.err(`${path.error.message}\nUsage: ${this.usage}`);
          return EXIT.usage;
        }
        paths.push(path.value);
      }
      return withPeer(dataDirOf(values), async (node) => {
        const id = findCommunity(node, values.community);
        if (!id.ok) {
          io.err(id.error.message);
          return EXIT.usage;
        }
        const preview = await node.handlers["import:preview"]({
          communityId: id.value,
          files: paths.map(atPath),
        });
        if (!preview.ok) {
          io.err(preview.error.message);
          return EXIT.failed;
        }
        if (values["dry-run"]) {
          io.out(values.json ? JSON.stringify(preview.value, null, 2) : previewText(preview.value));
          return preview.value.candidates.length > 0 ? EXIT.ok : EXIT.failed;
        }
        const collectionsBefore = new Set(collectionIds(node, id.value));
        const done = await node.handlers["import:run"]({
          communityId: id.value,
          files: paths.map(atPath),
        });
        if (!done.ok) {
          io.err(done.error.message);
          return EXIT.failed;
        }
        await node.flush();
        const n = done.value.storyIds.length;
        const collections = collectionIds(node, id.value)
          .filter((c) => !collectionsBefore.has(c))
          .map((c) => ({ id: c, title: titleOf(node, id.value, c) }));
        const made = collections.map((c) => ` and the collection "${c.title}"`).join("");
        io.out(
          values.json
            ? JSON.stringify(
                { ...preview.value, storyIds: done.value.storyIds, collections },
                null,
                2,
              )
            : `${previewText(preview.value).replace(/would be created/, "created")}\n\nImported ${n} stor${n === 1 ? "y" : "ies"}${made}.`,
        );
        return EXIT.ok;
      });
    },
  },
};
