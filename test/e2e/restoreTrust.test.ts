// A restore shows who it lets in, and asks (issue 14, point 3), in the browser against served peers.
// On Aoife's peer, a backup of her own community that someone holding the file changed and sealed
// again, adding "Mallory" to the roster: the restore page names Mallory before anything happens,
// and Cancel leaves the member list as it was. On a fresh peer, the genuine backup shows the
// community's members, and restoring it opens the community. Writes docs/restore-asks.png.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { atPath } from "../../shared/contract.ts";
import type { CommunityId } from "../../shared/ids.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import { seriousA11yViolations } from "../helpers/axe.ts";
import { launchBrowser, openServedPage } from "../helpers/browser.ts";
import { makeDevice } from "../helpers/hostile.ts";
import { connectRpc, type PeerRpc } from "../helpers/peerRpc.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { value, withExtraMember } from "../backup/helpers.ts";

describe("a restore shows who it lets in", () => {
  let dataA: string;
  let dataB: string;
  let outDir: string;
  let peerA: ServedPeer | undefined;
  let peerB: ServedPeer | undefined;
  let rpcA: PeerRpc | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let communityId: CommunityId;
  let genuine = "";
  let forged = "";
  const errors: string[] = [];

  beforeAll(async () => {
    dataA = await mkdtemp(join(tmpdir(), "meitheal-e2e-trust-a-"));
    dataB = await mkdtemp(join(tmpdir(), "meitheal-e2e-trust-b-"));
    outDir = await mkdtemp(join(tmpdir(), "meitheal-e2e-trust-out-"));
    // Aoife founds the community: the roster names its founder as the profile names her.
    const node = await PeerNode.start({ dataDir: dataA });
    try {
      value(await node.saveProfile({ displayName: "Aoife", colour: "#1f6f5c" }));
      communityId = value(await node.createCommunity({ name: "Harbour circle" })).id;
      await node.flush();
    } finally {
      await node.close();
    }
    browser = await launchBrowser();
    [peerA, peerB] = await Promise.all([servePeer(dataA), servePeer(dataB)]);
    rpcA = await connectRpc(peerA);
    const written = await rpcA.call("backup:write", {
      communityId,
      target: atPath(join(outDir, "harbour")),
    });
    genuine = written.path ?? "";
    forged = join(outDir, "harbour-changed.meitheal-backup");
    await writeFile(
      forged,
      withExtraMember(
        await readFile(genuine),
        communityId,
        { deviceKey: makeDevice().publicKey, name: "Mallory" },
        { resealed: true },
      ),
    );
  });
  afterAll(async () => {
    rpcA?.close();
    await browser?.close();
    await Promise.all([peerA?.stop(), peerB?.stop()]);
    for (const dir of [dataA, dataB, outDir]) await rm(dir, { recursive: true, force: true });
  });

  it("names the device a changed backup would add, and Cancel changes nothing", async () => {
    const page = await openServedPage(browser.context, peerA!.url, "#/restore", errors);
    await page.getByRole("heading", { name: "Restore from a backup", level: 1 }).waitFor();
    await page.getByLabel("Backup file", { exact: true }).setInputFiles(forged);
    await page.getByRole("button", { name: "Check" }).click();
    const warning = page
      .getByRole("alert")
      .filter({ hasText: "This backup adds 1 device to the member list" });
    await warning.waitFor({ timeout: 30_000 });
    expect(await warning.innerText()).toContain("Mallory — 1 device");
    expect(await warning.innerText()).toContain("Restore it only if you know them.");
    // It is Aoife's own community: the page says the backup would be merged into it.
    expect(await page.locator(".restore-page").innerText()).toContain(
      "Harbour circle is already on this device",
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(REPO_ROOT, "docs/restore-asks.png") });

    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("status").filter({ hasText: "Nothing was restored" }).waitFor();
    await expect.poll(() => warning.count()).toBe(0);
    const members = await rpcA!.call("members:list", { communityId });
    expect(members.map((m) => m.name)).toEqual(["Aoife"]);
    expect(errors).toEqual([]);
  });

  it("shows a new laptop the community's members, then restores", async () => {
    const page = await openServedPage(browser.context, peerB!.url, "#/restore", errors);
    await page.getByRole("heading", { name: "Restore from a backup", level: 1 }).waitFor();
    await page.getByLabel("Backup file", { exact: true }).setInputFiles(genuine);
    await page.getByRole("button", { name: "Check" }).click();
    const members = page.locator(".restore-roster");
    await members.waitFor({ timeout: 30_000 });
    expect(await members.innerText()).toContain("Its members (1 device)");
    expect(await members.innerText()).toContain("Aoife — 1 device");
    expect(await page.locator(".facts").innerText()).toContain("Sealed with the community’s key");
    await page.getByRole("button", { name: "Restore Harbour circle" }).click();
    await page.getByRole("heading", { name: "Stories", level: 1 }).waitFor({ timeout: 30_000 });
    expect(page.url()).toContain(`/c/${communityId}/stories`);
    expect(errors).toEqual([]);
  });
});
