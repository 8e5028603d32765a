// The CLI makes a collection as the app's collection page does, through the meitheal-peer bin:
// create-collection with stories (in the order given, not newest first) and an introduction from a
// Markdown file, add-stories (appended in the order given), set-introduction (replacing it); and
// export works on a data folder that cannot be written (no lock file, nothing saved), run as a
// user without write permission (as user nobody when the tests run as root, since root ignores
// permissions).
import * as Automerge from "@automerge/automerge";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import { chmod, chown, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PeerNode } from "../../peer/peerNode.ts";
import { orderedCredits, orderedStories } from "../../shared/ops/collection.ts";
import type { Collection } from "../../shared/schema/collection.ts";
import { spansToPlainText } from "../../shared/richtext/text.ts";
import { makePeerCollection, storyBody, type PeerCollection } from "../export/peerCollection.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { runBin, STACK_LINE } from "../import/bin.ts";

const NOBODY = 65534;

let tmp = "";
let fixture: PeerCollection;
// Made in this order: newest first would be Gamma, Beta, Alpha.
const TITLES = ["Alpha at the shore", "Beta by the fire", "Gamma in the rain"];

beforeAll(async () => {
  tmp = await makeTempDir("meitheal-collections-cli-");
  fixture = await makePeerCollection(
    join(tmp, "data"),
    TITLES.map((title, i) => ({ title, status: "ready", body: storyBody(i + 3, 120) })),
    { collectionTitle: "Made in the app" },
  );
});
afterAll(async () => {
  await removeDir(tmp);
});

/** The collection called `title`, read from the data folder once the bin has exited. */
async function readCollection(title: string) {
  const node = await PeerNode.start({ dataDir: fixture.dataDir });
  try {
    const community = node.community(fixture.communityId)!;
    const entries = community.index!.doc().entries;
    const [id] = Object.entries(entries).find(
      ([, e]) => e.kind === "collection" && e.title === title,
    )!;
    const doc = (await community.repo.find<Collection>(`automerge:${id}` as AutomergeUrl)).doc();
    const titleOf = (storyId: string) => entries[storyId]?.title;
    return {
      order: orderedStories(doc).map(titleOf),
      introduction: spansToPlainText(Automerge.spans(doc, ["introduction"])),
      subtitle: doc.subtitle,
      credits: orderedCredits(doc).length,
    };
  } finally {
    await node.close();
  }
}

describe("making a collection with the CLI", () => {
  it("creates it with stories in the order given and an introduction, adds more, replaces the introduction", async () => {
    const help = await runBin(["--help"]);
    expect(help.out).toMatch(/create-collection +Create a collection/);
    expect(help.out).toMatch(
      /add-stories +Add stories to a collection, at its end, in the order given/,
    );
    expect(help.out).toMatch(
      /set-introduction +Set a collection's introduction from a Markdown file/,
    );

    const intro = join(tmp, "intro.md");
    await writeFile(intro, "# Why we gathered\n\nTo *listen*, and to write it down.\n");
    const created = await runBin([
      "create-collection",
      "Retreat book",
      TITLES[2]!,
      fixture.storyIds[0]!,
      "--subtitle",
      "Three days",
      "--introduction",
      intro,
      "--data",
      fixture.dataDir,
    ]);
    expect(created.err).toBe("");
    expect(created.code).toBe(0);
    expect(created.out).toMatch(
      /^Created the collection "Retreat book" \(\w+\) with 2 stories and an introduction\.$/m,
    );
    expect(await readCollection("Retreat book")).toEqual({
      order: [TITLES[2], TITLES[0]],
      introduction: "Why we gathered\nTo listen, and to write it down.",
      subtitle: "Three days",
      credits: 0,
    });

    const added = await runBin([
      "add-stories",
      "--collection",
      "retreat book",
      TITLES[1]!,
      TITLES[0]!,
      "--data",
      fixture.dataDir,
    ]);
    expect(added.code).toBe(0);
    expect(added.out).toBe("Added 1 story (1 already in it); the collection has 3 now.\n");

    const other = join(tmp, "other.md");
    await writeFile(other, "We met by the sea.\n\n- and listened\n- and wrote\n");
    const set = await runBin([
      "set-introduction",
      "--collection",
      "Retreat book",
      other,
      "--data",
      fixture.dataDir,
    ]);
    expect(set.code).toBe(0);
    expect(set.out).toBe("The introduction was set.\n");
    expect(await readCollection("Retreat book")).toMatchObject({
      order: [TITLES[2], TITLES[0], TITLES[1]],
      introduction: "We met by the sea.\nand listened\nand wrote",
    });

    const unknown = await runBin([
      "add-stories",
      "--collection",
      "Retreat book",
      "No such story",
      "--data",
      fixture.dataDir,
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(
      /No story "No such story" in this community \(meitheal-peer stories .*\)\. Nothing was added\./,
    );
    expect(unknown.err).not.toMatch(STACK_LINE);
  });

  it("exports from a data folder this account cannot write, and writes nothing in it", async () => {
    const out = join(tmp, "out");
    await mkdir(out);
    let as: { uid: number; gid: number } | undefined;
    await chmod(tmp, 0o755);
    if (process.getuid?.() === 0) {
      as = { uid: NOBODY, gid: NOBODY };
      await chownTree(fixture.dataDir, NOBODY);
      await chown(out, NOBODY, NOBODY);
    }
    await writableTree(fixture.dataDir, false);
    const before = await listing(fixture.dataDir);
    try {
      const run = await runBin(
        [
          "export",
          "--collection",
          fixture.collectionTitle,
          "--format",
          "markdown",
          "--out",
          join(out, "book.zip"),
          "--data",
          fixture.dataDir,
        ],
        as ? { as } : {},
      );
      expect(run.err).toBe("");
      expect(run.code).toBe(0);
      expect(run.out).toMatch(/^Exported 3 stories as markdown to .*book\.zip/);
      const zip = unzipSync(await readFile(join(out, "book.zip")));
      expect(Object.keys(zip).filter((n) => n.endsWith(".md"))).toHaveLength(4);
      // Nothing in the data folder was written, made or removed, and no lock was left.
      expect(await listing(fixture.dataDir)).toEqual(before);
      expect(before.some((l) => l.startsWith("peer.lock"))).toBe(false);
    } finally {
      await writableTree(fixture.dataDir, true);
    }
  });
});

/** Folders 0500 and files 0400 (nothing can be written), or back to 0700 and 0600. */
async function writableTree(dir: string, writable: boolean): Promise<void> {
  await chmod(dir, writable ? 0o700 : 0o500);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await writableTree(path, writable);
    else await chmod(path, writable ? 0o600 : 0o400);
  }
}

/** Every file under `dir` with its size and modification time. */
async function listing(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true })) {
    const info = await stat(join(dir, entry));
    out.push(`${entry}:${info.isDirectory() ? "dir" : info.size}:${info.mtimeMs}`);
  }
  return out.sort();
}

async function chownTree(dir: string, id: number): Promise<void> {
  await chown(dir, id, id);
  for (const entry of await readdir(dir, { recursive: true }))
    await chown(join(dir, entry), id, id);
}
