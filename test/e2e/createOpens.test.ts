// Creating any document opens it with the focus in its title: a story, a log, a map and a
// collection are each made from their list, the address becomes the new document's, the focus is
// in its title field, and what is typed next renames it.
import { rm } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/browser.ts";
import { seedCommunity } from "../helpers/seed.ts";
import { servePeer, type ServedPeer } from "../helpers/servePeer.ts";

const go = (page: Page, hash: string) =>
  page.evaluate((h) => void (window.location.hash = h), hash);

/** The label of the focused field, and its value. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!(el instanceof HTMLInputElement)) return { label: el?.tagName ?? "", value: "" };
    return { label: el.labels?.[0]?.textContent ?? "", value: el.value };
  });

const KINDS = [
  {
    name: "story",
    section: "stories",
    field: "Title of the new story",
    button: "Create story",
    label: "Title",
  },
  {
    name: "log",
    section: "logs",
    field: "Title of a new log",
    button: "Create log",
    label: "Title",
  },
  {
    name: "map",
    section: "maps",
    field: "Title of a new map",
    button: "Create map",
    label: "Map title",
  },
  {
    name: "collection",
    section: "collections",
    field: "Title of a new collection",
    button: "Create collection",
    label: "Title",
  },
] as const;

describe("a new document opens with the focus in its title", () => {
  let dataDir = "";
  let communityId = "";
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const seed = await seedCommunity("Quay circle", { prefix: "meitheal-e2e-create-" });
    ({ dataDir, communityId } = seed);
    await seed.close();
    browser = await launchBrowser();
    peer = await servePeer(dataDir);
    page = await browser.context.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(peer.url);
    await page.getByRole("heading", { name: "Stories", level: 1 }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await peer?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  for (const kind of KINDS) {
    it(`a new ${kind.name}`, async () => {
      await go(page, `#/c/${communityId}/${kind.section}`);
      const title = `Harbour ${kind.section}`;
      await page.getByLabel(kind.field).fill(title);
      await page.getByRole("button", { name: kind.button }).click();
      await expect
        .poll(() => page.url())
        .toMatch(new RegExp(`#/c/${communityId}/${kind.section}/[^/]+$`));
      await expect.poll(() => focused(page)).toEqual({ label: kind.label, value: title });
      // Typing goes to the title; Enter saves it.
      await page.keyboard.type(" walk");
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: `${title} walk`, level: 1 }).waitFor();
      expect(errors).toEqual([]);
    });
  }
});
