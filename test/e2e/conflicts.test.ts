// Values two devices set while they were apart, beyond a story's title: a log entry's date and a map
// node's kind. Each was changed on two forks of the document (as two laptops would, unlinked) and
// the forks merged before the peer serves the folder. The timeline row and the canvas node (and
// the outline) show "Conflict"; opened, the entry editor and the node panel name both values and
// who set each; choosing one settles it and every badge goes. Writes docs/conflict-*.png.
import * as Automerge from "@automerge/automerge";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addEntry } from "../../shared/ops/community.ts";
import { setEntryDate } from "../../shared/ops/log.ts";
import { addNode, initMap, setNodeKind } from "../../shared/ops/map.ts";
import type { LogVolume } from "../../shared/schema/logVolume.ts";
import type { InquiryMap } from "../../shared/schema/map.ts";
import { seriousA11yViolations } from "../helpers/axe.ts";
import { launchBrowser, openServedPage } from "../helpers/browser.ts";
import { seedLog } from "../helpers/logs.ts";
import { seedCommunity } from "../helpers/seed.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";

const AOIFE = "aa".repeat(16);
const BRIAN = "bb".repeat(16);

/** `doc` as two devices changed it apart, merged. */
const apart = <T>(doc: Automerge.Doc<T>, a: (d: T) => void, b: (d: T) => void) =>
  Automerge.merge(
    Automerge.change(Automerge.clone(doc, { actor: AOIFE }), a),
    Automerge.change(Automerge.clone(doc, { actor: BRIAN }), b),
  );

describe("conflicts in a log and a map", () => {
  let dataDir = "";
  let communityId = "";
  let logId = "";
  let mapId = "";
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const errors: string[] = [];

  beforeAll(async () => {
    const seed = await seedCommunity("Apart circle", { prefix: "meitheal-e2e-conflicts-" });
    ({ dataDir, communityId } = seed);
    const { community, index, ctx } = seed;
    const log = await seedLog(community, ctx, { title: "Garden log" }, [
      { date: "2026-05-01", kind: "gathering", by: "dev-x", byName: "Aoife", happened: "Dug beds" },
    ]);
    logId = log.logId;
    const entryId = log.entryIds[0]!;
    const volume = await community.repo.find<LogVolume>(
      `automerge:${log.volumeIds[0]!}` as AutomergeUrl,
    );
    volume.update((d) =>
      apart(
        d,
        (v) => setEntryDate(v, entryId, "2026-05-02", ctx),
        (v) => setEntryDate(v, entryId, "2026-05-03", ctx),
      ),
    );

    const map = community.repo.create<InquiryMap>();
    let nodeId = "";
    map.change((d) => {
      initMap(d, { communityId, title: "Tool map" }, ctx);
      nodeId = addNode(
        d,
        {
          kind: "question",
          text: "Who mends what breaks?",
          at: { x: 0, y: 0 },
          by: "dev-x",
          byName: "A",
        },
        ctx,
      );
    });
    map.update((d) =>
      apart(
        d,
        (m) => setNodeKind(m, nodeId, "insight", ctx),
        (m) => setNodeKind(m, nodeId, "practice", ctx),
      ),
    );
    mapId = map.documentId;
    index.change((d) =>
      addEntry(d, mapId, { kind: "map", title: "Tool map", createdAt: 1, updatedAt: 1 }),
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

  it("badges a log entry whose date was set apart, and settles it in the editor", async () => {
    const page = await open(`#/c/${communityId}/logs/${logId}`);
    await page.getByRole("heading", { name: "Garden log", level: 1 }).waitFor();
    const row = page.locator(".timeline-entry");
    await expect.poll(() => row.count()).toBe(1);
    await expect.poll(() => row.locator(".conflict-badge").count()).toBe(1);
    expect(await row.innerText()).toContain("Conflict");
    await row.click();
    const notice = page
      .getByRole("status")
      .filter({ hasText: "Date: changed on two devices while they were apart" });
    // Long dates, in the window's own way ("2 May" or "May 2").
    await expect.poll(() => notice.innerText()).toMatch(/\b2 May|May 2\b/);
    expect(await notice.innerText()).toMatch(/\b3 May|May 3\b/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(REPO_ROOT, "docs", "conflict-log.png") });
    await notice
      .locator("li", { hasText: /\b3 May|May 3\b/ })
      .getByRole("button", { name: "Use this" })
      .click();
    await expect.poll(() => notice.count()).toBe(0);
    await expect.poll(() => row.locator(".conflict-badge").count()).toBe(0);
    await page.close();
  });

  it("badges a map node whose kind was set apart, on the canvas and in the outline, and settles it", async () => {
    const page = await open(`#/c/${communityId}/maps/${mapId}`);
    await page.getByRole("heading", { name: "Tool map", level: 1 }).waitFor();
    const node = page.locator(".react-flow__node");
    await expect.poll(() => node.locator(".badge-conflict").count()).toBe(1);
    await page.getByRole("tab", { name: "Outline" }).click();
    await expect.poll(() => page.locator(".outline-item .badge-conflict").count()).toBe(1);
    await page.getByRole("tab", { name: "Canvas" }).click();
    await node.click();
    const notice = page
      .getByRole("status")
      .filter({ hasText: "Kind: changed on two devices while they were apart" });
    await expect.poll(() => notice.innerText()).toContain("Insight");
    expect(await notice.innerText()).toContain("Practice");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(REPO_ROOT, "docs", "conflict-map.png") });
    await notice
      .locator("li", { hasText: "Practice" })
      .getByRole("button", { name: "Use this" })
      .click();
    await expect.poll(() => notice.count()).toBe(0);
    await expect.poll(() => node.locator(".badge-conflict").count()).toBe(0);
    expect(await node.innerText()).toContain("PRACTICE");
    expect(errors).toEqual([]);
    await page.close();
  });
});
