// meitheal-peer import: Markdown files, folders or zips become stories of a community.
import type { ImportCandidate, ImportPreview } from "../../shared/contract.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { dataDirOf, EXIT, withPeer, type Command } from "../cliKit.ts";
import type { PeerNode } from "../main.ts";
import { importPath } from "./files.ts";

/** A community named by id or by name (case-insensitive); the only one when none is named. */
export function communityByIdOrName(node: PeerNode, given: unknown): Result<string> {
  const list = node.listCommunities();
  if (typeof given === "string" && given.trim() !== "") {
    const byId = list.find((c) => c.id === given);
    if (byId) return ok(byId.id);
    const key = given.trim().toLocaleLowerCase();
    const byName = list.filter((c) => c.name?.trim().toLocaleLowerCase() === key);
    if (byName.length === 1 && byName[0]) return ok(byName[0].id);
    return err(
      ErrorCode.BadInput,
      byName.length > 1
        ? `Several communities are called "${given}": say which by its id (meitheal-peer communities lists them).`
        : `No community "${given}" on this device (meitheal-peer communities lists them).`,
    );
  }
  if (list.length === 1 && list[0]) return ok(list[0].id);
  return err(
    ErrorCode.BadInput,
    list.length === 0
      ? "There is no community on this device to import into. Create one first."
      : "This device has several communities: say which with --community ID or NAME.",
  );
}

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
  if (preview.problems.length > 0) {
    lines.push("", "Problems:");
    for (const p of preview.problems) lines.push(`  ${p}`);
  }
  return lines.join("\n");
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
        const id = communityByIdOrName(node, values.community);
        if (!id.ok) {
          io.err(id.error.message);
          return EXIT.usage;
        }
        const preview = await node.handlers["import:preview"]({ communityId: id.value, paths });
        if (!preview.ok) {
          io.err(preview.error.message);
          return EXIT.failed;
        }
        if (values["dry-run"]) {
          io.out(values.json ? JSON.stringify(preview.value, null, 2) : previewText(preview.value));
          return preview.value.candidates.length > 0 ? EXIT.ok : EXIT.failed;
        }
        const done = await node.handlers["import:run"]({ communityId: id.value, paths });
        if (!done.ok) {
          io.err(done.error.message);
          return EXIT.failed;
        }
        await node.flush();
        const n = done.value.storyIds.length;
        io.out(
          values.json
            ? JSON.stringify({ ...preview.value, storyIds: done.value.storyIds }, null, 2)
            : `${previewText(preview.value).replace(/would be created/, "created")}\n\nImported ${n} stor${n === 1 ? "y" : "ies"}.`,
        );
        return EXIT.ok;
      });
    },
  },
};
