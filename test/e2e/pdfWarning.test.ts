// A PDF export in the browser names the characters the bundled fonts cannot print: a collection
// whose story holds Irish, typographic quotes, an emoji and one private-use character is exported
// as PDF through the export dialog of a served peer (which prints with the installed Chromium),
// and the dialog's warnings name U+E000 and nothing else. Also writes docs/export-pdf-warning.png.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../helpers/axe.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { makePeerCollection, type PeerCollection } from "../export/peerCollection.ts";

describe("a PDF export in the browser", () => {
  let dir: string;
  let fixture: PeerCollection;
  let peer: ServedPeer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "meitheal-e2e-pdf-warning-"));
    fixture = await makePeerCollection(
      join(dir, "data"),
      [
        {
          title: "Scéal na meithle",
          status: "ready",
          body: [
            { type: "paragraph", text: "Tá fáilte romhat! An seanchló: ḃ ċ ḋ ḟ ġ ṁ ṗ ṡ ṫ." },
            { type: "paragraph", text: "‘Meitheal’ — “obair i bpáirt” … 🌱 agus \uE000." },
          ],
        },
      ],
      { communityName: "Cois Farraige", collectionTitle: "Scéalta" },
    );
    browser = await launchBrowser();
    peer = await servePeer(fixture.dataDir);
  });
  afterAll(async () => {
    await browser?.close();
    await peer?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("names the one character that will print as an empty box", async () => {
    const errors: string[] = [];
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(peer!.url);
    await page.getByRole("heading", { name: "Stories", level: 1 }).waitFor();
    await page.evaluate(
      (h) => void (window.location.hash = h),
      `#/c/${fixture.communityId}/collections/${fixture.collectionId}`,
    );
    await page.getByRole("heading", { name: "Scéalta", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Export…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(/PDF/).check();
    const file = join(dir, "sceal.pdf");
    await dialog.getByText("Advanced: type a path on this device").click();
    await dialog.getByLabel("Save the export to").fill(file);
    await dialog.getByRole("button", { name: "Export", exact: true }).click();
    await dialog
      .getByRole("heading", { name: "Exported" })
      .or(dialog.locator(".notice-error"))
      .waitFor({ timeout: 60_000 });
    expect(await dialog.locator(".notice-error").allInnerTexts()).toEqual([]);
    const warnings = await dialog.locator(".notice-warning li").allInnerTexts();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      "1 character has no glyph in the bundled fonts and will print as an empty box: U+E000",
    );
    expect(warnings[0]!.match(/U\+[0-9A-F]{4,}/g)).toEqual(["U+E000"]);
    expect((await readFile(file)).subarray(0, 5).toString("latin1")).toBe("%PDF-");
    await page.screenshot({ path: join(REPO_ROOT, "docs/export-pdf-warning.png") });
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
