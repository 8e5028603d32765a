// A collection exported as a Markdown zip, imported in the browser: the preview says the collection
// will be made again (its introduction, credits and stories in order) as a note, not as a file that
// cannot be imported, and after the import the collection is listed. Writes
// docs/collections-import-collection.png.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Block, Book, BookStory } from "../../shared/export/book.ts";
import { buildMarkdownZip } from "../../shared/export/markdown.ts";
import { seriousA11yViolations } from "../helpers/axe.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { seedCommunity } from "../helpers/seed.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";

const text = (t: string) =>
  ({ type: "text", text: t, strong: false, em: false, link: null }) as const;
const para = (t: string): Block => ({ type: "paragraph", content: [text(t)] });
const story = (slug: string, title: string): BookStory => ({
  id: slug,
  slug,
  title,
  status: "ready",
  themes: [],
  contributors: [],
  createdAt: 0,
  updatedAt: 0,
  blocks: [para(`What happened: ${title.toLowerCase()}.`)],
});

const book: Book = {
  title: "Harvest of the Shore",
  subtitle: "",
  language: "en",
  identifier: "urn:uuid:0f8c2d3e-1111-4222-8333-444455556666",
  date: "2026-12-07",
  modified: "2026-12-07T10:00:00Z",
  contributors: [{ name: "Aoife Ní Bhriain", role: "editor" }],
  introduction: [para("We came to the shore to listen to each other.")],
  stories: [story("the-tide", "The tide"), story("at-the-fire", "At the fire")],
};

describe("importing a collection exported as Markdown, in the browser", () => {
  let data = "";
  let outDir = "";
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let communityId = "";

  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), "meitheal-e2e-import-collection-"));
    outDir = await mkdtemp(join(tmpdir(), "meitheal-e2e-import-collection-out-"));
    const seed = await seedCommunity("Harbour circle", { dataDir: data });
    communityId = seed.communityId;
    await seed.close();
    browser = await launchBrowser();
    peer = await servePeer(data);
  });
  afterAll(async () => {
    await browser?.close();
    await peer?.stop();
    for (const dir of [data, outDir]) await rm(dir, { recursive: true, force: true });
  });

  it("previews the collection as a note and makes it", async () => {
    const zip = join(outDir, "harvest.zip");
    await writeFile(zip, buildMarkdownZip(book));
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(peer!.url);
    await page.getByRole("heading", { name: "Stories", level: 1 }).waitFor();
    await page.evaluate((h) => void (window.location.hash = h), `#/c/${communityId}/stories`);
    await page.getByRole("button", { name: "Import Markdown…" }).click();
    const dialog = page.getByRole("dialog", { name: "Import Markdown" });
    await dialog.getByText("Advanced: type a path on this device").click();
    await dialog.getByLabel("Files, folders or zips to import, one a line").fill(zip);
    await dialog.getByRole("button", { name: "Preview" }).click();
    await dialog
      .getByRole("heading", { name: "2 stories found" })
      .or(dialog.locator(".notice-error"))
      .waitFor({ timeout: 30_000 });
    const note = dialog.locator(".notice-info");
    expect(await note.innerText()).toContain("Also made from these files");
    expect(await note.innerText()).toContain(
      'harvest.zip!/harvest-of-the-shore/index.md: the collection "Harvest of the Shore" with its introduction, 1 credit and 2 stories in order will be made.',
    );
    // Not a file that "cannot be imported".
    expect(await dialog.locator(".notice-warning, .notice-error").count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await note.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(REPO_ROOT, "docs/collections-import-collection.png") });

    await dialog.getByRole("button", { name: "Import 2 stories" }).click();
    await dialog
      .getByRole("heading", { name: "Imported 2 stories" })
      .or(dialog.locator(".notice-error"))
      .waitFor({ timeout: 30_000 });
    await page.keyboard.press("Escape");
    await page.evaluate((h) => void (window.location.hash = h), `#/c/${communityId}/collections`);
    await page.getByRole("link", { name: "Harvest of the Shore" }).waitFor({ timeout: 20_000 });
    expect(errors).toEqual([]);
  });
});
