// Inquiry maps in the browser. A map is built with the keyboard alone (Tab, shortcuts, typing; no
// pointer anywhere): three nodes, a connection with a relation, a move with the arrow keys, a
// question's status, a delete undone. The outline then shows the same structure and an edit there
// shows on the canvas; the map exports as SVG and PNG. Malformed maps from a faulty peer show as
// damaged (or show their good nodes with a warning) and never crash the page.
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addEntry } from "../../shared/ops/community.ts";
import { addNode, connect, initMap } from "../../shared/ops/map.ts";
import type { InquiryMap } from "../../shared/schema/map.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { seedCommunity } from "../helpers/seed.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";

type Focused = { tag: string; role: string | null; name: string; id: string | null };

/** What has the keyboard focus: its tag, role, accessible-ish name and (for a node) its id. */
const focused = (page: Page): Promise<Focused> =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return { tag: "", role: null, name: "", id: null };
    // A label's own words, without the options of a select it wraps.
    const label = (el as HTMLInputElement).labels?.[0];
    const labelled = label
      ? Array.from(label.childNodes)
          .filter((n) => n.nodeType === Node.TEXT_NODE)
          .map((n) => n.textContent)
          .join("")
      : null;
    const name = el.getAttribute("aria-label") || labelled || el.textContent || "";
    return {
      tag: el.tagName.toLowerCase(),
      role: el.getAttribute("role"),
      name: name.trim().slice(0, 300),
      id: el.dataset.id ?? null,
    };
  });

/** Presses Tab (or Shift+Tab) until the focused element is the one wanted. */
async function tabTo(
  page: Page,
  wanted: (f: Focused) => boolean,
  { back = false, max = 80 } = {},
): Promise<Focused> {
  for (let i = 0; i < max; i++) {
    const f = await focused(page);
    if (wanted(f)) return f;
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
  }
  throw new Error(
    `Tab never reached the element wanted; last: ${JSON.stringify(await focused(page))}`,
  );
}

const isNode = (text: string) => (f: Focused) => f.id !== null && f.name.includes(text);
const named = (tag: string, text: string) => (f: Focused) => f.tag === tag && f.name.includes(text);

describe("inquiry maps in the browser", () => {
  let dataDir: string;
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let communityId = "";
  let brokenId = "";
  let partlyId = "";
  let riverId = "";

  beforeAll(async () => {
    const seed = await seedCommunity("Map circle", { prefix: "meitheal-e2e-maps-" });
    ({ dataDir, communityId } = seed);
    const { community, index, ctx } = seed;
    const list = (id: string, title: string) =>
      index.change((d) => addEntry(d, id, { kind: "map", title, createdAt: 1, updatedAt: 1 }));

    // A faulty peer wrote a map whose header has the wrong types: it must show as damaged.
    const broken = community.repo.create<Record<string, unknown>>();
    broken.change((d) => {
      Object.assign(d, {
        schema: "meitheal/map",
        version: 1,
        communityId,
        title: 42,
        description: "",
        createdAt: 1,
        updatedAt: "yesterday",
        nodes: "lots",
        edges: {},
      });
    });
    brokenId = broken.documentId;
    list(brokenId, "Broken map");

    // One bad node among good ones: the good ones show, with a warning.
    const partly = community.repo.create<InquiryMap>();
    partly.change((d) => {
      initMap(d, { communityId, title: "Mostly fine map" }, ctx);
      const by = { by: "dev-x", byName: "Aoife" };
      // A question nobody has touched since 1970: "untouched for a while" by any measure.
      const old = { now: () => 1_000, newId: ctx.newId };
      const q = addNode(
        d,
        { kind: "question", text: "Where does the river go?", at: { x: 0, y: 0 }, ...by },
        old,
      );
      riverId = q;
      const i = addNode(
        d,
        { kind: "insight", text: "Into the bay at Salthill", at: { x: 0, y: 200 }, ...by },
        ctx,
      );
      connect(d, { from: i, to: q, relation: "answers", by: "dev-x" }, old);
      (d.nodes as Record<string, unknown>)["bad-node"] = { kind: "volcano", text: 5, at: "here" };
    });
    partlyId = partly.documentId;
    list(partlyId, "Mostly fine map");

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
    await page.goto(peer!.url);
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    await page.evaluate((h) => (window.location.hash = h), hash);
    return page;
  };

  it("builds a map with the keyboard alone, shows it as an outline, and exports it", async () => {
    const page = await open(`#/c/${communityId}/maps`);
    await page.getByRole("heading", { name: "Inquiry maps", level: 1 }).waitFor();

    // A new map, from the list.
    await tabTo(page, named("input", "Title of a new map"));
    await page.keyboard.type("Sharing tools");
    await page.keyboard.press("Enter");
    // It opens with its title ready to change; Escape keeps it as typed.
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Map title" });
    await page.keyboard.press("Escape");
    await page.getByRole("heading", { name: "Sharing tools", level: 1 }).waitFor();
    const live = page.locator(".map-page [aria-live='polite']");

    // Three nodes: N adds one in view with its text field focused.
    await page.keyboard.press("n");
    await expect.poll(async () => (await focused(page)).tag).toBe("textarea");
    await page.keyboard.type("How do we share tools?");
    await page.keyboard.press("Escape");
    expect((await focused(page)).id).not.toBeNull();

    await page.keyboard.press("n");
    await expect.poll(async () => (await focused(page)).tag).toBe("textarea");
    await page.keyboard.type("A tool library in the shed");
    await page.keyboard.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "select", name: "Kind" });
    await page.keyboard.press("i");
    await page.keyboard.press("Escape");

    await page.keyboard.press("n");
    await expect.poll(async () => (await focused(page)).tag).toBe("textarea");
    await page.keyboard.type("Ask the county council");
    await page.keyboard.press("Tab");
    await page.keyboard.press("r");
    await page.keyboard.press("Escape");

    const nodes = page.locator(".react-flow__node");
    await expect.poll(() => nodes.count()).toBe(3);
    await expect
      .poll(() => page.locator(".map-node.kind-insight").innerText())
      .toContain("A tool library");
    await expect
      .poll(() => page.locator(".map-node.kind-resource").innerText())
      .toContain("county council");

    // Connect: Tab to the insight (focus selects it), C, find the question, relation "answers".
    const insight = await tabTo(page, isNode("A tool library"));
    await page.keyboard.press("c");
    await page.getByRole("dialog").waitFor();
    await page.keyboard.type("share");
    await page.keyboard.press("Tab"); // the list of nodes: the question is the only match
    await page.keyboard.press("Tab"); // the relation
    expect(await focused(page)).toMatchObject({ tag: "select", name: "Relation" });
    await page.keyboard.press("a");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    await expect.poll(() => live.innerText()).toContain("answers");
    await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(1);
    expect(await page.locator(".react-flow__edge-text").textContent()).toBe("answers");

    // Move the insight: focus came back to it; three steps right, one large step down.
    expect((await focused(page)).id).toBe(insight.id);
    const box = page.locator(`.react-flow__node[data-id="${insight.id}"]`);
    const where = async () => {
      const m = /translate\(([-\d.]+)px, *([-\d.]+)px\)/.exec(
        (await box.getAttribute("style")) ?? "",
      );
      return { x: Number(m?.[1]), y: Number(m?.[2]) };
    };
    const before = await where();
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Shift+ArrowDown");
    await expect.poll(where).toEqual({ x: before.x + 60, y: before.y + 100 });
    await expect.poll(() => live.innerText()).toContain("Moved to");

    // The question's status, from the side panel: E goes to the node's fields there.
    await tabTo(page, isNode("How do we share tools?"), { back: true });
    await page.keyboard.press("e");
    expect((await focused(page)).tag).toBe("textarea");
    await tabTo(page, named("select", "Status"));
    await page.keyboard.press("e");
    await expect
      .poll(() => page.locator(".map-node.kind-question .map-badge").innerText())
      .toBe("exploring");

    // Delete the insight (its connection goes with it) and bring both back.
    await page.keyboard.press("Escape");
    await tabTo(page, isNode("A tool library"));
    await page.keyboard.press("Delete");
    await expect.poll(() => nodes.count()).toBe(2);
    expect(await page.locator(".react-flow__edge").count()).toBe(0);
    await expect.poll(async () => (await focused(page)).name).toBe("Undo");
    await page.keyboard.press("Enter");
    await expect.poll(() => nodes.count()).toBe(3);
    await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(1);
    await expect.poll(async () => (await focused(page)).id).toBe(insight.id);

    // Escape deselects and leaves the keyboard on the node; F fits the map in view.
    await page.keyboard.press("Escape");
    expect((await focused(page)).id).toBe(insight.id);
    await expect.poll(() => page.locator(".react-flow__node.selected").count()).toBe(0);
    await page.keyboard.press("f");
    await page.waitForTimeout(400);
    await tabTo(page, isNode("How do we share tools?"));
    await page.screenshot({ path: join(REPO_ROOT, "docs/maps.png") });

    // The outline: the question with its answer under it, the relation named.
    await tabTo(page, (f) => f.role === "tab" && f.name === "Canvas", { back: true });
    await page.keyboard.press("ArrowRight");
    const items = page.getByRole("treeitem");
    await expect.poll(() => items.count()).toBe(3);
    const outline = async () =>
      items.evaluateAll((els) =>
        els.map((el) => `${el.getAttribute("aria-level")} ${el.getAttribute("aria-label")}`),
      );
    expect(await outline()).toEqual([
      "1 Question: How do we share tools? (exploring)",
      "2 answers — Insight: A tool library in the shed",
      "1 Resource: Ask the county council",
    ]);
    expect(await items.first().getAttribute("aria-expanded")).toBe("true");

    // Into the tree, down to the answer, F2, rewrite it; then Left collapses the question.
    await tabTo(page, (f) => f.role === "treeitem");
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowDown");
    expect((await focused(page)).name).toContain("A tool library in the shed");
    await page.keyboard.press("F2");
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("A shared tool library");
    await page.keyboard.press("Enter");
    await expect.poll(outline).toContain("2 answers — Insight: A shared tool library");
    expect((await focused(page)).role).toBe("treeitem");
    await page.keyboard.press("ArrowLeft");
    expect((await focused(page)).name).toContain("How do we share tools?");
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => items.count()).toBe(2);
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => items.count()).toBe(3);
    await page.screenshot({ path: join(REPO_ROOT, "docs/maps-outline.png") });

    // Back on the canvas, the outline's edit is there.
    await tabTo(page, (f) => f.role === "tab" && f.name === "Outline", { back: true });
    await page.keyboard.press("ArrowLeft");
    await expect
      .poll(() => page.locator(".map-node.kind-insight").innerText())
      .toContain("A shared tool library");

    // Export: SVG with the node texts, PNG with the PNG signature.
    await tabTo(page, named("button", "Export SVG"));
    const [svgDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.keyboard.press("Enter"),
    ]);
    expect(svgDownload.suggestedFilename()).toBe("sharing-tools.svg");
    const svg = await readFile(await svgDownload.path(), "utf8");
    expect(svg).toContain("<svg");
    expect(svg).toContain("How do we share tools?");
    expect(svg).toContain("A shared tool library");
    expect(svg).toContain("Ask the county council");

    await page.keyboard.press("Tab");
    expect((await focused(page)).name).toBe("Export PNG");
    const [pngDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.keyboard.press("Enter"),
    ]);
    expect(pngDownload.suggestedFilename()).toBe("sharing-tools.png");
    const png = await readFile(await pngDownload.path());
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(1000);

    // After a reload the map is as it was left: the moved position and the status were written.
    await page.reload();
    await page.getByRole("heading", { name: "Sharing tools", level: 1 }).waitFor();
    await expect.poll(() => nodes.count()).toBe(3);
    await expect.poll(where).toEqual({ x: before.x + 60, y: before.y + 100 });
    await page.close();
  });

  it("puts each new node where a narrow canvas shows it", async () => {
    const page = await open(`#/c/${communityId}/maps`);
    await page.setViewportSize({ width: 760, height: 700 });
    await page.getByRole("heading", { name: "Inquiry maps", level: 1 }).waitFor();
    await page.getByLabel("Title of a new map").fill("Narrow window");
    await page.getByLabel("Title of a new map").press("Enter");
    await page.getByLabel("Map title").press("Escape");
    await page.getByRole("heading", { name: "Narrow window", level: 1 }).waitFor();
    const nodes = page.locator(".react-flow__node");
    for (let i = 1; i <= 6; i++) {
      await page.locator(".map-canvas").focus();
      await page.keyboard.press("n");
      await expect.poll(async () => (await focused(page)).tag).toBe("textarea");
      await page.keyboard.type(`Question ${i}`);
      await page.keyboard.press("Escape");
      // Drawn (only what the canvas shows is drawn) and inside the canvas.
      await expect.poll(() => nodes.count()).toBe(i);
    }
    const canvas = (await page.locator(".react-flow").boundingBox())!;
    for (const box of await Promise.all((await nodes.all()).map((n) => n.boundingBox()))) {
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(canvas.x - 1);
      expect(box!.y).toBeGreaterThanOrEqual(canvas.y - 1);
      expect(box!.x + box!.width).toBeLessThanOrEqual(canvas.x + canvas.width + 1);
      expect(box!.y + box!.height).toBeLessThanOrEqual(canvas.y + canvas.height + 1);
    }
    // Moved far with the keyboard, a node stays in view, drawn and focused: the canvas follows it.
    const moving = (await focused(page)).id;
    expect(moving).not.toBeNull();
    for (let i = 0; i < 12; i++) await page.keyboard.press("Shift+ArrowDown");
    await expect.poll(async () => (await focused(page)).id).toBe(moving);
    const moved = (await page.locator(`.react-flow__node[data-id="${moving}"]`).boundingBox())!;
    expect(moved.y + moved.height).toBeLessThanOrEqual(canvas.y + canvas.height + 1);
    await page.close();
  });

  it("shows a map with wrong types as damaged, and a map with one bad node without it", async () => {
    const page = await open(`#/c/${communityId}/maps/${brokenId}`);
    await page.getByText("This map cannot be shown").waitFor();
    expect(await page.getByRole("heading", { name: "Broken map", level: 1 }).count()).toBe(1);

    // A link to a node opens the map with that node selected.
    await page.evaluate(
      (h) => (window.location.hash = h),
      `#/c/${communityId}/maps/${partlyId}/${riverId}`,
    );
    await page.getByRole("heading", { name: "Mostly fine map", level: 1 }).waitFor();
    await page.getByText("1 part of this map could not be read").waitFor();
    await expect.poll(() => page.locator(".react-flow__node").count()).toBe(2);
    expect(await page.locator(".map-node.kind-question").innerText()).toContain(
      "Where does the river go?",
    );
    await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(1);
    await expect
      .poll(() => page.locator(".react-flow__node.selected").getAttribute("data-id"))
      .toBe(riverId);
    expect(await page.getByLabel("Text", { exact: true }).inputValue()).toBe(
      "Where does the river go?",
    );

    // Untouched questions: highlighted on the canvas and listed, switched on from the keyboard.
    expect(await page.locator(".map-node.stale").count()).toBe(0);
    await tabTo(page, named("summary", "More"));
    await page.keyboard.press("Enter");
    await tabTo(page, named("input", "Highlight untouched questions"));
    await page.keyboard.press("Space");
    await page.getByText("Open questions untouched for 14 days: 1").waitFor();
    expect(await page.locator(".map-node.stale").innerText()).toContain("Where does the river go?");
    expect(await page.locator(".map-stale-list li").allInnerTexts()).toEqual([
      "Where does the river go?",
    ]);

    // The list still lists both, and the page never lost its way.
    await page.evaluate((h) => (window.location.hash = h), `#/c/${communityId}/maps`);
    await page.getByRole("link", { name: "Broken map" }).waitFor();
    await page.getByRole("link", { name: "Mostly fine map" }).waitFor();
    await page.close();
  });
});
