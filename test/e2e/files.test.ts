// Files chosen and saved the way people do it in a browser, against a served peer: Markdown
// imported by a file input and by a dropped file (sent to the peer, never by a typed path), a
// collection exported as EPUB and as HTML caught as downloads. The page never shows where the peer
// keeps anything. Also writes docs/files-import.png and docs/files-export.png (1280×800).
import { unzipSync } from "fflate";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asCommunityId } from "../../shared/ids.ts";
import { addStory, initCollection } from "../../shared/ops/collection.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { initStory, setStatus } from "../../shared/ops/story.ts";
import type { Collection } from "../../shared/schema/collection.ts";
import type { Story } from "../../shared/schema/story.ts";
import { seriousA11yViolations } from "../helpers/axe.ts";
import { launchBrowser, openServedPage } from "../helpers/browser.ts";
import { seedCommunity } from "../helpers/seed.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";

describe("files in the browser: uploads and downloads", () => {
  let dataDir: string;
  let outDir: string;
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let communityId = "";
  let collectionId = "";
  const errors: string[] = [];

  beforeAll(async () => {
    const seed = await seedCommunity("Harbour circle", { prefix: "meitheal-e2e-files-" });
    ({ dataDir, communityId } = seed);
    outDir = await mkdtemp(join(tmpdir(), "meitheal-e2e-files-out-"));
    const { community, index, ctx } = seed;
    const collection = community.repo.create<Collection>();
    collection.change((d) => initCollection(d, { communityId, title: "Sea stories" }, ctx));
    for (const [title, body] of [
      ["Net mending", "We mended the nets by the slipway."],
      ["Low tide", "The strand went out past the rocks."],
    ] as const) {
      const story = community.repo.create<Story>();
      story.change((d) => {
        initStory(d, { communityId: asCommunityId(communityId), title, body }, ctx);
        setStatus(d, "ready", ctx);
      });
      index.change((d) =>
        addEntry(d, story.documentId, {
          kind: "story",
          title,
          status: "ready",
          createdAt: 1,
          updatedAt: 1,
        }),
      );
      collection.change((d) => addStory(d, story.documentId, ctx));
    }
    collectionId = collection.documentId;
    index.change((d) =>
      addEntry(d, collectionId, {
        kind: "collection",
        title: "Sea stories",
        createdAt: 1,
        updatedAt: 1,
      }),
    );
    await seed.close();
    browser = await launchBrowser();
    peer = await servePeer(dataDir);
  });
  afterAll(async () => {
    await browser?.close();
    await peer?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(outDir, { recursive: true, force: true });
  });

  const open = (hash: string) => openServedPage(browser.context, peer!.url, hash, errors);
  /** No text of the page names the peer's data folder (where uploads and downloads live). */
  const showsNoPeerPath = async (page: Page) =>
    expect(await page.locator("body").innerText()).not.toContain(dataDir);

  it("imports Markdown chosen with the file input, and shows the stories with their text", async () => {
    const page = await open(`#/c/${communityId}/stories`);
    await page.getByRole("button", { name: "Import Markdown…" }).click();
    const dialog = page.getByRole("dialog", { name: "Import Markdown" });
    await dialog.waitFor();
    // Nothing chosen: says what to do, and nothing happens.
    await dialog.getByRole("button", { name: "Preview" }).click();
    await dialog.getByRole("alert").filter({ hasText: "Choose at least one file" }).waitFor();
    // The typed path is an advanced option, folded away in a browser.
    expect(
      await dialog.getByLabel("Files, folders or zips to import, one a line").isVisible(),
    ).toBe(false);
    await dialog.getByLabel("Markdown files or zips to import").setInputFiles([
      {
        name: "tide.md",
        mimeType: "text/markdown",
        buffer: Buffer.from(
          "---\ntitle: Tide tables\nstatus: draft\n---\n\nWe read the *tide* together.\n",
        ),
      },
      {
        name: "bog.md",
        mimeType: "text/markdown",
        buffer: Buffer.from("# Bog walk\n\nA walk on the **bog**.\n\n> Tread softly.\n"),
      },
    ]);
    await dialog.getByRole("status").filter({ hasText: "Chosen: tide.md, bog.md" }).waitFor();
    await dialog.getByRole("button", { name: "Preview" }).click();
    await dialog
      .getByRole("heading", { name: "2 stories found" })
      .or(dialog.locator(".notice-error"))
      .waitFor({ timeout: 30_000 });
    expect(await dialog.locator(".notice-error").allInnerTexts()).toEqual([]);
    const table = await dialog.locator(".import-table").innerText();
    expect(table).toContain("Tide tables");
    expect(table).toContain("Bog walk");
    // Each row names the file as it was called on this computer.
    expect(table).toContain("tide.md");
    await showsNoPeerPath(page);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(REPO_ROOT, "docs/files-import.png") });
    await dialog.getByRole("button", { name: "Import 2 stories" }).click();
    await dialog
      .getByRole("heading", { name: "Imported 2 stories" })
      .or(dialog.locator(".notice-error"))
      .waitFor({ timeout: 30_000 });
    expect(await dialog.locator(".notice-error").allInnerTexts()).toEqual([]);
    await dialog.getByRole("link", { name: "Bog walk" }).click();
    await page.getByRole("heading", { name: "Bog walk", level: 1 }).waitFor();
    await expect
      .poll(() => page.getByRole("textbox", { name: "Story text" }).innerText(), {
        timeout: 20_000,
      })
      .toContain("Tread softly.");
    expect(errors).toEqual([]);
  });

  it("imports a Markdown file dropped on the chooser", async () => {
    const page = await open(`#/c/${communityId}/stories`);
    await page.getByRole("button", { name: "Import Markdown…" }).click();
    const dialog = page.getByRole("dialog", { name: "Import Markdown" });
    await dialog.waitFor();
    const drop = await page.evaluateHandle(() => {
      const data = new DataTransfer();
      data.items.add(
        new File(["# Currach race\n\nFour boats rounded the buoy.\n"], "currach.md", {
          type: "text/markdown",
        }),
      );
      return data;
    });
    await dialog.getByTestId("drop-zone").dispatchEvent("dragover", { dataTransfer: drop });
    await dialog.getByTestId("drop-zone").dispatchEvent("drop", { dataTransfer: drop });
    await dialog.getByRole("status").filter({ hasText: "Dropped: currach.md" }).waitFor();
    await dialog.getByRole("button", { name: "Preview" }).click();
    await dialog.getByRole("heading", { name: "1 story found" }).waitFor({ timeout: 30_000 });
    await dialog.getByRole("button", { name: "Import 1 story" }).click();
    await dialog.getByRole("heading", { name: "Imported 1 story" }).waitFor({ timeout: 30_000 });
    await dialog.getByRole("link", { name: "Currach race" }).click();
    await expect
      .poll(() => page.getByRole("textbox", { name: "Story text" }).innerText(), {
        timeout: 20_000,
      })
      .toContain("Four boats rounded the buoy.");
    expect(errors).toEqual([]);
  });

  const exportAs = async (page: Page, format: RegExp) => {
    await page.getByRole("button", { name: "Export…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(format).check();
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 60_000 }),
      dialog.getByRole("button", { name: "Export", exact: true }).click(),
    ]);
    await dialog.getByRole("heading", { name: "Exported" }).waitFor({ timeout: 30_000 });
    const saved = join(outDir, download.suggestedFilename());
    await download.saveAs(saved);
    return { dialog, name: download.suggestedFilename(), bytes: await readFile(saved) };
  };

  it("exports a collection as EPUB and as HTML, saved by the browser as downloads", async () => {
    const page = await open(`#/c/${communityId}/collections/${collectionId}`);
    await page.getByRole("heading", { name: "Sea stories", level: 1 }).waitFor();

    const epub = await exportAs(page, /E-book/);
    expect(epub.name).toBe("Sea stories.epub");
    // An EPUB: a zip whose first entry is the uncompressed mimetype, with the stories inside.
    expect(epub.bytes.subarray(30, 38).toString("latin1")).toBe("mimetype");
    const entries = unzipSync(new Uint8Array(epub.bytes));
    expect(new TextDecoder().decode(entries.mimetype)).toBe("application/epub+zip");
    const text = Object.entries(entries)
      .filter(([name]) => name.endsWith(".xhtml"))
      .map(([, bytes]) => new TextDecoder().decode(bytes))
      .join("\n");
    expect(text).toContain("We mended the nets by the slipway.");
    expect(text).toContain("The strand went out past the rocks.");
    expect(await epub.dialog.locator(".transfer-path").innerText()).toContain(
      "“Sea stories.epub”, in your browser’s downloads.",
    );
    await showsNoPeerPath(page);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(REPO_ROOT, "docs/files-export.png") });
    await epub.dialog.getByRole("button", { name: "Close" }).click();

    const html = await exportAs(page, /Web page/);
    expect(html.name).toBe("Sea stories.html");
    const page1 = html.bytes.toString("utf8");
    expect(page1).toContain("Net mending");
    expect(page1).toContain("The strand went out past the rocks.");
    await showsNoPeerPath(page);
    expect(errors).toEqual([]);
  });

  it("writes an offline bundle as a download and reads it back as an upload", async () => {
    const page = await open(`#/c/${communityId}/sync`);
    const writeForm = page.getByRole("form", { name: "Write a bundle" });
    await writeForm.waitFor({ timeout: 20_000 });
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 60_000 }),
      writeForm.getByRole("button", { name: "Write bundle" }).click(),
    ]);
    await writeForm
      .getByRole("status")
      .filter({ hasText: /Wrote \d+ documents/ })
      .waitFor({ timeout: 30_000 });
    expect(download.suggestedFilename()).toBe("community.meitheal-sync");
    const bundle = join(outDir, "community.meitheal-sync");
    await download.saveAs(bundle);
    const readForm = page.getByRole("form", { name: "Read a bundle" });
    await readForm.getByLabel("Bundle to read", { exact: true }).setInputFiles(bundle);
    await readForm.getByRole("button", { name: "Read bundle" }).click();
    await readForm
      .getByRole("status")
      .filter({ hasText: /Merged \d+ documents from the file you chose/ })
      .or(readForm.getByRole("alert"))
      .waitFor({ timeout: 30_000 });
    expect(await readForm.getByRole("alert").allInnerTexts()).toEqual([]);
    // (The Sync page names the data folder in its device facts on purpose; the bundle forms don't.)
    for (const form of [writeForm, readForm]) expect(await form.innerText()).not.toContain(dataDir);
    expect(errors).toEqual([]);
  });

  it("sends a 50 MB file with progress moving, and refuses it as not a backup", async () => {
    const big = join(outDir, "big.meitheal-backup");
    await writeFile(big, Buffer.alloc(50 * 1024 * 1024, 7));
    const page = await open("#/restore");
    await page.getByRole("heading", { name: "Restore from a backup", level: 1 }).waitFor();
    await page.getByLabel("Backup file", { exact: true }).setInputFiles(big);
    // Every value the upload's progress bar shows, as it changes.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        for (const bar of Array.from(document.querySelectorAll('[role="progressbar"]'))) {
          const value = bar.getAttribute("aria-valuenow");
          if (value !== null && seen.at(-1) !== value) seen.push(value);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByRole("button", { name: "Check" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: "This file cannot be restored" })
      .waitFor({ timeout: 20_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe("100");
    await showsNoPeerPath(page);
    // Nothing was restored: the community list is as it was.
    expect(await page.getByRole("heading", { name: "Harbour circle", level: 2 }).count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
