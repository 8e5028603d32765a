// Comments and named versions through the UI: comment on a passage, save a version, change the
// story, see what changed, restore — the text is the saved one again and the comment still there.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/browser.ts";
import { servePeer, type ServedPeer } from "../helpers/servePeer.ts";

const editorText = async (page: Page) =>
  (await page.getByRole("textbox", { name: "Story text" }).innerText()).replace(/\s+/g, " ").trim();

describe("comments and versions in the browser", () => {
  let dataDir: string;
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "meitheal-e2e-tools-"));
    browser = await launchBrowser();
    peer = await servePeer(dataDir);
  });
  afterAll(async () => {
    await browser?.close();
    await peer?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("comments on a passage, saves a version, shows the changes and restores it", async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(peer!.url);
    await page.getByRole("link", { name: "Create a community" }).click();
    await page.getByLabel("Name").fill("Harvest circle");
    await page.getByRole("button", { name: "Create community" }).click();
    await page.getByLabel("Title of the new story").fill("Seed swap");
    await page.getByRole("button", { name: "Create story" }).click();

    const editor = page.getByRole("textbox", { name: "Story text" });
    await editor.click();
    await page.keyboard.type("We swapped seeds at the old forge.");
    await expect.poll(() => editorText(page)).toBe("We swapped seeds at the old forge.");

    // Comment on the whole line.
    await page.keyboard.press("Control+Home");
    await page.keyboard.press("Shift+End");
    await page.getByRole("tab", { name: /Comments/ }).click();
    await page.getByRole("button", { name: "Comment", exact: true }).click();
    await page.getByLabel("Your comment").fill("Which forge? Name it for readers from elsewhere.");
    await page.getByRole("button", { name: "Add comment" }).click();
    await expect
      .poll(() => page.getByRole("tab", { name: /Comments/ }).innerText())
      .toContain("(1)");
    await page.getByText("Which forge? Name it for readers from elsewhere.").waitFor();

    // Save a version.
    await page.getByRole("tab", { name: /Versions/ }).click();
    await page.getByLabel("Name of this version").fill("Day 2 evening");
    await page.getByRole("button", { name: "Save a version" }).click();
    await page.getByText("Saved the version “Day 2 evening”.").waitFor();

    // Change the story after the version.
    await editor.click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type(" Forty people came.");
    await expect
      .poll(() => editorText(page))
      .toBe("We swapped seeds at the old forge. Forty people came.");

    // See what changed since the version.
    await page.getByRole("button", { name: "View “Day 2 evening”" }).click();
    await page.getByRole("button", { name: "Changes since this version" }).click();
    await expect
      .poll(() => page.locator("ins").allInnerTexts())
      .toEqual(expect.arrayContaining([expect.stringContaining("Forty")]));

    // Close the view (Escape, as any dialog), then restore: the text is the saved one again, the
    // comment is still there.
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator("dialog[open]").count()).toBe(0);
    await page.getByRole("button", { name: "Restore “Day 2 evening”" }).click();
    await page.getByRole("button", { name: "Restore this version" }).click();
    await expect.poll(() => editorText(page)).toBe("We swapped seeds at the old forge.");
    await page.getByRole("tab", { name: /Comments/ }).click();
    await page.getByText("Which forge? Name it for readers from elsewhere.").waitFor();

    // After a reload (everything from the peer), still so.
    await page.reload();
    await expect.poll(() => editorText(page)).toBe("We swapped seeds at the old forge.");
    expect(errors).toEqual([]);
  });
});
