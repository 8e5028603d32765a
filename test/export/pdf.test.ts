// The headless peer's PDF printer with the real Chromium (/usr/bin/chromium): the HTML export of a
// 50-story collection becomes a PDF of many pages in A4 or A5 from the export's print stylesheet,
// fetches nothing while printing, and leaves no temp file behind.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookFromDocs, type Book } from "../../shared/export/book.ts";
import { buildHtml } from "../../shared/export/html.ts";
import { headlessChromiumPrinter, isPdf } from "../../peer/export/pdf.ts";
import { CHROMIUM } from "../helpers/browser.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { generateCollection, THEMES } from "./fixtures.ts";
import { hostileBook } from "./hostile.ts";

let tmp: string;
let server: Server;
let hits: string[];

beforeAll(async () => {
  tmp = await makeTempDir("meitheal-pdf-print-");
  await mkdir(join(tmp, "work"));
  hits = [];
  server = createServer((req, res) => {
    hits.push(req.url ?? "");
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await removeDir(tmp);
});

const fifty = (): Book => {
  const g = generateCollection(50, 2);
  const read = bookFromDocs({ id: g.collectionId, doc: g.collection }, g.stories, THEMES);
  if (!read.ok) throw new Error(read.error.message);
  return read.value.book;
};

const printer = () => headlessChromiumPrinter({ executable: CHROMIUM, tempDir: join(tmp, "work") });

const text = (pdf: Uint8Array) => Buffer.from(pdf).toString("latin1");
const pageCount = (pdf: Uint8Array) => text(pdf).match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0;
function mediaBox(pdf: Uint8Array): number[] {
  const m = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(text(pdf));
  if (!m) throw new Error("no /MediaBox in the PDF");
  return [Math.round(Number(m[1])), Math.round(Number(m[2]))];
}

describe("the headless Chromium printer", () => {
  it("prints the HTML export of 50 stories in A4 and, smaller, in A5", async () => {
    const book = fifty();
    const a4 = await printer()(buildHtml(book, { pageSize: "A4" }), "a4");
    const a5 = await printer()(buildHtml(book, { pageSize: "A5" }), "a5");
    expect(isPdf(a4)).toBe(true);
    expect(isPdf(a5)).toBe(true);
    expect(mediaBox(a4)).toEqual([595, 842]);
    expect(mediaBox(a5)).toEqual([420, 595]);
    // One story per page at least (the print stylesheet breaks before each), more on A5.
    expect(pageCount(a4)).toBeGreaterThanOrEqual(50);
    expect(pageCount(a5)).toBeGreaterThan(pageCount(a4));
    expect(await readdir(join(tmp, "work"))).toEqual([]);
  });

  it("hostile titles and text print as text, and nothing is fetched while printing", async () => {
    const { book } = hostileBook();
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const html = buildHtml({
      ...book,
      title: `<img src="${base}/title.png">`,
      subtitle: `<link rel="stylesheet" href="${base}/s.css">`,
    });
    const pdf = await printer()(html, "a4");
    expect(isPdf(pdf)).toBe(true);
    expect(pageCount(pdf)).toBeGreaterThan(1);
    expect(hits).toEqual([]);
    expect(await readdir(join(tmp, "work"))).toEqual([]);
  });
});
