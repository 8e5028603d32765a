// Bad input to an import, each with a clear message and nothing in the community changed: a
// corrupt zip, a file that is not UTF-8, a 200 MB file (refused before it is read), a path that does
// not exist, and one that cannot be read. A problem with one file stops the whole import.
import { writeFile, truncate, mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PeerNode } from "../../peer/peerNode.ts";
import { buildMarkdownZip } from "../../shared/export/markdown.ts";
import { bookFromDocs } from "../../shared/export/book.ts";
import { ErrorCode } from "../../shared/result.ts";
import { generateCollection, THEMES } from "../export/fixtures.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { peerWithCommunity, picture, value } from "./helpers.ts";
import { asCommunityId } from "../../shared/ids.ts";
import { atPath } from "../../shared/contract.ts";

let dir = "";
let node: PeerNode;
let communityId = asCommunityId("");
let server: Server | undefined;

beforeEach(async () => {
  dir = await makeTempDir("meitheal-import-bad-");
  ({ node, communityId } = await peerWithCommunity(join(dir, "data")));
});
afterEach(async () => {
  await node.close();
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
  await removeDir(dir);
});

const good = async () => {
  const path = join(dir, "good.md");
  await writeFile(path, "# A good story\n\nIt is *fine*.\n");
  return path;
};

/** Runs preview and import; both must leave the community exactly as it was. */
async function both(paths: string[]) {
  const before = await picture(node, communityId);
  const preview = await node.handlers["import:preview"]({ communityId, files: paths.map(atPath) });
  const run = await node.handlers["import:run"]({ communityId, files: paths.map(atPath) });
  expect(await picture(node, communityId)).toEqual(before);
  return { preview, run };
}

const message = (r: { ok: boolean; error?: { message: string } }) =>
  r.ok ? "(ok)" : (r.error?.message ?? "");

describe("import refuses bad input and changes nothing", () => {
  it("a corrupt zip, and a zip cut short", async () => {
    const garbage = join(dir, "garbage.zip");
    await writeFile(garbage, Buffer.from("PK\u0003\u0004 this is not really a zip at all"));
    const g = generateCollection(3, 1);
    const book = bookFromDocs({ id: g.collectionId, doc: g.collection }, g.stories, THEMES);
    if (!book.ok) throw new Error(book.error.message);
    const bytes = buildMarkdownZip(book.value.book);
    const cut = join(dir, "cut.zip");
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    for (const zip of [garbage, cut]) {
      const { preview, run } = await both([await good(), zip]);
      expect(preview.ok).toBe(false);
      expect(run.ok).toBe(false);
      if (!run.ok) expect(run.error.code).toBe(ErrorCode.Damaged);
      expect(message(run)).toContain(`${zip} is not a zip that can be read`);
      expect(message(run)).toContain("Nothing was imported");
    }
  });

  it("a file that is not UTF-8 is named in the preview and stops the import", async () => {
    const latin1 = join(dir, "cafe.md");
    // "Café" in Latin-1: the é is one byte that UTF-8 cannot start with.
    await writeFile(latin1, Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x0a]));
    const { preview, run } = await both([await good(), latin1]);
    const shown = value(preview);
    expect(shown.candidates.map((c) => c.title)).toEqual(["A good story"]);
    expect(shown.problems).toEqual([expect.stringContaining(`${latin1} is not UTF-8 text`)]);
    expect(run.ok).toBe(false);
    expect(message(run)).toMatch(/^Nothing was imported, because one file has a problem/);
    expect(message(run)).toContain("Save it as UTF-8");
  });

  it("picking only the good files imports them", async () => {
    const latin1 = join(dir, "cafe.md");
    await writeFile(latin1, Buffer.from([0x43, 0x61, 0x66, 0xe9]));
    const path = await good();
    const done = value(
      await node.handlers["import:run"]({
        communityId,
        files: [path, latin1].map(atPath),
        sources: [path],
      }),
    );
    expect(done.storyIds).toHaveLength(1);
  });

  it("a 200 MB file is refused before it is read", async () => {
    const huge = join(dir, "huge.md");
    await writeFile(huge, "");
    // Sparse: 200 MB by its size, nothing on disk; reading it would take seconds and 200 MB of memory.
    await truncate(huge, 200 * 1024 * 1024);
    const started = Date.now();
    const { preview, run } = await both([huge]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(value(preview).problems).toEqual([
      expect.stringContaining(`${huge} is 200 MB; a file to import may be at most 20 MB`),
    ]);
    expect(message(run)).toContain("Split it into smaller files");
  });

  it("a path that does not exist", async () => {
    const missing = join(dir, "nowhere", "story.md");
    const { preview, run } = await both([await good(), missing]);
    for (const r of [preview, run]) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe(ErrorCode.NotFound);
      expect(message(r)).toContain(`There is nothing at ${missing}`);
    }
  });

  it("a path that cannot be read", async () => {
    // A socket named like a Markdown file: it exists, and opening it fails (this works as root too,
    // where permissions would not stop a read).
    const socket = join(dir, "sock", "story.md");
    await mkdir(join(dir, "sock"));
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(socket, resolve));
    const { preview, run } = await both([await good(), socket]);
    for (const r of [preview, run]) {
      expect(r.ok).toBe(false);
      expect(message(r)).toContain(`${socket} could not be read`);
      expect(message(r)).toContain("Nothing was imported");
    }
  });

  it("a relative path, an empty list and a file of another kind", async () => {
    const pdf = join(dir, "story.pdf");
    await writeFile(pdf, "%PDF-1.7");
    const cases: [string[], string][] = [
      [["stories/first.md"], "is not a full path"],
      [[], "Nothing to import"],
      [[pdf], "is not a Markdown file, a text file, a folder or a zip"],
    ];
    for (const [paths, expected] of cases) {
      const { preview, run } = await both(paths);
      expect(message(preview)).toContain(expected);
      expect(message(run)).toContain(expected);
    }
  });

  it("a community that is not on this device", async () => {
    const r = await node.handlers["import:preview"]({
      communityId: asCommunityId("4NMNnkMhL8jXrdJ9jamS2ndGzcC3"),
      files: [atPath(await good())],
    });
    expect(message(r)).toContain("That community is not on this device");
  });
});
