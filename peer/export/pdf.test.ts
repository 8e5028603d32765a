// The headless printer around a stand-in "Chromium" (a shell script), so each way a print can go
// wrong is shown: no Chromium, a crash, no output, not a PDF, a hang. Printing with the real
// Chromium is test/export/pdf.test.ts. Also the bridge the desktop app's peer prints through.
import { chmod, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../../test/helpers/tmp.ts";
import { runUtilityHost, type ParentPortLike, type PortMessageEvent } from "../utilityHost.ts";
import {
  answerPdfRequest,
  chromiumArgs,
  findChromium,
  headlessChromiumPrinter,
  isPdf,
  isPdfRequest,
  NO_CHROMIUM,
  pdfViaParent,
  printWithFonts,
  type PdfRequest,
} from "./pdf.ts";

let dir: string;

beforeEach(async () => {
  dir = await makeTempDir("meitheal-pdf-unit-");
  await mkdir(join(dir, "tmp"));
});
afterEach(async () => {
  await removeDir(dir);
});

/** A stand-in Chromium: logs its arguments, then runs `body` (sh) with $OUT the --print-to-pdf path. */
async function fakeChromium(body: string): Promise<{ path: string; log: string }> {
  const path = join(dir, "chromium");
  const log = join(dir, "args.log");
  await writeFile(
    path,
    `#!/bin/sh
for a in "$@"; do echo "$a" >> "${log}"; done
OUT=""
for a in "$@"; do case "$a" in --print-to-pdf=*) OUT="\${a#--print-to-pdf=}";; esac; done
${body}
`,
  );
  await chmod(path, 0o755);
  return { path, log };
}

/** What the printer left in its temp folder: nothing, when it cleaned up. */
const leftovers = () => readdir(join(dir, "tmp"));
const printer = (options: Parameters<typeof headlessChromiumPrinter>[0]) =>
  headlessChromiumPrinter({ tempDir: join(dir, "tmp"), ...options });

describe("finding Chromium", () => {
  it("takes the first candidate that exists and can be run, in order", async () => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    const c = join(dir, "c");
    await writeFile(b, "not executable");
    await writeFile(c, "#!/bin/sh\n");
    await chmod(c, 0o755);
    expect(await findChromium([a, c])).toBe(c);
    // b exists but cannot be run: root may run anything, so only the missing one is certain.
    expect(await findChromium([a, join(dir, "missing")])).toBeUndefined();
  });

  it("the command line keeps Chromium off the network, in a fresh profile, without header or footer", () => {
    const args = chromiumArgs("/tmp/p", "/tmp/out.pdf", "/tmp/dir with space/book.html");
    for (const flag of [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--user-data-dir=/tmp/p",
      "--print-to-pdf=/tmp/out.pdf",
      "--no-pdf-header-footer",
      "--host-resolver-rules=MAP * ~NOTFOUND",
    ])
      expect(args).toContain(flag);
    expect(args.at(-1)).toBe("file:///tmp/dir%20with%20space/book.html");
  });
});

describe("the headless printer", () => {
  it("prints with the HTML given and removes every temp file", async () => {
    const fake = await fakeChromium(`printf '%%PDF-1.7 fake' > "$OUT"`);
    const bytes = await printer({ executable: fake.path })("<p>hi</p>", "a5");
    expect(isPdf(bytes)).toBe(true);
    expect(new TextDecoder().decode(bytes)).toBe("%PDF-1.7 fake");
    const args = (await readFile(fake.log, "utf8")).trim().split("\n");
    const url = args.at(-1)!;
    expect(url).toMatch(/^file:\/\/.*\/meitheal-pdf-[^/]+\/book\.html$/);
    expect(args.find((a) => a.startsWith("--user-data-dir="))).toContain("meitheal-pdf-");
    expect(await leftovers()).toEqual([]);
  });

  it("no Chromium: says to use the desktop app or print the HTML from a browser", async () => {
    await expect(printer({ candidates: [join(dir, "none")] })("<p>hi</p>", "a4")).rejects.toThrow(
      NO_CHROMIUM,
    );
    expect(NO_CHROMIUM).toMatch(/Chromium or the desktop app.*export HTML/);
  });

  it("a crash: the last line Chromium said, and what to do", async () => {
    const fake = await fakeChromium(`echo "noise" >&2; echo "boom: no display" >&2; exit 3`);
    await expect(printer({ executable: fake.path })("x", "a4")).rejects.toThrow(
      /Chromium could not print the PDF \(boom: no display\)\. Export HTML/,
    );
    expect(await leftovers()).toEqual([]);
  });

  it("no file written, or not a PDF: a clear failure", async () => {
    const none = await fakeChromium("exit 0");
    await expect(printer({ executable: none.path })("x", "a4")).rejects.toThrow(/wrote no PDF/);
    const html = await fakeChromium(`echo '<html>' > "$OUT"`);
    await expect(printer({ executable: html.path })("x", "a4")).rejects.toThrow(/not a PDF/);
  });

  it("a hang is killed after the timeout, and its temp files go too", async () => {
    const fake = await fakeChromium("exec sleep 30");
    const started = Date.now();
    await expect(printer({ executable: fake.path, timeoutMs: 300 })("x", "a4")).rejects.toThrow(
      /did not finish printing the PDF within/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await leftovers()).toEqual([]);
  });
});

describe("printing through the desktop app's main process", () => {
  it("a request goes to the parent and its answer comes back to the caller", async () => {
    const posted: PdfRequest[] = [];
    const bridge = pdfViaParent((m) => posted.push(m));
    const printing = bridge.printer("<p>book</p>", "a5");
    expect(posted).toHaveLength(1);
    expect(isPdfRequest(posted[0])).toBe(true);
    expect(posted[0]).toMatchObject({ html: "<p>book</p>", pageSize: "a5" });
    const answer = await answerPdfRequest(posted[0]!, (html, size) =>
      Promise.resolve(new TextEncoder().encode(`%PDF-${size}-${html.length}`)),
    );
    expect(bridge.deliver(answer)).toBe(true);
    expect(new TextDecoder().decode(await printing)).toBe("%PDF-a5-11");
  });

  it("a failure in main reaches the caller with its message", async () => {
    const posted: PdfRequest[] = [];
    const bridge = pdfViaParent((m) => posted.push(m));
    const printing = bridge.printer("x", "a4");
    const answer = await answerPdfRequest(posted[0]!, () =>
      Promise.reject(new Error("The PDF could not be printed (gone).")),
    );
    expect(answer).toMatchObject({ ok: false });
    bridge.deliver(answer);
    await expect(printing).rejects.toThrow("The PDF could not be printed (gone).");
  });

  it("other messages are not taken; answers are matched by id; silence times out", async () => {
    const posted: PdfRequest[] = [];
    const bridge = pdfViaParent((m) => posted.push(m), 200);
    expect(bridge.deliver({ type: "channel" })).toBe(false);
    expect(bridge.deliver("text")).toBe(false);
    expect(bridge.deliver({ type: "pdf:printed", id: 1, ok: true, bytes: "not bytes" })).toBe(
      false,
    );
    const first = bridge.printer("one", "a4");
    const second = bridge.printer("two", "a4");
    bridge.deliver({
      type: "pdf:printed",
      id: posted[1]!.id,
      ok: true,
      bytes: new Uint8Array([1]),
    });
    expect(await second).toEqual(new Uint8Array([1]));
    await expect(first).rejects.toThrow(/did not finish printing the PDF within/);
    // A late answer to a request that already failed is dropped quietly.
    expect(
      bridge.deliver({ type: "pdf:printed", id: posted[0]!.id, ok: false, message: "x" }),
    ).toBe(true);
  });

  it("a request that is not one is recognised as such", () => {
    expect(isPdfRequest({ type: "pdf:print", id: 1, html: "x", pageSize: "a3" })).toBe(false);
    expect(isPdfRequest({ type: "pdf:print", id: "1", html: "x", pageSize: "a4" })).toBe(false);
    expect(isPdfRequest({ type: "pdf:print", id: 1, html: "x", pageSize: "a4" })).toBe(true);
  });
});

describe("the desktop app's peer", () => {
  it("prints through its parent port: the request goes up, the answer comes back", async () => {
    const received: unknown[] = [];
    const listeners: ((event: PortMessageEvent) => void)[] = [];
    const parent: ParentPortLike = {
      on: (_event, listener) => listeners.push(listener),
      postMessage: (data) => received.push(data),
    };
    const node = await runUtilityHost({
      parent,
      argv: ["--data", join(dir, "data"), "--no-lan"],
      exit: () => undefined,
    });
    if (!node) throw new Error("the peer did not start");
    try {
      const printing = node.printPdf("<p>book</p>", "a4");
      expect(received).toEqual([{ type: "pdf:print", id: 1, html: "<p>book</p>", pageSize: "a4" }]);
      const bytes = new TextEncoder().encode("%PDF-1.7 from main");
      for (const l of listeners)
        l({ data: { type: "pdf:printed", id: 1, ok: true, bytes }, ports: [] });
      expect(await printing).toEqual(bytes);
    } finally {
      await node.close();
    }
  });
});

describe("printing with the bundled fonts", () => {
  const page = (body: string) =>
    `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"></head><body>${body}</body></html>`;

  it("the printer gets the page with its fonts; the warning names what has no glyph", async () => {
    let printed = "";
    const result = await printWithFonts(
      (html) => {
        printed = html;
        return Promise.resolve(new TextEncoder().encode("%PDF-1.7 fake"));
      },
      page("<p>Tá ḃ ‘x’ 🌱 \uE000</p>"),
      "a4",
    );
    expect(isPdf(result.bytes)).toBe(true);
    expect(printed).toContain("font-src data:");
    expect(printed).toContain('font-family: "Noto Serif"');
    expect(printed).toContain('font-family: "Noto Emoji"');
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/^1 character has no glyph .*: U\+E000 /);
    const clean = await printWithFonts(
      () => Promise.resolve(new TextEncoder().encode("%PDF-")),
      page("<p>Tá</p>"),
      "a4",
    );
    expect(clean.warnings).toEqual([]);
  });

  it("a page the fonts cannot be put in is not printed, and the error says what to do", async () => {
    let calls = 0;
    await expect(
      printWithFonts(
        () => {
          calls++;
          return Promise.resolve(new Uint8Array());
        },
        "<p>no head</p>",
        "a4",
      ),
    ).rejects.toThrow(
      /could not be read .* Nothing was written\. Reinstall Meitheal, or export HTML/,
    );
    expect(calls).toBe(0);
  });
});
