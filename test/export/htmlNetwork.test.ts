// The HTML export, exported by a peer and opened in headless Chromium (Debian's, through
// playwright-core), makes no network request — not on load, not when printed — even with a story
// whose text is markup pointing at a server and a link to the web; and Chromium prints it to PDF
// in A4 and A5 from its own print stylesheet.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportCollection } from "../../peer/export/collection.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { makePeerCollection, storyBody, type PeerCollection } from "./peerCollection.ts";

let tmp: string;
let fixture: PeerCollection;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let server: Server;
let serverHits: string[];
let base: string;
const html: Record<"a4" | "a5", string> = { a4: "", a5: "" };

beforeAll(async () => {
  tmp = await makeTempDir("meitheal-html-network-");
  // A server on loopback that records every request: if anything in the export were fetched, it
  // would be this (a hostile story names it), and it would show up here as well as in the page.
  serverHits = [];
  server = createServer((req, res) => {
    serverHits.push(req.url ?? "");
    res.writeHead(200, { "content-type": "image/png" }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  fixture = await makePeerCollection(join(tmp, "data"), [
    { title: "The tide came in", status: "ready", body: storyBody(1, 300) },
    {
      title: `<img src="${base}/title.png"> Hostile`,
      status: "published",
      body: [
        { type: "paragraph", text: `<img src="${base}/pixel.png"> typed into a story` },
        { type: "paragraph", text: `<link rel="stylesheet" href="${base}/style.css">` },
        { type: "paragraph", text: `<style>body { background: url(${base}/bg.png) }</style>` },
        {
          type: "rich",
          runs: [
            { text: "A link to " },
            { text: "the web", href: "https://example.org/" },
            { text: " and " },
            { text: "to the test server", href: `${base}/link` },
          ],
        },
      ],
    },
  ]);
  const node = await PeerNode.start({ dataDir: fixture.dataDir });
  try {
    for (const size of ["a4", "a5"] as const) {
      const r = await exportCollection(node.community(fixture.communityId)!, {
        collectionId: fixture.collectionId,
        format: "html",
        path: join(tmp, `book-${size}.html`),
        pageSize: size,
      });
      if (!r.ok) throw new Error(r.error.message);
      html[size] = r.value.path ?? "";
    }
  } finally {
    await node.close();
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await removeDir(tmp);
});

/** Opens `path` and records every request other than the page itself, on load and when printed. */
async function openRecording(path: string): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.context.newPage();
  const own = pathToFileURL(path).href;
  const requests: string[] = [];
  page.on("request", (request) => {
    if (request.url() !== own) requests.push(request.url());
  });
  await page.goto(own, { waitUntil: "load" });
  // Anything lazy (images further down, print-only styles) gets its chance too.
  await page.evaluate("window.scrollTo(0, document.body.scrollHeight)");
  await page.emulateMedia({ media: "print" });
  await page.waitForTimeout(300);
  return { page, requests };
}

/** The first page's size in points, from the PDF's /MediaBox. */
function mediaBox(pdf: Uint8Array): [number, number] {
  const m = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(
    Buffer.from(pdf).toString("latin1"),
  );
  if (!m) throw new Error("no /MediaBox in the PDF");
  return [Number(m[1]), Number(m[2])];
}

describe("the HTML export in Chromium", () => {
  it("makes no network request, even with hostile text and web links in a story", async () => {
    const { page, requests } = await openRecording(html.a4);
    try {
      // The hostile story is there, as text.
      await expect(
        page.getByText(`<img src="${base}/pixel.png"> typed into a story`).count(),
      ).resolves.toBe(1);
      expect(await page.locator("img, link[rel=stylesheet], script").count()).toBe(0);
      const links = await Promise.all(
        (await page.locator("a[href^='http']").all()).map((a) => a.getAttribute("href")),
      );
      expect(links).toEqual(expect.arrayContaining(["https://example.org/", `${base}/link`]));
      const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
      expect(Buffer.from(pdf.subarray(0, 5)).toString("latin1")).toBe("%PDF-");
      expect(requests).toEqual([]);
      expect(serverHits).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("the check above can fail: the same page with a real image is caught", async () => {
    const planted = join(tmp, "planted.html");
    await writeFile(
      planted,
      (await readFile(html.a4, "utf8"))
        .replace("<body>", `<body><img src="${base}/planted.png">`)
        // Without the export's own CSP, as a careless exporter would write it.
        .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ""),
    );
    const { page, requests } = await openRecording(planted);
    await page.close();
    expect(requests).toEqual([`${base}/planted.png`]);
    expect(serverHits).toEqual(["/planted.png"]);
    serverHits.length = 0;
  });

  it("prints to PDF in A4 and A5 from its print stylesheet; the A5 page is smaller", async () => {
    const boxes: Record<string, [number, number]> = {};
    for (const size of ["a4", "a5"] as const) {
      const { page, requests } = await openRecording(html[size]);
      try {
        const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
        expect(Buffer.from(pdf.subarray(0, 5)).toString("latin1")).toBe("%PDF-");
        boxes[size] = mediaBox(pdf);
        expect(requests).toEqual([]);
      } finally {
        await page.close();
      }
    }
    expect(boxes.a4!.map(Math.round)).toEqual([595, 842]);
    expect(boxes.a5!.map(Math.round)).toEqual([420, 595]);
    expect(boxes.a5![0] * boxes.a5![1]).toBeLessThan(boxes.a4![0] * boxes.a4![1]);
    expect(serverHits).toEqual([]);
  });
});
