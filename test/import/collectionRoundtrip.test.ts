// A collection exported as a Markdown zip and imported into another data folder comes back as the
// same collection: title, subtitle, the co-written introduction, the credits, and the stories in the
// collection's order (not the order of the files, not newest first). All through the meitheal-peer
// bin: export on one data folder, create-community and import on a fresh one, then `collections`
// and a second export, whose index.md must say what the first said.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { makePeerCollection, storyBody, type PeerCollection } from "../export/peerCollection.ts";
import { runBin } from "./bin.ts";

let tmp = "";
let fixture: PeerCollection;

// Made in this order; the collection lists them in the same order, which is neither the order of
// their file names in the zip (alphabetical) nor newest first.
const TITLES = ["The tide", "Zeal at the fire", "A walk at dawn"];

beforeAll(async () => {
  tmp = await makeTempDir("meitheal-collection-roundtrip-");
  fixture = await makePeerCollection(
    join(tmp, "a"),
    TITLES.map((title, i) => ({ title, status: "ready", body: storyBody(i + 1, 150) })),
  );
});
afterAll(async () => {
  await removeDir(tmp);
});

/** index.md of a Markdown export zip, and its stories' file names in zip order. */
async function indexOf(zipPath: string): Promise<string> {
  const entries = unzipSync(await readFile(zipPath));
  const name = Object.keys(entries).find((n) => n.endsWith("/index.md"));
  if (!name) throw new Error("no index.md in the zip");
  return new TextDecoder().decode(entries[name]);
}

/** What must survive: everything but the identifier (a new collection) and the date. */
const lasting = (index: string) =>
  index
    .split("\n")
    .filter((line) => !/^(identifier|date): /.test(line))
    .join("\n");

describe("a collection exported as Markdown and imported again", () => {
  it("comes back with its title, introduction, credits and order", async () => {
    const zip = join(tmp, "harvest.zip");
    const exported = await runBin([
      "export",
      "--data",
      fixture.dataDir,
      "--collection",
      fixture.collectionTitle,
      "--format",
      "markdown",
      "--out",
      zip,
    ]);
    expect(exported.err).toBe("");
    expect(exported.code).toBe(0);

    const fresh = join(tmp, "b");
    const created = await runBin(["create-community", "Cois Farraige", "--data", fresh]);
    expect(created.code).toBe(0);

    const preview = await runBin(["import", zip, "--dry-run", "--data", fresh]);
    expect(preview.code).toBe(0);
    expect(preview.out).toContain(
      `index.md: the collection "${fixture.collectionTitle}" with its introduction, 1 credit and 3 stories in order will be made.`,
    );
    expect(preview.out).not.toMatch(/not imported/);

    const imported = await runBin(["import", zip, "--data", fresh]);
    expect(imported.err).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.out).toContain(
      `Imported 3 stories and the collection "${fixture.collectionTitle}".`,
    );

    const listed = await runBin(["collections", "--json", "--data", fresh]);
    expect(listed.code).toBe(0);
    const collections = JSON.parse(listed.out) as { title: string; stories: number }[];
    expect(collections.map((c) => [c.title, c.stories])).toEqual([[fixture.collectionTitle, 3]]);

    const again = join(tmp, "again.zip");
    const reexported = await runBin([
      "export",
      "--data",
      fresh,
      "--collection",
      fixture.collectionTitle,
      "--format",
      "markdown",
      "--out",
      again,
    ]);
    expect(reexported.code).toBe(0);
    const before = await indexOf(zip);
    const after = await indexOf(again);
    // The introduction, the credits (editor Aoife) and the order, read as a person reads them.
    expect(after).toContain("# Why we gathered");
    expect(after).toContain('  - name: "Aoife Ní Bhriain"\n    role: "editor"');
    expect(after).toMatch(
      /1\. \[The tide\][^\n]*\n2\. \[Zeal at the fire\][^\n]*\n3\. \[A walk at dawn\]/,
    );
    expect(lasting(after)).toBe(lasting(before));
  });
});
