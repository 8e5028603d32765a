import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { Repo, type PeerId, type AutomergeUrl } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PeerChannelMessage } from "../shared/bridge.ts";
import { RpcClient, type TextPort } from "../shared/rpc.ts";
import type { CommunityIndex } from "../shared/schema/community.ts";
import { LOCK_FILE } from "./lock.ts";
import type { PeerNode } from "./peerNode.ts";
import {
  DomMessagePortShim,
  createDispatcher,
  dataDirFromArgs,
  runUtilityHost,
  syncFromArgs,
  type MessagePortMainLike,
  type ParentPortLike,
  type PeerLike,
  type PortMessageEvent,
} from "./utilityHost.ts";

/**
 * A Node MessagePort dressed as Electron's MessagePortMain: listeners get `{ data, ports }`, and
 * nothing is delivered before start() (Node would start the port as soon as a listener is added).
 */
function asPortMain(port: MessagePort): MessagePortMainLike {
  const listeners: ((event: PortMessageEvent) => void)[] = [];
  let started = false;
  return {
    on(event: "message" | "close", listener: ((event: PortMessageEvent) => void) | (() => void)) {
      if (event === "message") listeners.push(listener);
      else port.on("close", listener as () => void);
      return this;
    },
    postMessage: (data: unknown) => port.postMessage(data),
    start() {
      if (started) return;
      started = true;
      port.on("message", (data: unknown) => listeners.forEach((l) => l({ data, ports: [] })));
    },
    close: () => port.close(),
  };
}

/** The renderer's end of an RPC channel. */
const textPortOfNode = (port: MessagePort): TextPort => ({
  send: (text) => port.postMessage(text),
  onMessage: (listener) => {
    port.on("message", (data: unknown) => {
      if (typeof data === "string") listener(data);
    });
  },
  onClose: (listener) => {
    port.on("close", listener);
  },
});

function fakeParent() {
  const listeners: ((event: PortMessageEvent) => void)[] = [];
  const received: unknown[] = [];
  const parent: ParentPortLike = {
    on: (_event, listener) => listeners.push(listener),
    postMessage: (data) => received.push(data),
  };
  const send = (data: unknown, ports: MessagePortMainLike[] = []) =>
    listeners.forEach((l) => l({ data, ports }));
  return { parent, received, send };
}

/** A fake MessagePortMain that records what happens to it. */
function recordingPort() {
  const listeners = {
    message: [] as ((e: PortMessageEvent) => void)[],
    close: [] as (() => void)[],
  };
  const port = {
    posted: [] as unknown[][],
    started: 0,
    closed: 0,
    on(event: "message" | "close", listener: ((e: PortMessageEvent) => void) | (() => void)) {
      if (event === "message") listeners.message.push(listener);
      else listeners.close.push(listener as () => void);
      return port;
    },
    postMessage(...args: unknown[]) {
      port.posted.push(args);
    },
    start() {
      port.started++;
    },
    close() {
      port.closed++;
    },
    receive: (data: unknown) => listeners.message.forEach((l) => l({ data, ports: [] })),
    remoteClosed: () => listeners.close.forEach((l) => l()),
  };
  return port;
}

/** LAN sync on 127.0.0.1 only and no mDNS: tests send nothing beyond this machine. */
const LOCAL_SYNC = ["--listen", "127.0.0.1:0", "--no-discovery"];

const dirs: string[] = [];
const cleanups: (() => Promise<unknown> | void)[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "meitheal-"));
  dirs.push(dir);
  return dir;
};

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe("syncFromArgs", () => {
  it("turns LAN sync on by default: every network, the usual port or a free one, mDNS on", () => {
    expect(syncFromArgs(["--data", "/x", "--some-electron-flag"])).toEqual({
      listen: { host: "0.0.0.0", port: 47800 },
      anyPortIfTaken: true,
      discovery: true,
    });
  });
  it("takes --listen, --no-discovery and --no-lan as meitheal-peer serve does", () => {
    expect(syncFromArgs(["--listen", "127.0.0.1:0", "--no-discovery"])).toEqual({
      listen: { host: "127.0.0.1", port: 0 },
      anyPortIfTaken: false,
      discovery: false,
    });
    expect(syncFromArgs(["--no-lan"])).toBeUndefined();
  });
  it("falls back to the defaults on a malformed option rather than leaving the app without a peer", () => {
    expect(syncFromArgs(["--listen", "nonsense"])?.listen).toEqual({
      host: "0.0.0.0",
      port: 47800,
    });
  });
});

describe("DomMessagePortShim", () => {
  it("delivers incoming data as a DOM-style event and stops after removeEventListener", () => {
    const port = recordingPort();
    const shim = new DomMessagePortShim(port);
    const seen: unknown[] = [];
    const listener = (e: { data: unknown }) => seen.push(e.data);
    shim.addEventListener("message", listener);
    port.receive({ type: "sync", n: 1 });
    shim.removeEventListener("message", listener);
    port.receive({ type: "sync", n: 2 });
    expect(seen).toEqual([{ type: "sync", n: 1 }]);
  });

  it("posts without the transfer list, which MessagePortMain would reject", () => {
    const port = recordingPort();
    const shim = new DomMessagePortShim(port);
    const bytes = new Uint8Array([1, 2, 3]).buffer;
    shim.postMessage({ type: "sync", data: bytes }, [bytes]);
    expect(port.posted).toEqual([[{ type: "sync", data: bytes }]]);
  });

  it("keeps going when a listener throws, instead of taking the peer down", () => {
    const port = recordingPort();
    const shim = new DomMessagePortShim(port);
    const seen: unknown[] = [];
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    shim.addEventListener("message", () => {
      throw new Error("MessagePortNetwork should never receive messages for a different peer.");
    });
    shim.addEventListener("message", (e) => seen.push(e.data));
    expect(() => port.receive("hostile")).not.toThrow();
    expect(seen).toEqual(["hostile"]);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it("stops posting once the window's end has closed, and passes start/close through", () => {
    const port = recordingPort();
    const shim = new DomMessagePortShim(port);
    shim.start();
    port.remoteClosed();
    shim.postMessage({ type: "leave" });
    shim.close();
    expect(port.posted).toEqual([]);
    expect(port.started).toBe(1);
    expect(port.closed).toBe(1);
  });

  it("carries automerge sync bytes both ways between two repos", async () => {
    const { port1, port2 } = new MessageChannel();
    const peerSide = new Repo({
      network: [new MessageChannelNetworkAdapter(new DomMessagePortShim(asPortMain(port1)))],
    });
    const windowSide = new Repo({ network: [new MessageChannelNetworkAdapter(port2)] });
    cleanups.push(async () => {
      await windowSide.shutdown();
      await peerSide.shutdown();
      port1.close();
    });
    const original = peerSide.create<{ lines: string[] }>({ lines: ["from the peer"] });
    const copy = await windowSide.find<{ lines: string[] }>(original.url);
    expect(copy.doc().lines).toEqual(["from the peer"]);
    copy.change((d) => void d.lines.push("from the window"));
    await vi.waitFor(
      () => expect(original.doc().lines).toEqual(["from the peer", "from the window"]),
      { timeout: 5_000 },
    );
  });
});

describe("createDispatcher", () => {
  const fakeNode = (attach = true) => {
    const node = {
      handlers: {} as PeerLike["handlers"],
      on: (() => () => undefined) as PeerLike["on"],
      attachSync: vi.fn(() => Promise.resolve(attach)),
      detachSync: vi.fn(),
      close: vi.fn(() => Promise.resolve()),
    };
    return node;
  };

  it("closes the port of a message that is not a channel request", async () => {
    const node = fakeNode();
    const port = recordingPort();
    await createDispatcher(
      node,
      vi.fn(),
    )({ data: { type: "channel", request: { kind: "shell" } }, ports: [port] });
    expect(port.closed).toBe(1);
    expect(node.attachSync).not.toHaveBeenCalled();
  });

  it("closes the port when the community is not on this device", async () => {
    const node = fakeNode(false);
    const port = recordingPort();
    const message: PeerChannelMessage = {
      type: "channel",
      request: { kind: "sync", communityId: "nope" },
    };
    await createDispatcher(node, vi.fn())({ data: message, ports: [port] });
    expect(node.attachSync).toHaveBeenCalledWith("nope", expect.any(MessageChannelNetworkAdapter));
    expect(port.closed).toBe(1);
  });

  it("detaches a sync channel when the window's end closes", async () => {
    const node = fakeNode(true);
    const port = recordingPort();
    const message: PeerChannelMessage = {
      type: "channel",
      request: { kind: "sync", communityId: "c1" },
    };
    await createDispatcher(node, vi.fn())({ data: message, ports: [port] });
    expect(port.closed).toBe(0);
    port.remoteClosed();
    const adapter = node.attachSync.mock.calls[0] as unknown[];
    expect(node.detachSync).toHaveBeenCalledWith("c1", adapter[1]);
  });

  it("on shutdown closes the node, exits 0, and refuses channels after that", async () => {
    const node = fakeNode();
    const exit = vi.fn();
    const dispatch = createDispatcher(node, exit);
    await dispatch({ data: { type: "shutdown" }, ports: [] });
    expect(node.close).toHaveBeenCalledOnce();
    expect(exit).toHaveBeenCalledWith(0);
    const late = recordingPort();
    await dispatch({ data: { type: "channel", request: { kind: "rpc" } }, ports: [late] });
    expect(late.closed).toBe(1);
  });
});

describe("dataDirFromArgs", () => {
  it("reads --data DIR and --data=DIR, else the per-OS default", () => {
    expect(dataDirFromArgs(["electron", "peer.js", "--data", "/x/y"])).toBe("/x/y");
    expect(dataDirFromArgs(["--data=/a b"])).toBe("/a b");
    expect(dataDirFromArgs(["--data"])).toMatch(/Meitheal$/);
  });
});

describe("runUtilityHost", () => {
  it("serves a contract call end to end over a MessagePort, even one sent while the peer starts", async () => {
    const dir = await tempDir();
    const { parent, send } = fakeParent();
    const exit = vi.fn();
    const running = runUtilityHost({ parent, argv: ["--data", dir, ...LOCAL_SYNC], exit });
    const { port1, port2 } = new MessageChannel();
    send({ type: "channel", request: { kind: "rpc" } } satisfies PeerChannelMessage, [
      asPortMain(port1),
    ]);
    const node = await running;
    expect(node).toBeDefined();
    cleanups.push(
      () => node?.close(),
      () => port2.close(),
    );

    const client = new RpcClient(textPortOfNode(port2));
    const info = await client.call("peer:info", {});
    expect(info).toEqual({
      ok: true,
      value: expect.objectContaining({ mode: "desktop", dataDir: resolve(dir) }) as unknown,
    });
  });

  it("syncs a community's documents with a window over a sync channel, both ways", async () => {
    const dir = await tempDir();
    const { parent, send } = fakeParent();
    const node = (await runUtilityHost({
      parent,
      argv: ["--data", dir, ...LOCAL_SYNC],
      exit: vi.fn(),
    })) as PeerNode;
    cleanups.push(() => node.close());
    const created = await node.handlers["communities:create"]({ name: "Retreat" });
    if (!created.ok) throw new Error(created.error.message);
    const id = created.value.id;

    const { port1, port2 } = new MessageChannel();
    send(
      { type: "channel", request: { kind: "sync", communityId: id } } satisfies PeerChannelMessage,
      [asPortMain(port1)],
    );
    // Windows join under a "ui-" peer id (renderer/repo.ts); the community's share config serves
    // those and roster members only.
    const windowRepo = new Repo({
      network: [new MessageChannelNetworkAdapter(port2)],
      peerId: "ui-test-window" as PeerId,
    });
    cleanups.push(
      () => windowRepo.shutdown(),
      () => port2.close(),
    );

    const index = await windowRepo.find<CommunityIndex>(`automerge:${id}` as AutomergeUrl);
    expect(index.doc().name).toBe("Retreat");
    index.change((d) => {
      d.purpose = "Written in the window";
    });
    await vi.waitFor(
      () => expect(node.community(id)?.index?.doc().purpose).toBe("Written in the window"),
      { timeout: 5_000 },
    );
  });

  it("on shutdown flushes, releases the data folder and exits 0", async () => {
    const dir = await tempDir();
    const { parent, send } = fakeParent();
    const exit = vi.fn();
    await runUtilityHost({ parent, argv: ["--data", dir, ...LOCAL_SYNC], exit });
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    send({ type: "shutdown" });
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it("reports a peer that cannot start to main with a readable message, then exits 1", async () => {
    const dir = await tempDir();
    const notAFolder = join(dir, "file");
    await writeFile(notAFolder, "x");
    const { parent, received, send } = fakeParent();
    const exit = vi.fn();
    const node = await runUtilityHost({
      parent,
      argv: ["--data", notAFolder, ...LOCAL_SYNC],
      exit,
      fatalExitDelayMs: 1,
    });
    expect(node).toBeUndefined();
    expect(received).toEqual([
      { type: "fatal", message: expect.stringContaining("is a file, not a folder") as unknown },
    ]);
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(1));
    const orphan = recordingPort();
    send({ type: "channel", request: { kind: "rpc" } }, [orphan]);
    await vi.waitFor(() => expect(orphan.closed).toBe(1));
  });
});
