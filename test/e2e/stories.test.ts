// Stories in the browser: a title two devices set while they were apart shows a "Conflict" badge in
// the list (read from the index alone) and, opened, both values with who set each; anyone settles
// it, and badge and banner are gone. Filters narrow the list.
import * as Automerge from "@automerge/automerge";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PeerNode } from "../../peer/peerNode.ts";
import { asCommunityId } from "../../shared/ids.ts";
import { addEntry, sortedThemes, updateEntry } from "../../shared/ops/community.ts";
import { initStory, renameStory, setThemes, touchContributor } from "../../shared/ops/story.ts";
import type { Story } from "../../shared/schema/story.ts";
import { seriousA11yViolations } from "../helpers/axe.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";

describe("stories in the browser", () => {
  let dataDir: string;
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let natureId = "";

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "meitheal-e2e-stories-"));
    // Two devices' edits, made on disk before the peer serves them: Aoife and Brian retitle the same
    // story while apart (forks of the story and of the index, each updated as the app does, then
    // merged), and a second story is tagged "Nature".
    const node = await PeerNode.start({ dataDir });
    const created = await node.createCommunity({ name: "Conflict circle" });
    if (!created.ok) throw new Error(created.error.message);
    const community = node.community(created.value.id)!;
    const index = community.index!;
    natureId = sortedThemes(index.doc()).find((th) => th.label === "Nature")!.id;
    const ctx = node.ctx;
    const make = (title: string) => {
      const handle = community.repo.create<Story>();
      handle.change((d) =>
        initStory(d, { communityId: asCommunityId(created.value.id), title }, ctx),
      );
      index.change((d) =>
        addEntry(d, handle.documentId, {
          kind: "story",
          title,
          status: "seed",
          createdAt: 1,
          updatedAt: 1,
        }),
      );
      return handle;
    };
    const tide = make("Tide");
    const bog = make("Bog walk");
    bog.change((d) => setThemes(d, [natureId], ctx));
    index.change((d) => updateEntry(d, bog.documentId, { themes: [natureId] }, ctx));
    const fork = (actor: string, deviceKey: string, name: string, title: string) =>
      Automerge.change(Automerge.clone(tide.doc(), { actor }), (d) => {
        touchContributor(d, { deviceKey, name, colour: "#2b5d9b", actorId: actor }, ctx);
        renameStory(d, title, ctx);
      });
    const a = fork("aa".repeat(16), "dev-aoife", "Aoife", "High tide");
    const b = fork("bb".repeat(16), "dev-brian", "Brian", "Turning tide");
    tide.update((d) => Automerge.merge(Automerge.merge(d, a), b));
    const forkIndex = (actor: string, title: string) =>
      Automerge.change(Automerge.clone(index.doc(), { actor }), (d) =>
        updateEntry(d, tide.documentId, { title }, ctx),
      );
    const ia = forkIndex("aa".repeat(16), "High tide");
    const ib = forkIndex("bb".repeat(16), "Turning tide");
    index.update((d) => Automerge.merge(Automerge.merge(d, ia), ib));
    await node.flush();
    await node.close();
    browser = await launchBrowser();
    peer = await servePeer(dataDir);
  });
  afterAll(async () => {
    await browser?.close();
    await peer?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("badges a title changed on two devices apart, shows both on open, and settles it", async () => {
    const page = await browser.context.newPage();
    await page.goto(peer!.url);
    await page.getByRole("heading", { name: "Stories", level: 1 }).waitFor();
    const card = page.locator(".card", { has: page.getByRole("link", { name: /tide/ }) });
    const badge = card.locator(".conflict-badge");
    await expect.poll(() => badge.innerText()).toContain("Conflict");
    expect(await badge.innerText()).toContain("changed on two devices while they were apart");
    // Only the story with a conflict has the badge.
    expect(await page.locator(".card .conflict-badge").count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(REPO_ROOT, "docs", "conflict-list.png") });
    await card.getByRole("link").click();
    const notice = page
      .getByRole("status")
      .filter({ hasText: "Changed on two devices while they were apart" });
    await expect.poll(() => notice.innerText()).toContain("High tide");
    const text = await notice.innerText();
    expect(text).toContain("Turning tide");
    expect(text).toContain("set by Aoife");
    expect(text).toContain("set by Brian");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(REPO_ROOT, "docs", "conflict-story.png") });
    // Pick the value that is not shown now; afterwards the notice is gone and the title is that value.
    const shown = (await page.getByRole("heading", { level: 1 }).innerText()).trim();
    const other = shown === "High tide" ? "Turning tide" : "High tide";
    await notice
      .locator("li", { hasText: other })
      .getByRole("button", { name: "Use this" })
      .click();
    await page.getByRole("heading", { name: other, level: 1 }).waitFor();
    await expect.poll(() => notice.count()).toBe(0);
    await page.reload();
    await page.getByRole("heading", { name: other, level: 1 }).waitFor();
    expect(await notice.count()).toBe(0);
    // The list's copy was settled with the story: no badge.
    await page.getByRole("link", { name: "All stories" }).click();
    await page.getByRole("link", { name: other }).waitFor();
    expect(await page.locator(".card .conflict-badge").count()).toBe(0);
  });

  it("filters the list by theme and status", async () => {
    const page = await browser.context.newPage();
    await page.goto(peer!.url);
    await page.getByRole("heading", { name: "Stories", level: 1 }).waitFor();
    await expect.poll(() => page.locator(".card-title").count()).toBe(2);
    await page.getByLabel("Theme").selectOption({ label: "Nature" });
    await expect.poll(() => page.locator(".card-title").allInnerTexts()).toEqual(["Bog walk"]);
    await page.getByLabel("Status").selectOption("ready");
    await page.getByText("No story matches these filters.").waitFor();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect.poll(() => page.locator(".card-title").count()).toBe(2);
  });
});
