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
    await expect.poll(() => page.url()).not.toContain("token="); // the token leaves the address bar
    await page.getByRole("link", { name: "Create a community" }).click();
    await page.getByLabel("Name").fill(COMMUNITY);
    await page
      .getByLabel("Purpose")
      .fill("Stories, practices and questions of a wellbeing economy in the west of Ireland.");
    await page.getByRole("button", { name: "Create community" }).click();

    // An empty name is refused with a message; nothing is created.
    await page.getByRole("button", { name: "Create story" }).click();
    await expect.poll(() => page.getByRole("alert").innerText()).toContain("title is empty");

    for (const title of [FIRST, SECOND]) {
      await page.getByLabel("Title of the new story").fill(title);
      await page.getByRole("button", { name: "Create story" }).click();
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
