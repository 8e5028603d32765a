// Co-writing without lost keystrokes: two `meitheal-peer serve` processes with their own data
// folders, paired by invite over the secure LAN transport on 127.0.0.1; Aoife's page on peer A and Brian's page on
// peer B open the same story and type different sentences into the same paragraph at the same
// time. Afterwards both editors hold both sentences whole and the same text, each page shows the
// other person while both are there, and the other person is gone within seconds of leaving.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/browser.ts";
import { startLinkedPeers, type LinkedPeers } from "../sync/linkedPeers.ts";

const STORY = "Co-writing at the river";
const OPENING = "The river.";
// About 60 characters each, typed at the same time, one at the start of the paragraph and one at
// its end.
const AOIFE_TYPES = " We met at dawn with kettles, gloves and three borrowed boats.";
const BRIAN_TYPES = "Lanterns lined the old quay when the last bag came ashore. ";
const EDITOR = "Story text";

async function open(page: Page, url: string) {
  await page.goto(url);
  // The page takes the token out of the address once its script runs: slow on a busy machine.
  await expect.poll(() => page.url(), { timeout: 10_000 }).not.toContain("token=");
}

async function setName(page: Page, name: string) {
  await page.evaluate(() => void (window.location.hash = "#/profile"));
  await page.getByLabel("Display name").fill(name);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
}

const go = (page: Page, hash: string) =>
  page.evaluate((h) => void (window.location.hash = h), hash);

async function editorOf(page: Page) {
  const editor = page.getByRole("textbox", { name: EDITOR });
  try {
    await editor.waitFor({ timeout: 20_000 });
  } catch {
    throw new Error(
      `No editor named "${EDITOR}" on the story page. This test needs StoryPage to render StoryEditor (label "${EDITOR}") with PresenceAvatars and useStoryPresence's plugins (renderer/features/stories/presence).`,
    );
  }
  return editor;
}

/**
 * The editor's text as shown. The end is trimmed: ProseMirror adds a line break after a widget
 * that ends a paragraph (the other person's caret), which innerText reports as a newline.
 */
const textOf = async (page: Page) =>
  (await page.getByRole("textbox", { name: EDITOR }).innerText()).trimEnd();
const avatar = (page: Page, name: string) =>
  page.getByRole("list", { name: "Who has this story open" }).getByRole("img", { name });

describe("co-writing over two linked peers", () => {
  let peers: LinkedPeers | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    [peers, browser] = await Promise.all([
      startLinkedPeers({ communityName: "River clean-up" }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await peers?.stop();
  });

  it("loses no keystroke when two people type into one paragraph at once, and shows who is here", async () => {
    const { a, b, communityId } = peers!;
    const aoife = await browser.context.newPage();
    const brian = await browser.context.newPage();
    const errors: string[] = [];
    for (const page of [aoife, brian]) page.on("pageerror", (e) => errors.push(e.message));

    await Promise.all([open(aoife, a.url), open(brian, b.url)]);
    await setName(aoife, "Aoife Ní Bhriain");
    await setName(brian, "Brian Ó Dálaigh");

    // Aoife creates the story on peer A; Brian opens it on peer B by its address.
    await go(aoife, `#/c/${communityId}/stories`);
    await aoife.getByLabel("Title of the new story").fill(STORY);
    await aoife.getByRole("button", { name: "Create story" }).click();
    await aoife.getByRole("heading", { name: STORY, level: 1 }).waitFor();
    const storyId = /\/stories\/([^/?#]+)$/.exec(aoife.url())?.[1];
    expect(storyId).toBeDefined();
    const editorA = await editorOf(aoife);
    await editorA.click();
    await aoife.keyboard.type(OPENING);

    await go(brian, `#/c/${communityId}/stories/${storyId}`);
    const editorB = await editorOf(brian);
    await expect.poll(() => textOf(brian), { timeout: 15_000 }).toContain(OPENING);

    // Each sees the other while both are here.
    await expect.poll(() => avatar(aoife, "Brian Ó Dálaigh").count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => avatar(brian, "Aoife Ní Bhriain").count(), { timeout: 10_000 }).toBe(1);
    await expect(avatar(aoife, "You").count()).resolves.toBe(1);

    // Aoife at the end of the paragraph, Brian at its start; both type at once.
    await editorA.click();
    await aoife.keyboard.press("End");
    await editorB.click();
    await brian.keyboard.press("Home");
    await Promise.all([
      aoife.keyboard.type(AOIFE_TYPES, { delay: 30 }),
      brian.keyboard.type(BRIAN_TYPES, { delay: 30 }),
    ]);

    const settled = async () => {
      const [x, y] = await Promise.all([textOf(aoife), textOf(brian)]);
      return x === y && x.includes(AOIFE_TYPES) && x.includes(BRIAN_TYPES) ? x : null;
    };
    await expect.poll(settled, { timeout: 15_000 }).not.toBeNull();
    expect(await textOf(aoife)).toBe(`${BRIAN_TYPES}${OPENING}${AOIFE_TYPES}`.trimEnd());
    expect(await textOf(brian)).toBe(await textOf(aoife));

    // Now both at the very same spot, the end of the paragraph: each sentence still arrives whole.
    const AOIFE_AGAIN = " Aoife adds a second thought about the bridge.";
    const BRIAN_AGAIN = " Brian adds a line about the stone walls.";
    await editorA.click();
    await aoife.keyboard.press("Control+End");
    await editorB.click();
    await brian.keyboard.press("Control+End");
    await Promise.all([
      aoife.keyboard.type(AOIFE_AGAIN, { delay: 30 }),
      brian.keyboard.type(BRIAN_AGAIN, { delay: 30 }),
    ]);
    const settledAgain = async () => {
      const [x, y] = await Promise.all([textOf(aoife), textOf(brian)]);
      return x === y && x.includes(AOIFE_AGAIN.trim()) && x.includes(BRIAN_AGAIN.trim()) ? x : null;
    };
    await expect.poll(settledAgain, { timeout: 15_000 }).not.toBeNull();

    // Brian's caret is drawn in Aoife's editor with his name.
    await expect
      .poll(() => aoife.locator('.presence-caret[data-name="Brian Ó Dálaigh"]').count())
      .toBe(1);

    // Brian leaves: within a few seconds Aoife no longer sees him.
    const left = Date.now();
    await brian.close();
    await expect.poll(() => avatar(aoife, "Brian Ó Dálaigh").count(), { timeout: 6_000 }).toBe(0);
    expect(Date.now() - left).toBeLessThan(6_000);
    await expect.poll(() => aoife.locator(".presence-caret").count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
