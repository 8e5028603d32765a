// The page with nothing but the story editor (test/e2e/pages/storyEditor), built with Vite, served
// on 127.0.0.1 with a story, and opened in Chromium: for the editor's benchmarks and for browser
// tests of the editor on its own, where a test must reach into the page (`window.storyPage`) to
// make another person's change arrive at an exact moment.
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import type { Page } from "playwright-core";
import { build } from "vite";
import { launchBrowser } from "./browser.ts";
import { makeTempDir, removeDir } from "./tmp.ts";

const PAGE_DIR = fileURLToPath(new URL("../e2e/pages/storyEditor/", import.meta.url));

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".bin": "application/octet-stream",
};

export type EditorPageServer = {
  url: string;
  /** A fresh editor page; `words` asks for the story `storyOf(words)` instead of the default. */
  page: (words?: number) => Promise<Page>;
  close(): Promise<void>;
};

/**
 * Builds the page and serves it with `story` (an Automerge save of a Story) as ./story.bin, or
 * `storyOf(n)` for ./story.bin?words=n, and starts Chromium.
 */
export async function serveEditorPage(
  story: Uint8Array,
  storyOf: (words: number) => Uint8Array = () => story,
): Promise<EditorPageServer> {
  const outDir = await makeTempDir("meitheal-editor-page-");
  await build({
    configFile: false,
    root: PAGE_DIR,
    base: "./",
    logLevel: "warn",
    plugins: [react()],
    build: { outDir, emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 5000 },
  });
  const stories = new Map<number, Uint8Array>();
  const server: Server = createServer((req, res) => {
    const address = new URL(req.url ?? "/", "http://x");
    const path = normalize(decodeURIComponent(address.pathname));
    const file = path === "/" ? "/index.html" : path;
    const send = (body: Uint8Array | Buffer, type: string) => {
      res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (file === "/story.bin") {
      const words = Number(address.searchParams.get("words"));
      if (!(words > 0)) return send(story, MIME[".bin"] ?? "");
      let bytes = stories.get(words);
      if (!bytes) stories.set(words, (bytes = storyOf(words)));
      return send(bytes, MIME[".bin"] ?? "");
    }
    if (file.includes("..")) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(outDir, file)).then(
      (body) => send(body, MIME[extname(file)] ?? "application/octet-stream"),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await launchBrowser();
  const url = `http://127.0.0.1:${port}/`;
  const close = async () => {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await removeDir(outDir);
  };
  return {
    url,
    close,
    async page(words) {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(words ? `${url}?words=${words}` : url);
      await page.waitForFunction(
        "window.storyPage && (window.storyPage.ready || window.storyPage.error)",
        null,
        { timeout: 60_000 },
      );
      const error = await page.evaluate<string | null>("window.storyPage.error");
      if (error || errors.length > 0)
        throw new Error(`the editor page failed: ${error ?? errors.join("; ")}`);
      return page;
    },
  };
}
