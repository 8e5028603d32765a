import { describe, expect, it } from "vitest";
import { qrImageSrc } from "./qr.ts";

describe("qrImageSrc", () => {
  it("draws the text as an SVG image address", async () => {
    const src = await qrImageSrc("meitheal://join?c=4NMN&k=ab12&s=7K3MQ9PX");
    expect(src.startsWith("data:image/svg+xml;charset=utf-8,")).toBe(true);
    const svg = decodeURIComponent(src.slice(src.indexOf(",") + 1));
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain("<path");
  });
  it("draws different invites differently", async () => {
    expect(await qrImageSrc("meitheal://join?s=A")).not.toBe(
      await qrImageSrc("meitheal://join?s=B"),
    );
  });
});
