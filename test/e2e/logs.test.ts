// Practice logs in the browser: a log is created, two entries written (kinds, days, themes, who
// took part), the filters narrow the timeline, and a deleted entry comes back with Undo. Logs seeded
// on disk the way a faulty device would write them show as damaged, or with the good entries and a
// warning, and never break the page. A log kept in volumes (a document per quarter) shows every
// entry in order, names a damaged volume and one that has not arrived, and an entry whose date
// moves to another quarter shows there after a reload. Also writes docs/logs.png.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addEntry } from "../../shared/ops/community.ts";
import { addLogEntry, initLog } from "../../shared/ops/log.ts";
import { LOG_SCHEMA, LOG_VERSION, type Log } from "../../shared/schema/log.ts";
import type { LogVolume } from "../../shared/schema/logVolume.ts";
import * as Automerge from "@automerge/automerge";
import {
  generateAutomergeUrl,
  parseAutomergeUrl,
  type DocumentId,
} from "@automerge/automerge-repo";
import { initLogVolume, listVolume } from "../../shared/ops/logVolumes.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { seedLog } from "../helpers/logs.ts";
import { seedCommunity } from "../helpers/seed.ts";
import { connectRpc, windowRepo } from "../helpers/peerRpc.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";

const go = (page: Page, hash: string) =>
  page.evaluate((h) => void (window.location.hash = h), hash);

describe("practice logs in the browser", () => {
  let dataDir: string;
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let communityId = "";
  let brokenId = "";
  let patchyId = "";
  let pointedId = "";
  let longId = "";
  let movingId = "";
  let ghost = "" as DocumentId;
  let ghostBytes: Uint8Array = new Uint8Array();
  const errors: string[] = [];

  beforeAll(async () => {
    const seed = await seedCommunity("Seed circle", { prefix: "meitheal-e2e-logs-" });
    ({ dataDir, communityId } = seed);
    const { community, index, ctx } = seed;
    const list = (id: string, title: string) =>
      index.change((d) => addEntry(d, id, { kind: "log", title, createdAt: 1, updatedAt: 1 }));
    // A header with the wrong types everywhere: the log cannot be read at all.
    const broken = community.repo.create<Record<string, unknown>>();
    broken.change((d) =>
      Object.assign(d, {
        schema: LOG_SCHEMA,
        version: LOG_VERSION,
        communityId,
        title: 42,
        description: ["not", "text"],
        createdAt: "yesterday",
        updatedAt: 1,
        entries: "none",
      }),
    );
    brokenId = broken.documentId;
    list(brokenId, "Broken log");
    // A good header and good entries, and one entry a buggy peer wrote wrongly.
    const patchy = community.repo.create<Log>();
    patchy.change((d) => {
      initLog(d, { communityId, title: "Patchy log" }, ctx);
      addLogEntry(
        d,
        { date: "2024-11-05", kind: "gathering", by: "k", byName: "Aoife", happened: "Good one" },
        ctx,
      );
      pointedId = addLogEntry(
        d,
        { date: "2024-12-01", kind: "decision", by: "k", byName: "Aoife", happened: "Pointed at" },
        ctx,
      );
      (d.entries as Record<string, unknown>)["bad-entry"] = { date: "soon", kind: "party" };
    });
    patchyId = patchy.documentId;
    list(patchyId, "Patchy log");
    // A log in volumes over three quarters, plus a volume a buggy peer wrote wrongly and one the
    // index lists that never reached this device.
    const entry = (date: string, happened: string) =>
      ({ date, kind: "gathering", by: "k", byName: "Aoife", happened }) as const;
    const long = await seedLog(community, ctx, { title: "Long log" }, [
      entry("2023-02-10", "Winter seed count"),
      entry("2023-08-01", "Summer harvest"),
      entry("2024-01-20", "New year planning"),
      entry("2024-02-14", "Moving gathering"),
    ]);
    longId = long.logId;
    movingId = long.entryIds[3]!;
    const bad = community.repo.create<Record<string, unknown>>();
    bad.change((d) => {
      initLogVolume(d, { communityId, logId: longId }, ctx);
      d.entries = "not entries";
    });
    ghost = parseAutomergeUrl(generateAutomergeUrl()).documentId;
    // What that volume holds, on a laptop that is not here yet (imported later in the test).
    ghostBytes = Automerge.save(
      Automerge.change(Automerge.init<LogVolume>(), (d) => {
        initLogVolume(d, { communityId, logId: longId }, ctx);
        addLogEntry(
          d,
          {
            date: "2021-02-02",
            kind: "reflection",
            by: "k",
            byName: "Aoife",
            happened: "Arrived late",
          },
          ctx,
        );
      }),
    );
    index.change((d) => {
      listVolume(d, bad.documentId, { logId: longId, quarter: "2022-Q3" }, ctx);
      listVolume(d, ghost, { logId: longId, quarter: "2021-Q1" }, ctx);
    });
    await seed.close();
    browser = await launchBrowser();
    peer = await servePeer(dataDir);
    const rpc = await connectRpc(peer);
    await rpc.call("profile:set", { displayName: "Aoife", colour: "#2a6f97" });
    rpc.close();
  });
  afterAll(async () => {
    await browser?.close();
    await peer?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const open = async (hash: string) => {
    const page = await browser.context.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(peer!.url);
    await page.getByRole("heading", { name: "Stories", level: 1 }).waitFor();
    await go(page, hash);
    return page;
  };

  it("creates a log, writes two entries, filters them, and undoes a delete", async () => {
    const page = await open(`#/c/${communityId}/logs`);
    await page.getByRole("heading", { name: "Practice logs", level: 1 }).waitFor();
    // Create: the title is required, and says so.
    await page.getByRole("button", { name: "Create log" }).click();
    await page.getByRole("alert").filter({ hasText: "The title is empty" }).waitFor();
    await page.getByLabel("Title of a new log").fill("Thursday circle");
    await page.getByLabel("What it is for (optional)").fill("Our weekly seed-saving circle.");
    await page.getByRole("button", { name: "Create log" }).click();
    await page.getByRole("heading", { name: "Thursday circle", level: 1 }).waitFor();
    await page.getByText("No entries yet").waitFor();

    const newEntry = page.getByRole("form", { name: "New entry" });
    const rows = page.locator(".timeline-entry");
    const side = page.getByRole("complementary", { name: "Open entry" });

    // First entry: a gathering in March, theme Nature, a member and a guest.
    await newEntry.getByLabel("Date").fill("2025-03-14");
    await newEntry.getByRole("button", { name: "New entry" }).click();
    await side.getByRole("heading", { name: /Gathering, .*March 14, 2025/ }).waitFor();
    // The new entry opens with the keyboard in "What happened".
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe("TEXTAREA");
    await page.keyboard.type("We met at the hall\nand sorted the beans");
    await side.getByLabel("Nature").check();
    await side.getByLabel("Add a guest by name").fill("Visitor from Ennis");
    await side.getByRole("button", { name: "Add guest" }).click();
    const member = side.getByLabel("Add a member");
    await expect.poll(() => member.locator("option").allInnerTexts()).toContain("Aoife (you)");
    await member.selectOption({ label: "Aoife (you)" });
    await side.getByRole("button", { name: "Add", exact: true }).click();
    await side.getByRole("button", { name: "Remove Visitor from Ennis" }).waitFor();
    await side.getByRole("button", { name: "Remove Aoife" }).waitFor();
    await side.getByRole("button", { name: "Close" }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().innerText()).toContain("We met at the hall");
    expect(await rows.first().innerText()).toContain("Visitor from Ennis");
    expect(await rows.first().innerText()).toContain("Nature");
    // Closing gives the keyboard back to the row.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.className ?? ""))
      .toContain("timeline-entry");

    // Second entry: an experiment in May, theme Dignity.
    await newEntry.getByLabel("Date").fill("2025-05-02");
    await newEntry.getByLabel("Kind").selectOption("experiment");
    await newEntry.getByRole("button", { name: "New entry" }).click();
    await side.getByRole("heading", { name: /Experiment, .*May 2, 2025/ }).waitFor();
    await side.getByLabel("What happened").fill("Tried a seed swap by post");
    await side.getByLabel("What we learned").fill("People want to meet, not post.");
    await side.getByLabel("Dignity").check();
    await side.getByLabel("Add a guest by name").fill("Niamh");
    await side.getByLabel("Add a guest by name").press("Enter");
    await side.getByRole("button", { name: "Remove Niamh" }).waitFor();
    await expect.poll(() => rows.count()).toBe(2);
    // Newest first, under month headings.
    expect(await rows.first().innerText()).toContain("Tried a seed swap");
    await page.getByRole("heading", { level: 3, name: /May 2025/ }).waitFor();
    await page.getByRole("heading", { level: 3, name: /March 2025/ }).waitFor();
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.evaluate(() => {
      window.scrollTo(0, 0);
      document.querySelector(".log-side")?.scrollTo(0, 0);
    });
    await page.screenshot({ path: join(REPO_ROOT, "docs", "logs.png") });
    await page.setViewportSize({ width: 1200, height: 780 });

    // Filters: kind, then theme, then a date range, each narrowing what is shown.
    const count = page.locator(".log-count");
    await expect.poll(() => count.innerText()).toBe("2 entries");
    const filters = page.getByRole("group", { name: "Filter entries" });
    await filters.getByLabel("Kind").selectOption("gathering");
    await expect.poll(() => count.innerText()).toBe("Showing 1 of 2 entries");
    expect(await rows.allInnerTexts()).toEqual([expect.stringContaining("We met at the hall")]);
    await filters.getByLabel("Theme").selectOption({ label: "Nature" });
    await expect.poll(() => rows.count()).toBe(1);
    await filters.getByLabel("Kind").selectOption("");
    await filters.getByLabel("Theme").selectOption({ label: "Dignity" });
    await expect
      .poll(() => rows.allInnerTexts())
      .toEqual([expect.stringContaining("Tried a seed swap")]);
    await filters.getByLabel("Theme").selectOption("");
    await filters.getByLabel("Participant").selectOption({ label: "Visitor from Ennis (guest)" });
    await expect
      .poll(() => rows.allInnerTexts())
      .toEqual([expect.stringContaining("We met at the hall")]);
    await filters.getByLabel("Participant").selectOption("");
    await filters.getByLabel("From").fill("2025-04-01");
    await expect.poll(() => count.innerText()).toBe("Showing 1 of 2 entries");
    expect(await rows.allInnerTexts()).toEqual([expect.stringContaining("Tried a seed swap")]);
    await filters.getByLabel("To").fill("2025-04-30");
    await page.getByText("No entry matches these filters.").waitFor();
    expect(await rows.count()).toBe(0);
    await page.getByRole("button", { name: "Clear filters" }).first().click();
    await expect.poll(() => count.innerText()).toBe("2 entries");

    // The keyboard: the timeline is one Tab stop; arrows move between entries, Enter opens one.
    await rows.first().focus();
    await page.keyboard.press("ArrowDown");
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent ?? ""))
      .toContain("We met at the hall");
    expect(await rows.first().getAttribute("tabindex")).toBe("-1");
    await page.keyboard.press("Enter");
    await side.getByRole("heading", { name: /Gathering/ }).waitFor();
    await page.keyboard.press("Home");

    // Delete (asks first), then Undo brings the entry back whole.
    await rows.filter({ hasText: "Tried a seed swap" }).click();
    await side.getByRole("button", { name: "Delete entry" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete this entry?" });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await rows.count()).toBe(2);
    await side.getByRole("button", { name: "Delete entry" }).click();
    await dialog.getByRole("button", { name: "Delete", exact: true }).click();
    await expect.poll(() => count.innerText()).toBe("1 entry");
    const undo = page.getByRole("button", { name: "Undo" });
    // The keyboard lands on Undo.
    await expect.poll(() => undo.evaluate((el) => el === document.activeElement)).toBe(true);
    await undo.click();
    await expect.poll(() => count.innerText()).toBe("2 entries");
    await side.getByLabel("What we learned").waitFor();
    expect(await side.getByLabel("What we learned").inputValue()).toBe(
      "People want to meet, not post.",
    );

    // Everything is in the document: a reload shows the same log, opened at the same entry.
    await page.reload();
    await page.getByRole("heading", { name: "Thursday circle", level: 1 }).waitFor();
    await expect.poll(() => rows.count()).toBe(2);
    await side.getByRole("heading", { name: /Experiment/ }).waitFor();
    expect(await page.getByLabel("About this log").inputValue()).toBe(
      "Our weekly seed-saving circle.",
    );
    // And the list of logs shows it.
    await go(page, `#/c/${communityId}/logs`);
    await page.getByRole("link", { name: "Thursday circle" }).waitFor();
    expect(errors).toEqual([]);
  });

  it("shows a log with a broken header as damaged, and never breaks the page", async () => {
    const page = await open(`#/c/${communityId}/logs`);
    await page.getByRole("link", { name: "Broken log" }).click();
    await page.getByRole("alert").filter({ hasText: "This log is damaged" }).waitFor();
    expect(await page.getByLabel("Raw content (copy it to keep it)").inputValue()).toContain(
      '"title": 42',
    );
    // The rest of the app still works.
    await page.getByRole("link", { name: "All practice logs" }).click();
    await page.getByRole("link", { name: "Patchy log" }).waitFor();
    expect(errors).toEqual([]);
  });

  it("shows the good entries of a log with one bad entry, with a warning", async () => {
    const page = await open(`#/c/${communityId}/logs/${patchyId}`);
    await page.getByRole("heading", { name: "Patchy log", level: 1 }).waitFor();
    await page
      .getByRole("alert")
      .filter({ hasText: "1 item(s) of this log could not be read" })
      .waitFor();
    await expect.poll(() => page.locator(".timeline-entry").count()).toBe(2);
    expect(await page.locator(".log-count").innerText()).toBe("2 entries");
    expect(errors).toEqual([]);
  });

  it("opens a log at the entry a link points to", async () => {
    const page = await open(`#/c/${communityId}/logs/${patchyId}/${pointedId}`);
    const side = page.getByRole("complementary", { name: "Open entry" });
    await side.getByRole("heading", { name: /Decision, .*December 1, 2024/ }).waitFor();
    expect(await side.getByLabel("What happened").inputValue()).toBe("Pointed at");
    const row = page.locator(`.timeline-entry[data-entry-id="${pointedId}"]`);
    expect(await row.getAttribute("aria-current")).toBe("true");
    // An entry id that is not there says so, rather than showing nothing.
    await go(page, `#/c/${communityId}/logs/${patchyId}/no-such-entry`);
    await side.getByText("This entry is not here").waitFor();
    expect(errors).toEqual([]);
  });

  it("shows a log kept in volumes whole, names a damaged or missing volume, and moves an entry across quarters", async () => {
    const page = await open(`#/c/${communityId}/logs/${longId}`);
    await page.getByRole("heading", { name: "Long log", level: 1 }).waitFor();
    const rows = page.locator(".timeline-entry");
    const count = page.locator(".log-count");
    // Every good entry, newest first, across the volumes; the count is final once all are read.
    await expect.poll(() => count.innerText()).toBe("4 entries");
    await expect
      .poll(() => rows.allInnerTexts())
      .toEqual([
        expect.stringContaining("Moving gathering"),
        expect.stringContaining("New year planning"),
        expect.stringContaining("Summer harvest"),
        expect.stringContaining("Winter seed count"),
      ]);
    await page.getByRole("alert").filter({ hasText: "could not be read" }).waitFor();
    await page.getByText("Some entries have not reached this laptop yet").waitFor();
    await page.getByText(/Entries of 2021 Q1 are on another laptop/).waitFor();
    expect(await page.locator(".timeline-loading").count()).toBe(0);

    // Move an entry from 2024 Q1 to 2022 Q4: it stays in its volume, and the timeline (here and
    // in a fresh window) shows it in its new place.
    await rows.filter({ hasText: "Moving gathering" }).click();
    const side = page.getByRole("complementary", { name: "Open entry" });
    await side.getByRole("heading", { name: /Gathering, .*February 14, 2024/ }).waitFor();
    await side.getByLabel("Date").fill("2022-11-03");
    await side.getByLabel("Date").blur();
    await expect
      .poll(() => rows.allInnerTexts())
      .toEqual([
        expect.stringContaining("New year planning"),
        expect.stringContaining("Summer harvest"),
        expect.stringContaining("Winter seed count"),
        expect.stringContaining("Moving gathering"),
      ]);
    const fresh = await open(`#/c/${communityId}/logs/${longId}/${movingId}`);
    await fresh
      .getByRole("complementary", { name: "Open entry" })
      .getByRole("heading", { name: /Gathering, .*November 3, 2022/ })
      .waitFor();
    await fresh.getByRole("heading", { level: 3, name: /November 2022/ }).waitFor();
    await expect.poll(() => fresh.locator(".log-count").innerText()).toBe("4 entries");

    // A new entry in a quarter with no volume yet gets one, and is there after a reload.
    await fresh.getByRole("form", { name: "New entry" }).getByLabel("Date").fill("2019-06-30");
    await fresh
      .getByRole("form", { name: "New entry" })
      .getByRole("button", { name: "New entry" })
      .click();
    await fresh
      .getByRole("complementary", { name: "Open entry" })
      .getByLabel("What happened")
      .fill("An old note");
    await fresh.reload();
    await expect.poll(() => fresh.locator(".log-count").innerText()).toBe("5 entries");
    await expect
      .poll(() => fresh.locator(".timeline-entry").last().innerText())
      .toContain("An old note");

    // The volume that had not arrived reaches this laptop's peer (here from another window, as
    // from another laptop): the open window picks it up by itself, and the notice goes.
    await fresh.getByText("Some entries have not reached this laptop yet").waitFor();
    const other = await windowRepo(peer!, communityId);
    other.import(ghostBytes, { docId: ghost });
    await expect
      .poll(() => fresh.locator(".log-count").innerText(), { timeout: 20_000 })
      .toBe("6 entries");
    await fresh.getByText("Arrived late").waitFor();
    expect(await fresh.getByText("Some entries have not reached this laptop yet").count()).toBe(0);
    await other.shutdown();
    expect(errors).toEqual([]);
  });
});
