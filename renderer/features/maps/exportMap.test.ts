import { describe, expect, it } from "vitest";
import { fileName } from "./exportMap.ts";

describe("export file names", () => {
  it("keeps letters and digits of any script, one dash between words, lower case", () => {
    expect(fileName("Sharing tools", "svg")).toBe("sharing-tools.svg");
    expect(fileName("  Ceisteanna: Cé? / 2024  ", "png")).toBe("ceisteanna-cé-2024.png");
    expect(fileName("../../etc/passwd", "svg")).toBe("etc-passwd.svg");
  });
  it("names a map with no usable title 'map'", () => {
    expect(fileName("?!", "png")).toBe("map.png");
    expect(fileName("", "svg")).toBe("map.svg");
  });
});
