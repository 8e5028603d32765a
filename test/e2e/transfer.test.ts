// Backup, restore and import in the browser. A community is backed up from its settings on one
// served peer, and restored through #/restore on a second, fresh one (it opens with its stories).
// Two Markdown files are previewed and imported from the stories list, and the summary links to the
// new stories. A retreat harvest of chosen days is written from the practice logs. Also writes docs/collections-restore.png and docs/collections-import.png.
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asCommunityId } from "../../shared/ids.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { addLogEntry, initLog } from "../../shared/ops/log.ts";
import { initStory } from "../../shared/ops/story.ts";
import type { Log } from "../../shared/schema/log.ts";
import type { Story } from "../../shared/schema/story.ts";
import { seriousA11yViolations } from "../helpers/axe.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { seedCommunity } from "../helpers/seed.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";

const go = (page: Page, hash: string) =>
  page.evaluate((h) => void (window.location.hash = h), hash);

describe("backup, restore and import in the browser", () => {
  let dataA: string;
  let dataB: string;
  let outDir: string;
  let peerA: ServedPeer | undefined;
  let peerB: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let communityId = "";
  const errors: string[] = [];

  beforeAll(async () => {
    dataA = await mkdtemp(join(tmpdir(), "meitheal-e2e-transfer-a-"));
    dataB = await mkdtemp(join(tmpdir(), "meitheal-e2e-transfer-b-"));
    outDir = await mkdtemp(join(tmpdir(), "meitheal-e2e-transfer-out-"));
    const seed = await seedCommunity("Harbour circle", { dataDir: dataA });
    communityId = seed.communityId;
    const { node, community, index } = seed;
    for (const title of ["Net mending", "Low tide"]) {
      const story = community.repo.create<Story>();
      story.change((d) =>
        initStory(d, { communityId: asCommunityId(communityId), title }, node.ctx),
      );
      index.change((d) =>
        addEntry(d, story.documentId, {
          kind: "story",
          title,
          status: "seed",
          createdAt: 1,
          updatedAt: 1,
        }),
      );
    }
    // A log of a retreat: one entry on its second day, one a month later (not in the harvest).
    const log = community.repo.create<Log>();
    log.change((d) => {
      initLog(d, { communityId, title: "Shore circle" }, node.ctx);
      const entry = { kind: "gathering" as const, by: "k", byName: "Aoife" };
      addLogEntry(
        d,
        { ...entry, date: "2025-05-02", happened: "Seaweed gathering at dawn" },
        node.ctx,
      );
      addLogEntry(d, { ...entry, date: "2025-06-09", happened: "Quiet month meeting" }, node.ctx);
    });
    index.change((d) =>
      addEntry(d, log.documentId, {
        kind: "log",
        title: "Shore circle",
        createdAt: 1,
        updatedAt: 1,
      }),
    );
    await seed.close();
    browser = await launchBrowser();
    [peerA, peerB] = await Promise.all([servePeer(dataA), servePeer(dataB)]);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([peerA?.stop(), peerB?.stop()]);
    for (const dir of [dataA, dataB, outDir]) await rm(dir, { recursive: true, force: true });
  });

  const open = async (peer: ServedPeer) => {
    const page = await browser.context.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(peer.url);
    return page;
  };

  it("backs a community up from its settings and restores it on a fresh device", async () => {
    const a = await open(peerA!);
    await a.getByRole("heading", { name: "Stories", level: 1 }).waitFor();
    await go(a, `#/c/${communityId}/settings`);
    const panel = a.getByRole("region", { name: "Backup" });
    await panel.waitFor();
    // The panel says plainly that the file holds the community's key.
    expect(await panel.innerText()).toContain("including the community’s key");
    // Saved by the browser as a download, named after the community and the day.
    const [download] = await Promise.all([
      a.waitForEvent("download", { timeout: 60_000 }),
      panel.getByRole("button", { name: "Write backup" }).click(),
    ]);
    await panel
      .getByRole("status")
      .filter({ hasText: /Backed up \d+ documents/ })
      .or(panel.locator(".notice-error"))
      .waitFor({ timeout: 30_000 });
    expect(await panel.locator(".notice-error").allInnerTexts()).toEqual([]);
    expect(download.suggestedFilename()).toMatch(
      /^Harbour circle \d{4}-\d\d-\d\d\.meitheal-backup$/,
    );
    expect(await panel.locator(".transfer-path").innerText()).toContain(
      "in your browser’s downloads",
    );
    expect(await a.locator("body").innerText()).not.toContain(dataA);
    const file = join(outDir, "harbour.meitheal-backup");
    await download.saveAs(file);
    expect((await stat(file)).size).toBeGreaterThan(0);

    // A fresh device: the welcome screen offers a restore.
    const b = await open(peerB!);
    await b.getByRole("heading", { name: "Welcome to Meitheal" }).waitFor();
    await b.getByRole("link", { name: "Restore from a backup" }).click();
    await b.getByRole("heading", { name: "Restore from a backup", level: 1 }).waitFor();
    // A file that is not a backup is refused with the peer's words, and nothing changes.
    await b.getByLabel("Backup file", { exact: true }).setInputFiles({
      name: "notes.meitheal-backup",
      mimeType: "application/octet-stream",
      buffer: Buffer.from("not a backup"),
    });
    await b.getByRole("button", { name: "Check" }).click();
    await b.getByRole("alert").filter({ hasText: "This file cannot be restored" }).waitFor();
    // The real one, sent from this computer: checked first (name, documents, when), then restored.
    await b.getByLabel("Backup file", { exact: true }).setInputFiles(file);
    await b.getByRole("button", { name: "Check" }).click();
    await b.getByRole("heading", { name: "Harbour circle", level: 2 }).waitFor({ timeout: 30_000 });
    expect(await b.locator(".facts").innerText()).toMatch(/\d+ documents/);
    // The file as it is called on this computer, not where the peer keeps it.
    expect(await b.locator(".facts").innerText()).toContain("harbour.meitheal-backup");
    expect(await b.locator("body").innerText()).not.toContain(dataB);
    await b.setViewportSize({ width: 1280, height: 800 });
    expect(await seriousA11yViolations(b)).toEqual([]);
    await b.screenshot({ path: join(REPO_ROOT, "docs/collections-restore.png") });
    await b.getByRole("button", { name: "Restore Harbour circle" }).click();
    // The restored community opens, with its stories, under the same id.
    await b.getByRole("heading", { name: "Stories", level: 1 }).waitFor({ timeout: 30_000 });
    await b.getByRole("link", { name: "Net mending" }).waitFor({ timeout: 20_000 });
    await b.getByRole("link", { name: "Low tide" }).waitFor();
    expect(b.url()).toContain(`/c/${communityId}/stories`);
    expect(errors).toEqual([]);
  });

  it("previews two Markdown files and imports them as stories", async () => {
    const tide = join(outDir, "tide.md");
    const bog = join(outDir, "bog.md");
    await writeFile(
      tide,
      "---\ntitle: Tide tables\nstatus: draft\nthemes: [Nature]\n---\n\nWe read the *tide* together.\n",
    );
    await writeFile(
      bog,
      "# Bog walk\n\nA walk on the **bog**.\n\n- heather\n- cotton grass\n\n> Tread softly.\n",
    );
    const page = await open(peerA!);
    await page.getByRole("heading", { name: "Stories", level: 1 }).waitFor();
    await go(page, `#/c/${communityId}/stories`);
    await page.getByRole("button", { name: "Import Markdown…" }).click();
    const dialog = page.getByRole("dialog", { name: "Import Markdown" });
    await dialog.waitFor();
    // Nothing typed: says what to do.
    await dialog.getByRole("button", { name: "Preview" }).click();
    await dialog.getByRole("alert").filter({ hasText: "Choose at least one file" }).waitFor();
    // Paths on the peer's computer, the advanced way (uploads: test/e2e/files.test.ts).
    await dialog.getByText("Advanced: type a path on this device").click();
    await dialog.getByLabel("Files, folders or zips to import, one a line").fill(`${tide}\n${bog}`);
    await dialog.getByRole("button", { name: "Preview" }).click();
    await dialog
      .getByRole("heading", { name: "2 stories found" })
      .or(dialog.locator(".notice-error"))
      .waitFor({ timeout: 30_000 });
    expect(await dialog.locator(".notice-error").allInnerTexts()).toEqual([]);
    const rows = dialog.locator(".import-table tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    const table = await dialog.locator(".import-table").innerText();
    expect(table).toContain("Tide tables");
    expect(table).toContain("Bog walk");
    expect(table).toContain("Draft");
    expect(table).toContain("Nature");
    await page.screenshot({ path: join(REPO_ROOT, "docs/collections-import.png") });
    // Each row has its checkbox: unchecking one changes the count, checking it again restores it.
    await dialog.getByRole("checkbox", { name: "Import Bog walk" }).uncheck();
    await dialog.getByRole("button", { name: "Import 1 story" }).waitFor();
    await dialog.getByRole("checkbox", { name: "Import Bog walk" }).check();
    await dialog.getByRole("button", { name: "Import 2 stories" }).click();
    await dialog
      .getByRole("heading", { name: "Imported 2 stories" })
      .or(dialog.locator(".notice-error"))
      .waitFor({ timeout: 30_000 });
    expect(await dialog.locator(".notice-error").allInnerTexts()).toEqual([]);
    // The summary links to the new stories; one opens with its text.
    await dialog.getByRole("link", { name: "Tide tables" }).waitFor({ timeout: 20_000 });
    await dialog.getByRole("link", { name: "Bog walk" }).click();
    await page.getByRole("heading", { name: "Bog walk", level: 1 }).waitFor();
    await expect
      .poll(() => page.getByRole("textbox", { name: "Story text" }).innerText(), {
        timeout: 20_000,
      })
      .toContain("Tread softly.");
    await go(page, `#/c/${communityId}/stories`);
    await page.getByRole("link", { name: "Tide tables" }).waitFor();
    expect(errors).toEqual([]);
  });

  it("writes a retreat harvest of chosen days from the practice logs", async () => {
    const page = await open(peerA!);
    await page.getByRole("heading", { name: "Stories", level: 1 }).waitFor();
    await go(page, `#/c/${communityId}/logs`);
    await page.getByRole("button", { name: "Retreat harvest…" }).click();
    const dialog = page.getByRole("dialog", { name: "Retreat harvest" });
    await dialog.getByLabel("From").fill("2025-05-01");
    await dialog.getByLabel("To (inclusive)").fill("2025-05-03");
    // Saved by the browser as a download: no path on the peer's computer is asked for or shown.
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 60_000 }),
      dialog.getByRole("button", { name: "Write report" }).click(),
    ]);
    // The finished dialog is named by its new heading.
    await page.getByRole("heading", { name: "Report written" }).waitFor({ timeout: 30_000 });
    expect(download.suggestedFilename()).toMatch(/\.html$/);
    const report = join(outDir, "retreat.html");
    await download.saveAs(report);
    expect(await page.locator("body").innerText()).not.toContain(dataA);
    const html = await readFile(report, "utf8");
    expect(html).toContain("Seaweed gathering at dawn");
    expect(html).not.toContain("Quiet month meeting");
    expect(errors).toEqual([]);
  });
});
