// The Foundation in a real browser: create a community and two stories, rename one, reload, restart
// the peer — everything is still there. Also writes the README screenshot.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/browser.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";

const COMMUNITY = "Wellbeing Economy Hub, Galway";
const FIRST = "The river clean-up that became a festival";
const SECOND = "Learning to host a circle";
const RENAMED = "Hosting a circle: what we learned in year one";

async function storyTitles(page: Page): Promise<string[]> {
  await page.getByRole("heading", { name: "Stories", level: 1 }).waitFor();
  return page.locator(".card-title").allInnerTexts();
}

describe("foundation in the browser", () => {
  let dataDir: string;
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "meitheal-e2e-"));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await peer?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("creates a community and stories that survive a reload and a peer restart", async () => {
    peer = await servePeer(dataDir);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));

    await page.goto(peer.url);
    await expect.poll(() => page.url(), { timeout: 10_000 }).not.toContain("token="); // the token leaves the address bar
    await page.getByRole("link", { name: "Create a community" }).click();
    await page.getByLabel("Name").fill(COMMUNITY);
    await page
      .getByLabel("Purpose")
      .fill("Stories, practices and questions of a wellbeing economy in the west of Ireland.");
    await page.getByRole("button", { name: "Create community" }).click();

    // An empty name is refused with a message; nothing is created.
    await page.getByRole("button", { name: "Create story" }).click();
    await expect.poll(() => page.getByRole("alert").innerText()).toContain("title is empty");

    // Each new story opens at once; the way back leads to the list for the next.
    for (const title of [FIRST, SECOND]) {
      await page.getByLabel("Title of the new story").fill(title);
      await page.getByRole("button", { name: "Create story" }).click();
      await page.getByRole("heading", { name: title, level: 1 }).waitFor();
      await page.getByRole("link", { name: "All stories" }).click();
    }
    await expect.poll(() => storyTitles(page)).toEqual(expect.arrayContaining([FIRST, SECOND]));

    await page.getByRole("link", { name: SECOND }).click();
    await page.getByLabel("Title", { exact: true }).fill(RENAMED);
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByRole("heading", { name: RENAMED, level: 1 }).waitFor();
    await page.getByLabel("Status").selectOption("draft");
    await page.getByRole("link", { name: "All stories" }).click();
    await expect.poll(() => storyTitles(page)).toEqual([RENAMED, FIRST]);
    await expect.poll(() => page.locator(".card .status").first().innerText()).toBe("Draft");
    await page.screenshot({ path: join(REPO_ROOT, "docs", "screenshot.png") });

    // The renderer keeps nothing itself: after a reload everything comes back from the peer.
    await page.reload();
    await expect.poll(() => storyTitles(page)).toEqual([RENAMED, FIRST]);

    // A clean stop and a new peer process on the same data folder: all there.
    expect(await peer.stop("SIGTERM")).toBe(0);
    peer = await servePeer(dataDir);
    await page.goto(peer.url);
    await expect
      .poll(() => page.getByRole("combobox", { name: "Community" }).inputValue())
      .not.toBe("");
    await expect.poll(() => storyTitles(page)).toEqual([RENAMED, FIRST]);
    await page.getByRole("link", { name: RENAMED }).click();
    await expect.poll(() => page.getByLabel("Status").inputValue()).toBe("draft");
    expect(errors).toEqual([]);
  });

  it("refuses the data connection without the token or from another origin", async () => {
    peer ??= await servePeer(dataDir);
    const page = await browser.context.newPage();
    await page.goto(peer.origin + "/");
    await page.getByRole("heading", { name: "This page needs its key" }).waitFor();
    const statuses = await page.evaluate(async (origin) => {
      const tryOpen = (url: string) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => {
            ws.close();
            resolve("open");
          };
          ws.onerror = () => resolve("refused");
        });
      return [
        await tryOpen(origin.replace("http", "ws") + "/ws/rpc"),
        await tryOpen(origin.replace("http", "ws") + "/ws/rpc?token=wrong"),
      ];
    }, peer.origin);
    expect(statuses).toEqual(["refused", "refused"]);
    // From Node, with the right token but a foreign Origin header: refused too.
    const { WebSocket: NodeWebSocket } = await import("ws");
    const foreign = await new Promise<string>((resolve) => {
      const ws = new NodeWebSocket(
        `${peer!.origin.replace("http", "ws")}/ws/rpc?token=${peer!.token}`,
        { headers: { origin: "http://evil.example" } },
      );
      ws.on("open", () => resolve("open"));
      ws.on("unexpected-response", (_req, res) => resolve(String(res.statusCode)));
      ws.on("error", () => resolve("error"));
    });
    expect(foreign).toBe("403");
    const right = await new Promise<string>((resolve) => {
      const ws = new NodeWebSocket(
        `${peer!.origin.replace("http", "ws")}/ws/rpc?token=${peer!.token}`,
        { headers: { origin: peer!.origin } },
      );
      ws.on("open", () => {
        ws.close();
        resolve("open");
      });
      ws.on("error", () => resolve("error"));
    });
    expect(right).toBe("open");
  });
});

describe("damaged data in the browser", () => {
  it("shows a malformed story as damaged with its raw content, warns about a quarantined chunk, and keeps working", async () => {
    const { PeerNode } = await import("../../peer/peerNode.ts");
    const { asCommunityId } = await import("../../shared/ids.ts");
    const { writeFile, mkdir } = await import("node:fs/promises");
    const dataDir = await mkdtemp(join(tmpdir(), "meitheal-e2e-damaged-"));
    const browser = await launchBrowser();
    let peer: ServedPeer | undefined;
    try {
      // Set up on disk with the peer itself: one community, a healthy story and a malformed one.
      const node = await PeerNode.start({ dataDir });
      const created = await node.createCommunity({ name: "Damage drill" });
      if (!created.ok) throw new Error(created.error.message);
      const community = node.community(created.value.id)!;
      const { initStory } = await import("../../shared/ops/story.ts");
      const { addEntry } = await import("../../shared/ops/community.ts");
      const ids: Record<string, string> = {};
      for (const title of ["Healthy story", "Broken story"]) {
        const handle = community.repo.create<Record<string, unknown>>();
        handle.change((d) =>
          initStory(d, { communityId: asCommunityId(created.value.id), title }, node.ctx),
        );
        community.index!.change((d) =>
          addEntry(d, handle.documentId, {
            kind: "story",
            title,
            status: "seed",
            createdAt: 1,
            updatedAt: title === "Healthy story" ? 2 : 3,
          }),
        );
        ids[title] = handle.documentId;
      }
      // A buggy peer writes the wrong types into the second story.
      const broken = await community.repo.find<Record<string, unknown>>(
        `automerge:${ids["Broken story"]}` as never,
      );
      broken.change((d) => {
        d.title = 42;
        d.status = { nonsense: true };
      });
      await node.flush();
      await node.close();
      // A stray chunk that fails its checksum appears next to the healthy story's data.
      const chunkDir = join(
        dataDir,
        "communities",
        created.value.id,
        "docs",
        ids["Healthy story"]!,
        "incremental",
      );
      await mkdir(chunkDir, { recursive: true });
      await writeFile(
        join(chunkDir, "deadbeef.mth"),
        Buffer.from("MTH1 this is not a valid envelope at all"),
      );

      peer = await servePeer(dataDir);
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(peer.url);
      await expect.poll(() => storyTitles(page)).toEqual(["Broken story", "Healthy story"]);

      await page.getByRole("link", { name: "Broken story" }).click();
      await page.getByText("This story is damaged").waitFor();
      const raw = await page.getByLabel("Raw content (copy it to keep it)").inputValue();
      expect(raw).toContain('"title": 42');
      expect(raw).toContain("nonsense");

      await page.getByRole("link", { name: "All stories" }).click();
      await page.getByRole("link", { name: "Healthy story" }).click();
      await page.getByRole("heading", { name: "Healthy story", level: 1 }).waitFor();
      const warning = page
        .getByRole("alert")
        .filter({ hasText: "Some saved data could not be read" });
      await expect.poll(() => warning.innerText()).toContain("Healthy story");
      await expect.poll(() => warning.innerText()).toContain("quarantine");
      await page.screenshot({ path: join(tmpdir(), "meitheal-damaged.png") });

      // The app keeps working: a new story can still be made.
      await page.getByRole("link", { name: "All stories" }).click();
      await page.getByLabel("Title of the new story").fill("Written after the damage");
      await page.getByRole("button", { name: "Create story" }).click();
      await page.getByRole("heading", { name: "Written after the damage", level: 1 }).waitFor();
      await page.getByRole("link", { name: "All stories" }).click();
      await expect.poll(() => storyTitles(page)).toContain("Written after the damage");
      // Dismissing the warning hides it.
      await warning.getByRole("button", { name: "Dismiss" }).click();
      await expect.poll(() => warning.count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await peer?.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
