// `meitheal-peer export` on a community made through a PeerNode: each format writes a valid file
// (the EPUB passes epubcheck), and paths that cannot be used give a clear message, exit 1, and
// leave nothing behind. Most runs call the CLI in this process; the read-only folder runs it as a
// separate process (as user nobody when the tests run as root, since root ignores permissions).
import { execFile } from "node:child_process";
import { chmod, chown, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExportSummary } from "../../shared/contract.ts";
import { runCli } from "../../peer/cli.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { parseDocument } from "./dom.ts";
import { makePeerCollection, storyBody, type PeerCollection } from "./peerCollection.ts";
import { epubcheck, epubErrors } from "./tools.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const NOBODY = 65534;

type Run = { code: number; out: string; err: string };

let tmp: string;
let fixture: PeerCollection;

async function cli(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    [...args, "--data", fixture.dataDir],
    { out: (s) => out.push(s), err: (s) => err.push(s) },
    new AbortController().signal,
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** `meitheal-peer ARGS` as a separate process, optionally as another user. */
function cliProcess(args: string[], as?: { uid: number; gid: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "peer/cli.ts", ...args],
      { cwd: ROOT, env: { ...process.env, HOME: tmp, NO_COLOR: "1" }, timeout: 45_000, ...as },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`meitheal-peer did not exit normally (${error.message}): ${stderr}`));
          return;
        }
        resolve({
          code: typeof error?.code === "number" ? error.code : 0,
          out: stdout,
          err: stderr,
        });
      },
    );
  });
}

const exportArgs = (format: string, out: string, ...more: string[]) => [
  "export",
  "--community",
  fixture.communityName,
  "--collection",
  fixture.collectionTitle,
  "--format",
  format,
  "--out",
  out,
  ...more,
];

const tempFiles = async (dir: string) => (await readdir(dir)).filter((n) => n.endsWith(".tmp"));

/** The first page's size in points, from the PDF's /MediaBox. */
function mediaBox(pdf: Uint8Array): [number, number] {
  const text = Buffer.from(pdf).toString("latin1");
  const m = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(text);
  if (!m) throw new Error("no /MediaBox in the PDF");
  return [Number(m[1]), Number(m[2])];
}

beforeAll(async () => {
  tmp = await makeTempDir("meitheal-export-cli-");
  fixture = await makePeerCollection(join(tmp, "data"), [
    { title: "The tide came in", status: "ready", body: storyBody(1, 400) },
    { title: "Hay in June", status: "published", body: storyBody(2, 400) },
    { title: "Half a thought", status: "draft", body: storyBody(3, 400) },
  ]);
});
afterAll(async () => {
  await removeDir(tmp);
});

describe("meitheal-peer export", () => {
  it("markdown: a zip with the index and one file per included story; the draft is named as left out", async () => {
    const out = join(tmp, "md");
    await mkdir(out);
    const run = await cli(...exportArgs("markdown", out));
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const path = join(out, "harvest-of-the-shore.zip");
    expect(run.out).toContain(`Exported 2 stories as markdown to ${path}`);
    expect(run.out).toContain('"Half a thought" (a draft)');
    const files = unzipSync(await readFile(path));
    expect(Object.keys(files)).toEqual([
      "harvest-of-the-shore/index.md",
      "harvest-of-the-shore/the-tide-came-in.md",
      "harvest-of-the-shore/hay-in-june.md",
    ]);
    expect(new TextDecoder().decode(files["harvest-of-the-shore/hay-in-june.md"])).toMatch(
      /^---\ntitle: "Hay in June"\nstatus: "published"/,
    );
    expect(await readdir(out)).toEqual(["harvest-of-the-shore.zip"]);
  });

  it("html with --all-statuses and --json: every story, one self-contained file", async () => {
    const path = join(tmp, "book.html");
    const run = await cli(...exportArgs("html", path, "--all-statuses", "--json"));
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.out) as ExportSummary;
    expect(summary).toMatchObject({ path, format: "html", stories: 3, warnings: [] });
    const html = await readFile(path, "utf8");
    expect(summary.bytes).toBe(Buffer.byteLength(html));
    const doc = parseDocument(html);
    expect([...doc.querySelectorAll("h2")].map((h) => h.textContent)).toEqual(
      expect.arrayContaining(["The tide came in", "Hay in June", "Half a thought"]),
    );
    expect(doc.querySelectorAll("script, link, img")).toHaveLength(0);
  });

  it("epub: passes epubcheck with no errors; an existing file is replaced", async () => {
    const path = join(tmp, "book.epub");
    await writeFile(path, "an older export");
    const run = await cli(...exportArgs("epub", path, "--status", "ready,published,draft"));
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toContain("Exported 3 stories as epub");
    const bytes = await readFile(path);
    const checkDir = join(tmp, "epubcheck");
    await mkdir(checkDir);
    const check = await epubcheck(checkDir, "book.epub", bytes);
    expect(epubErrors(check.output)).toEqual([]);
    expect(check.code).toBe(0);
  });

  it("pdf: Chromium prints it, A5 smaller than A4", async () => {
    const a4 = join(tmp, "a4.pdf");
    const a5 = join(tmp, "a5.pdf");
    const r4 = await cli(...exportArgs("pdf", a4));
    const r5 = await cli(...exportArgs("pdf", a5, "--page", "a5"));
    expect([r4.err, r5.err]).toEqual(["", ""]);
    expect([r4.code, r5.code]).toEqual([0, 0]);
    const [b4, b5] = await Promise.all([readFile(a4), readFile(a5)]);
    expect(b4.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(b5.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const [w4, h4] = mediaBox(b4);
    const [w5, h5] = mediaBox(b5);
    expect(Math.round(w4)).toBe(595);
    expect(Math.round(h4)).toBe(842);
    expect(Math.round(w5)).toBe(420);
    expect(Math.round(h5)).toBe(595);
  });

  it("collections lists the collection with its story count", async () => {
    const run = await cli("collections", "--community", fixture.communityId, "--json");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual([
      expect.objectContaining({
        id: fixture.collectionId,
        title: "Harvest of the Shore",
        stories: 3,
      }),
    ]);
    const text = await cli("collections");
    expect(text.out).toBe(`${fixture.collectionId}  Harvest of the Shore  3 stories`);
  });
});

describe("meitheal-peer export refuses, clearly", () => {
  it("a folder that does not exist: exit 1, says which folder and what to do", async () => {
    const run = await cli(...exportArgs("epub", join(tmp, "nope", "book.epub")));
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      `The folder ${join(tmp, "nope")} does not exist. Create it first, or choose a folder that exists.`,
    );
    expect(run.out).toBe("");
    expect(await tempFiles(tmp)).toEqual([]);
  });

  it("a file where a folder should be, and a folder where the file would go: exit 1, nothing changed", async () => {
    const file = join(tmp, "notes.txt");
    await writeFile(file, "notes");
    const inFile = await cli(...exportArgs("html", join(file, "book.html")));
    expect(inFile.code).toBe(1);
    expect(inFile.err).toMatch(
      /notes\.txt is a file, not a folder, so nothing can be saved inside it/,
    );
    expect(await readFile(file, "utf8")).toBe("notes");

    const out = join(tmp, "taken");
    await mkdir(join(out, "harvest-of-the-shore.epub"), { recursive: true });
    const taken = await cli(...exportArgs("epub", out));
    expect(taken.code).toBe(1);
    expect(taken.err).toMatch(
      /harvest-of-the-shore\.epub is a folder, so the export cannot be saved under that name/,
    );
    expect(await readdir(out)).toEqual(["harvest-of-the-shore.epub"]);
    expect(await readdir(join(out, "harvest-of-the-shore.epub"))).toEqual([]);
    expect(await tempFiles(tmp)).toEqual([]);
  });

  it("a read-only folder: exit 1, says which folder and what to do, leaves nothing", async () => {
    const data = join(tmp, "ro-data");
    const ro = await makePeerCollection(data, [
      { title: "Only one", status: "ready", body: storyBody(9, 100) },
    ]);
    const out = join(tmp, "read-only");
    await mkdir(out);
    let as: { uid: number; gid: number } | undefined;
    if (process.getuid?.() === 0) {
      as = { uid: NOBODY, gid: NOBODY };
      await chmod(tmp, 0o755);
      await chownTree(data, NOBODY);
      const probe = await cliProcess(["--version"], as);
      if (probe.code !== 0)
        throw new Error(
          `As root this test runs the CLI as user nobody, and nobody cannot run it (exit ${probe.code}: ${probe.err.trim()}). Make the repository readable by others (chmod -R o+rX), or run the tests as another user.`,
        );
    }
    await chmod(out, 0o555);
    const run = await cliProcess(
      [
        "export",
        "--collection",
        ro.collectionId,
        "--format",
        "html",
        "--out",
        join(out, "book.html"),
        "--data",
        data,
      ],
      as,
    );
    expect(run.code).toBe(1);
    expect(run.err.trim()).toBe(
      `Nothing can be saved in ${out} (permission denied). Choose a folder you can write to, such as your Documents folder, or change its permissions.`,
    );
    expect(run.out).toBe("");
    await chmod(out, 0o755);
    expect(await readdir(out)).toEqual([]);
  });

  it("usage errors exit 2 before the peer starts; an unknown collection names the command that lists them", async () => {
    const noFormat = await cli("export", "--collection", "x", "--out", tmp);
    expect(noFormat.code).toBe(2);
    expect(noFormat.err).toMatch(/Say which format with --format markdown\|html\|epub\|pdf/);
    const badPage = await cli(...exportArgs("pdf", tmp, "--page", "letter"));
    expect(badPage.code).toBe(2);
    expect(badPage.err).toMatch(/--page is a4 or a5, not "letter"/);
    const unknown = await cli(
      "export",
      "--collection",
      "Lost book",
      "--format",
      "html",
      "--out",
      tmp,
    );
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(
      /No collection "Lost book" in this community \(meitheal-peer collections/,
    );
  });

  it("no story with the statuses asked: exit 1 with what to do", async () => {
    const run = await cli(...exportArgs("html", tmp, "--status", "seed"));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /None of the 3 stories in this collection has one of the statuses chosen \(seed\)/,
    );
    expect((await stat(join(tmp, "harvest-of-the-shore.html")).catch(() => null)) === null).toBe(
      true,
    );
  });
});

async function chownTree(dir: string, id: number): Promise<void> {
  await chown(dir, id, id);
  for (const entry of await readdir(dir, { recursive: true }))
    await chown(join(dir, entry), id, id);
}
