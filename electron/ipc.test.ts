import type { IpcMainEvent, MessagePortMain } from "electron";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  isPortDelivery,
  MAX_CHANNEL_ERROR_CHARS,
  type ChannelRequest,
  type DesktopBridge,
} from "../shared/bridge.ts";

type PortListener = (event: { ports: unknown[] }, data: unknown) => void;

const fake = vi.hoisted(() => {
  const ipcMain = {
    on: vi.fn<(channel: string, listener: unknown) => void>(),
    removeListener: vi.fn<(channel: string, listener: unknown) => void>(),
  };
  const rendererListeners = new Map<string, PortListener>();
  const ipcRenderer = {
    send: vi.fn<(channel: string, ...args: unknown[]) => void>(),
    on: vi.fn((channel: string, listener: PortListener) => {
      rendererListeners.set(channel, listener);
    }),
  };
  const exposed = new Map<string, unknown>();
  const contextBridge = {
    exposeInMainWorld: (name: string, api: unknown) => exposed.set(name, api),
  };
  return { ipcMain, ipcRenderer, rendererListeners, contextBridge, exposed };
});
vi.mock("electron", () => ({
  ipcMain: fake.ipcMain,
  ipcRenderer: fake.ipcRenderer,
  contextBridge: fake.contextBridge,
}));

const { IPC, MAX_REQUEST_ID_CHARS, openChannelHandler, registerChannelIpc } =
  await import("./ipc.ts");
const { APP_ENTRY_URL, configureAppPages, isAppPage } = await import("./window.ts");

const port = { name: "port2" } as unknown as MessagePortMain;

function setup(open: (request: ChannelRequest) => MessagePortMain = () => port) {
  const openChannel = vi.fn(open);
  const handler = openChannelHandler({ openChannel, isAppPage });
  return { openChannel, handler };
}

function eventFrom(url: string | null, { subframe = false } = {}) {
  const postMessage = vi.fn<(channel: string, message: unknown, transfer: unknown[]) => void>();
  const senderFrame = url === null ? null : { url, parent: subframe ? { url } : null };
  const event = { senderFrame, sender: { postMessage } } as unknown as IpcMainEvent;
  return { event, postMessage };
}

beforeEach(() => {
  configureAppPages({ rendererDir: "/app/out/renderer", devServerUrl: undefined });
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});

describe("the open-channel handler", () => {
  it("posts a port to one of our pages for a good request", () => {
    const { openChannel, handler } = setup();
    const { event, postMessage } = eventFrom(APP_ENTRY_URL);
    handler(event, "req-1", { kind: "sync", communityId: "abc" });
    expect(openChannel).toHaveBeenCalledWith({ kind: "sync", communityId: "abc" });
    expect(postMessage).toHaveBeenCalledWith(IPC.port, { requestId: "req-1" }, [port]);
  });

  it("passes on only the fields the protocol defines", () => {
    const { openChannel, handler } = setup();
    handler(eventFrom(APP_ENTRY_URL).event, "req-1", {
      kind: "rpc",
      communityId: "x",
      __proto__pollution: true,
    });
    expect(openChannel).toHaveBeenCalledWith({ kind: "rpc" });
  });

  it("ignores senders that are not our pages: other origins, iframes, closed frames", () => {
    const { openChannel, handler } = setup();
    const senders = [
      eventFrom("https://evil.example/"),
      eventFrom("file:///app/out/renderer/index.html"),
      eventFrom("http://localhost:5173/"),
      eventFrom(APP_ENTRY_URL, { subframe: true }),
      eventFrom(null),
    ];
    for (const { event, postMessage } of senders) {
      handler(event, "req-1", { kind: "rpc" });
      expect(postMessage).not.toHaveBeenCalled();
    }
    expect(openChannel).not.toHaveBeenCalled();
  });

  it("rejects bad request ids and malformed requests", () => {
    const { openChannel, handler } = setup();
    const bad: [unknown, unknown][] = [
      [42, { kind: "rpc" }],
      ["", { kind: "rpc" }],
      ["x".repeat(MAX_REQUEST_ID_CHARS + 1), { kind: "rpc" }],
      ["req", { kind: "shell", command: "rm -rf /" }],
      ["req", { kind: "sync" }],
      ["req", { kind: "sync", communityId: "c".repeat(500) }],
      ["req", "rpc"],
      ["req", null],
    ];
    for (const [requestId, request] of bad) {
      const { event, postMessage } = eventFrom(APP_ENTRY_URL);
      handler(event, requestId, request);
      expect(postMessage).not.toHaveBeenCalled();
    }
    expect(openChannel).not.toHaveBeenCalled();
    const { event, postMessage } = eventFrom(APP_ENTRY_URL);
    handler(event, "x".repeat(MAX_REQUEST_ID_CHARS), { kind: "rpc" });
    expect(postMessage).toHaveBeenCalledOnce();
  });

  it("answers with why, and no port, while the peer is down (the page must not wait for ever)", () => {
    const { handler } = setup(() => {
      throw new Error("The Meitheal peer is not running.");
    });
    const { event, postMessage } = eventFrom(APP_ENTRY_URL);
    expect(() => handler(event, "req-1", { kind: "rpc" })).not.toThrow();
    expect(postMessage).toHaveBeenCalledExactlyOnceWith(IPC.port, {
      requestId: "req-1",
      error: "The Meitheal peer is not running.",
    });
  });

  it("cuts a long reason, and names one when the failure has none", () => {
    const { handler } = setup(() => {
      throw new Error("x".repeat(MAX_CHANNEL_ERROR_CHARS * 2));
    });
    const long = eventFrom(APP_ENTRY_URL);
    handler(long.event, "req-1", { kind: "rpc" });
    const sent = long.postMessage.mock.calls[0]?.[1] as { error: string };
    expect(sent.error).toHaveLength(MAX_CHANNEL_ERROR_CHARS);
    const { handler: bare } = setup(() => {
      throw "down";
    });
    const none = eventFrom(APP_ENTRY_URL);
    bare(none.event, "req-2", { kind: "rpc" });
    expect(none.postMessage).toHaveBeenCalledWith(IPC.port, {
      requestId: "req-2",
      error: "The Meitheal peer is not running.",
    });
  });

  it("accepts the dev server's pages only while it is configured", () => {
    configureAppPages({ rendererDir: undefined, devServerUrl: "http://localhost:5173" });
    const { handler } = setup();
    const { event, postMessage } = eventFrom("http://localhost:5173/");
    handler(event, "req-1", { kind: "rpc" });
    expect(postMessage).toHaveBeenCalledOnce();
  });
});

describe("registerChannelIpc", () => {
  it("listens on meitheal:open-channel and can stop", () => {
    const stop = registerChannelIpc({ openChannel: () => port, isAppPage });
    expect(fake.ipcMain.on).toHaveBeenCalledWith("meitheal:open-channel", expect.any(Function));
    const listener = fake.ipcMain.on.mock.calls.at(-1)?.[1];
    stop();
    expect(fake.ipcMain.removeListener).toHaveBeenCalledWith("meitheal:open-channel", listener);
  });
});

describe("the preload", () => {
  const postMessage =
    vi.fn<(message: unknown, targetOrigin: string, transfer?: unknown[]) => void>();
  (globalThis as { window?: unknown }).window = { postMessage };
  const loaded = import("./preload.ts");

  it("exposes only openChannel, platform and chooseFiles as window.meitheal", async () => {
    await loaded;
    const bridge = fake.exposed.get("meitheal") as DesktopBridge;
    expect(Object.keys(bridge).sort()).toEqual(["chooseFiles", "openChannel", "platform"]);
    expect(bridge.platform).toBe(process.platform);
    bridge.openChannel("req-7", { kind: "rpc" });
    expect(fake.ipcRenderer.send).toHaveBeenCalledWith(IPC.openChannel, "req-7", { kind: "rpc" });
  });

  it("hands a delivered port to the page as a PortDelivery window message", async () => {
    await loaded;
    const onPort = fake.rendererListeners.get(IPC.port);
    if (!onPort) throw new Error("the preload does not listen for ports");
    const delivered = { name: "port" };
    onPort({ ports: [delivered] }, { requestId: "req-7" });
    expect(postMessage).toHaveBeenCalledWith(
      { source: "meitheal-preload", type: "channel", requestId: "req-7" },
      "*",
      [delivered],
    );
    expect(isPortDelivery(postMessage.mock.calls[0]?.[0])).toBe(true);
    onPort({ ports: [] }, { requestId: 7 });
    expect(postMessage).toHaveBeenCalledOnce();
  });

  it("passes main's reason for no port on to the page as a channel-failed delivery", async () => {
    await loaded;
    postMessage.mockClear();
    const onPort = fake.rendererListeners.get(IPC.port)!;
    onPort({ ports: [] }, { requestId: "req-8", error: "The Meitheal peer is not running." });
    expect(postMessage).toHaveBeenCalledExactlyOnceWith(
      {
        source: "meitheal-preload",
        type: "channel-failed",
        requestId: "req-8",
        error: "The Meitheal peer is not running.",
      },
      "*",
    );
    expect(isPortDelivery(postMessage.mock.calls[0]?.[0])).toBe(true);
  });
});

describe("isPortDelivery", () => {
  const base = { source: "meitheal-preload", requestId: "r" };
  it("accepts a port delivery and a failure with a reason", () => {
    expect(isPortDelivery({ ...base, type: "channel" })).toBe(true);
    expect(isPortDelivery({ ...base, type: "channel-failed", error: "down" })).toBe(true);
  });
  it("refuses anything else: another source, a failure without a reason or with a huge one", () => {
    expect(isPortDelivery({ ...base, source: "page", type: "channel" })).toBe(false);
    expect(isPortDelivery({ ...base, type: "channel-failed" })).toBe(false);
    expect(isPortDelivery({ ...base, type: "channel-failed", error: 5 })).toBe(false);
    expect(
      isPortDelivery({
        ...base,
        type: "channel-failed",
        error: "x".repeat(MAX_CHANNEL_ERROR_CHARS + 1),
      }),
    ).toBe(false);
    expect(isPortDelivery({ ...base, type: "other" })).toBe(false);
    expect(isPortDelivery({ source: "meitheal-preload", type: "channel" })).toBe(false);
    expect(isPortDelivery(null)).toBe(false);
  });
});
