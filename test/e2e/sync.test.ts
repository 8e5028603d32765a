// The Sync screen, as two people use it: Aoife invites a device from her page (QR code and typed
// code), Brian types the code into "Join" on his own peer, both screens come to "In sync — safe to
// leave", each lists the other as a member linked now, and when Aoife removes Brian's device his
// screen says no device is linked now and names hers as not reachable (never "safe to leave").
// Two `serve` processes on 127.0.0.1.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/browser.ts";
import { connectRpc, type PeerRpc } from "../helpers/peerRpc.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

const go = (page: Page, hash: string) =>
  page.evaluate((h) => void (window.location.hash = h), hash);

describe("the Sync screen", () => {
  const peers: ServedPeer[] = [];
  const rpcs: PeerRpc[] = [];
  const dirs: string[] = [];
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    dirs.push(await makeTempDir("meitheal-ui-a-"), await makeTempDir("meitheal-ui-b-"));
    const started = await Promise.all([
      servePeer(dirs[0]!),
      servePeer(dirs[1]!),
      launchBrowser(),
    ] as const);
    peers.push(started[0], started[1]);
    browser = started[2];
    rpcs.push(await connectRpc(started[0]), await connectRpc(started[1]));
  });
  afterAll(async () => {
    await browser?.close();
    for (const r of rpcs) r.close();
    for (const p of peers) await p.stop();
    for (const d of dirs) await removeDir(d);
  });

  it("invites a device by code, shows both in sync and linked, and removes it", async () => {
    const [a, b] = peers as [ServedPeer, ServedPeer];
    const [rpcA, rpcB] = rpcs as [PeerRpc, PeerRpc];
    await rpcA.call("profile:set", { displayName: "Aoife", colour: "#2a6f97" });
    await rpcB.call("profile:set", { displayName: "Brian", colour: "#8a5a00" });
    const community = await rpcA.call("communities:create", { name: "Wellbeing hub" });

    const aoife = await browser.context.newPage();
    const brian = await browser.context.newPage();
    const errors: string[] = [];
    for (const page of [aoife, brian]) page.on("pageerror", (e) => errors.push(e.message));
    await aoife.goto(a.url);
    await brian.goto(b.url);

    await go(aoife, `#/c/${community.id}/sync`);
    await aoife.getByText("No one else is here yet").first().waitFor();
    await aoife.getByRole("button", { name: "Invite a device" }).click();
    const dialog = aoife.getByRole("dialog");
    await dialog.getByRole("img", { name: "QR code of the invite" }).waitFor();
    await expect.poll(() => dialog.getByText(/Expires in \d+:\d\d/).count()).toBe(1);
    const code = (await dialog.locator("code.invite-code").innerText()).trim();
    expect(code).toMatch(/^[0-9A-Z-]+$/);
    // mDNS is off in tests: Brian types Aoife's address, as shown in the dialog.
    const address = (await dialog.locator(".invite-addresses code").first().innerText()).trim();
    await mkdir(join(REPO_ROOT, "docs"), { recursive: true });
    await aoife.screenshot({ path: join(REPO_ROOT, "docs", "sync-invite.png") });
    await aoife.keyboard.press("Escape");
    await expect.poll(() => aoife.getByRole("dialog").count()).toBe(0);

    // Brian has no community yet: he joins from the start screen's "Join" page.
    await go(brian, "#/join");
    await brian.getByLabel("Invite code or link").fill(code.toLowerCase());
    // His profile has a name he chose: the form offers it.
    expect(await brian.getByLabel("Your name, as others will see it").inputValue()).toBe("Brian");
    await brian.getByText("The other device is not found?").click();
    await brian.getByLabel("Address of the inviting device").fill(address);
    await brian.getByRole("button", { name: "Join", exact: true }).click();
    await brian.getByText("In sync — safe to leave").first().waitFor({ timeout: 30_000 });
    await aoife.getByText("In sync — safe to leave").first().waitFor({ timeout: 30_000 });

    // Each lists the other as a member linked now.
    const aoifeMembers = aoife.getByRole("region", { name: "Members" });
    await expect
      .poll(() => aoifeMembers.getByText("Brian").count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await expect
      .poll(() => brian.getByText("Aoife").count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await aoife.screenshot({ path: join(REPO_ROOT, "docs", "sync.png"), fullPage: true });

    // The same code does not work twice.
    const again = await rpcB.raw.call("sync:join", { code, name: "Brian", at: address });
    expect(again.ok).toBe(false);

    // Aoife removes Brian's device: the screen says what that means, then his links close.
    await aoife.getByRole("button", { name: "Remove device Brian" }).click();
    await aoife.getByText(/What it already received stays on it/).waitFor();
    await aoife.getByRole("button", { name: "Remove Brian" }).click();
    // His screen no longer says "safe to leave": it names Aoife's device, linked a moment ago,
    // as not reachable now.
    await brian.getByText("No other device is linked now").first().waitFor({ timeout: 15_000 });
    await brian
      .getByRole("list", { name: "Not reachable now" })
      .getByText(/^Aoife, linked .* ago, is not reachable: it may hold changes you don’t have\.$/)
      .waitFor();
    expect(await brian.getByText("safe to leave").count()).toBe(0);
    await brian.screenshot({ path: join(REPO_ROOT, "docs", "sync-missing.png"), fullPage: true });
    await aoife.getByText("Removed", { exact: true }).first().waitFor();
    expect(errors).toEqual([]);
  }, 120_000);
});
