// The pure parts of the export commands; the commands themselves run in test/export/exportCli.test.ts.
import { describe, expect, it } from "vitest";
import { outPath, statusesOf, summaryText } from "./cli.ts";

describe("--status and --all-statuses", () => {
  it("default, a list, or all; anything else is a usage error that says what is allowed", () => {
    expect(statusesOf({})).toEqual({ ok: true, value: undefined });
    expect(statusesOf({ status: "Ready, published" })).toEqual({
      ok: true,
      value: ["ready", "published"],
    });
    expect(statusesOf({ "all-statuses": true })).toEqual({
      ok: true,
      value: ["seed", "draft", "ready", "published"],
    });
    const both = statusesOf({ "all-statuses": true, status: "ready" });
    expect(both.ok ? "" : both.error.message).toBe(
      "Give either --all-statuses or --status, not both.",
    );
    const odd = statusesOf({ status: "ready,final" });
    expect(odd.ok ? "" : odd.error.message).toMatch(
      /from: seed, draft, ready, published \("final" is not one\)/,
    );
    expect(statusesOf({ status: " , " }).ok).toBe(false);
  });
});

describe("--out", () => {
  it("relative paths are taken from the current folder; ~ and absolute ones are kept", () => {
    expect(outPath("book.epub", "/home/a")).toBe("/home/a/book.epub");
    expect(outPath("../b/book.epub", "/home/a")).toBe("/home/b/book.epub");
    expect(outPath("~/book.epub", "/home/a")).toBe("~/book.epub");
    expect(outPath("/srv/book.epub", "/home/a")).toBe("/srv/book.epub");
  });
});

describe("the summary", () => {
  it("says where, how many stories, and each warning", () => {
    expect(
      summaryText({
        path: "/tmp/b.epub",
        download: null,
        format: "epub",
        stories: 1,
        bytes: 12_345,
        warnings: ["One was left out."],
      }),
    ).toBe(
      "Exported 1 story as epub to /tmp/b.epub (12,345 bytes).\n1 warning:\n  - One was left out.",
    );
    expect(
      summaryText({
        path: "/tmp/b.zip",
        download: null,
        format: "markdown",
        stories: 3,
        bytes: 9,
        warnings: [],
      }),
    ).toBe("Exported 3 stories as markdown to /tmp/b.zip (9 bytes).");
  });
});
