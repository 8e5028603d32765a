// The first hour of a retreat, as two people live it (issue #13), in Chromium at 1280×800 against
// two fresh `meitheal-peer serve` processes on 127.0.0.1 (browser mode, no mDNS: the joiner types
// the inviter's address as the fallback the join form offers, or the QR link carries it):
//
// Aoife creates a community and invites; Brian types the short code (a second run pastes the QR
// link instead) and gives his name; Aoife's dialog says he joined. Both open the same template
// story and write in different sections, pressing Enter between sentences; both screens end with
// the same text, word for word. Brian imports a Markdown file by upload and downloads an EPUB of a
// collection holding it. Aoife adds ten map nodes from the keyboard; none overlap. A story retitled
// on both laptops while they were apart shows a "Conflict" badge in the list on both. axe-core
// finds no serious or critical violation on any screen of the way.
import { unzipSync } from "fflate";
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../helpers/axe.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

const W = 1280;
const H = 800;
const EDITOR = "Story text";
const HEADINGS = [
  "The activity",
  "Immediate value",
  "Applied value",
  "Realised value",
  "What it changed",
];
const AOIFE_WRITES = ["We walked the bog road at dawn.", "Twelve of us carried flasks."];
const BRIAN_WRITES = ["I now start meetings with a walk.", "Nobody checks a phone on the road."];

type Overlapping = { x: number; y: number; width: number; height: number };
const overlap = (a: Overlapping, b: Overlapping) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const go = (page: Page, hash: string) =>
  page.evaluate((h) => void (window.location.hash = h), hash);

/** Each block of the story as shown: its tag and its text ("" for an empty section). */
const blocksOf = (page: Page) =>
  page
    .getByRole("textbox", { name: EDITOR })
    .evaluate((root) =>
      Array.from(root.querySelectorAll(":scope > *")).map(
        (el) => `${el.tagName.toLowerCase()}: ${(el.textContent ?? "").trim()}`,
      ),
    );

const EXPECTED = HEADINGS.flatMap((h, i) => [
  `h2: ${h}`,
  ...(i === 0
    ? AOIFE_WRITES.map((s) => `p: ${s}`)
    : i === 2
      ? BRIAN_WRITES.map((s) => `p: ${s}`)
      : ["p: "]),
]);

describe("the first hour of a retreat", () => {
  const dirs: string[] = [];
  const peers: ServedPeer[] = [];
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const errors: string[] = [];
  /** Every screen of the way, with what axe found on it. */
  const a11y: Record<string, unknown[]> = {};

  const check = async (page: Page, screen: string) => {
    a11y[screen] = await seriousA11yViolations(page);
  };

  const openPage = async (peer: ServedPeer) => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: W, height: H });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(peer.url);
    await page.waitForFunction(() => !window.location.hash.includes("token="));
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    return page;
  };

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    for (const p of peers) await p.stop();
    for (const d of dirs) await removeDir(d);
  });

  /** Two fresh peers, as two laptops that never ran Meitheal. */
  async function twoFreshPeers(): Promise<[ServedPeer, ServedPeer, string]> {
    const dirA = await makeTempDir("meitheal-hour-a-");
    const dirB = await makeTempDir("meitheal-hour-b-");
    dirs.push(dirA, dirB);
    const [a, b] = await Promise.all([servePeer(dirA), servePeer(dirB)]);
    peers.push(a, b);
    return [a, b, dirB];
  }

  /** Aoife's first steps on a fresh peer: her name, a community; returns its id. */
  async function createCommunity(aoife: Page, name: string): Promise<string> {
    await aoife.getByRole("heading", { name: "Welcome to Meitheal" }).waitFor();
    await check(aoife, "welcome");
    await aoife.getByRole("link", { name: "Create a community" }).click();
    await aoife.getByLabel("Name", { exact: true }).fill(name);
    await check(aoife, "create community");
    await aoife.getByRole("button", { name: "Create community" }).click();
    await aoife.getByRole("heading", { name: "Stories", level: 1 }).waitFor();
    await check(aoife, "stories (empty)");
    const id = /#\/c\/([^/]+)\//.exec(aoife.url())?.[1];
    if (!id) throw new Error(`no community id in ${aoife.url()}`);
    await go(aoife, "#/profile");
    await aoife.getByLabel("Display name").fill("Aoife");
    await aoife.getByRole("button", { name: "Save" }).click();
    await aoife.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    return id;
  }

  /** Aoife opens "Invite a device"; returns the code as shown, the QR link and her address. */
  async function invite(aoife: Page, communityId: string) {
    await go(aoife, `#/c/${communityId}/sync`);
    await aoife.getByRole("button", { name: "Invite a device" }).click();
    const dialog = aoife.getByRole("dialog");
    const qr = dialog.getByRole("img", { name: "QR code of the invite" });
    await qr.waitFor();
    const code = (await dialog.getByTestId("invite-code").innerText()).trim();
    const uri = (await qr.getAttribute("data-invite-uri")) ?? "";
    const address = (await dialog.locator(".invite-addresses code").first().innerText()).trim();
    await check(aoife, "invite dialog");
    return { dialog, code, uri, address };
  }

  /**
   * From nothing to a shared story: Aoife creates a community and invites, Brian joins (typing the
   * short code as he hears it, or pasting the QR link) with the name others will see, Aoife's
   * dialog says he joined; both write in different sections of one template story at once, with
   * Enter between sentences, and both screens end with the same text, word for word.
   */
  async function joinAndWrite(a: ServedPeer, b: ServedPeer, by: "code" | "qr link") {
    const aoife = await openPage(a);
    const communityId = await createCommunity(aoife, "Wellbeing hub");

    const { dialog, code, uri, address } = await invite(aoife, communityId);
    expect(code.replace(/-/g, "")).toHaveLength(17);
    expect(code.length).toBeLessThanOrEqual(20);
    const brian = await openPage(b);
    await brian.getByRole("heading", { name: "Welcome to Meitheal" }).waitFor();
    await brian.getByRole("link", { name: "Join with an invite code" }).click();
    if (by === "code") {
      await brian.getByLabel("Invite code or link").fill(code.toLowerCase().replace(/-/g, " "));
      // No mDNS in tests: the address is typed, the fallback the form offers.
      await brian.getByText("The other device is not found?").click();
      await brian.getByLabel("Address of the inviting device").fill(address);
    } else {
      // The QR link carries the address: nothing else to type.
      expect(uri).toContain(address);
      await brian.getByLabel("Invite code or link").fill(uri);
    }
    await brian.getByLabel("Your name, as others will see it").fill("Brian");
    await check(brian, "join");
    await brian.getByRole("button", { name: "Join", exact: true }).click();
    await dialog.getByRole("status").getByText("Brian joined.").waitFor({ timeout: 20_000 });
    expect(await dialog.getByText(/Expires in/).count()).toBe(0);
    await check(aoife, "invite dialog: joined");
    await dialog.getByRole("button", { name: "Done" }).click();
    await brian.getByText("In sync — safe to leave").first().waitFor({ timeout: 30_000 });
    await check(brian, "sync");

    await go(aoife, `#/c/${communityId}/stories`);
    await aoife.getByLabel("Title of the new story").fill("The bog walk");
    await aoife.getByLabel("Start from").selectOption({ label: "Value-creation story" });
    await aoife.getByRole("button", { name: "Create story" }).click();
    await aoife.getByRole("heading", { name: "The bog walk", level: 1 }).waitFor();
    const storyId = /\/stories\/([^/?#]+)$/.exec(aoife.url())?.[1];
    if (!storyId) throw new Error(`no story id in ${aoife.url()}`);
    await check(aoife, "story");
    await go(brian, `#/c/${communityId}/stories/${storyId}`);
    await brian
      .getByRole("heading", { name: "The bog walk", level: 1 })
      .waitFor({ timeout: 20_000 });
    const sectionParagraph = (page: Page, section: number) =>
      page
        .getByRole("textbox", { name: EDITOR })
        .locator(":scope > *")
        .nth(section * 2 + 1);
    await expect.poll(() => blocksOf(brian), { timeout: 20_000 }).toHaveLength(10);
    await sectionParagraph(aoife, 0).click();
    await sectionParagraph(brian, 2).click();
    const write = async (page: Page, [first, second]: string[]) => {
      await page.keyboard.type(first!, { delay: 20 });
      await page.keyboard.press("Enter");
      await page.keyboard.type(second!, { delay: 20 });
    };
    await Promise.all([write(aoife, AOIFE_WRITES), write(brian, BRIAN_WRITES)]);
    await expect.poll(() => blocksOf(aoife), { timeout: 20_000 }).toEqual(EXPECTED);
    await expect.poll(() => blocksOf(brian), { timeout: 20_000 }).toEqual(EXPECTED);
    await check(brian, "story, written");
    return { aoife, brian, communityId, storyId };
  }

  it(
    "two people go from nothing to a shared story, files, a map and a conflict in sight",
    { timeout: 300_000 },
    async () => {
      const [a, b, dirB] = await twoFreshPeers();
      // 1–2. Brian types the short code; both write the story.
      const { aoife, brian, communityId, storyId } = await joinAndWrite(a, b, "code");

      // 3. Brian imports a Markdown file by upload, puts it in a collection, and downloads an EPUB.
      await brian.bringToFront();
      await go(brian, `#/c/${communityId}/stories`);
      await brian.getByRole("heading", { name: "Stories", level: 1 }).waitFor();
      await brian.getByRole("button", { name: "Import Markdown…" }).click();
      const importing = brian.getByRole("dialog", { name: "Import Markdown" });
      await importing.getByLabel("Markdown files or zips to import").setInputFiles({
        name: "currach.md",
        mimeType: "text/markdown",
        buffer: Buffer.from(
          "---\ntitle: Currach race\nstatus: ready\n---\n\nFour boats rounded the buoy.\n",
        ),
      });
      await importing.getByRole("button", { name: "Preview" }).click();
      await importing.getByRole("heading", { name: "1 story found" }).waitFor({ timeout: 30_000 });
      await check(brian, "import preview");
      await importing.getByRole("button", { name: "Import 1 story" }).click();
      await importing
        .getByRole("heading", { name: "Imported 1 story" })
        .waitFor({ timeout: 30_000 });
      await importing.getByRole("button", { name: "Close" }).click();
      await go(brian, `#/c/${communityId}/collections`);
      await brian.getByLabel("Title of a new collection").fill("Retreat stories");
      await brian.getByRole("button", { name: "Create collection" }).click();
      await brian.getByRole("heading", { name: "Retreat stories", level: 1 }).waitFor();
      await brian.getByRole("button", { name: "Add stories…" }).click();
      const picker = brian.getByRole("dialog", { name: "Add stories to the collection" });
      await picker.getByRole("checkbox", { name: /Currach race/ }).check();
      await picker.getByRole("button", { name: "Add 1 story" }).click();
      await brian.getByRole("link", { name: "Currach race" }).waitFor();
      await brian.getByRole("button", { name: "Export…" }).click();
      const exporting = brian.getByRole("dialog");
      await exporting.getByLabel(/E-book/).check();
      await check(brian, "export");
      const [download] = await Promise.all([
        brian.waitForEvent("download", { timeout: 60_000 }),
        exporting.getByRole("button", { name: "Export", exact: true }).click(),
      ]);
      expect(download.suggestedFilename()).toBe("Retreat stories.epub");
      const epub = unzipSync(new Uint8Array(await readFile(await download.path())));
      expect(new TextDecoder().decode(epub.mimetype)).toBe("application/epub+zip");
      const book = Object.entries(epub)
        .filter(([name]) => name.endsWith(".xhtml"))
        .map(([, bytes]) => new TextDecoder().decode(bytes))
        .join("\n");
      expect(book).toContain("Four boats rounded the buoy.");
      await exporting.getByRole("button", { name: "Close" }).click();

      // 4. Aoife adds ten map nodes from the keyboard: none overlaps another.
      // The window a person looks at is in front (a hidden tab gets no animation frames).
      await aoife.bringToFront();
      await go(aoife, `#/c/${communityId}/maps`);
      await aoife.getByLabel("Title of a new map").fill("What we ask");
      await aoife.getByLabel("Title of a new map").press("Enter");
      await aoife.getByLabel("Map title").press("Escape");
      await aoife.getByRole("heading", { name: "What we ask", level: 1 }).waitFor();
      const nodes = aoife.locator(".react-flow__node");
      await aoife.locator(".map-canvas").focus();
      for (let i = 1; i <= 10; i++) {
        await aoife.keyboard.press("n");
        await expect
          .poll(() => aoife.evaluate(() => document.activeElement?.tagName))
          .toBe("TEXTAREA");
        await aoife.keyboard.type(`Question ${i}`);
        await aoife.keyboard.press("Escape");
        await expect
          .poll(() => aoife.evaluate(() => document.activeElement?.tagName))
          .not.toBe("TEXTAREA");
      }
      await aoife.keyboard.press("f");
      await expect.poll(() => nodes.count()).toBe(10);
      await aoife.waitForTimeout(400);
      const boxes = await Promise.all((await nodes.all()).map((n) => n.boundingBox()));
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++)
          expect(overlap(boxes[i]!, boxes[j]!), `nodes ${i + 1} and ${j + 1}`).toBe(false);
      await check(aoife, "map");

      // 5. Apart: Brian's laptop goes away; each retitles the story; back together, both lists show
      // the conflict.
      await brian.close();
      await b.stop();
      const retitle = async (page: Page, title: string) => {
        await go(page, `#/c/${communityId}/stories/${storyId}`);
        await page.getByLabel("Title", { exact: true }).fill(title);
        await page.getByRole("button", { name: "Rename" }).click();
        await page.getByRole("heading", { name: title, level: 1 }).waitFor();
      };
      await retitle(aoife, "The bog walk at dawn");
      const apart = await servePeer(dirB, ["--no-lan"]);
      peers.push(apart);
      const brianApart = await openPage(apart);
      await retitle(brianApart, "Walking the bog road");
      await brianApart.close();
      await apart.stop();
      const back = await servePeer(dirB);
      peers.push(back);
      const brianBack = await openPage(back);
      for (const page of [aoife, brianBack]) {
        await go(page, `#/c/${communityId}/stories`);
        const card = page.locator(".card", {
          has: page.getByRole("link", { name: /The bog walk at dawn|Walking the bog road/ }),
        });
        await expect
          .poll(() => card.locator(".conflict-badge").allInnerTexts(), { timeout: 30_000 })
          .toEqual([expect.stringContaining("Conflict")]);
      }
      await check(aoife, "stories with a conflict");
      await check(brianBack, "stories with a conflict (Brian)");

      expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
      expect(errors).toEqual([]);
    },
  );

  it(
    "joins with the QR link instead of the typed code, and writes the same story",
    { timeout: 180_000 },
    async () => {
      const [a, b] = await twoFreshPeers();
      await joinAndWrite(a, b, "qr link");
      expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
      expect(errors).toEqual([]);
    },
  );
});
