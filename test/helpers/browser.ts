// Debian's Chromium driven by playwright-core: never a downloaded browser. Each launch gets a fresh
// profile folder and the flags that keep Chromium off the network.
import { chromium, type BrowserContext } from "playwright-core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  const profile = await mkdtemp(join(tmpdir(), "meitheal-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1200, height: 780 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A new 1280×800 page of a served peer, with its errors collected in `errors`, opened at `hash`
 * once the app has taken its token from the address and drawn a page heading (a hash set before
 * that would lose the token).
 */
export async function openServedPage(
  context: BrowserContext,
  url: string,
  hash: string,
  errors: string[],
) {
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(url);
  await page.getByRole("heading", { level: 1 }).first().waitFor();
  // Runs in the page; this file is type-checked without the DOM's types.
  await page.evaluate((h) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = h;
  }, hash);
  return page;
}
