// The map canvas has room at 1280×800: it takes most of the window's width and reaches down to its
// bottom, the toolbar is one line, the side panel folds away (and stays folded after a reload), the
// minimap covers no node. Ten nodes added with N from the keyboard go to free space, none
// overlapping another. A shortcut works while the focus is in a select (not only on the canvas).
// The page has no serious accessibility violation. Writes docs/map-room.png.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addEntry } from "../../shared/ops/community.ts";
import { addNode, connect, initMap } from "../../shared/ops/map.ts";
import type { InquiryMap, NodeKind } from "../../shared/schema/map.ts";
import { seriousA11yViolations } from "../helpers/axe.ts";
import { launchBrowser, openServedPage } from "../helpers/browser.ts";
import { seedCommunity } from "../helpers/seed.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const SEEDED: [NodeKind, string, number, number][] = [
  ["question", "How do we share tools across the parish?", 0, 0],
  ["insight", "Most tools sit idle nearly all year", 260, -40],
  ["resource", "The old creamery has a dry shed", 520, 60],
  ["practice", "A sign-out sheet on the shed door", 260, 160],
  ["question", "Who mends what breaks?", 0, 240],
  ["insight", "Two retired fitters offered Saturdays", 520, 280],
  ["question", "Insurance for borrowed tools?", 780, 120],
];

describe("the map canvas at 1280×800", () => {
  let dataDir = "";
  let communityId = "";
  let mapId = "";
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const errors: string[] = [];

  beforeAll(async () => {
    const seed = await seedCommunity("Tool circle", { prefix: "meitheal-e2e-maproom-" });
    ({ dataDir, communityId } = seed);
    const { community, index, ctx } = seed;
    const map = community.repo.create<InquiryMap>();
    map.change((d) => {
      initMap(d, { communityId, title: "Sharing tools" }, ctx);
      const ids = SEEDED.map(([kind, text, x, y]) =>
        addNode(d, { kind, text, at: { x, y }, by: "dev-x", byName: "Aoife" }, ctx),
      );
      connect(d, { from: ids[1]!, to: ids[0]!, relation: "answers", by: "dev-x" }, ctx);
      connect(d, { from: ids[2]!, to: ids[0]!, relation: "supports", by: "dev-x" }, ctx);
      connect(d, { from: ids[4]!, to: ids[3]!, relation: "raises", by: "dev-x" }, ctx);
    });
    mapId = map.documentId;
    index.change((d) =>
      addEntry(d, mapId, { kind: "map", title: "Sharing tools", createdAt: 1, updatedAt: 1 }),
    );
    await seed.close();
    browser = await launchBrowser();
    peer = await servePeer(dataDir);
  });
  afterAll(async () => {
    await browser?.close();
    await peer?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const open = (hash: string) => openServedPage(browser.context, peer!.url, hash, errors);
  const box = async (page: Page, selector: string) =>
    (await page.locator(selector).first().boundingBox())!;
  const nodeBoxes = async (page: Page) =>
    (await Promise.all(
      (await page.locator(".react-flow__node").all()).map((n) => n.boundingBox()),
    )) as Box[];

  it("gives the canvas most of the window, one toolbar line, a minimap over no node", async () => {
    const page = await open(`#/c/${communityId}/maps/${mapId}`);
    await page.getByRole("heading", { name: "Sharing tools", level: 1 }).waitFor();
    const nodes = page.locator(".react-flow__node");
    await expect.poll(() => nodes.count()).toBe(SEEDED.length);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(REPO_ROOT, "docs", "map-room.png") });

    // Three quarters of the page's content box (the window less the community's menu).
    const content = await page.locator(".page").evaluate((el) => {
      const style = getComputedStyle(el);
      return el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    });
    const canvas = await box(page, ".map-canvas");
    expect(canvas.width).toBeGreaterThanOrEqual(0.75 * content);
    expect(canvas.y + canvas.height).toBeGreaterThanOrEqual(800 - 32);
    expect(canvas.y + canvas.height).toBeLessThanOrEqual(800);

    // One line: the toolbar is no taller than its tallest control.
    const line = await page.locator(".map-toolbar").evaluate((bar) => ({
      bar: bar.getBoundingClientRect().height,
      controls: Array.from(bar.children).map((el) => el.getBoundingClientRect().height),
    }));
    expect(line.controls.length).toBeGreaterThan(3);
    expect(line.bar).toBeLessThanOrEqual(Math.max(...line.controls) + 2);

    // The minimap, where it is shown, covers no node.
    const minimap = page.locator(".react-flow__minimap");
    if (await minimap.isVisible()) {
      const mini = (await minimap.boundingBox())!;
      for (const node of await nodeBoxes(page)) expect(overlap(mini, node)).toBe(false);
    }

    // The side panel folds away, the canvas grows, and it stays folded after a reload.
    const fold = page.getByRole("button", { name: "Node panel" });
    expect(await fold.getAttribute("aria-expanded")).toBe("true");
    await fold.click();
    expect(await fold.getAttribute("aria-expanded")).toBe("false");
    await expect
      .poll(async () => (await box(page, ".map-canvas")).width)
      .toBeGreaterThan(canvas.width + 200);
    await page.reload();
    await page.getByRole("heading", { name: "Sharing tools", level: 1 }).waitFor();
    await expect
      .poll(() => page.getByRole("button", { name: "Node panel" }).getAttribute("aria-expanded"))
      .toBe("false");
    await page.getByRole("button", { name: "Node panel" }).click();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it("puts ten nodes added with N in free space, none overlapping", async () => {
    const page = await open(`#/c/${communityId}/maps/${mapId}`);
    await page.getByRole("heading", { name: "Sharing tools", level: 1 }).waitFor();
    const nodes = page.locator(".react-flow__node");
    await expect.poll(() => nodes.count()).toBe(SEEDED.length);
    await page.locator(".map-canvas").focus();
    for (let i = 1; i <= 10; i++) {
      await page.keyboard.press("n");
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.tagName))
        .toBe("TEXTAREA");
      await page.keyboard.type(
        i % 3 === 0 ? `A longer question, number ${i}, of a few words` : `Q${i}`,
      );
      // Back to the node on the canvas: N adds the next one.
      await page.keyboard.press("Escape");
    }
    await page.keyboard.press("f");
    await expect.poll(() => nodes.count()).toBe(SEEDED.length + 10);
    await page.waitForTimeout(400);
    const boxes = await nodeBoxes(page);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) expect(overlap(boxes[i]!, boxes[j]!)).toBe(false);
    await page.screenshot({ path: join(REPO_ROOT, "docs", "map-room-added.png") });
    await page.close();
  });

  it("hears N and ? while the focus is in a select, and keeps the select's arrow keys", async () => {
    const page = await open(`#/c/${communityId}/maps/${mapId}`);
    await page.getByRole("heading", { name: "Sharing tools", level: 1 }).waitFor();
    const nodes = page.locator(".react-flow__node");
    const before = await page.evaluate(() => document.querySelectorAll(".react-flow__node").length);
    expect(before).toBeGreaterThan(0);
    const relation = page.getByLabel("New connections");
    await relation.focus();
    await page.keyboard.press("n");
    await expect.poll(() => nodes.count()).toBe(before + 1);
    // The new node's text has the focus; back to the select, ? opens the shortcuts.
    await page.keyboard.press("Escape");
    await relation.focus();
    await page.keyboard.press("?");
    await page.locator(".map-help").waitFor();
    // An arrow key still changes the select's value ("relates to" is its last option).
    const value = await relation.inputValue();
    await page.keyboard.press("ArrowUp");
    expect(await relation.inputValue()).not.toBe(value);
    expect(errors).toEqual([]);
    await page.close();
  });
});
