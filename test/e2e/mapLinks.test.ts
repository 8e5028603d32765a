// Inquiry maps and what they point at, in the browser: a story node and a log-entry node made
// through "Add story or entry…" (the link picker) that show their target's title and open it; a
// node linked to a story from its side panel, which the story then lists under "Linked from"; and
// two nodes connected by dragging from one node's handle to the other's with the mouse.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asCommunityId } from "../../shared/ids.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { addLogEntry, initLog } from "../../shared/ops/log.ts";
import { addNode, initMap } from "../../shared/ops/map.ts";
import { initStory } from "../../shared/ops/story.ts";
import type { Log } from "../../shared/schema/log.ts";
import type { InquiryMap, NodeKind } from "../../shared/schema/map.ts";
import type { Story } from "../../shared/schema/story.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { seedCommunity } from "../helpers/seed.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";

const BOG = "Bog walk";
const HARBOUR = "Harbour day";
const LOG = "Shore circle";
const HAPPENED = "Low tide walk along the strand";
const ELDERS = "Ask the elders about the old ferry";
const FROM = "Where did the ferry land?";
const TO = "At the stone pier below the chapel";
const PICKER_FIELD = /Find a story, log entry or map node/;

/** The centre of an element on the page, in CSS pixels. */
async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error("the element has no box (not drawn?)");
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Types into the picker's field and picks the one result that has `title`, with Enter. */
async function pick(page: Page, dialogName: string, query: string, title: string) {
  const dialog = page.getByRole("dialog", { name: dialogName });
  await dialog.waitFor();
  const field = dialog.getByRole("combobox", { name: PICKER_FIELD });
  await expect.poll(() => field.evaluate((el) => el === document.activeElement)).toBe(true);
  await field.pressSequentially(query, { delay: 20 });
  const results = dialog.getByRole("listbox", { name: "Results" });
  const option = results.getByRole("option").filter({ hasText: title });
  await option.waitFor({ timeout: 15_000 });
  await expect.poll(() => results.getByRole("option").count()).toBe(1);
  await field.press("Enter");
  await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
}

describe("inquiry map links in the browser", () => {
  let dataDir: string;
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let communityId = "";
  let bogId = "";
  let harbourId = "";
  let logId = "";
  let entryId = "";
  let pickMapId = "";
  let linkMapId = "";
  let eldersId = "";
  let dragMapId = "";
  let fromId = "";
  let toId = "";

  beforeAll(async () => {
    const seed = await seedCommunity("Ferry circle", { prefix: "meitheal-e2e-map-links-" });
    ({ dataDir, communityId } = seed);
    const { community, index, ctx } = seed;
    const by = { by: "dev-x", byName: "Aoife" };

    const story = (title: string) => {
      const handle = community.repo.create<Story>();
      handle.change((d) => initStory(d, { communityId: asCommunityId(communityId), title }, ctx));
      index.change((d) =>
        addEntry(d, handle.documentId, {
          kind: "story",
          title,
          status: "seed",
          createdAt: 1,
          updatedAt: 1,
        }),
      );
      return handle.documentId;
    };
    bogId = story(BOG);
    harbourId = story(HARBOUR);

    const log = community.repo.create<Log>();
    log.change((d) => {
      initLog(d, { communityId, title: LOG }, ctx);
      entryId = addLogEntry(
        d,
        { date: "2024-07-01", kind: "gathering", happened: HAPPENED, ...by },
        ctx,
      );
    });
    logId = log.documentId;
    index.change((d) =>
      addEntry(d, logId, { kind: "log", title: LOG, createdAt: 1, updatedAt: 1 }),
    );

    const map = (title: string, nodes: readonly [NodeKind, string, number][]) => {
      const handle = community.repo.create<InquiryMap>();
      const ids: string[] = [];
      handle.change((d) => {
        initMap(d, { communityId, title }, ctx);
        for (const [kind, text, y] of nodes)
          ids.push(addNode(d, { kind, text, at: { x: 0, y }, ...by }, ctx));
      });
      index.change((d) =>
        addEntry(d, handle.documentId, { kind: "map", title, createdAt: 1, updatedAt: 1 }),
      );
      return { id: handle.documentId, ids };
    };
    pickMapId = map("Picked targets", []).id;
    const linking = map("Linking out", [["question", ELDERS, 0]]);
    linkMapId = linking.id;
    eldersId = linking.ids[0]!;
    const dragging = map("Drawn by hand", [
      ["question", FROM, 0],
      ["insight", TO, 260],
    ]);
    dragMapId = dragging.id;
    [fromId, toId] = dragging.ids as [string, string];

    await seed.close();
    browser = await launchBrowser();
    peer = await servePeer(dataDir);
  });
  afterAll(async () => {
    await browser?.close();
    await peer?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const open = async (hash: string) => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(peer!.url);
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    await page.evaluate((h) => (window.location.hash = h), hash);
    return { page, errors };
  };
  const go = (page: Page, hash: string) =>
    page.evaluate((h) => void (window.location.hash = h), hash);

  it("adds a story node and a log-entry node through the picker, each showing and opening its target", async () => {
    const { page, errors } = await open(`#/c/${communityId}/maps/${pickMapId}`);
    await page.getByRole("heading", { name: "Picked targets", level: 1 }).waitFor();

    // A story node: its text is the story's title, its link opens the story.
    await page.getByRole("button", { name: "Add story or entry…" }).click();
    await pick(page, "Add story or entry…", "bog", BOG);
    const storyNode = page.locator(".map-node.kind-story");
    await expect.poll(() => storyNode.count()).toBe(1);
    await expect.poll(() => storyNode.locator(".map-node-text").innerText()).toBe(BOG);
    const storyLink = storyNode.locator(".map-node-target a");
    await expect.poll(() => storyLink.innerText()).toBe(`→ ${BOG}`);
    expect(await storyLink.getAttribute("href")).toBe(`#/c/${communityId}/stories/${bogId}`);
    // The side panel has the new node, and says what it points at.
    const side = page.getByRole("complementary", { name: "Selected node" });
    await expect.poll(() => side.getByLabel("Text", { exact: true }).inputValue()).toBe(BOG);
    await side.getByRole("link", { name: BOG }).waitFor();

    // A log-entry node the same way: titled by what happened, opening the entry in its log.
    await page.getByRole("button", { name: "Add story or entry…" }).click();
    await pick(page, "Add story or entry…", "strand", HAPPENED);
    const entryNode = page.locator(".map-node.kind-entry");
    await expect.poll(() => entryNode.count()).toBe(1);
    await expect.poll(() => entryNode.locator(".map-node-text").innerText()).toBe(HAPPENED);
    const entryLink = entryNode.locator(".map-node-target a");
    await expect.poll(() => entryLink.innerText()).toBe(`→ ${HAPPENED}`);
    expect(await entryLink.getAttribute("href")).toBe(
      `#/c/${communityId}/logs/${logId}/${entryId}`,
    );
    expect(await page.locator(".react-flow__node").count()).toBe(2);
    // A new node may be placed partly under the edge of a narrow canvas: Escape leaves the text
    // for the node, and F fits the whole map in view, as someone would do to see both.
    await page.keyboard.press("Escape");
    await expect
      .poll(() =>
        page.evaluate(() => document.activeElement?.classList.contains("react-flow__node")),
      )
      .toBe(true);
    await page.keyboard.press("f");
    const canvas = (await page.locator(".map-canvas").boundingBox())!;
    const inView = async (node: Locator) => {
      const box = await node.boundingBox();
      return (
        box !== null &&
        box.x >= canvas.x &&
        box.y >= canvas.y &&
        box.x + box.width <= canvas.x + canvas.width &&
        box.y + box.height <= canvas.y + canvas.height
      );
    };
    await expect.poll(() => inView(storyNode)).toBe(true);
    await expect.poll(() => inView(entryNode)).toBe(true);
    await page.screenshot({ path: join(REPO_ROOT, "docs/maps-links.png") });

    // Following the entry node's link opens the log at that entry.
    await entryLink.click();
    await expect.poll(() => page.url()).toContain(`/logs/${logId}/${entryId}`);
    await page.getByRole("heading", { name: LOG, level: 1 }).waitFor();
    await page.getByText(HAPPENED).first().waitFor();

    // Back on the map (written, so still there after a new visit), the story node opens the story.
    await go(page, `#/c/${communityId}/maps/${pickMapId}`);
    await page.getByRole("heading", { name: "Picked targets", level: 1 }).waitFor();
    await expect.poll(() => storyLink.innerText()).toBe(`→ ${BOG}`);
    await storyLink.click();
    await expect.poll(() => page.url()).toMatch(new RegExp(`/stories/${bogId}$`));
    await page.getByRole("heading", { name: BOG, level: 1 }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it("links a node to a story from its panel, and the story lists the node under Linked from", async () => {
    const { page, errors } = await open(`#/c/${communityId}/maps/${linkMapId}/${eldersId}`);
    await page.getByRole("heading", { name: "Linking out", level: 1 }).waitFor();
    const side = page.getByRole("complementary", { name: "Selected node" });
    await expect.poll(() => side.getByLabel("Text", { exact: true }).inputValue()).toBe(ELDERS);
    await side.getByText("No links yet.").waitFor();

    await side.getByRole("button", { name: "Add link…" }).click();
    await pick(page, "Link this node to a story, entry or node", "harbour", HARBOUR);
    const links = side.getByRole("list", { name: "Links" });
    const link = links.getByRole("link", { name: HARBOUR });
    await link.waitFor({ timeout: 15_000 });
    expect(await link.getAttribute("href")).toBe(`#/c/${communityId}/stories/${harbourId}`);
    expect(await side.getByText("No links yet.").count()).toBe(0);
    // It is a link, not a target: the node stays a question.
    expect(await page.locator(".map-node.kind-question").count()).toBe(1);

    // The story knows: once the peer's index has the node's link, it is listed as linked from.
    await link.click();
    await page.getByRole("heading", { name: HARBOUR, level: 1 }).waitFor();
    const backlinks = page.getByRole("region", { name: "Linked from" });
    const source = backlinks.getByRole("link", { name: ELDERS });
    await source.waitFor({ timeout: 20_000 });
    expect(await backlinks.innerText()).toContain("Map node");

    // And the backlink leads back to the map with the node selected.
    await source.click();
    await page.getByRole("heading", { name: "Linking out", level: 1 }).waitFor();
    await expect
      .poll(() => page.locator(".react-flow__node.selected").getAttribute("data-id"))
      .toBe(eldersId);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("connects two nodes by dragging from one node's handle to the other's", async () => {
    const { page, errors } = await open(`#/c/${communityId}/maps/${dragMapId}`);
    await page.getByRole("heading", { name: "Drawn by hand", level: 1 }).waitFor();
    const nodeEl = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
    await expect.poll(() => nodeEl(fromId).isVisible()).toBe(true);
    await expect.poll(() => nodeEl(toId).isVisible()).toBe(true);
    expect(await page.locator(".react-flow__edge").count()).toBe(0);

    // From the question's bottom handle (its source) to the insight's top handle (its target),
    // in steps, as a hand would.
    const start = await centre(nodeEl(fromId).locator(".react-flow__handle.source"));
    const end = await centre(nodeEl(toId).locator(".react-flow__handle.target"));
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move((start.x + end.x) / 2, (start.y + end.y) / 2, { steps: 8 });
    await page.mouse.move(end.x, end.y, { steps: 8 });
    await page.mouse.up();

    await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(1);
    expect(await page.locator(".react-flow__edge-text").textContent()).toBe("relates to");
    await expect
      .poll(() => page.locator(".map-page [aria-live='polite']").innerText())
      .toContain("Connected");

    // The question is selected, and its panel lists the new connection.
    await expect
      .poll(() => page.locator(".react-flow__node.selected").getAttribute("data-id"))
      .toBe(fromId);
    const side = page.getByRole("complementary", { name: "Selected node" });
    const connections = side.locator(".map-connections li");
    await expect.poll(() => connections.count()).toBe(1);
    expect(await connections.first().innerText()).toContain(`this relates to “${TO}”`);

    // The insight's panel lists it from the other end.
    await page.getByLabel("Go to node").selectOption({ label: `Insight: ${TO}` });
    await expect
      .poll(() => side.locator(".map-connections li").first().innerText())
      .toContain(`“${FROM}” relates to this`);

    // Written to the document: a reload still has it.
    await page.reload();
    await page.getByRole("heading", { name: "Drawn by hand", level: 1 }).waitFor();
    await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
