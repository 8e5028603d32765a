// A folder of Markdown files becomes stories: every .md in it and in folders inside it (not hidden
// folders, not .txt files the folder happens to hold), front matter for title, status and themes,
// the first heading or the file name otherwise, and links between the files as story links. The
// CLI does the same, and its --dry-run changes nothing.
import * as Automerge from "@automerge/automerge";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../peer/cli.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import { hrefFromMarkValue } from "../../shared/richtext/schema.ts";
import { spansToPlainText } from "../../shared/richtext/text.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { indexOf, peerWithCommunity, picture, storyOf, value } from "./helpers.ts";
import { atPath } from "../../shared/contract.ts";

let dir = "";
let folder = "";
beforeEach(async () => {
  dir = await makeTempDir("meitheal-import-folder-");
  folder = join(dir, "notes");
  const files: Record<string, string> = {
    "first-day.md": [
      "---",
      "title: The first day",
      "status: ready",
      "themes: [nature, Listening]",
      "---",
      "",
      "We walked to [the shore](../notes/more/the-shore.md#top) and back.",
      "See also [a lost page](./lost.md) and [the web](https://example.org/x).",
    ].join("\n"),
    "more/the-shore.md": "# At the shore\n\n> The tide *came in*.\n",
    "more/untitled_notes.markdown": "Just a line, no heading.\n",
    "more/odd-status.md": "---\nstatus: finished\n---\n# Odd\n\ntext\n",
    "more/ignored.txt": "A text file in a folder is not imported.\n",
    ".obsidian/hidden.md": "# Hidden\n",
  };
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(folder, name)), { recursive: true });
    await writeFile(join(folder, name), text);
  }
});
afterEach(async () => {
  await removeDir(dir);
});

describe("importing a folder", () => {
  it("previews every Markdown file in it and imports them with links between them", async () => {
    const { node, communityId } = await peerWithCommunity(join(dir, "data"));
    try {
      const before = await picture(node, communityId);
      const preview = value(
        await node.handlers["import:preview"]({ communityId, files: [atPath(folder)] }),
      );
      expect(await picture(node, communityId)).toEqual(before);
      expect(preview.problems).toEqual([]);
      const byTitle = new Map(preview.candidates.map((c) => [c.title, c]));
      expect([...byTitle.keys()].sort()).toEqual([
        "At the shore",
        "Odd",
        "The first day",
        "untitled notes",
      ]);
      const first = byTitle.get("The first day")!;
      expect(first).toMatchObject({ status: "ready", themes: ["Nature"], words: 15 });
      expect(first.source).toBe(join(folder, "first-day.md"));
      expect(first.warnings).toEqual([
        expect.stringContaining('The theme "Listening" is not one of this community\'s themes'),
        "A link to lost.md was kept as plain text: that file is not part of this import.",
      ]);
      expect(byTitle.get("Odd")).toMatchObject({ status: "seed" });
      expect(byTitle.get("Odd")!.warnings).toEqual([
        expect.stringContaining('The status "finished" is not one Meitheal knows'),
      ]);

      const { storyIds } = value(
        await node.handlers["import:run"]({ communityId, files: [atPath(folder)] }),
      );
      expect(storyIds).toHaveLength(4);
      const stories = await Promise.all(storyIds.map((id) => storyOf(node, communityId, id)));
      const shoreId = storyIds[stories.findIndex((s) => s.title === "At the shore")]!;
      const day = stories.find((s) => s.title === "The first day")!;
      expect(day.status).toBe("ready");
      const spans = Automerge.spans(day, ["body"]);
      expect(spansToPlainText(spans)).toBe(
        "We walked to the shore and back. See also a lost page and the web.",
      );
      const links = spans.flatMap((s) =>
        s.type === "text" && s.marks?.link ? [[s.value, hrefFromMarkValue(s.marks.link)]] : [],
      );
      expect(links).toEqual([
        ["the shore", `meitheal:story/${shoreId}`],
        ["the web", "https://example.org/x"],
      ]);
      // The heading that named the story is its title, not the first line of its body.
      const shore = stories.find((s) => s.title === "At the shore")!;
      expect(spansToPlainText(Automerge.spans(shore, ["body"]))).toBe("The tide came in.");
      const entries = indexOf(node, communityId).entries;
      for (const id of storyIds) expect(entries[id]?.kind).toBe("story");
    } finally {
      await node.close();
    }
  });

  it("from the command line, by community name; --dry-run changes nothing", async () => {
    const dataDir = join(dir, "data");
    const seeded = await peerWithCommunity(dataDir);
    await seeded.node.close();
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
    const signal = new AbortController().signal;
    const cli = (...args: string[]) => runCli(["import", "--data", dataDir, ...args], io, signal);

    expect(await cli("--community", "shore", "--dry-run", folder)).toBe(0);
    expect(out.join("\n")).toContain("4 stories would be created:");
    expect(out.join("\n")).toContain("The first day — ready, 15 words, themes: Nature");
    let node = await PeerNode.start({ dataDir, mode: "web" });
    expect(Object.keys(indexOf(node, seeded.communityId).entries)).toEqual([]);
    await node.close();

    expect(await cli("--community", "Nowhere", folder)).toBe(2);
    expect(err.pop()).toContain('No community "Nowhere" on this device');
    expect(await cli("--community", "Shore", join(dir, "missing"))).toBe(1);
    expect(err.pop()).toContain("There is nothing at");

    out.length = 0;
    expect(await cli("--json", folder)).toBe(0);
    const result = JSON.parse(out.join("\n")) as { storyIds: string[] };
    expect(result.storyIds).toHaveLength(4);
    node = await PeerNode.start({ dataDir, mode: "web" });
    expect(Object.keys(indexOf(node, seeded.communityId).entries).sort()).toEqual(
      [...result.storyIds].sort(),
    );
    await node.close();
  });
});
