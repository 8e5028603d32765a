// When the data folder cannot take what an import or a new community writes — a full disk, a
// communities/ folder that cannot be written — the bin says what was saved (a count: 0 here), what
// was not and what to do, never that the stories were imported, and prints no stack trace.
// create-community on a full disk says so and leaves no empty peer.lock behind.
//
// A full disk is made by test/import/faultFs.mjs (preloaded into the bin: files can be created, but
// nothing written into them, as on a disk that is full). A folder that cannot be written is a
// real chmod when the tests run as a normal user; as root, permissions do not stop writes, so the
// same preload refuses them with EACCES instead (said in the test's name, never skipped).
import { chmod, mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { runBin, STACK_LINE, type BinRun, type Fault } from "./bin.ts";

const AS_ROOT = process.getuid?.() === 0;

let tmp = "";
let data = "";
let stories = "";
beforeEach(async () => {
  tmp = await makeTempDir("meitheal-import-faults-");
  data = join(tmp, "data");
  stories = join(tmp, "stories");
  await mkdir(stories);
  for (let i = 1; i <= 3; i++)
    await writeFile(join(stories, `day-${i}.md`), `# Day ${i}\n\nWe walked to the shore.\n`);
});
afterEach(async () => {
  await chmodTree(join(data, "communities"), true).catch(() => undefined);
  await removeDir(tmp);
});

/** Every folder under `dir` made writable again, or read-only (0500). */
async function chmodTree(dir: string, writable: boolean): Promise<void> {
  await chmod(dir, writable ? 0o700 : 0o500);
  for (const entry of await readdir(dir, { withFileTypes: true }))
    if (entry.isDirectory()) await chmodTree(join(dir, entry.name), writable);
}

async function storyCount(): Promise<number> {
  const listed = await runBin(["communities", "--json", "--data", data]);
  expect(listed.code).toBe(0);
  const [community] = JSON.parse(listed.out) as { entryCount: number }[];
  return community?.entryCount ?? -1;
}

/** What every failed import must and must not say. */
function honest(run: BinRun) {
  expect(run.code).toBe(1);
  expect(run.err).toContain("Nothing was imported: 0 of 3 stories were saved");
  expect(run.err).not.toMatch(/were imported|open on this device/);
  expect(run.err).not.toMatch(STACK_LINE);
  expect(run.out).not.toMatch(/Imported \d/);
}

describe("import when the data folder cannot be written", () => {
  beforeEach(async () => {
    const created = await runBin(["create-community", "Shore", "--data", data]);
    expect(created.code).toBe(0);
  });

  it("on a full disk: says 0 were saved, that the disk is full and to free space", async () => {
    const fault: Fault = { under: join(data, "communities"), code: "ENOSPC" };
    const run = await runBin(["import", stories, "--data", data], { fault });
    honest(run);
    expect(run.err).toMatch(/the disk holding .*communities.* is full\. Free some space/);
    expect(await storyCount()).toBe(0);
  });

  it("when the disk fills while the stories are written: 0 saved, and nothing left behind", async () => {
    const [id] = await readdir(join(data, "communities"));
    const docs = join(data, "communities", id!, "docs");
    const before = (await readdir(docs)).sort();
    const run = await runBin(["import", stories, "--data", data], {
      fault: { under: docs, code: "ENOSPC" },
    });
    honest(run);
    expect(run.err).toMatch(/is full\. Free some space/);
    expect(await storyCount()).toBe(0);
    // What the import had begun to store is gone after that next start (storyCount's).
    expect((await readdir(docs)).sort()).toEqual(before);
  });

  it(
    AS_ROOT
      ? "in a communities/ folder that refuses writes (EACCES, injected: root ignores permissions): says it cannot be written, not to check space"
      : "in a read-only communities/ folder (chmod 0500): says it cannot be written, not to check space",
    async () => {
      let fault: Fault | undefined;
      if (AS_ROOT) fault = { under: join(data, "communities"), code: "EACCES" };
      else await chmodTree(join(data, "communities"), false);
      const run = await runBin(["import", stories, "--data", data], fault ? { fault } : {});
      await chmodTree(join(data, "communities"), true);
      honest(run);
      expect(run.err).toMatch(/cannot be written \(its permissions/);
      expect(run.err).not.toMatch(/space/);
      expect(await storyCount()).toBe(0);
    },
  );
});

describe("create-community on a full disk", () => {
  it("says the disk is full, prints no stack trace and leaves no empty peer.lock", async () => {
    // The folder is there already (a device that ran Meitheal before); then the disk fills.
    const info = await runBin(["info", "--data", data]);
    expect(info.code).toBe(0);
    const before = (await readdir(data)).sort();
    const run = await runBin(["create-community", "Shore", "--data", data], {
      fault: { under: data, code: "ENOSPC" },
    });
    expect(run.code).not.toBe(0);
    expect(run.err).toMatch(/full/);
    expect(run.err).toMatch(/Free some space/);
    expect(run.err).not.toMatch(STACK_LINE);
    expect(run.out).not.toMatch(/Created/);
    const after = (await readdir(data)).sort();
    expect(after).not.toContain("peer.lock");
    expect(after).toEqual(before.filter((n) => n !== "peer.lock"));
    // And the next start, with space again, works.
    const again = await runBin(["create-community", "Shore", "--data", data]);
    expect(again.code).toBe(0);
    expect((await stat(join(data, "communities.json"))).size).toBeGreaterThan(0);
  });
});
