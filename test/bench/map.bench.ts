// An inquiry map of 500 nodes and 800 edges in the whole app, served by a real `meitheal-peer
// serve`: how long it takes to open (from the route changing until every node is painted), and the
// frame time while a node is dragged with the pointer.
//
// Frame time: each frame's requestAnimationFrame timestamp is when the frame began (input is
// dispatched at the start of a frame, before rAF callbacks); a task posted from the rAF callback
// runs once the frame's style, layout and paint are done. The difference is what the main thread
// spent on that frame: the number that must stay under 16 ms for a 60 Hz display never to drop a
// frame. The gaps between rAF timestamps (the display's own cadence) are given in the note.
// A quick run (registry.ts): 100 nodes and 150 edges, opened once, dragged 30 steps.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { PeerNode } from "../../peer/peerNode.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { addNode, connect, initMap } from "../../shared/ops/map.ts";
import {
  NODE_KINDS,
  QUESTION_STATUSES,
  RELATIONS,
  type InquiryMap,
} from "../../shared/schema/map.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { servePeer } from "../helpers/servePeer.ts";
import { afterAllBenches, median, once, quantile, quick, round, type Bench } from "./registry.ts";

const nodes = () => (quick() ? 100 : 500);
const edges = () => (quick() ? 150 : 800);
const COLUMNS = 25;
const opens = () => (quick() ? 1 : 5);
const dragSteps = () => (quick() ? 30 : 120);
/** Small steps, so the pointer stays well inside the canvas (no auto-pan at its edge). */
const STEP_PX = 1;

/** A map laid out on a grid, its edges joining near neighbours (a deterministic pseudo-random walk). */
export function buildMap(d: InquiryMap, communityId: string, ctx: PeerNode["ctx"]): void {
  const [nodeCount, edgeCount] = [nodes(), edges()];
  initMap(d, { communityId, title: "Big map" }, ctx);
  const ids: string[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const kind = NODE_KINDS[i % 4]!;
    ids.push(
      addNode(
        d,
        {
          kind,
          text: `${kind} ${i}: what we noticed at the gathering on the shore, and what it asks of us`,
          at: { x: (i % COLUMNS) * 260, y: Math.floor(i / COLUMNS) * 160 },
          status: QUESTION_STATUSES[i % QUESTION_STATUSES.length],
          by: "bench",
          byName: "Bench",
        },
        ctx,
      ),
    );
  }
  let seed = 7;
  // A 32-bit linear congruential generator (Math.imul keeps it exact).
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  let made = 0;
  while (made < edgeCount) {
    const a = next() % nodeCount;
    const offsets = [1, COLUMNS, COLUMNS + 1, COLUMNS - 1, 2];
    const b = a + offsets[next() % offsets.length]!;
    if (b >= nodeCount) continue;
    const result = connect(
      d,
      { from: ids[a]!, to: ids[b]!, relation: RELATIONS[made % RELATIONS.length]!, by: "bench" },
      ctx,
    );
    if (result.ok) made++;
  }
}

/** In the page: changes the route, resolves once every node is drawn and a frame has gone by. */
const OPEN_AND_WAIT = `(hash, expected) => new Promise((resolve) => {
  const t0 = performance.now();
  window.location.hash = hash;
  const check = () => {
    const nodes = document.querySelectorAll(".react-flow__node");
    const drawn = [...nodes].filter((el) => el.style.visibility !== "hidden").length;
    const edges = document.querySelectorAll(".react-flow__edge").length;
    if (drawn >= expected && edges > 0)
      requestAnimationFrame(() => resolve({ ms: performance.now() - t0, nodes: drawn, edges }));
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})`;

/** In the page: records each frame's main-thread time and the gaps between frames. */
const RECORD_FRAMES = `() => {
  window.__frames = { work: [], gaps: [], on: true, last: 0 };
  const f = window.__frames;
  const channel = new MessageChannel();
  let began = 0;
  channel.port1.onmessage = () => f.work.push(performance.now() - began);
  const tick = (ts) => {
    if (!f.on) return;
    if (f.last) f.gaps.push(ts - f.last);
    f.last = ts;
    began = ts;
    channel.port2.postMessage(0);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}`;

/** In the page: the node nearest the middle of the canvas, and where its middle is on screen. */
const NEAREST_MIDDLE = `() => {
  const canvas = document.querySelector(".map-canvas").getBoundingClientRect();
  const cx = canvas.left + canvas.width / 2;
  const cy = canvas.top + canvas.height / 2;
  let best = null;
  for (const el of document.querySelectorAll(".react-flow__node")) {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    const d = (x - cx) ** 2 + (y - cy) ** 2;
    if (!best || d < best.d) best = { x, y, id: el.dataset.id, d };
  }
  return best;
}`;

type Opened = { ms: number; nodes: number; edges: number };

const measure = once(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "meitheal-bench-map-"));
  const node = await PeerNode.start({ dataDir });
  const created = await node.createCommunity({ name: "Bench" });
  if (!created.ok) throw new Error(created.error.message);
  const communityId = created.value.id;
  const community = node.community(communityId)!;
  const map = community.repo.create<InquiryMap>();
  map.change((d) => buildMap(d, communityId, node.ctx));
  community.index!.change((d) =>
    addEntry(d, map.documentId, { kind: "map", title: "Big map", createdAt: 1, updatedAt: 1 }),
  );
  await node.flush();
  await node.close();

  const peer = await servePeer(dataDir);
  const browser = await launchBrowser();
  afterAllBenches(async () => {
    await browser.close();
    await peer.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  const route = `#/c/${communityId}/maps/${map.documentId}`;
  const ready = async (page: Page) => {
    await page.goto(peer.url);
    await page.getByRole("heading", { level: 1 }).first().waitFor({ timeout: 60_000 });
    await page.evaluate(`window.location.hash = "#/c/${communityId}/maps"`);
    await page.getByRole("heading", { name: "Inquiry maps", level: 1 }).waitFor();
  };

  // Opening: each time in a fresh page (its own Repo, the map fetched from the peer again).
  const opened: Opened[] = [];
  let page: Page | undefined;
  for (let i = 0; i < opens(); i++) {
    await page?.close();
    page = await browser.context.newPage();
    await ready(page);
    opened.push(
      await page.evaluate<Opened>(`(${OPEN_AND_WAIT})(${JSON.stringify(route)}, ${nodes()})`),
    );
  }
  if (!page) throw new Error("no page");

  // Dragging: the node nearest the middle of the canvas, pulled right and down in small steps.
  await page.waitForTimeout(500);
  const start = await page.evaluate<{ x: number; y: number; id: string }>(`(${NEAREST_MIDDLE})()`);
  const transform = () =>
    page.locator(`.react-flow__node[data-id="${start.id}"]`).getAttribute("style");
  const before = await transform();
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.evaluate(`(${RECORD_FRAMES})()`);
  for (let i = 1; i <= dragSteps(); i++) {
    await page.mouse.move(start.x + i * STEP_PX, start.y + i * (STEP_PX / 2));
  }
  await page.evaluate(`window.__frames.on = false`);
  await page.mouse.up();
  const frames = await page.evaluate<{ work: number[]; gaps: number[] }>("window.__frames");
  const moved = (await transform()) !== before;
  return { opens: opened, frames, moved };
});

export const benches: Bench[] = [
  {
    name: "map.render500.ms",
    unit: "ms",
    async run() {
      const { opens } = await measure();
      const ms = opens.map((o) => o.ms);
      const last = opens.at(-1)!;
      return {
        value: median(ms),
        note: `median of ${opens.length} opens in fresh pages (the map fetched from the peer each time), route change → all ${last.nodes} nodes painted (${last.edges} edges drawn); min ${round(Math.min(...ms))} ms, max ${round(Math.max(...ms))} ms`,
      };
    },
  },
  {
    name: "map.drag.p95.ms",
    unit: "ms",
    goal: "< 16 ms",
    async run() {
      const { frames, moved } = await measure();
      if (!moved) throw new Error("the dragged node did not move");
      return {
        value: quantile(frames.work, 0.95),
        note: `main-thread time per frame while dragging one node of ${nodes()} (${edges()} edges), ${frames.work.length} frames; median ${round(median(frames.work))} ms; gaps between frames p95 ${round(quantile(frames.gaps, 0.95))} ms, median ${round(median(frames.gaps))} ms`,
      };
    },
  },
];
