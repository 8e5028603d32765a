// The PDF prints with the bundled fonts, whatever fonts the computer has: `meitheal-peer export
// --format pdf` of a story in Irish with typographic quotes, emoji and one private-use character
// is printed by the real Chromium once; the CLI warns naming the private-use character and no
// other; poppler's pdffonts finds only Noto Serif (regular, italic, bold) and Noto Emoji embedded
// (no font of the computer's); pdftotext reads the text back; and page 3 (the story, after the contents and the introduction) is rendered
// to docs/pdf-fonts.png to look at. One print: Chromium takes seconds.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../peer/cli.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { makePeerCollection, type PeerCollection } from "./peerCollection.ts";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const IRISH = "Tá fáilte romhat, a Áine! Éabha, Íde, Órla agus Úna ag obair le chéile.";
const OLD_SCRIPT = "An seanchló: ḃ ċ ḋ ḟ ġ ṁ ṗ ṡ ṫ agus Ḃ Ċ Ḋ Ḟ Ġ Ṁ Ṗ Ṡ Ṫ.";
const QUOTES = "‘Meitheal’, ar sise — “obair i bpáirt” … • liosta";
const EMOJI = "Emoji: 🌱 🎉 ☕ 👍";
const PRIVATE_USE = "\uE000";

let tmp: string;
let fixture: PeerCollection;

beforeAll(async () => {
  tmp = await makeTempDir("meitheal-pdf-fonts-");
  fixture = await makePeerCollection(
    join(tmp, "data"),
    [
      {
        title: "Scéal: ‘an mheitheal’",
        status: "ready",
        body: [
          { type: "paragraph", text: IRISH },
          { type: "paragraph", text: OLD_SCRIPT },
          { type: "paragraph", text: QUOTES },
          { type: "paragraph", text: EMOJI },
          {
            type: "rich",
            runs: [
              { text: "Cló iodálach: ḃ ṡ ṫ ", em: true },
              { text: `agus cló ar leith: ${PRIVATE_USE} (níl sé in aon chló).` },
            ],
          },
        ],
      },
    ],
    { communityName: "Cois Farraige", collectionTitle: "Scéalta" },
  );
});
afterAll(async () => {
  await removeDir(tmp);
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    [...args, "--data", fixture.dataDir],
    { out: (s) => out.push(s), err: (s) => err.push(s) },
    new AbortController().signal,
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("a PDF with Irish, typographic quotes, emoji and a private-use character", () => {
  it("embeds the bundled fonts, prints the text, and warns naming only the private-use character", async () => {
    const pdf = join(tmp, "sceal.pdf");
    const exported = await cli(
      "export",
      "--community",
      fixture.communityName,
      "--collection",
      fixture.collectionTitle,
      "--format",
      "pdf",
      "--out",
      pdf,
    );
    expect(exported.err).toBe("");
    expect(exported.code).toBe(0);
    expect(exported.out).toContain("1 warning:");
    expect(exported.out).toContain(
      `1 character has no glyph in the bundled fonts and will print as an empty box: U+E000 “${PRIVATE_USE}”.`,
    );
    expect(exported.out.match(/U\+[0-9A-F]{4,}/g)).toEqual(["U+E000"]);

    const fonts = (await run("pdffonts", [pdf])).stdout.split("\n").slice(2).filter(Boolean);
    // name, type, encoding, embedded, subset, unicode map, object id: "ABCDEF+NotoSerif-Bold …".
    const rows = fonts.map((line) => line.split(/\s+/));
    const names = new Set(rows.map((r) => r[0]!.replace(/^[A-Z]{6}\+/, "")));
    expect([...names].sort()).toEqual([
      "NotoEmoji-Regular",
      "NotoSerif-Bold",
      "NotoSerif-Italic",
      "NotoSerif-Regular",
    ]);
    for (const r of rows) expect(r.slice(-5, -2)).toEqual(["yes", "yes", "yes"]);

    const text = (await run("pdftotext", ["-enc", "UTF-8", pdf, "-"])).stdout;
    for (const expected of [IRISH, OLD_SCRIPT, QUOTES, EMOJI])
      expect(text.replace(/\s+/g, " ")).toContain(expected);

    await run("pdftoppm", [
      "-f",
      "3",
      "-l",
      "3",
      "-r",
      "110",
      "-png",
      "-singlefile",
      "-H",
      "560",
      pdf,
      join(ROOT, "docs/pdf-fonts"),
    ]);
    expect((await readFile(join(ROOT, "docs/pdf-fonts.png"))).subarray(1, 4).toString()).toBe(
      "PNG",
    );
  });
});
