// Collections in the browser: a collection is created, three stories added through the picker,
// reordered with the keyboard (Alt+↑, announced) and by dragging, and the order is still there after
// a reload. The export dialog writes an HTML file to a temporary folder and ends with its summary.
// A collection seeded on disk the way a faulty device would write it shows as damaged. Also writes
// docs/collections.png and docs/collections-export.png.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asCommunityId } from "../../shared/ids.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { initStory, setStatus } from "../../shared/ops/story.ts";
import { COLLECTION_SCHEMA, COLLECTION_VERSION } from "../../shared/schema/collection.ts";
import type { StoryStatus } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { seedCommunity } from "../helpers/seed.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";

const go = (page: Page, hash: string) =>
  page.evaluate((h) => void (window.location.hash = h), hash);

const STORIES: [string, StoryStatus][] = [
  ["Alder", "ready"],
  ["Birch", "published"],
  ["Cherry", "draft"],
  ["Damson", "seed"],
];

describe("collections in the browser", () => {
  let dataDir: string;
  let outDir: string;
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let communityId = "";
  let brokenId = "";
  let collectionUrl = "";
  const errors: string[] = [];

  beforeAll(async () => {
    const seed = await seedCommunity("Orchard circle", { prefix: "meitheal-e2e-collections-" });
    ({ dataDir, communityId } = seed);
    outDir = await mkdtemp(join(tmpdir(), "meitheal-e2e-collections-out-"));
    const { community, index, ctx } = seed;
    for (const [title, status] of STORIES) {
      const story = community.repo.create<Story>();
      story.change((d) => {
        initStory(d, { communityId: asCommunityId(communityId), title }, ctx);
        setStatus(d, status, ctx);
      });
      index.change((d) =>
        addEntry(d, story.documentId, { kind: "story", title, status, createdAt: 1, updatedAt: 1 }),
      );
    }
    // A collection whose header has the wrong types: it cannot be read at all.
    const broken = community.repo.create<Record<string, unknown>>();
    broken.change((d) =>
      Object.assign(d, {
        schema: COLLECTION_SCHEMA,
        version: COLLECTION_VERSION,
        communityId,
        title: ["not", "text"],
        stories: "none",
      }),
    );
    brokenId = broken.documentId;
    index.change((d) =>
      addEntry(d, brokenId, {
        kind: "collection",
        title: "Broken book",
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

  const open = async (hash: string) => {
    const page = await browser.context.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(peer!.url);
    await page.getByRole("heading", { name: "Stories", level: 1 }).waitFor();
    await go(page, hash);
    return page;
  };
  const order = (page: Page) =>
    page.locator(".collection-story .collection-story-title").allInnerTexts();
  const row = (page: Page, title: string) =>
    page.locator(".collection-story", { has: page.getByRole("link", { name: title }) });

  it("creates a collection, adds three stories, reorders them by keyboard and by drag", async () => {
    const page = await open(`#/c/${communityId}/collections`);
    await page.getByRole("heading", { name: "Collections", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Create collection" }).click();
    await page.getByRole("alert").filter({ hasText: "The title is empty" }).waitFor();
    await page.getByLabel("Title of a new collection").fill("Stories from the orchard");
    await page.getByRole("button", { name: "Create collection" }).click();
    await page.getByRole("heading", { name: "Stories from the orchard", level: 1 }).waitFor();
    await page.getByText("No stories in this collection yet").waitFor();
    collectionUrl = page.url();

    // The picker lists every story with its status; three are chosen.
    await page.getByRole("button", { name: "Add stories…" }).click();
    const picker = page.getByRole("dialog", { name: "Add stories to the collection" });
    await picker.waitFor();
    expect(await picker.locator(".story-picker-title").allInnerTexts()).toEqual(
      STORIES.map(([title]) => title),
    );
    for (const title of ["Alder", "Birch", "Cherry"])
      await picker.getByRole("checkbox", { name: new RegExp(title) }).check();
    await picker.getByRole("button", { name: "Add 3 stories" }).click();
    await expect.poll(() => order(page)).toEqual(["Alder", "Birch", "Cherry"]);
    // A draft is marked as left out of exports by default; a ready story is not.
    expect(await row(page, "Cherry").innerText()).toContain("left out of exports");
    expect(await row(page, "Alder").innerText()).not.toContain("left out of exports");

    // Keyboard: Cherry to the top with Alt+↑ twice; each move is announced and focus stays on it.
    await row(page, "Cherry").focus();
    await page.keyboard.press("Alt+ArrowUp");
    await expect.poll(() => order(page)).toEqual(["Alder", "Cherry", "Birch"]);
    await page.keyboard.press("Alt+ArrowUp");
    await expect.poll(() => order(page)).toEqual(["Cherry", "Alder", "Birch"]);
    await page
      .getByRole("status")
      .filter({ hasText: "Moved Cherry to position 1 of 3." })
      .waitFor();
    expect(
      await page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? ""),
    ).toBe("Cherry, 1 of 3, Draft");
    // At the top, Alt+↑ does nothing.
    await page.keyboard.press("Alt+ArrowUp");
    expect(await order(page)).toEqual(["Cherry", "Alder", "Birch"]);
    // The move buttons do the same.
    await page.getByRole("button", { name: "Move Alder down" }).click();
    await expect.poll(() => order(page)).toEqual(["Cherry", "Birch", "Alder"]);

    // Drag: Alder onto the upper half of Cherry puts it first.
    const target = row(page, "Cherry");
    const box = await target.boundingBox();
    if (!box) throw new Error("no box for the drop target");
    await row(page, "Alder")
      .locator(".drag-handle")
      .dragTo(target, { targetPosition: { x: box.width / 2, y: 4 } });
    await expect.poll(() => order(page)).toEqual(["Alder", "Cherry", "Birch"]);

    // An introduction and a credit, for the book (and the screenshot).
    const intro = page.getByRole("textbox", { name: "Introduction" });
    await intro.click();
    await page.keyboard.type("Stories we gathered under the apple trees, autumn 2025.");
    await page.getByLabel("Name", { exact: true }).fill("Aoife Ní Bhriain");
    await page.getByRole("button", { name: "Add credit" }).click();
    await page.getByLabel("Name of Aoife Ní Bhriain").waitFor();

    // After a reload the order, the introduction and the credit are still there.
    await page.reload();
    await page.getByRole("heading", { name: "Stories from the orchard", level: 1 }).waitFor();
    await expect.poll(() => order(page)).toEqual(["Alder", "Cherry", "Birch"]);
    await expect
      .poll(() => page.getByRole("textbox", { name: "Introduction" }).innerText())
      .toContain("apple trees");
    await page.getByLabel("Name of Aoife Ní Bhriain").waitFor();
    await page.screenshot({ path: join(REPO_ROOT, "docs/collections.png"), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("exports the collection as HTML and shows where it went", async () => {
    expect(collectionUrl).not.toBe("");
    const page = await open(new URL(collectionUrl).hash);
    await page.getByRole("heading", { name: "Stories from the orchard", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Export…" }).click();
    await page.getByRole("dialog", { name: "Export “Stories from the orchard”" }).waitFor();
    // Named by its heading, which becomes "Exported" at the end.
    const dialog = page.getByRole("dialog");
    // The default path follows the format; the person's own path is used.
    const path = dialog.getByLabel("Save the export to");
    expect(await path.inputValue()).toBe("~/Stories from the orchard.html");
    await dialog.getByLabel(/E-book/).check();
    expect(await path.inputValue()).toBe("~/Stories from the orchard.epub");
    await dialog.getByLabel(/Web page/).check();
    await dialog.getByLabel("Ready and published stories (2)").waitFor();
    const file = join(outDir, "orchard.html");
    // A path on the peer's computer is the advanced way (a browser download is the usual one:
    // test/e2e/files.test.ts).
    await dialog.getByText("Advanced: type a path on this device").click();
    await path.fill(file);
    await dialog.getByRole("button", { name: "Export", exact: true }).click();
    // The summary, or (to fail with the peer's own words) the error the dialog shows.
    await dialog
      .getByRole("heading", { name: "Exported" })
      .or(dialog.locator(".notice-error"))
      .waitFor({ timeout: 30_000 });
    expect(await dialog.locator(".notice-error").allInnerTexts()).toEqual([]);
    await expect.poll(() => dialog.getByRole("status").first().innerText()).toContain("2 stories");
    expect(await dialog.locator(".transfer-path").innerText()).toContain("orchard.html");
    // The draft left out is named among the warnings.
    expect(await dialog.locator(".notice-warning").innerText()).toContain("Cherry");
    // The file is there, in the order set above, with the introduction written in its editor.
    const html = await readFile(file, "utf8");
    expect(html).toContain("apple trees");
    expect(html.indexOf("Alder")).toBeGreaterThan(-1);
    expect(html.indexOf("Alder")).toBeLessThan(html.indexOf("Birch"));
    await page.screenshot({ path: join(REPO_ROOT, "docs/collections-export.png") });
    // Close gives the keyboard back to the Export button.
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent ?? ""))
      .toBe("Export…");
    expect(errors).toEqual([]);
  });

  it("shows a collection a faulty device wrote as damaged, with its raw content", async () => {
    const page = await open(`#/c/${communityId}/collections/${brokenId}`);
    await page.getByRole("heading", { name: "Broken book", level: 1 }).waitFor();
    await page.getByText("This collection cannot be shown").waitFor();
    expect(await page.getByLabel("Raw content").inputValue()).toContain("not");
    expect(errors).toEqual([]);
  });
});
