// Inline code and rules typed the way Markdown people type them (issue #15): backticks around a
// word make it code, Ctrl/⌘+E toggles code, `---` then Enter draws a rule between scenes; the
// collection's Markdown export (a download from a served peer) holds them as code spans and a
// rule. Also writes docs/editor-code-rule.png (1280×800).
import { strFromU8, unzipSync } from "fflate";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

describe("inline code and rules in the editor reach the Markdown export", () => {
  let dataDir: string;
  let outDir: string;
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let communityId = "";
  let collectionId = "";
  let storyId = "";
  const errors: string[] = [];

  beforeAll(async () => {
    const seed = await seedCommunity("Harbour circle", { prefix: "meitheal-e2e-code-" });
    ({ dataDir, communityId } = seed);
    outDir = await mkdtemp(join(tmpdir(), "meitheal-e2e-code-out-"));
    const { community, index, ctx } = seed;
    const story = community.repo.create<Story>();
    story.change((d) => {
      initStory(d, { communityId: asCommunityId(communityId), title: "Recipe", body: "" }, ctx);
      setStatus(d, "ready", ctx);
    });
    storyId = story.documentId;
    index.change((d) =>
      addEntry(d, storyId, {
        kind: "story",
        title: "Recipe",
        status: "ready",
        createdAt: 1,
        updatedAt: 1,
      }),
    );
    const collection = community.repo.create<Collection>();
    collection.change((d) => {
      initCollection(d, { communityId, title: "Kitchen" }, ctx);
      addStory(d, storyId, ctx);
    });
    collectionId = collection.documentId;
    index.change((d) =>
      addEntry(d, collectionId, {
        kind: "collection",
        title: "Kitchen",
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

  it("types `code`, Ctrl+E and --- Enter, and the export holds a code span and a rule", async () => {
    const page = await openServedPage(
      browser.context,
      peer!.url,
      `#/c/${communityId}/stories/${storyId}`,
      errors,
    );
    await page.setViewportSize({ width: 1280, height: 800 });
    const editor = page.getByRole("textbox", { name: "Story text" });
    await editor.waitFor({ timeout: 20_000 });
    await editor.click();
    await page.keyboard.type("Run `make tea` first.", { delay: 20 });
    await page.keyboard.press("Enter");
    await page.keyboard.type("---", { delay: 20 });
    await page.keyboard.press("Enter");
    await page.keyboard.type("Then ", { delay: 20 });
    await page.keyboard.press("ControlOrMeta+e");
    await page.keyboard.type("pour", { delay: 20 });
    await page.keyboard.press("ControlOrMeta+e");
    await page.keyboard.type(" it.", { delay: 20 });

    // On screen: two code spans (no backticks left), a rule between the paragraphs.
    await expect
      .poll(() => editor.locator("code").allInnerTexts(), { timeout: 10_000 })
      .toEqual(["make tea", "pour"]);
    expect(await editor.locator("hr").count()).toBe(1);
    expect(await editor.innerText()).not.toContain("`");
    expect(await editor.innerText()).not.toContain("---");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(REPO_ROOT, "docs/editor-code-rule.png") });

    // The collection's Markdown export, downloaded as a person would.
    await page.evaluate(
      (h) => void (window.location.hash = h),
      `#/c/${communityId}/collections/${collectionId}`,
    );
    await page.getByRole("heading", { name: "Kitchen", level: 1 }).waitFor({ timeout: 20_000 });
    await expect
      .poll(
        async () => {
          await page.getByRole("button", { name: "Export…" }).click();
          const dialog = page.getByRole("dialog");
          await dialog.getByLabel(/Markdown/).check();
          const [download] = await Promise.all([
            page.waitForEvent("download", { timeout: 60_000 }),
            dialog.getByRole("button", { name: "Export", exact: true }).click(),
          ]);
          await dialog.getByRole("heading", { name: "Exported" }).waitFor({ timeout: 30_000 });
          const saved = join(outDir, download.suggestedFilename());
          await download.saveAs(saved);
          await dialog.getByRole("button", { name: "Close" }).click();
          const files = unzipSync(new Uint8Array(await readFile(saved)));
          const name = Object.keys(files).find((f) => f.endsWith("/recipe.md"));
          return name ? strFromU8(files[name]!).split("---\n").slice(2).join("---\n") : "";
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe("\nRun `make tea` first.\n\n***\n\nThen `pour` it.\n");
    expect(errors).toEqual([]);
  });
});
