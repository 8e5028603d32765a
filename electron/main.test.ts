// main.ts runs as soon as it is imported, like Electron runs it: each test imports a fresh copy
// against a fake Electron and drives it through the events Electron would send.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

type Listener = (...args: never[]) => unknown;
type DialogOptions = { type?: string; message: string; detail?: string; buttons?: string[] };

const fake = vi.hoisted(() => {
  class Emitter {
    readonly listeners = new Map<string, Listener[]>();
    on(name: string, listener: Listener) {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
      return this;
    }
    once(name: string, listener: Listener) {
      const wrapped = (...args: never[]) => {
        this.off(name, wrapped);
        return listener(...args);
      };
      return this.on(name, wrapped);
    }
    off(name: string, listener: Listener) {
      this.listeners.set(
        name,
        (this.listeners.get(name) ?? []).filter((l) => l !== listener),
      );
      return this;
    }
    emit(name: string, ...args: unknown[]) {
      for (const l of this.listeners.get(name) ?? []) (l as (...a: unknown[]) => unknown)(...args);
    }
  }

  class FakeChild extends Emitter {
    readonly posted: { message: unknown; transfer: unknown[] | undefined }[] = [];
    killed = false;
    postMessage(message: unknown, transfer?: unknown[]) {
      this.posted.push({ message, transfer });
    }
    kill() {
      this.killed = true;
      return true;
    }
  }

  class FakeWebContents extends Emitter {
    reloads = 0;
    setWindowOpenHandler() {}
    getURL() {
      return "meitheal-app://ui/index.html";
    }
    reload() {
      this.reloads++;
    }
  }

  class FakeBrowserWindow extends Emitter {
    static all: FakeBrowserWindow[] = [];
    static getAllWindows() {
      return FakeBrowserWindow.all.filter((w) => !w.destroyed);
    }
    readonly webContents = new FakeWebContents();
    destroyed = false;
    minimized = false;
    focused = 0;
    restored = 0;
    loaded: string[] = [];
    constructor(readonly options: Record<string, unknown>) {
      super();
      FakeBrowserWindow.all.push(this);
    }
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
    isDestroyed() {
      return this.destroyed;
    }
    isMinimized() {
      return this.minimized;
    }
    restore() {
      this.restored++;
      this.minimized = false;
    }
    show() {}
    focus() {
      this.focused++;
    }
    maximize() {}
    isMaximized() {
      return false;
    }
    getNormalBounds() {
      return { x: 0, y: 0, width: 1200, height: 800 };
    }
  }

  class FakeApp extends Emitter {
    isPackaged = true;
    lock = true;
    paths = new Map<string, string>();
    quit = vi.fn();
    enableSandbox = vi.fn();
    setPath(name: string, path: string) {
      this.paths.set(name, path);
    }
    getPath(name: string) {
      const path = this.paths.get(name);
      if (!path) throw new Error(`no ${name} path`);
      return path;
    }
    getVersion() {
      return "0.1.0";
    }
    requestSingleInstanceLock() {
      return this.lock;
    }
    whenReady() {
      return Promise.resolve();
    }
  }

  const state = {
    app: new FakeApp(),
    children: [] as FakeChild[],
    dialogResponses: [] as number[],
    ipcListeners: new Map<string, Listener>(),
  };
  const dialog = {
    showMessageBox: vi.fn((...args: unknown[]) => {
      void args;
      return Promise.resolve({
        response: state.dialogResponses.shift() ?? 0,
        checkboxChecked: false,
      });
    }),
    showErrorBox: vi.fn(),
  };
  const electron = {
    get app() {
      return state.app;
    },
    BrowserWindow: FakeBrowserWindow,
    dialog,
    utilityProcess: {
      fork: vi.fn((_entry: string, _args: string[], _options: unknown) => {
        const child = new FakeChild();
        state.children.push(child);
        return child;
      }),
    },
    MessageChannelMain: class {
      readonly port1 = { name: "port1" };
      readonly port2 = { name: "port2" };
    },
    ipcMain: {
      on: (channel: string, listener: Listener) => state.ipcListeners.set(channel, listener),
      removeListener: () => undefined,
      handle: (channel: string, listener: Listener) => state.ipcListeners.set(channel, listener),
      removeHandler: () => undefined,
    },
    Menu: { buildFromTemplate: vi.fn((t: unknown) => t), setApplicationMenu: vi.fn() },
    protocol: { registerSchemesAsPrivileged: vi.fn() },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: vi.fn() },
        setPermissionRequestHandler: vi.fn(),
        setDevicePermissionHandler: vi.fn(),
        protocol: { handle: vi.fn() },
      },
    },
    screen: {
      getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
      getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
    },
    shell: { openExternal: vi.fn() },
    net: { fetch: vi.fn() },
  };
  return { state, electron, FakeApp, FakeBrowserWindow, dialog };
});

vi.mock("electron", () => fake.electron);

let dir: string;
const argv = process.argv;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "meitheal-"));
  process.argv = [...argv, "--data", dir];
  fake.state.app = new fake.FakeApp();
  fake.state.children.length = 0;
  fake.state.dialogResponses.length = 0;
  fake.state.ipcListeners.clear();
  fake.FakeBrowserWindow.all.length = 0;
  vi.clearAllMocks();
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  vi.resetModules();
});

afterEach(async () => {
  process.argv = argv;
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

const start = async () => {
  await import("./main.ts");
  await vi.waitFor(() => expect(fake.FakeBrowserWindow.all.length).toBeGreaterThan(0));
  const child = fake.state.children[0];
  const win = fake.FakeBrowserWindow.all[0];
  if (!child || !win) throw new Error("the app did not start");
  return { child, win };
};

const quitEvent = () => ({ preventDefault: vi.fn() });

describe("main", () => {
  it("starts the peer with the data folder, opens the app page securely and sets the menu", async () => {
    const { win } = await start();
    expect(fake.electron.utilityProcess.fork).toHaveBeenCalledWith(
      expect.stringMatching(/peer\.js$/),
      ["--data", dir],
      {
        serviceName: "Meitheal peer",
      },
    );
    expect(fake.state.app.getPath("userData")).toBe(join(dir, "electron"));
    expect(fake.state.app.enableSandbox).toHaveBeenCalled();
    expect(fake.electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalled();
    expect(win.loaded).toEqual(["meitheal-app://ui/index.html"]);
    expect(win.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      preload: expect.stringMatching(/preload[/\\]preload\.cjs$/) as unknown,
    });
    expect(fake.electron.Menu.setApplicationMenu).toHaveBeenCalled();
    expect(fake.state.ipcListeners.has("meitheal:open-channel")).toBe(true);
  });

  it("quits at once when another instance owns the data folder", async () => {
    fake.state.app.lock = false;
    await import("./main.ts");
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.state.app.quit).toHaveBeenCalled();
    expect(fake.electron.utilityProcess.fork).not.toHaveBeenCalled();
    expect(fake.FakeBrowserWindow.all).toEqual([]);
  });

  it("brings the window forward when a second instance starts", async () => {
    const { win } = await start();
    win.minimized = true;
    fake.state.app.emit("second-instance");
    expect(win.restored).toBe(1);
    expect(win.focused).toBe(1);
  });

  it("connects a page's channel request to the peer with a fresh port pair", async () => {
    const { child } = await start();
    const postMessage = vi.fn();
    const onOpen = fake.state.ipcListeners.get("meitheal:open-channel") as (
      ...args: unknown[]
    ) => void;
    onOpen(
      {
        senderFrame: { url: "meitheal-app://ui/index.html", parent: null },
        sender: { postMessage },
      },
      "r1",
      { kind: "rpc" },
    );
    expect(child.posted).toEqual([
      { message: { type: "channel", request: { kind: "rpc" } }, transfer: [{ name: "port1" }] },
    ]);
    expect(postMessage).toHaveBeenCalledWith("meitheal:port", { requestId: "r1" }, [
      { name: "port2" },
    ]);
  });

  it("holds the quit until the peer has flushed and exited", async () => {
    const { child } = await start();
    const first = quitEvent();
    fake.state.app.emit("before-quit", first);
    expect(first.preventDefault).toHaveBeenCalled();
    expect(child.posted.map((p) => p.message)).toEqual([{ type: "shutdown" }]);
    const again = quitEvent();
    fake.state.app.emit("before-quit", again);
    expect(again.preventDefault).toHaveBeenCalled();
    expect(child.posted).toHaveLength(1);
    expect(fake.state.app.quit).not.toHaveBeenCalled();

    child.emit("exit", 0);
    await vi.waitFor(() => expect(fake.state.app.quit).toHaveBeenCalledOnce());
    const last = quitEvent();
    fake.state.app.emit("before-quit", last);
    expect(last.preventDefault).not.toHaveBeenCalled();
    expect(fake.dialog.showMessageBox).not.toHaveBeenCalled();
  });

  it("offers a restart when the peer dies, then restarts it and reloads the windows", async () => {
    const { child, win } = await start();
    fake.state.dialogResponses.push(0);
    child.emit("exit", 139);
    await vi.waitFor(() => expect(fake.state.children).toHaveLength(2));
    const options = fake.dialog.showMessageBox.mock.calls[0]?.at(-1) as DialogOptions;
    expect(options.message).toContain("The Meitheal peer stopped unexpectedly");
    expect(options.detail).toContain("Your saved work is safe");
    expect(options.buttons?.[0]).toBe("Restart");
    expect(win.webContents.reloads).toBe(1);
    expect(fake.state.app.quit).not.toHaveBeenCalled();
  });

  it("quits instead when the person chooses not to restart", async () => {
    const { child } = await start();
    fake.state.dialogResponses.push(1);
    child.emit("exit", 1);
    await vi.waitFor(() => expect(fake.state.app.quit).toHaveBeenCalled());
    expect(fake.state.children).toHaveLength(1);
  });

  it("shows the peer's own message when it cannot start, and quits without offering a restart", async () => {
    const { child } = await start();
    const message =
      "The data folder /x is a file, not a folder. Nothing was changed. Choose another folder with --data DIR.";
    child.emit("message", { type: "fatal", message });
    child.emit("exit", 1);
    await vi.waitFor(() => expect(fake.state.app.quit).toHaveBeenCalled());
    expect(fake.dialog.showMessageBox).toHaveBeenCalledOnce();
    const options = fake.dialog.showMessageBox.mock.calls[0]?.at(-1) as DialogOptions;
    expect(options.detail).toBe(message);
    expect(options.type).toBe("error");
    expect(fake.state.children).toHaveLength(1);
  });
});

describe("opening a backup file", () => {
  const backupAsked = (child: { posted: { message: unknown }[] }) =>
    child.posted.some(
      (p) =>
        JSON.stringify(p.message) === JSON.stringify({ type: "channel", request: { kind: "rpc" } }),
    );

  it("handed over by macOS (open-file): asks the peer about it over a channel and shows a dialog", async () => {
    const { child } = await start();
    const event = quitEvent();
    fake.state.app.emit("open-file", event, "/media/usb/shore.meitheal-backup");
    expect(event.preventDefault).toHaveBeenCalled();
    expect(backupAsked(child)).toBe(true);
    await vi.waitFor(() => expect(fake.dialog.showMessageBox).toHaveBeenCalled());
  });

  it("named on the command line: waits until the app is ready, then asks the peer", async () => {
    process.argv = [...process.argv, "/media/usb/shore.meitheal-backup"];
    const { child } = await start();
    await vi.waitFor(() => expect(backupAsked(child)).toBe(true));
  });

  it("not a backup on the command line: nothing is asked", async () => {
    const { child } = await start();
    fake.state.app.emit("second-instance", {}, ["meitheal", "--data", dir]);
    expect(backupAsked(child)).toBe(false);
  });
});

describe("PeerProcess", () => {
  it("kills a peer that does not exit within the timeout, and can start again", async () => {
    const { PeerProcess } = await import("./peerProcess.ts");
    const peer = new PeerProcess({ entry: "/out/main/peer.js", dataDir: dir });
    const exits: unknown[] = [];
    peer.onExit((e) => exits.push(e));
    peer.start();
    const child = fake.state.children[0];
    if (!child) throw new Error("not forked");
    vi.useFakeTimers();
    const stopped = peer.stop(3_000);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(child.killed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(child.killed).toBe(true);
    child.emit("exit", 9);
    await stopped;
    expect(exits).toEqual([{ code: 9, expected: true, fatal: undefined }]);
    expect(peer.running).toBe(false);
    peer.start();
    expect(fake.state.children).toHaveLength(2);
  });

  it("refuses to open a channel while the peer is not running", async () => {
    const { PeerProcess } = await import("./peerProcess.ts");
    const peer = new PeerProcess({ entry: "/out/main/peer.js", dataDir: dir });
    expect(() => peer.openChannel({ kind: "rpc" })).toThrow(/not running/);
  });
});
