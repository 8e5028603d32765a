// Search and links as two people meet them: two `meitheal-peer serve` processes paired by invite
// on 127.0.0.1. Brian types a word into a story on his laptop (peer B); a moment later Aoife, on
// peer A, opens the search dialog with its shortcut, finds the word, and Enter opens the story
// with the word selected. Then she links that story to another one through the link picker,
// follows the link, and the other story lists where it is linked from.
import type { AutomergeUrl, Repo } from "@automerge/automerge-repo";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addEntry } from "../../shared/ops/community.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { addLogEntry, initLog } from "../../shared/ops/log.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Log } from "../../shared/schema/log.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { windowRepo } from "../helpers/peerRpc.ts";
import { REPO_ROOT } from "../helpers/servePeer.ts";
import { startLinkedPeers, type LinkedPeers } from "../sync/linkedPeers.ts";

const EDITOR = "Story text";
const FOUND = "River notes";
const TARGET = "Harbour day";
const WORD = "kittiwake";

const go = (page: Page, hash: string) =>
  page.evaluate((h) => void (window.location.hash = h), hash);

async function open(page: Page, url: string) {
  await page.goto(url);
  // The page takes the token out of the address once its script runs: slow on a busy machine.
  await expect.poll(() => page.url(), { timeout: 10_000 }).not.toContain("token=");
}

/** Creates a story from the Stories page and opens it; returns its id. */
async function createStory(page: Page, communityId: string, title: string): Promise<string> {
  await go(page, `#/c/${communityId}/stories`);
  await page.getByLabel("Title of the new story").fill(title);
  // A new story opens at once.
  await page.getByRole("button", { name: "Create story" }).click();
  await page.getByRole("textbox", { name: EDITOR }).waitFor({ timeout: 20_000 });
  const id = /\/stories\/([^/?#]+)$/.exec(page.url())?.[1];
  if (!id) throw new Error(`no story id in ${page.url()}`);
  return id;
}

/** A practice log with one entry that mentions the word too, written through a window's repo. */
async function writeLog(repo: Repo, communityId: string): Promise<void> {
  const ctx = systemContext();
  const index = await repo.find<CommunityIndex>(`automerge:${communityId}` as AutomergeUrl);
  const log = repo.create<Log>();
  log.change((d) => {
    initLog(d, { communityId, title: "Shore circle" }, ctx);
    addLogEntry(
      d,
      {
        date: "2024-07-01",
        kind: "gathering",
        by: "k",
        byName: "Aoife",
        happened: `Low tide walk: a ${WORD} colony on the cliff`,
      },
      ctx,
    );
  });
  index.change((d) =>
    addEntry(d, log.documentId, {
      kind: "log",
      title: "Shore circle",
      createdAt: ctx.now(),
      updatedAt: ctx.now(),
    }),
  );
}

const selectedText = (page: Page) => page.evaluate(() => window.getSelection()?.toString() ?? "");

describe("search and links over two linked peers", () => {
  let peers: LinkedPeers | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let repoA: Repo | undefined;

  beforeAll(async () => {
    [peers, browser] = await Promise.all([
      startLinkedPeers({ communityName: "Coastal care" }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await repoA?.shutdown().catch(() => undefined);
    await browser?.close();
    await peers?.stop();
  });

  it("finds a word typed a moment ago on another laptop, opens it selected, and links stories both ways", async () => {
    const { a, b, communityId } = peers!;
    const aoife = await browser.context.newPage();
    const brian = await browser.context.newPage();
    const errors: string[] = [];
    for (const page of [aoife, brian]) page.on("pageerror", (e) => errors.push(e.message));
    await Promise.all([open(aoife, a.url), open(brian, b.url)]);
    repoA = await windowRepo(a, communityId);
    await writeLog(repoA, communityId);

    // Aoife writes the story that will be linked to; Brian writes about the bird on his laptop.
    const targetId = await createStory(aoife, communityId, TARGET);
    await aoife.getByRole("textbox", { name: EDITOR }).click();
    await aoife.keyboard.type("Boats out at dawn.");
    const foundId = await createStory(brian, communityId, FOUND);
    await brian.getByRole("textbox", { name: EDITOR }).click();
    await brian.keyboard.type(`Down by the pier we saw a ${WORD} nesting. `);

    // Aoife, anywhere in the community, opens search with the keyboard.
    await go(aoife, `#/c/${communityId}/stories`);
    await aoife.getByRole("heading", { name: "Stories", level: 1 }).waitFor();
    await aoife.keyboard.press("Control+Shift+K");
    const dialog = aoife.getByRole("dialog", { name: "Search this community" });
    await dialog.waitFor();
    const results = dialog.getByRole("listbox", { name: "Results" });
    const field = dialog.getByRole("combobox", { name: "Search for" });
    await expect.poll(() => field.evaluate((el) => el === document.activeElement)).toBe(true);
    await field.pressSequentially(WORD.slice(0, 6), { delay: 20 });
    const result = results.getByRole("option").filter({ hasText: FOUND });
    await result.waitFor({ timeout: 20_000 }).catch(async (e: unknown) => {
      // What the dialog said (an error from the peer?) and what the peer printed, to see why.
      throw new Error(
        `${String(e)}\n--- dialog:\n${await dialog.innerText()}\n--- peer A:\n${a.output().slice(-2000)}`,
      );
    });
    await expect.poll(() => result.locator("mark").first().innerText()).toMatch(/^kittiw/i);
    // The log entry with the same word is labelled as one, with its log as context.
    const entry = results.getByRole("option").filter({ hasText: "Log entry" });
    await entry.waitFor({ timeout: 20_000 });
    expect(await entry.innerText()).toContain("Shore circle");
    await mkdir(join(REPO_ROOT, "docs"), { recursive: true });
    await aoife.screenshot({ path: join(REPO_ROOT, "docs", "search.png") });

    // Only stories: the entry goes, and the story is the one Enter opens.
    await dialog.getByLabel("Show").selectOption("story");
    await expect.poll(() => results.getByRole("option").count()).toBe(1);
    expect(await result.getAttribute("aria-selected")).toBe("true");
    await field.focus();

    // Enter opens the story at the match: the word selected, the dialog gone.
    await field.press("Enter");
    await expect.poll(() => aoife.getByRole("dialog").count()).toBe(0);
    await expect.poll(() => aoife.url()).toContain(`/stories/${foundId}/`);
    await expect.poll(() => selectedText(aoife), { timeout: 10_000 }).toBe(WORD);

    // Closing the dialog with Escape gives focus back where it was.
    const heading = aoife.getByRole("heading", { name: FOUND, level: 1 });
    await heading.focus();
    await aoife.keyboard.press("Control+Shift+K");
    await dialog.waitFor();
    await aoife.keyboard.press("Escape");
    await expect.poll(() => aoife.getByRole("dialog").count()).toBe(0);
    await expect.poll(() => heading.evaluate((el) => el === document.activeElement)).toBe(true);

    // At the end of Brian's sentence she links to her story through the picker.
    const editor = aoife.getByRole("textbox", { name: EDITOR });
    await editor.click();
    await aoife.keyboard.press("Control+End");
    await aoife.keyboard.type("See ");
    await aoife.getByRole("button", { name: "Link to a story, log entry or map node" }).click();
    const picker = aoife.getByRole("dialog", { name: "Link to…" });
    await picker.waitFor();
    const picks = picker.getByRole("listbox", { name: "Results" });
    await picker
      .getByRole("combobox", { name: /Find a story/ })
      .pressSequentially("harbour", { delay: 20 });
    const option = picks.getByRole("option").filter({ hasText: TARGET });
    await option.waitFor({ timeout: 15_000 });
    // The story being written is never offered as a link to itself.
    expect(await picks.getByRole("option").filter({ hasText: FOUND }).count()).toBe(0);
    await aoife.keyboard.press("Enter");
    await expect.poll(() => aoife.getByRole("dialog").count()).toBe(0);
    const link = editor.locator(`a[href="meitheal:story/${targetId}"]`);
    await expect.poll(() => link.innerText()).toBe(TARGET);

    // The caret sits in the link: its card names the target and opens it.
    const card = aoife.getByRole("group", { name: "Internal link" });
    await card.getByRole("link", { name: `Open “${TARGET}”` }).waitFor();

    // Ctrl+click follows the link inside Meitheal, and the target knows who links to it.
    await link.click({ modifiers: ["Control"] });
    await expect.poll(() => aoife.url()).toMatch(new RegExp(`/stories/${targetId}$`));
    await aoife.getByRole("heading", { name: TARGET, level: 1 }).waitFor();
    const backlinks = aoife.getByRole("region", { name: "Linked from" });
    await backlinks.getByRole("link", { name: FOUND }).waitFor({ timeout: 15_000 });

    // And the backlink leads back.
    await backlinks.getByRole("link", { name: FOUND }).click();
    await aoife.getByRole("heading", { name: FOUND, level: 1 }).waitFor();
    expect(errors).toEqual([]);
  });
});
