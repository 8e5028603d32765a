// electron/pdf.ts against a fake Electron: the print window's settings, the request filter, that
// navigation and new windows are denied, the printToPDF options, and that the window and temp file
// are gone afterwards whatever happened. Also PeerProcess answering the peer's print requests.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it, vi } from "vitest";

type Listener = (...args: never[]) => unknown;
type RequestListener = (
  details: { url: string },
  callback: (response: { cancel?: boolean }) => void,
) => void;

const fake = vi.hoisted(() => {
  class Emitter {
    readonly listeners = new Map<string, Listener[]>();
    on(name: string, listener: Listener) {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
      return this;
    }
    once(name: string, listener: Listener) {
      return this.on(name, listener);
    }
    emit(name: string, ...args: unknown[]) {
      for (const l of this.listeners.get(name) ?? []) (l as (...a: unknown[]) => unknown)(...args);
    }
  }
  const state = {
    /** What printToPDF gives, or throws. */
    print: (): Promise<Buffer> => Promise.resolve(Buffer.from("%PDF-1.7 fake")),
    load: (): Promise<void> => Promise.resolve(),
    /** Seen while the page was loading: the file and what it held. */
    seenHtml: "",
    seenUrl: "",
  };
  class FakeWebContents extends Emitter {
    openHandler: (() => { action: string }) | undefined;
    printOptions: unknown;
    setWindowOpenHandler(handler: () => { action: string }) {
      this.openHandler = handler;
    }
    printToPDF(options: unknown) {
      this.printOptions = options;
      return state.print();
    }
  }
  class FakeBrowserWindow {
    static all: FakeBrowserWindow[] = [];
    readonly webContents = new FakeWebContents();
    destroyed = false;
    constructor(readonly options: Record<string, unknown>) {
      FakeBrowserWindow.all.push(this);
    }
    async loadURL(url: string) {
      state.seenUrl = url;
      const { readFile: read } = await import("node:fs/promises");
      const { fileURLToPath: toPath } = await import("node:url");
      state.seenHtml = await read(toPath(url), "utf8");
      return state.load();
    }
    isDestroyed() {
      return this.destroyed;
    }
    destroy() {
      this.destroyed = true;
    }
  }
  const printSession = {
    requestListener: undefined as RequestListener | undefined,
    permissionHandler: undefined as
      ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | undefined,
    webRequest: {
      onBeforeRequest(listener: RequestListener) {
        printSession.requestListener = listener;
      },
    },
    setPermissionRequestHandler(
      handler: (c: unknown, p: string, cb: (granted: boolean) => void) => void,
    ) {
      printSession.permissionHandler = handler;
    },
  };
  const fromPartition = vi.fn((_partition: string, _options?: unknown) => printSession);
  class FakeChild extends Emitter {
    readonly posted: unknown[] = [];
    postMessage(message: unknown) {
      this.posted.push(message);
    }
    kill() {
      return true;
    }
  }
  const children: FakeChild[] = [];
  const electron = {
    BrowserWindow: FakeBrowserWindow,
    session: { fromPartition },
    utilityProcess: {
      fork: vi.fn(() => {
        const child = new FakeChild();
        children.push(child);
        return child;
      }),
    },
    MessageChannelMain: class {},
  };
  return { state, electron, FakeBrowserWindow, printSession, fromPartition, children };
});

vi.mock("electron", () => fake.electron);

const { electronPdfPrinter, isAllowedPrintUrl, PDF_PARTITION } = await import("./pdf.ts");
const { PeerProcess } = await import("./peerProcess.ts");

const blocked = (url: string): boolean => {
  let cancel: boolean | undefined;
  fake.printSession.requestListener?.({ url }, (r) => (cancel = r.cancel));
  return cancel === true;
};

beforeEach(() => {
  fake.FakeBrowserWindow.all.length = 0;
  fake.state.print = () => Promise.resolve(Buffer.from("%PDF-1.7 fake"));
  fake.state.load = () => Promise.resolve();
  fake.children.length = 0;
});

describe("printing a PDF in Electron main", () => {
  it("a hidden, sandboxed window with no script, in an in-memory session; A5 asked of printToPDF", async () => {
    let duringLoad:
      { page: boolean; web: boolean; other: boolean; data: boolean; font: boolean } | undefined;
    fake.state.load = () => {
      duringLoad = {
        page: blocked(fake.state.seenUrl),
        web: blocked("http://example.org/x.png"),
        other: blocked("file:///etc/passwd"),
        data: blocked("data:text/html,<p>x</p>"),
        font: blocked("data:font/woff2;base64,d09GMgABAAAAA"),
      };
      return Promise.resolve();
    };
    const bytes = await electronPdfPrinter()("<html><p>Tide</p></html>", "a5");
    expect(new TextDecoder().decode(bytes)).toBe("%PDF-1.7 fake");
    expect(bytes).toBeInstanceOf(Uint8Array);

    expect(fake.fromPartition).toHaveBeenCalledWith(PDF_PARTITION, { cache: false });
    expect(PDF_PARTITION.startsWith("persist:")).toBe(false);
    const [win] = fake.FakeBrowserWindow.all;
    expect(win?.options).toMatchObject({
      show: false,
      webPreferences: {
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        javascript: false,
        webSecurity: true,
        session: fake.printSession,
      },
    });
    expect(fake.state.seenHtml).toBe("<html><p>Tide</p></html>");
    expect(fake.state.seenUrl).toMatch(/^file:\/\/.*\/book\.html$/);
    // While loading, only the page itself and the fonts embedded in it may load.
    expect(duringLoad).toEqual({ page: false, web: true, other: true, data: true, font: false });
    expect(win?.webContents.printOptions).toEqual({
      pageSize: "A5",
      printBackground: true,
      preferCSSPageSize: true,
    });
    // Afterwards: the window destroyed, the temp file gone, even the page no longer allowed.
    expect(win?.destroyed).toBe(true);
    expect(existsSync(fileURLToPath(fake.state.seenUrl))).toBe(false);
    expect(isAllowedPrintUrl(fake.state.seenUrl)).toBe(false);
    // No permission is ever granted.
    let granted: boolean | undefined;
    fake.printSession.permissionHandler?.(null, "media", (g) => (granted = g));
    expect(granted).toBe(false);
  });

  it("navigation and new windows are denied", async () => {
    let events: { prevented: boolean }[] = [];
    let opened: { action: string } | undefined;
    fake.state.load = () => {
      const win = fake.FakeBrowserWindow.all[0]!;
      events = ["will-navigate", "will-redirect"].map((name) => {
        const event = { prevented: false, preventDefault: () => (event.prevented = true) };
        win.webContents.emit(name, event, "https://example.org/");
        return event;
      });
      opened = win.webContents.openHandler?.();
      return Promise.resolve();
    };
    await electronPdfPrinter()("<p>x</p>", "a4");
    expect(events.map((e) => e.prevented)).toEqual([true, true]);
    expect(opened).toEqual({ action: "deny" });
    expect(fake.FakeBrowserWindow.all[0]?.webContents.printOptions).toMatchObject({
      pageSize: "A4",
    });
  });

  it("a failure, something that is not a PDF, or a hang: a clear error, window and file gone", async () => {
    fake.state.print = () => Promise.reject(new Error("renderer crashed"));
    await expect(electronPdfPrinter()("<p>x</p>", "a4")).rejects.toThrow(
      "The PDF could not be printed (renderer crashed). Try again, or export HTML and print it from a browser.",
    );
    fake.state.print = () => Promise.resolve(Buffer.from("<html>"));
    await expect(electronPdfPrinter()("<p>x</p>", "a4")).rejects.toThrow(/not a PDF/);
    fake.state.print = () => new Promise(() => undefined);
    await expect(electronPdfPrinter({ timeoutMs: 50 })("<p>x</p>", "a4")).rejects.toThrow(
      /took longer than .* and was stopped/,
    );
    for (const win of fake.FakeBrowserWindow.all) expect(win.destroyed).toBe(true);
    expect(existsSync(fileURLToPath(fake.state.seenUrl))).toBe(false);
  });
});

describe("the peer's print requests", () => {
  it("PeerProcess prints what the peer asks and posts the answer back", async () => {
    const printPdf = vi.fn((html: string, size: string) =>
      Promise.resolve(new TextEncoder().encode(`%PDF ${size} ${html}`)),
    );
    const peer = new PeerProcess({ entry: "peer.js", dataDir: "/tmp/d", printPdf });
    peer.start();
    const child = fake.children[0]!;
    child.emit("message", { type: "pdf:print", id: 7, html: "<p>x</p>", pageSize: "a5" });
    await vi.waitFor(() => expect(child.posted).toHaveLength(1));
    expect(printPdf).toHaveBeenCalledWith("<p>x</p>", "a5");
    expect(child.posted[0]).toEqual({
      type: "pdf:printed",
      id: 7,
      ok: true,
      bytes: new TextEncoder().encode("%PDF a5 <p>x</p>"),
    });
    // Something that only looks like a request is ignored.
    child.emit("message", { type: "pdf:print", id: 8, html: 1, pageSize: "a5" });
    await new Promise((r) => setTimeout(r, 20));
    expect(child.posted).toHaveLength(1);
  });

  it("without a printer the peer is told so, in words", async () => {
    const peer = new PeerProcess({ entry: "peer.js", dataDir: "/tmp/d" });
    peer.start();
    const child = fake.children[0]!;
    child.emit("message", { type: "pdf:print", id: 1, html: "x", pageSize: "a4" });
    await vi.waitFor(() => expect(child.posted).toHaveLength(1));
    expect(child.posted[0]).toMatchObject({
      type: "pdf:printed",
      id: 1,
      ok: false,
      message: expect.stringMatching(/cannot print PDFs\. Export HTML/) as unknown,
    });
  });
});
