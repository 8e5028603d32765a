import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

type Listener = (...args: never[]) => unknown;
type Rect = { x: number; y: number; width: number; height: number };

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
  class FakeWebContents extends Emitter {
    url = "meitheal-app://ui/index.html";
    openHandler: ((details: { url: string }) => { action: string }) | undefined;
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.openHandler = handler;
    }
    getURL() {
      return this.url;
    }
  }
  class FakeBrowserWindow extends Emitter {
    static instances: FakeBrowserWindow[] = [];
    readonly webContents = new FakeWebContents();
    bounds: Rect;
    maximized = false;
    shown = false;
    destroyed = false;
    readonly loaded: string[] = [];
    constructor(readonly options: Record<string, unknown>) {
      super();
      this.bounds = {
        x: (options.x as number | undefined) ?? 0,
        y: (options.y as number | undefined) ?? 0,
        width: options.width as number,
        height: options.height as number,
      };
      FakeBrowserWindow.instances.push(this);
    }
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
    show() {
      this.shown = true;
    }
    maximize() {
      this.maximized = true;
    }
    isMaximized() {
      return this.maximized;
    }
    getNormalBounds() {
      return { ...this.bounds };
    }
    isDestroyed() {
      return this.destroyed;
    }
  }
  type HeadersListener = (
    details: { url: string; responseHeaders?: Record<string, string[]> },
    callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
  ) => void;
  const session = {
    defaultSession: {
      headersListener: undefined as HeadersListener | undefined,
      webRequest: {
        onHeadersReceived: (listener: HeadersListener) => {
          session.defaultSession.headersListener = listener;
        },
      },
      permissionHandler: undefined as
        | ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void)
        | undefined,
      setPermissionRequestHandler(
        handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void,
      ) {
        session.defaultSession.permissionHandler = handler;
      },
      deviceHandler: undefined as (() => boolean) | undefined,
      setDevicePermissionHandler(handler: () => boolean) {
        session.defaultSession.deviceHandler = handler;
      },
      protocol: {
        handlers: new Map<string, (request: Request) => Promise<Response>>(),
        handle(scheme: string, handler: (request: Request) => Promise<Response>) {
          session.defaultSession.protocol.handlers.set(scheme, handler);
        },
      },
    },
  };
  const displays: { workArea: Rect }[] = [];
  return {
    FakeBrowserWindow,
    session,
    displays,
    screen: { getAllDisplays: () => displays, getPrimaryDisplay: () => displays[0] },
    shell: { openExternal: vi.fn((_url: string) => Promise.resolve()) },
    protocol: { registerSchemesAsPrivileged: vi.fn() },
    net: {
      fetch: vi.fn((_url: string) =>
        Promise.resolve(
          new Response("<html></html>", { headers: { "Content-Type": "text/html" } }),
        ),
      ),
    },
  };
});

vi.mock("electron", () => ({
  BrowserWindow: fake.FakeBrowserWindow,
  session: fake.session,
  screen: fake.screen,
  shell: fake.shell,
  protocol: fake.protocol,
  net: fake.net,
}));

const {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  clampToDisplays,
  configureAppPages,
  createWindow,
  flushWindowStates,
  installAppSession,
  isAppPage,
  parseWindowState,
  registerAppScheme,
  resolveAppFile,
} = await import("./window.ts");

type FakeWindow = InstanceType<typeof fake.FakeBrowserWindow>;
const lastWindow = (): FakeWindow => {
  const win = fake.FakeBrowserWindow.instances.at(-1);
  if (!win) throw new Error("no window was created");
  return win;
};
const navigate = (win: FakeWindow, url: string) => {
  const event = { url, preventDefault: vi.fn() };
  win.webContents.emit("will-navigate", event);
  return event.preventDefault;
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "meitheal-"));
  fake.FakeBrowserWindow.instances.length = 0;
  fake.displays.splice(0, fake.displays.length, {
    workArea: { x: 0, y: 0, width: 1920, height: 1080 },
  });
  fake.shell.openExternal.mockClear();
  configureAppPages({ rendererDir: "/app/out/renderer", devServerUrl: undefined });
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

describe("createWindow", () => {
  it("gives every window the fixed secure web preferences and the preload", async () => {
    await createWindow({ url: APP_ENTRY_URL, preload: "/app/out/preload/preload.cjs" });
    const prefs = lastWindow().options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: true,
      preload: "/app/out/preload/preload.cjs",
    });
    expect(lastWindow().loaded).toEqual([APP_ENTRY_URL]);
    expect(lastWindow().options.show).toBe(false);
    lastWindow().emit("ready-to-show");
    expect(lastWindow().shown).toBe(true);
  });

  it("prevents navigation to another origin, and to anywhere at all in a packaged app", async () => {
    const win = await createWindow({ url: APP_ENTRY_URL, preload: "/p.cjs" }).then(lastWindow);
    expect(navigate(win, "https://evil.example/phish")).toHaveBeenCalled();
    expect(navigate(win, "file:///etc/passwd")).toHaveBeenCalled();
    expect(navigate(win, APP_ENTRY_URL)).toHaveBeenCalled();
    const redirect = { url: "https://evil.example/", preventDefault: vi.fn() };
    win.webContents.emit("will-redirect", redirect);
    expect(redirect.preventDefault).toHaveBeenCalled();
    const webview = { preventDefault: vi.fn() };
    win.webContents.emit("will-attach-webview", webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });

  it("lets the dev server reload itself, but nothing else", async () => {
    configureAppPages({ rendererDir: undefined, devServerUrl: "http://localhost:5173" });
    const win = await createWindow({ url: "http://localhost:5173/", preload: "/p.cjs" }).then(
      lastWindow,
    );
    win.webContents.url = "http://localhost:5173/";
    expect(navigate(win, "http://localhost:5173/")).not.toHaveBeenCalled();
    expect(navigate(win, "http://localhost:5174/")).toHaveBeenCalled();
    expect(navigate(win, "https://localhost:5173/")).toHaveBeenCalled();
  });

  it("denies every new window and opens only http(s) links in the browser", async () => {
    const win = await createWindow({ url: APP_ENTRY_URL, preload: "/p.cjs" }).then(lastWindow);
    const open = (url: string) => win.webContents.openHandler?.({ url });
    expect(open("https://example.org/a?b=c")).toEqual({ action: "deny" });
    expect(open("http://example.org/")).toEqual({ action: "deny" });
    for (const url of [
      "file:///etc/passwd",
      "javascript:alert(1)",
      "smb://host/share",
      "ms-settings:",
      APP_ENTRY_URL,
      "not a url",
    ]) {
      expect(open(url)).toEqual({ action: "deny" });
    }
    expect(fake.shell.openExternal.mock.calls.map((c) => c[0])).toEqual([
      "https://example.org/a?b=c",
      "http://example.org/",
    ]);
  });
});

describe("installAppSession", () => {
  it("uses exactly the agreed Content-Security-Policy", () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
  });

  it("replaces any CSP on app pages with ours and leaves other responses alone", () => {
    installAppSession();
    const listener = fake.session.defaultSession.headersListener;
    if (!listener) throw new Error("no onHeadersReceived listener");
    const callback = vi.fn();
    listener(
      {
        url: "meitheal-app://ui/index.html",
        responseHeaders: {
          "content-security-policy": ["default-src *"],
          "Content-Type": ["text/html"],
        },
      },
      callback,
    );
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: {
        "Content-Type": ["text/html"],
        "Content-Security-Policy": [CONTENT_SECURITY_POLICY],
      },
    });
    const other = vi.fn();
    listener({ url: "https://example.org/", responseHeaders: {} }, other);
    expect(other).toHaveBeenCalledWith({});
  });

  it("gives dev-server pages a policy that still forbids other origins", () => {
    configureAppPages({ rendererDir: undefined, devServerUrl: "http://localhost:5173" });
    installAppSession();
    const callback = vi.fn<(r: { responseHeaders?: Record<string, string[]> }) => void>();
    fake.session.defaultSession.headersListener?.(
      { url: "http://localhost:5173/", responseHeaders: {} },
      callback,
    );
    const policy =
      callback.mock.calls[0]?.[0].responseHeaders?.["Content-Security-Policy"]?.[0] ?? "";
    expect(policy).toContain("connect-src 'self' ws://localhost:5173");
    expect(policy).toContain("object-src 'none'");
    expect(policy).not.toContain("*");
  });

  it("denies every permission request and every device", () => {
    installAppSession();
    const handler = fake.session.defaultSession.permissionHandler;
    if (!handler) throw new Error("no permission handler");
    for (const permission of [
      "media",
      "geolocation",
      "notifications",
      "openExternal",
      "clipboard-read",
      "hid",
    ]) {
      const callback = vi.fn();
      handler({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
    }
    expect(fake.session.defaultSession.deviceHandler?.()).toBe(false);
  });

  it("serves app files with the CSP and refuses paths outside the renderer folder", async () => {
    installAppSession();
    const serve = fake.session.defaultSession.protocol.handlers.get("meitheal-app");
    if (!serve) throw new Error("the app scheme is not served");
    const page = await serve(new Request("meitheal-app://ui/index.html"));
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Security-Policy")).toBe(CONTENT_SECURITY_POLICY);
    expect(fake.net.fetch).toHaveBeenLastCalledWith("file:///app/out/renderer/index.html");
    fake.net.fetch.mockClear();
    const escape = await serve(new Request("meitheal-app://ui/..%2F..%2F..%2Fetc%2Fpasswd"));
    expect(escape.status).toBe(404);
    const otherHost = await serve(new Request("meitheal-app://elsewhere/index.html"));
    expect(otherHost.status).toBe(404);
    expect(fake.net.fetch).not.toHaveBeenCalled();
  });

  it("registers the app scheme as a standard, secure origin that may fetch (automerge's wasm)", () => {
    registerAppScheme();
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({
        scheme: "meitheal-app",
        privileges: expect.objectContaining({
          standard: true,
          secure: true,
          supportFetchAPI: true,
        }) as unknown,
      }),
    ]);
  });
});

describe("app pages", () => {
  it("knows our pages from everyone else's", () => {
    expect(isAppPage(APP_ENTRY_URL)).toBe(true);
    expect(isAppPage("meitheal-app://other/index.html")).toBe(false);
    expect(isAppPage("http://localhost:5173/")).toBe(false);
    expect(isAppPage("file:///app/out/renderer/index.html")).toBe(false);
    configureAppPages({ rendererDir: undefined, devServerUrl: "http://localhost:5173" });
    expect(isAppPage("http://localhost:5173/index.html")).toBe(true);
    expect(isAppPage("http://localhost:5174/")).toBe(false);
  });

  it("maps page paths into the renderer folder only", () => {
    expect(resolveAppFile("/r", "/")).toBe("/r/index.html");
    expect(resolveAppFile("/r", "/assets/a%20b.js")).toBe("/r/assets/a b.js");
    expect(resolveAppFile("/r", "/../etc/passwd")).toBeUndefined();
    expect(resolveAppFile("/r", "/..%2F..%2Fetc%2Fpasswd")).toBeUndefined();
    expect(resolveAppFile("/r", "/%E0%A4%A")).toBeUndefined();
    expect(resolveAppFile("/r", "/a%00b")).toBeUndefined();
  });
});

describe("window state", () => {
  it("is saved on close and restored, maximized, on the next start", async () => {
    const stateFile = join(dir, "window-state.json");
    const first = await createWindow({ url: APP_ENTRY_URL, preload: "/p.cjs", stateFile }).then(
      lastWindow,
    );
    expect(first.options).toMatchObject({ width: 1200, height: 800 });
    first.bounds = { x: 120, y: 80, width: 1000, height: 700 };
    first.maximized = true;
    first.emit("close");
    first.destroyed = true;
    await flushWindowStates();
    expect(JSON.parse(await readFile(stateFile, "utf8"))).toEqual({
      x: 120,
      y: 80,
      width: 1000,
      height: 700,
      maximized: true,
    });

    const second = await createWindow({ url: APP_ENTRY_URL, preload: "/p.cjs", stateFile }).then(
      lastWindow,
    );
    expect(second.options).toMatchObject({ x: 120, y: 80, width: 1000, height: 700 });
    expect(second.maximized).toBe(false);
    second.emit("ready-to-show");
    expect(second.maximized).toBe(true);
  });

  it("is saved once after moves and resizes settle", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const stateFile = join(dir, "window-state.json");
    const win = await createWindow({ url: APP_ENTRY_URL, preload: "/p.cjs", stateFile }).then(
      lastWindow,
    );
    win.bounds = { x: 10, y: 20, width: 900, height: 600 };
    win.emit("move");
    win.emit("resize");
    vi.advanceTimersByTime(100);
    await tick();
    await expect(readFile(stateFile, "utf8")).rejects.toThrow();
    vi.advanceTimersByTime(1_000);
    vi.useRealTimers();
    await vi.waitFor(async () =>
      expect(JSON.parse(await readFile(stateFile, "utf8"))).toEqual({
        x: 10,
        y: 20,
        width: 900,
        height: 600,
        maximized: false,
      }),
    );
  });

  it("puts a window saved on an unplugged monitor back onto a display", async () => {
    const stateFile = join(dir, "window-state.json");
    await writeFile(
      stateFile,
      JSON.stringify({ x: 3000, y: 1500, width: 1000, height: 700, maximized: false }),
    );
    const win = await createWindow({ url: APP_ENTRY_URL, preload: "/p.cjs", stateFile }).then(
      lastWindow,
    );
    const { x, y, width, height } = win.options as Rect;
    expect({ width, height }).toEqual({ width: 1000, height: 700 });
    expect(x).toBeGreaterThanOrEqual(0);
    expect(y).toBeGreaterThanOrEqual(0);
    expect(x + width).toBeLessThanOrEqual(1920);
    expect(y + height).toBeLessThanOrEqual(1080);
  });

  it("opens at the default size when the saved file is damaged", async () => {
    const stateFile = join(dir, "window-state.json");
    await writeFile(stateFile, "{ torn");
    const win = await createWindow({ url: APP_ENTRY_URL, preload: "/p.cjs", stateFile }).then(
      lastWindow,
    );
    expect(win.options).toMatchObject({ width: 1200, height: 800 });
    expect(win.options.x).toBeUndefined();
  });

  it("clamps: keeps a visible window, pulls a half-hidden one in, shrinks one bigger than the screen", () => {
    const left = { workArea: { x: 0, y: 0, width: 1920, height: 1080 } };
    const right = { workArea: { x: 1920, y: 0, width: 1280, height: 1024 } };
    const state = (x: number, y: number, width = 800, height = 600) => ({
      x,
      y,
      width,
      height,
      maximized: false,
    });
    expect(clampToDisplays(state(2000, 100), [left, right], left)).toEqual(state(2000, 100));
    expect(clampToDisplays(state(1500, 100), [left, right], left)).toEqual(state(1120, 100));
    expect(clampToDisplays(state(-5000, -5000), [left, right], left)).toEqual(state(560, 240));
    expect(clampToDisplays(state(1920, 0, 4000, 3000), [left, right], left)).toEqual(
      state(1920, 0, 1280, 1024),
    );
    expect(clampToDisplays({ width: 5000, height: 5000, maximized: true }, [left], left)).toEqual({
      width: 1920,
      height: 1080,
      maximized: true,
    });
  });

  it("rejects saved states that are not states", () => {
    expect(parseWindowState(null)).toBeUndefined();
    expect(parseWindowState({ width: "big", height: 5 })).toBeUndefined();
    expect(parseWindowState({ width: 0, height: 5 })).toBeUndefined();
    expect(parseWindowState({ width: 800, height: 600, x: Number.NaN, y: 3 })).toEqual({
      width: 800,
      height: 600,
      maximized: false,
    });
  });
});

/** Lets any write that had started get going (flushWindowStates would save the live window itself). */
async function tick(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}
