import { execFileSync } from "node:child_process";
import { homedir } from "node:os";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../../test/helpers/tmp.ts";
import { exportTarget, resolveTypedPath, writeExportFile } from "./file.ts";

let dir: string;

beforeEach(async () => {
  dir = await makeTempDir("meitheal-export-file-");
});
afterEach(async () => {
  await removeDir(dir);
});

const messageOf = (r: { ok: boolean; error?: { message: string } }) =>
  r.ok ? "" : (r.error?.message ?? "");

describe("a typed path", () => {
  it("~/ is the home folder; a relative or empty path is refused with an example", () => {
    expect(resolveTypedPath("~/Books/a.epub", "~/x.epub")).toEqual({
      ok: true,
      value: join(homedir(), "Books/a.epub"),
    });
    expect(resolveTypedPath("  /tmp/a.epub ", "~/x.epub")).toEqual({
      ok: true,
      value: "/tmp/a.epub",
    });
    expect(messageOf(resolveTypedPath("books/a.epub", "~/x.epub"))).toMatch(
      /"books\/a\.epub" is not a full path.*~\/x\.epub/,
    );
    expect(messageOf(resolveTypedPath("  ", "~/x.epub"))).toMatch(/Say where the file goes/);
  });
});

describe("where an export goes", () => {
  it("a file path is used as it is; a folder gets the file named for the collection", async () => {
    expect(await exportTarget(join(dir, "book.epub"), "harvest.epub")).toEqual({
      ok: true,
      value: join(dir, "book.epub"),
    });
    expect(await exportTarget(dir, "harvest.epub")).toEqual({
      ok: true,
      value: join(dir, "harvest.epub"),
    });
    await writeFile(join(dir, "old.epub"), "old");
    expect(await exportTarget(join(dir, "old.epub"), "x")).toMatchObject({ ok: true });
  });

  it("a folder that does not exist: says which, and to create it", async () => {
    const r = await exportTarget(join(dir, "nope", "book.epub"), "x.epub");
    expect(messageOf(r)).toBe(
      `The folder ${join(dir, "nope")} does not exist. Create it first, or choose a folder that exists.`,
    );
  });

  it("a file where a folder should be: says it is a file", async () => {
    await writeFile(join(dir, "notes.txt"), "x");
    const r = await exportTarget(join(dir, "notes.txt", "book.epub"), "x.epub");
    expect(messageOf(r)).toMatch(/notes\.txt is a file, not a folder/);
  });

  it("a folder where the file would go, or something that is not a file, is never replaced", async () => {
    await mkdir(join(dir, "harvest.epub"));
    expect(messageOf(await exportTarget(dir, "harvest.epub"))).toMatch(
      /harvest\.epub is a folder, so the export cannot be saved under that name/,
    );
    execFileSync("mkfifo", [join(dir, "pipe")]);
    expect(messageOf(await exportTarget(join(dir, "pipe"), "x"))).toMatch(
      /is not an ordinary file/,
    );
  });
});

describe("writing an export", () => {
  it("writes the bytes, replaces an old file whole, and leaves no temp file", async () => {
    const path = join(dir, "book.html");
    await writeFile(path, "old content");
    const bytes = new TextEncoder().encode("<p>new</p>".repeat(10_000));
    expect(await writeExportFile(path, bytes)).toEqual({ ok: true, value: bytes.byteLength });
    expect(await readFile(path, "utf8")).toBe("<p>new</p>".repeat(10_000));
    expect(await readdir(dir)).toEqual(["book.html"]);
  });

  it("a rename that fails (a folder in the way) leaves the folder as it was and no temp file", async () => {
    await mkdir(join(dir, "book.html"));
    await writeFile(join(dir, "book.html", "inside"), "keep");
    const r = await writeExportFile(join(dir, "book.html"), new Uint8Array([1, 2, 3]));
    expect(messageOf(r)).toMatch(
      /could not be saved to .*book\.html \(.*\)\. Nothing was written and any file already there is as it was/,
    );
    expect(await readdir(dir)).toEqual(["book.html"]);
    expect(await readFile(join(dir, "book.html", "inside"), "utf8")).toBe("keep");
  });

  it("a folder that vanished: a clear error, nothing left", async () => {
    const r = await writeExportFile(join(dir, "gone", "book.html"), new Uint8Array([1]));
    expect(messageOf(r)).toMatch(/the folder does not exist/);
    expect(await readdir(dir)).toEqual([]);
  });
});
