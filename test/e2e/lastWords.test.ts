// The last words typed before a window reloads or closes reach the peer. The window holds no
// storage of its own and automerge-repo sends a document's changes on a 100 ms throttle, so
// without a flush at `pagehide` whatever was typed in the last moment before a reload, a closed
// window or a switch of community was gone. Here the last words are typed and the page leaves in
// one task. A reload keeps the old page running until the new one arrives (a few hundred ms here),
// so the throttle often sends in time and that case fails only now and then without the flush;
// a navigation away (the second case) lost the words in most runs. The flush alone was not enough: Chromium does not reliably deliver WebSocket data sent while a
// page unloads (about 3 leaves in 4 lost the words), so the window also sends what the peer is not
// known to have by beacon (peer/beacon.ts). The last case types while the window's link to the peer
// is down, where only the beacon can carry the words.
import { rm } from "node:fs/promises";
import type { WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openServedPage } from "../helpers/browser.ts";
import { seedLog } from "../helpers/logs.ts";
import { connectRpc } from "../helpers/peerRpc.ts";
import { seedCommunity } from "../helpers/seed.ts";
import { servePeer, type ServedPeer } from "../helpers/servePeer.ts";

describe("the last words before a reload", () => {
  let dataDir = "";
  let communityId = "";
  let logId = "";
  let entryIds: string[] = [];
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    const seed = await seedCommunity("Last words", { prefix: "meitheal-e2e-lastwords-" });
    ({ dataDir, communityId } = seed);
    const entry = { date: "2026-12-01", kind: "gathering", by: "k", byName: "Aoife" } as const;
    ({ logId, entryIds } = await seedLog(seed.community, seed.ctx, { title: "Retreat log" }, [
      { ...entry, happened: "" },
      { ...entry, happened: "" },
      { ...entry, happened: "" },
    ]));
    await seed.close();
    peer = await servePeer(dataDir);
    const rpc = await connectRpc(peer);
    await rpc.call("profile:set", { displayName: "Aoife", colour: "#2a6f97" });
    rpc.close();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await peer?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  // Runs in the page (this file is type-checked without the DOM's types). The first word goes out
  // at once (automerge-repo sends the first change after a quiet spell in the next task); the rest,
  // typed a moment later as a person types on, waits for the throttle, and the page leaves in that
  // same task: a reload, or a navigation away as when the window closes.
  const typeThenLeave = ({ words, to }: { words: string; to: string | null }) => {
    const page = globalThis as unknown as {
      document: { execCommand(command: string, ui: boolean, value: string): boolean };
      location: { reload(): void; href: string };
    };
    const [first, ...rest] = words.split(" ");
    page.document.execCommand("insertText", false, first!);
    // Not awaited: the page is gone before a promise could come back.
    setTimeout(() => {
      page.document.execCommand("insertText", false, ` ${rest.join(" ")}`);
      if (to === null) page.location.reload();
      else page.location.href = to;
    }, 20);
  };

  const happened = (page: Awaited<ReturnType<typeof openServedPage>>) =>
    page.getByRole("complementary", { name: "Open entry" }).getByLabel("What happened");

  it("keeps words typed in the same moment as a reload", async () => {
    const hash = `#/c/${communityId}/logs/${logId}/${entryIds[0]}`;
    const page = await openServedPage(browser!.context, peer!.url, hash, errors);
    await happened(page).click();
    // Runs in the page (this file is type-checked without the DOM's types).
    const reloaded = page.waitForEvent("load");
    await page.evaluate(typeThenLeave, { words: "Words typed as the window reloads", to: null });
    await reloaded;
    await expect
      .poll(() => happened(page).inputValue(), { timeout: 10_000 })
      .toBe("Words typed as the window reloads");
    await page.close();
  });

  it("keeps words typed in the same moment as the window leaves the app", async () => {
    const hash = `#/c/${communityId}/logs/${logId}/${entryIds[1]}`;
    const page = await openServedPage(browser!.context, peer!.url, hash, errors);
    await happened(page).click();
    await page.evaluate(typeThenLeave, {
      words: "Words typed as the window closes",
      to: "about:blank",
    });
    await page.waitForURL("about:blank");
    await page.close();
    const again = await openServedPage(browser!.context, peer!.url, hash, errors);
    await expect
      .poll(() => happened(again).inputValue(), { timeout: 10_000 })
      .toBe("Words typed as the window closes");
    await again.close();
    // The beacon reached the peer and was applied (whether or not the socket's copy came first).
    expect(peer!.output()).toMatch(/A closing window's last changes: \d+ document\(s\), \d+ bytes/);
    expect(errors).toEqual([]);
  });

  it("keeps words typed while the window's link to the peer was down", async () => {
    const hash = `#/c/${communityId}/logs/${logId}/${entryIds[2]}`;
    const page = await browser!.context.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    // The window's sync sockets pass through here: until `cut`, on to the peer; once cut, the
    // peer's end is closed, and a socket the window opens again reaches nobody, so it never hears
    // the peer again (its repo has no peer).
    let cut = false;
    const links: { window: WebSocketRoute; peer: WebSocketRoute }[] = [];
    let opened = 0;
    await page.routeWebSocket(/\/ws\/sync\//, (ws) => {
      opened++;
      if (!cut) links.push({ window: ws, peer: ws.connectToServer() });
    });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(peer!.url);
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    await page.evaluate((h) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = h;
    }, hash);
    await happened(page).click();

    cut = true;
    const before = opened;
    for (const link of links) {
      await link.peer.close();
      await link.window.close();
    }
    // The window saw its link end: it has dialled again (after its retry interval), into nothing.
    await expect.poll(() => opened, { timeout: 15_000 }).toBeGreaterThan(before);
    await page.keyboard.type("Words typed while the link was down");
    expect(await happened(page).inputValue()).toBe("Words typed while the link was down");
    // Long past the 100 ms throttle: nothing went anywhere, and the page then leaves.
    await page.waitForTimeout(500);
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = "about:blank";
    });
    await page.waitForURL("about:blank");
    await page.close();

    const again = await openServedPage(browser!.context, peer!.url, hash, errors);
    await expect
      .poll(() => happened(again).inputValue(), { timeout: 10_000 })
      .toBe("Words typed while the link was down");
    await again.close();
    expect(errors).toEqual([]);
  });
});
