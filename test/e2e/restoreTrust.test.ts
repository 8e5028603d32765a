// Backups as member credentials (issue 14, point 3), in the browser against served peers.
// On Aoife's peer, a backup of her own community that someone holding the file changed and sealed
// again, adding "Mallory" to the roster: the restore page names Mallory before anything happens,
// and Cancel leaves the member list as it was. Then Aoife writes a backup protected by a
// passphrase from the community's settings; a new laptop is asked for the passphrase, refuses a
// wrong one, and with the right one shows the community's members and restores it. Writes
// docs/restore-asks.png, docs/backup-passphrase.png and docs/restore-passphrase.png.
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

const PASSPHRASE = "heron weir third stone";

describe("backups as member credentials, in the browser", () => {
  let dataA: string;
  let dataB: string;
  let outDir: string;
  let peerA: ServedPeer | undefined;
  let peerB: ServedPeer | undefined;
  let rpcA: PeerRpc | undefined;
  let rpcB: PeerRpc | undefined;
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
    [rpcA, rpcB] = await Promise.all([connectRpc(peerA), connectRpc(peerB)]);
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
    rpcB?.close();
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

  it("writes a backup protected by a passphrase; a new laptop needs it, then sees the members", async () => {
    const a = await openServedPage(
      browser.context,
      peerA!.url,
      `#/c/${communityId}/settings`,
      errors,
    );
    const panel = a.getByRole("region", { name: "Backup" });
    await panel.waitFor();
    // The choice says what an unprotected backup lets its holder do.
    expect(await panel.innerText()).toContain(
      "Whoever holds the file can read everything in it and join the community.",
    );
    await panel.getByRole("radio", { name: /With a passphrase/ }).check();
    await panel.getByLabel("Passphrase", { exact: true }).fill(PASSPHRASE);
    await panel.getByLabel("Passphrase again").fill("heron weir");
    await panel.getByRole("button", { name: "Write backup" }).click();
    await panel.getByText("The two passphrases are not the same.").waitFor();
    await panel.getByLabel("Passphrase again").fill(PASSPHRASE);
    expect(await seriousA11yViolations(a)).toEqual([]);
    await panel.scrollIntoViewIfNeeded();
    await a.screenshot({ path: join(REPO_ROOT, "docs/backup-passphrase.png") });
    const [download] = await Promise.all([
      a.waitForEvent("download", { timeout: 60_000 }),
      panel.getByRole("button", { name: "Write backup" }).click(),
    ]);
    await panel
      .getByRole("status")
      .filter({ hasText: /Backed up \d+ documents/ })
      .waitFor({ timeout: 30_000 });
    expect(await panel.innerText()).toContain("It is protected by your passphrase.");
    const file = join(outDir, "protected.meitheal-backup");
    await download.saveAs(file);
    expect((await readFile(file)).includes("Harbour circle")).toBe(false);

    const b = await openServedPage(browser.context, peerB!.url, "#/restore", errors);
    await b.getByRole("heading", { name: "Restore from a backup", level: 1 }).waitFor();
    await b.getByLabel("Backup file", { exact: true }).setInputFiles(file);
    await b.getByRole("button", { name: "Check" }).click();
    await b
      .getByRole("heading", { name: "This backup is protected by a passphrase" })
      .waitFor({ timeout: 30_000 });
    const field = b.getByLabel("Passphrase", { exact: true });
    await field.fill("heron weir second stone");
    await b.getByRole("button", { name: "Open the backup" }).click();
    await b.getByText("That passphrase does not open this backup.").waitFor({ timeout: 30_000 });
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    expect(await seriousA11yViolations(b)).toEqual([]);
    await b.screenshot({ path: join(REPO_ROOT, "docs/restore-passphrase.png") });
    expect(await rpcB!.call("communities:list", {})).toEqual([]);

    await field.fill(PASSPHRASE);
    await b.getByRole("button", { name: "Open the backup" }).click();
    const members = b.locator(".restore-roster");
    await members.waitFor({ timeout: 30_000 });
    expect(await members.innerText()).toContain("Its members (1 device)");
    expect(await members.innerText()).toContain("Aoife — 1 device");
    const facts = await b.locator(".facts").innerText();
    expect(facts).toContain("Sealed with the community’s key");
    expect(facts).toContain("Protected by a passphrase");
    await b.getByRole("button", { name: "Restore Harbour circle" }).click();
    await b.getByRole("heading", { name: "Stories", level: 1 }).waitFor({ timeout: 30_000 });
    expect(b.url()).toContain(`/c/${communityId}/stories`);
    expect(errors).toEqual([]);
  });
});
