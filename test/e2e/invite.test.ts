// Inviting by a code a person can read aloud (issue #13, point 3), through the served app in
// Chromium: Aoife opens "Invite a device"; Brigid, on a new device that never chose a name, types
// the short code and Aoife's address (mDNS is off in tests), gives her name; Aoife's dialog says
// "Brigid joined." at once, its countdown stops, and "Invite another device" gives a fresh code.
// Then Cathal joins with the QR link pasted into the same field, no address typed.
// Three `serve` processes on 127.0.0.1.
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../helpers/axe.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { connectRpc, type PeerRpc } from "../helpers/peerRpc.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { userInfo } from "node:os";

const go = (page: Page, hash: string) =>
  page.evaluate((h) => void (window.location.hash = h), hash);

describe("inviting with a short code", () => {
  const peers: ServedPeer[] = [];
  const rpcs: PeerRpc[] = [];
  const dirs: string[] = [];
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    for (const who of ["a", "b", "c"]) dirs.push(await makeTempDir(`meitheal-invite-${who}-`));
    const started = await Promise.all([
      servePeer(dirs[0]!),
      servePeer(dirs[1]!),
      servePeer(dirs[2]!),
      launchBrowser(),
    ] as const);
    peers.push(started[0], started[1], started[2]);
    browser = started[3];
    for (const p of peers) rpcs.push(await connectRpc(p));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    for (const r of rpcs) r.close();
    for (const p of peers) await p.stop();
    for (const d of dirs) await removeDir(d);
  });

  it("B types the short code and a name; A sees B joined; a second device uses the QR link", async () => {
    const [a, b, c] = peers as [ServedPeer, ServedPeer, ServedPeer];
    const [rpcA, rpcB] = rpcs as [PeerRpc, PeerRpc, PeerRpc];
    await rpcA.call("profile:set", { displayName: "Aoife", colour: "#2a6f97" });
    const community = await rpcA.call("communities:create", { name: "Wellbeing hub" });

    const aoife = await browser.context.newPage();
    const brigid = await browser.context.newPage();
    const errors: string[] = [];
    for (const page of [aoife, brigid]) {
      page.on("pageerror", (e) => errors.push(e.message));
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    await aoife.goto(a.url);
    await brigid.goto(b.url);

    await go(aoife, `#/c/${community.id}/sync`);
    await aoife.getByRole("button", { name: "Invite a device" }).click();
    const dialog = aoife.getByRole("dialog");
    await dialog.getByRole("img", { name: "QR code of the invite" }).waitFor();
    const code = (await dialog.getByTestId("invite-code").innerText()).trim();
    // Short enough to read aloud: 20 characters as shown, 17 without the dashes.
    expect(code).toHaveLength(20);
    expect(code.replace(/-/g, "")).toMatch(/^[0-9A-HJKMNP-TV-Z]{17}$/);
    const address = (await dialog.locator(".invite-addresses code").first().innerText()).trim();
    expect(address).toBe(a.syncAddress);
    await expect.poll(() => dialog.getByText(/Expires in \d+:\d\d/).count()).toBe(1);
    await aoife.screenshot({ path: join(REPO_ROOT, "docs", "invite-dialog.png") });
    expect(await seriousA11yViolations(aoife)).toEqual([]);

    // Brigid never chose a name: the field is empty (never the computer's account name).
    await go(brigid, "#/join");
    const nameField = brigid.getByLabel("Your name, as others will see it");
    expect(await nameField.inputValue()).toBe("");
    // Typed as heard: small letters, spaces instead of dashes.
    await brigid.getByLabel("Invite code or link").fill(code.toLowerCase().replace(/-/g, " "));
    await brigid.getByRole("button", { name: "Join", exact: true }).click();
    await brigid.getByText("Type the name others in the community will see for you.").waitFor();
    await nameField.fill("  Brigid ");
    await brigid.getByText("The other device is not found?").click();
    await brigid.getByLabel("Address of the inviting device").fill(address);
    await brigid.screenshot({ path: join(REPO_ROOT, "docs", "join-form.png") });
    expect(await seriousA11yViolations(brigid)).toEqual([]);
    await brigid.getByRole("button", { name: "Join", exact: true }).click();

    // Aoife's dialog, still open, says so at once; the countdown stops.
    await dialog.getByRole("status").getByText("Brigid joined.").waitFor({ timeout: 15_000 });
    expect(await dialog.getByText(/Expires in/).count()).toBe(0);
    expect(await dialog.getByTestId("invite-code").count()).toBe(0);
    await aoife.screenshot({ path: join(REPO_ROOT, "docs", "invite-joined.png") });
    expect(await seriousA11yViolations(aoife)).toEqual([]);

    // Brigid's device has the community, and her name is on Aoife's member list and her profile.
    await brigid.getByText("In sync — safe to leave").first().waitFor({ timeout: 30_000 });
    const members = await rpcA.call("members:list", { communityId: community.id });
    expect(members.map((m) => m.name).sort()).toEqual(["Aoife", "Brigid"]);
    const profile = await rpcB.call("profile:get", {});
    expect(profile.displayName).toBe("Brigid");
    expect(profile.displayName).not.toBe(userInfo().username);

    // "Invite another device": a fresh code, and the QR image carries the link with the address.
    await dialog.getByRole("button", { name: "Invite another device" }).click();
    const qr = dialog.getByRole("img", { name: "QR code of the invite" });
    await qr.waitFor();
    const second = (await dialog.getByTestId("invite-code").innerText()).trim();
    expect(second).not.toBe(code);
    const uri = (await qr.getAttribute("data-invite-uri")) ?? "";
    expect(uri).toBe(`meitheal:join?code=${second.replace(/-/g, "")}&at=${address}`);

    // Cathal pastes the QR link: no address typed.
    const cathal = await browser.context.newPage();
    cathal.on("pageerror", (e) => errors.push(e.message));
    await cathal.goto(c.url);
    // The page reads its token from the address first: wait for the app before moving on.
    await cathal.waitForFunction(() => !window.location.hash.includes("token="));
    await go(cathal, "#/join");
    await cathal.getByLabel("Invite code or link").fill(uri);
    await cathal.getByLabel("Your name, as others will see it").fill("Cathal");
    await cathal.getByRole("button", { name: "Join", exact: true }).click();
    await dialog.getByRole("status").getByText("Cathal joined.").waitFor({ timeout: 15_000 });
    await cathal.getByText("In sync — safe to leave").first().waitFor({ timeout: 30_000 });

    // A spent code is refused, with words that say so.
    const again = await rpcB.raw.call("sync:join", { code: uri, name: "Brigid" });
    expect(again).toMatchObject({ ok: false });
    await dialog.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => aoife.getByRole("dialog").count()).toBe(0);
    expect(errors).toEqual([]);
  }, 150_000);
});
