// The secure LAN transport against hostile peers (docs/DESIGN.md, "Trust and access"): real device-style
// Ed25519 keys, Noise over TCP on 127.0.0.1, one Repo per peer behind a SecureNetworkAdapter.
import { generateSyncMessage, init, initSyncState } from "@automerge/automerge";
import {
  Repo,
  generateAutomergeUrl,
  parseAutomergeUrl,
  type DocHandle,
  type EphemeralMessage,
  type PeerId,
  type SessionId,
} from "@automerge/automerge-repo";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { connect as netConnect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { AdapterLimits, TransportLimits } from "../../peer/net/limits.ts";
import { decodeFrame, encodeFrame, encodeHello } from "../../peer/net/messages.ts";
import {
  SecureNetworkAdapter,
  communityRouter,
  communityShareConfig,
  peerIdOfKey,
  windowIdOf,
  type DropReason,
} from "../../peer/net/secureAdapter.ts";
import {
  connectSecure,
  keyPairFromDevice,
  listenSecure,
  type SecureConnection,
  type SecureKeyPair,
  type SecureListener,
} from "../../peer/net/transport.ts";
import type { DeviceKeyPair } from "../../peer/trust/deviceKey.ts";
import { rawNoiseDial } from "../helpers/hostile.ts";
import { asDeviceKey } from "../../shared/ids.ts";

/** One community id shared by the peers of a test unless it says otherwise. */
const COMMUNITY = parseAutomergeUrl(generateAutomergeUrl()).documentId;
const hello = (community: string = COMMUNITY) => encodeHello({ community, isEphemeral: true });

/** A device key made the way loadOrCreateDeviceKey makes one (without the file). */
function makeDevice(): DeviceKeyPair {
  const { privateKey } = generateKeyPairSync("ed25519");
  const x = privateKey.export({ format: "jwk" }).x ?? "";
  return {
    publicKey: asDeviceKey(Buffer.from(x, "base64url").toString("hex")),
    privateKey,
    publicKeyObject: createPublicKey(privateKey),
    createdAt: new Date(0).toISOString(),
  };
}

type TestPeer = {
  device: DeviceKeyPair;
  keyPair: SecureKeyPair;
  peerId: PeerId;
  repo: Repo;
  adapter: SecureNetworkAdapter;
  listener: SecureListener;
  drops: DropReason[];
  dial(other: TestPeer): Promise<void>;
  stop(): Promise<void>;
};

async function makePeer(
  roster: Set<string>,
  options: {
    transport?: Partial<TransportLimits>;
    adapter?: Partial<AdapterLimits>;
    device?: DeviceKeyPair;
    /** Answer requests for documents this repo does not hold without relaying them. */
    hasDocument?: boolean;
    /** The community this peer's repo is; COMMUNITY unless given. */
    communityId?: string;
  } = {},
): Promise<TestPeer> {
  const device = options.device ?? makeDevice();
  const keyPair = keyPairFromDevice(device);
  const drops: DropReason[] = [];
  let held: (id: string) => boolean = () => true;
  const communityId = options.communityId ?? COMMUNITY;
  const adapter = new SecureNetworkAdapter({
    communityId,
    isMember: (key) => roster.has(key),
    limits: options.adapter,
    onDrop: (reason) => drops.push(reason),
    ...(options.hasDocument ? { hasDocument: (id: string) => held(id) } : {}),
  });
  const peerId = peerIdOfKey(device.publicKey);
  const repo: Repo = new Repo({
    network: [adapter],
    peerId,
    shareConfig: communityShareConfig({
      isMemberPeerId: (p) => [...roster].some((k) => peerIdOfKey(k) === p),
    }),
  });
  held = (id) => repo.handles[id as keyof typeof repo.handles]?.isReady() ?? false;
  const listener = await listenSecure({
    keyPair,
    host: "127.0.0.1",
    port: 0,
    // As in production: one listener, the dialler's hello picks the community.
    onConnection: communityRouter((id) => (id === communityId ? adapter : undefined)),
    limits: options.transport,
  });
  return {
    device,
    keyPair,
    peerId,
    repo,
    adapter,
    listener,
    drops,
    async dial(other) {
      const connection = await connectSecure({
        keyPair,
        host: "127.0.0.1",
        port: other.listener.port,
        expectedRemoteKey: other.device.publicKey,
        limits: options.transport,
      });
      adapter.addConnection(connection);
    },
    async stop() {
      await listener.close();
      await repo.shutdown();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` is true, or fails after `ms`. */
async function until(check: () => boolean, ms = 10_000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

type Note = { text: string; n?: number };

const running: { stop(): Promise<void> }[] = [];
const track = <T extends { stop(): Promise<void> }>(x: T): T => (running.push(x), x);

afterEach(async () => {
  for (const x of running.splice(0).reverse()) await x.stop();
});

/** Two members A (listening) and B (dialling A) and the roster they share. */
async function pair(opts: Parameters<typeof makePeer>[1] = {}) {
  const roster = new Set<string>();
  const devA = makeDevice();
  const devB = makeDevice();
  roster.add(devA.publicKey).add(devB.publicKey);
  const a = track(await makePeer(roster, { ...opts, device: devA }));
  const b = track(await makePeer(roster, { ...opts, device: devB }));
  await b.dial(a);
  await until(
    () => a.repo.peers.includes(b.peerId) && b.repo.peers.includes(a.peerId),
    5_000,
    "peers",
  );
  return { a, b, roster };
}

/** A creates a note, B finds it; returns both handles. */
async function shared(a: TestPeer, b: TestPeer) {
  const handleA = a.repo.create<Note>({ text: "hello" });
  const handleB = await b.repo.find<Note>(handleA.url);
  return { handleA, handleB };
}

/** Edits on A reach B within `ms` (the honest link is still working). */
async function stillSyncing(handleA: DocHandle<Note>, handleB: DocHandle<Note>, ms = 5_000) {
  const n = Math.random();
  handleA.change((d) => {
    d.n = n;
  });
  await until(() => handleB.doc().n === n, ms, "edit to arrive");
}

/** A raw authenticated link, as a hostile member (or non-member) would hold it. */
async function rawLink(target: TestPeer, device = makeDevice()) {
  const connection = await connectSecure({
    keyPair: keyPairFromDevice(device),
    host: "127.0.0.1",
    port: target.listener.port,
  });
  const received: Uint8Array[] = [];
  connection.onMessage((m) => received.push(m));
  running.push({ stop: () => Promise.resolve(connection.close()) });
  return { connection, received, device };
}

const closedWithin = (c: SecureConnection, ms: number) => until(() => c.closed, ms, "close");

/** Raw TCP sockets to a peer's listener, one per local address given, each once connected. */
async function openSockets(
  target: TestPeer,
  localAddresses: string[],
): Promise<{ list: Socket[]; closed: Set<Socket> }> {
  const list: Socket[] = [];
  const closed = new Set<Socket>();
  for (const localAddress of localAddresses) {
    const s = netConnect({ host: "127.0.0.1", port: target.listener.port, localAddress });
    s.on("error", () => undefined);
    s.on("close", () => closed.add(s));
    list.push(s);
    running.push({ stop: () => Promise.resolve(void s.destroy()) });
    await new Promise((r) => s.once("connect", r));
    // The listener has taken it (and made room for it) before the next one arrives.
    await sleep(20);
  }
  return { list, closed };
}

describe("secure transport", () => {
  it("syncs a document end to end between two members, both ways", async () => {
    const { a, b } = await pair();
    const { handleA, handleB } = await shared(a, b);
    expect(handleB.doc().text).toBe("hello");
    handleB.change((d) => {
      d.text = "from B";
    });
    await until(() => handleA.doc().text === "from B", 5_000, "B's edit on A");
    // Each side sees the other under the id derived from its proven key, nothing else.
    expect(a.repo.peers).toEqual([b.peerId]);
    expect(b.repo.peers).toEqual([a.peerId]);
    expect(a.drops).toEqual([]);
    expect(b.drops).toEqual([]);
  });

  it("refuses a document's changes from a link past its byte budget, and keeps syncing the rest", async () => {
    const { a, b } = await pair({ adapter: { maxBytesPerDocument: 64 * 1024 } });
    const { handleA, handleB } = await shared(a, b);
    const other = await shared(a, b);
    // B grows the note past A's budget for it on this link: 8 changes of 16 KB each.
    for (let i = 0; i < 8; i++) {
      handleB.change((d) => {
        d.text = `${i}:${"x".repeat(16 * 1024)}`;
      });
      await sleep(60);
    }
    await until(() => a.drops.includes("document-budget"), 5_000, "budget spent");
    const before = handleA.doc().text;
    expect(before.startsWith("7:")).toBe(false);
    // What already arrived stays; the rest is held back, and the link still carries other documents.
    await stillSyncing(other.handleA, other.handleB);
    other.handleB.change((d) => {
      d.text = "from B, on another document";
    });
    await until(() => other.handleA.doc().text === "from B, on another document", 5_000, "B to A");
    expect(handleA.doc().text).toBe(before);
  });

  it("closes a device not on the roster right after the handshake, sending it nothing", async () => {
    const { a, b } = await pair();
    const { handleA } = await shared(a, b);
    const stranger = await rawLink(a);
    // The handshake completed (we hold an authenticated connection) …
    expect(stranger.connection.remoteKey).toBe(a.device.publicKey);
    stranger.connection.send(hello());
    // … and then A closed it without a single frame, not even its hello.
    await closedWithin(stranger.connection, 2_000);
    expect(stranger.received).toEqual([]);
    expect(a.drops).toContain("not-member");
    expect(a.repo.peers).toEqual([b.peerId]);
    // The stranger's claims never reached the repo: nothing for its derived peer id.
    expect(Object.keys(a.repo.handles)).toEqual([handleA.documentId]);
  });

  it("drops a frame whose senderId is not the link's own peer id; the honest link keeps syncing", async () => {
    const { a, b, roster } = await pair();
    const { handleA, handleB } = await shared(a, b);
    const mallory = makeDevice();
    roster.add(mallory.publicKey);
    const link = await rawLink(a, mallory);
    link.connection.send(hello());
    await until(() => a.repo.peers.length === 2, 2_000, "mallory announced");
    // Mallory pretends to be B, asking for A's document as B; and pretends to be B in a sync.
    const spoof = (type: string) =>
      encodeFrame({
        type,
        senderId: b.peerId,
        targetId: a.peerId,
        documentId: handleA.documentId,
        data: new Uint8Array([0x42, 0x00]),
      });
    link.connection.send(spoof("request"));
    link.connection.send(spoof("sync"));
    // A message targeted at someone else is not ours to act on either.
    link.connection.send(
      encodeFrame({
        type: "request",
        senderId: `device-${mallory.publicKey.slice(0, 32)}`,
        targetId: b.peerId,
        documentId: handleA.documentId,
        data: new Uint8Array([1]),
      }),
    );
    await until(() => a.drops.filter((d) => d === "spoofed-sender").length === 2, 2_000, "drops");
    expect(a.drops).toContain("wrong-target");
    await stillSyncing(handleA, handleB);
  });

  it("closes a connection sending an oversized frame, and only that one", async () => {
    const cap = 64 * 1024;
    const { a, b, roster } = await pair({ transport: { maxFrameBytes: cap } });
    const { handleA, handleB } = await shared(a, b);
    const mallory = makeDevice();
    roster.add(mallory.publicKey);
    // Below our own send cap, so the bytes really go out: the sender thinks 1 MiB is fine.
    const connection = await connectSecure({
      keyPair: keyPairFromDevice(mallory),
      host: "127.0.0.1",
      port: a.listener.port,
      limits: { maxFrameBytes: 2 * 1024 * 1024 },
    });
    connection.onMessage(() => undefined);
    running.push({ stop: () => Promise.resolve(connection.close()) });
    connection.send(hello());
    await until(() => a.repo.peers.length === 2, 2_000, "mallory announced");
    expect(connection.send(new Uint8Array(1024 * 1024))).toBe(true);
    await closedWithin(connection, 2_000);
    await until(() => a.repo.peers.length === 1, 2_000, "mallory gone");
    await stillSyncing(handleA, handleB);
  });

  it("survives garbage and deeply nested CBOR from a member", async () => {
    const { a, b, roster } = await pair();
    const { handleA, handleB } = await shared(a, b);
    const mallory = makeDevice();
    roster.add(mallory.publicKey);
    const link = await rawLink(a, mallory);
    link.connection.send(hello());
    await until(() => a.repo.peers.length === 2, 2_000, "mallory announced");
    const nested = new Uint8Array(200_000).fill(0x81); // [[[[…]]]] 200,000 deep
    const hugeArray = new Uint8Array([0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const randomBytes = new Uint8Array(4096).map(() => Math.floor(Math.random() * 256));
    const badShapes = [
      { type: "sync", senderId: `device-${mallory.publicKey.slice(0, 32)}`, targetId: a.peerId },
      { type: "sync", senderId: 7, targetId: a.peerId, documentId: handleA.documentId, data: "x" },
      { type: "request", senderId: { toString: 1 }, targetId: a.peerId, documentId: "nope" },
      { type: "remote-heads-changed", senderId: "x", targetId: a.peerId, newHeads: [1, 2] },
      { __proto__: { type: "sync" } },
      "just a string",
      null,
    ];
    for (const frame of [nested, hugeArray, randomBytes]) link.connection.send(frame);
    for (const shape of badShapes) link.connection.send(encodeFrame(shape));
    await until(() => a.drops.length >= 9, 5_000, "all frames dropped");
    expect(a.drops.every((d) => d === "undecodable" || d === "bad-shape")).toBe(true);
    await stillSyncing(handleA, handleB);
  });

  it("destroys a socket that stalls in the handshake after the timeout", async () => {
    const roster = new Set<string>();
    const a = track(await makePeer(roster, { transport: { handshakeTimeoutMs: 300 } }));
    const socket = netConnect({ host: "127.0.0.1", port: a.listener.port });
    running.push({ stop: () => Promise.resolve(void socket.destroy()) });
    let closedAt = 0;
    const start = Date.now();
    socket.on("close", () => (closedAt = Date.now()));
    socket.on("error", () => undefined);
    // Three bytes of a frame header and nothing more: a slow-loris handshake.
    socket.write(new Uint8Array([0x10, 0x00, 0x00]));
    await until(() => closedAt > 0, 3_000, "stalled socket closed");
    expect(closedAt - start).toBeGreaterThanOrEqual(250);
    expect(a.listener.stats().timedOut).toBe(1);
    expect(a.listener.stats().unauthenticated).toBe(0);
  });

  it("gives each address a share of the unauthenticated slots: a new socket closes its own oldest", async () => {
    const roster = new Set<string>();
    const a = track(
      await makePeer(roster, {
        transport: {
          maxUnauthenticated: 6,
          maxUnauthenticatedPerAddress: 2,
          handshakeTimeoutMs: 1_500,
        },
      }),
    );
    const sockets = await openSockets(a, [
      "127.0.0.2",
      "127.0.0.2",
      "127.0.0.2",
      "127.0.0.2",
      "127.0.0.2",
    ]);
    // The oldest three made room for the newer ones of the same address; two are held.
    await until(() => sockets.closed.size === 3, 1_000, "three evicted");
    expect(sockets.list.slice(0, 3).every((s) => sockets.closed.has(s))).toBe(true);
    expect(a.listener.stats()).toMatchObject({ unauthenticated: 2, evicted: 3, refused: 0 });
    // Another address is untouched by it: a member's handshake goes through at once.
    const member = makeDevice();
    roster.add(member.publicKey);
    const ok = await connectSecure({
      keyPair: keyPairFromDevice(member),
      host: "127.0.0.1",
      port: a.listener.port,
    });
    running.push({ stop: () => Promise.resolve(ok.close()) });
    expect(ok.remoteKey).toBe(a.device.publicKey);
    expect(sockets.list.slice(3).some((s) => sockets.closed.has(s))).toBe(false);
    // The held ones are still cut at the handshake timeout.
    await until(() => sockets.closed.size === 5, 3_000, "held ones timed out");
    expect(a.listener.stats().unauthenticated).toBe(0);
  });

  it("with every slot taken, a new socket closes the oldest of the address holding the most", async () => {
    const a = track(
      await makePeer(new Set(), {
        transport: {
          maxUnauthenticated: 4,
          maxUnauthenticatedPerAddress: 2,
          handshakeTimeoutMs: 3_000,
        },
      }),
    );
    const sockets = await openSockets(a, ["127.0.0.3", "127.0.0.2", "127.0.0.2", "127.0.0.4"]);
    await sleep(100);
    expect(sockets.closed.size).toBe(0);
    const [, first] = sockets.list;
    // Full: one more, from a fifth address, evicts the older of 127.0.0.2's two, not the oldest
    // socket of all (127.0.0.3's only one).
    const more = await openSockets(a, ["127.0.0.5"]);
    await until(() => sockets.closed.size === 1, 1_000, "one evicted");
    expect(sockets.closed.has(first as Socket)).toBe(true);
    expect(more.closed.size).toBe(0);
    expect(a.listener.stats()).toMatchObject({ unauthenticated: 4, evicted: 1 });
  });

  it("rate-limits a message flood from a member while the honest link stays responsive", async () => {
    const { a, b, roster } = await pair({
      adapter: { messagesPerSecond: 200, messageBurst: 200, maxQueuedBytes: 256 * 1024 },
    });
    const { handleA, handleB } = await shared(a, b);
    const mallory = makeDevice();
    roster.add(mallory.publicKey);
    const link = await rawLink(a, mallory);
    link.connection.send(hello());
    await until(() => a.repo.peers.length === 2, 2_000, "mallory announced");
    const malloryId = `device-${mallory.publicKey.slice(0, 32)}` as PeerId;
    let fromMallory = 0;
    a.adapter.on("message", (m) => {
      if (m.senderId === malloryId) fromMallory++;
    });
    // 50,000 well-formed doc-unavailable messages for A's document, as fast as TCP takes them.
    const frame = encodeFrame({
      type: "doc-unavailable",
      senderId: malloryId,
      targetId: a.peerId,
      documentId: handleA.documentId,
    });
    const t0 = Date.now();
    for (let i = 0; i < 50_000; i++) link.connection.send(frame);
    await sleep(1_000);
    // A reads Mallory no faster than its budget (burst + rate × time, plus slack for timers); the
    // rest waits in TCP, pushed back on Mallory, not in A's memory.
    const elapsed = (Date.now() - t0) / 1000;
    expect(fromMallory).toBeGreaterThan(100);
    expect(fromMallory).toBeLessThanOrEqual(200 + 200 * elapsed + 50);
    // Meanwhile B's edits still arrive promptly.
    const t1 = Date.now();
    await stillSyncing(handleA, handleB, 3_000);
    expect(Date.now() - t1).toBeLessThan(3_000);
    expect(a.repo.peers.sort()).toEqual([b.peerId, malloryId].sort());
  });

  it("destroys an unauthenticated socket at a frame header over the handshake cap, before the timeout", async () => {
    const a = track(await makePeer(new Set(), { transport: { handshakeTimeoutMs: 5_000 } }));
    const socket = netConnect({ host: "127.0.0.1", port: a.listener.port });
    running.push({ stop: () => Promise.resolve(void socket.destroy()) });
    let closed = false;
    socket.on("close", () => (closed = true));
    socket.on("error", () => undefined);
    await new Promise((r) => socket.once("connect", r));
    const start = Date.now();
    // A frame header announcing 16 MiB − 1: secret-stream alone would wait to buffer all of it.
    socket.write(new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02]));
    await until(() => closed, 2_000, "socket destroyed");
    expect(Date.now() - start).toBeLessThan(1_000);
  });

  it("rejects a dial when the remote key is not the one expected", async () => {
    const a = track(await makePeer(new Set()));
    const other = makeDevice();
    await expect(
      connectSecure({
        keyPair: keyPairFromDevice(makeDevice()),
        host: "127.0.0.1",
        port: a.listener.port,
        expectedRemoteKey: other.publicKey,
      }),
    ).rejects.toThrow(/not the one expected/);
  });

  it("keeps one link when both members dial each other at once", async () => {
    const roster = new Set<string>();
    const a = track(await makePeer(roster));
    const b = track(await makePeer(roster));
    roster.add(a.device.publicKey).add(b.device.publicKey);
    await Promise.all([a.dial(b), b.dial(a)]);
    await until(() => a.repo.peers.length === 1 && b.repo.peers.length === 1, 5_000, "peers");
    const { handleA, handleB } = await shared(a, b);
    await stillSyncing(handleA, handleB);
    expect(a.adapter.stats().peers).toEqual([b.peerId]);
    expect(b.adapter.stats().peers).toEqual([a.peerId]);
  });

  it("closes a revoked member's link and stops sending it changes", async () => {
    const { a, b, roster } = await pair();
    const { handleA, handleB } = await shared(a, b);
    roster.delete(b.device.publicKey);
    a.adapter.recheckMembers();
    a.repo.shareConfigChanged();
    await until(() => a.repo.peers.length === 0, 2_000, "B dropped");
    handleA.change((d) => {
      d.text = "after revocation";
    });
    await sleep(500);
    expect(handleB.doc().text).toBe("hello");
    // And B cannot come back: the handshake completes, then A closes it.
    await b.dial(a);
    await sleep(300);
    expect(a.repo.peers).toEqual([]);
  });

  it("answers a request for a document it does not hold without relaying it to other peers", async () => {
    const roster = new Set<string>();
    const a = track(await makePeer(roster, { hasDocument: true }));
    const b = track(await makePeer(roster));
    const mallory = makeDevice();
    roster.add(a.device.publicKey).add(b.device.publicKey).add(mallory.publicKey);
    await b.dial(a);
    await until(() => a.repo.peers.length === 1, 5_000, "B linked");
    // An id no peer here holds (made by a repo that is not linked).
    const elsewhere = new Repo({ network: [] });
    const secret = elsewhere.create<Note>({ text: "nowhere here" });
    running.push({ stop: () => elsewhere.shutdown() });
    const asked: string[] = [];
    b.adapter.on("message", (m) => {
      if (m.documentId === secret.documentId) asked.push(m.type);
    });
    const link = await rawLink(a, mallory);
    link.connection.send(hello());
    await until(() => a.repo.peers.length === 2, 2_000, "mallory announced");
    link.connection.send(
      encodeFrame({
        type: "request",
        senderId: peerIdOfKey(mallory.publicKey),
        targetId: a.peerId,
        documentId: secret.documentId,
        // A well-formed request: what an empty repo sends for a document it lacks.
        data: generateSyncMessage(init(), initSyncState())[1] ?? new Uint8Array(),
      }),
    );
    const answers = () =>
      link.received
        .map((m) => decodeFrame(m) as { type?: string; documentId?: string })
        .filter((m) => m.documentId === secret.documentId);
    await sleep(700);
    // Without the hasDocument check A would ask B for it on Mallory's behalf (asked = ["request"])
    // and keep Mallory waiting.
    expect(asked).toEqual([]);
    expect(answers().map((m) => m.type)).toEqual(["doc-unavailable"]);
    expect(a.drops).toContain("unknown-document");
  });

  it("accepts presence from the other device's windows under ids bound to its key, nothing else", async () => {
    const { a, b, roster } = await pair();
    const { handleA } = await shared(a, b);
    const mallory = makeDevice();
    roster.add(mallory.publicKey);
    const link = await rawLink(a, mallory);
    link.connection.send(hello());
    await until(() => a.repo.peers.length === 2, 2_000, "mallory announced");
    const heard: string[] = [];
    a.adapter.on("message", (m) => heard.push(`${m.type}:${m.senderId}`));
    const heardOnB: string[] = [];
    b.adapter.on("message", (m) => heardOnB.push(`${m.type}:${m.senderId}`));
    const own = windowIdOf(peerIdOfKey(mallory.publicKey), "ui-window-1");
    const frame = (senderId: string, type: "ephemeral" | "sync", n: number) =>
      encodeFrame({
        type,
        senderId,
        targetId: a.peerId,
        documentId: handleA.documentId,
        data: new Uint8Array([0xa0]),
        ...(type === "ephemeral" ? { count: n, sessionId: `s-${senderId}` } : {}),
      });
    // Her window's presence, then presence under a plain window id and under one bound to B, and
    // data under her window's id.
    link.connection.send(frame(own, "ephemeral", 1));
    link.connection.send(frame("ui-window-1", "ephemeral", 2));
    link.connection.send(frame(windowIdOf(b.peerId, "ui-window-1"), "ephemeral", 3));
    link.connection.send(frame(own, "sync", 4));
    await until(
      () => a.drops.filter((d) => d === "spoofed-sender").length === 3,
      2_000,
      "three dropped",
    );
    await sleep(200);
    expect(heard).toEqual([`ephemeral:${own}`]);
    // A does not pass another device's presence on: B hears none of it.
    expect(heardOnB.filter((h) => h.includes("window-1"))).toEqual([]);
    expect(link.connection.closed).toBe(false);
  });

  it("sends this device's windows' presence under ids bound to its key", async () => {
    const { a, b } = await pair();
    const { handleA } = await shared(a, b);
    const heardOnB: PeerId[] = [];
    b.adapter.on("message", (m) => {
      if (m.type === "ephemeral") heardOnB.push(m.senderId);
    });
    const presence = (senderId: string): EphemeralMessage => ({
      type: "ephemeral",
      senderId: senderId as PeerId,
      targetId: b.peerId,
      documentId: handleA.documentId,
      data: new Uint8Array([0xa0]),
      count: 1,
      sessionId: "s" as SessionId,
    });
    // What automerge-repo hands the adapter for a local window's presence …
    a.adapter.send(presence("ui-3f1c"));
    // … and for presence it passes on from another device's window: not sent.
    a.adapter.send(presence(windowIdOf(peerIdOfKey(makeDevice().publicKey), "ui-3f1c")));
    await until(() => heardOnB.length > 0, 2_000, "presence on B");
    await sleep(200);
    expect(heardOnB).toEqual([windowIdOf(a.peerId, "ui-3f1c")]);
    expect(heardOnB[0]).toBe(`ui-${a.device.publicKey.slice(0, 32)}-3f1c`);
  });

  it("drops presence beyond the ephemeral budget", async () => {
    const { a, b, roster } = await pair({ adapter: { ephemeralPerSecond: 5, ephemeralBurst: 5 } });
    const { handleA } = await shared(a, b);
    const mallory = makeDevice();
    roster.add(mallory.publicKey);
    const link = await rawLink(a, mallory);
    link.connection.send(hello());
    await until(() => a.repo.peers.length === 2, 2_000, "mallory announced");
    for (let i = 0; i < 50; i++)
      link.connection.send(
        encodeFrame({
          type: "ephemeral",
          senderId: peerIdOfKey(mallory.publicKey),
          targetId: a.peerId,
          documentId: handleA.documentId,
          data: new Uint8Array([0xa0]),
          count: i,
          sessionId: "s",
        }),
      );
    await until(() => a.drops.filter((d) => d === "ephemeral-rate").length >= 40, 2_000, "drops");
    expect(a.drops.filter((d) => d === "ephemeral-rate").length).toBeLessThanOrEqual(45);
  });

  it("closes an authenticated link that goes silent past the idle timeout", async () => {
    const a = track(
      await makePeer(new Set(), { transport: { keepAliveMs: 100, idleTimeoutMs: 600 } }),
    );
    const received: Uint8Array[] = [];
    const accepted: SecureConnection[] = [];
    const listener = await listenSecure({
      keyPair: keyPairFromDevice(makeDevice()),
      host: "127.0.0.1",
      port: 0,
      onConnection: (c) => {
        c.onMessage((m) => received.push(m));
        accepted.push(c);
      },
      limits: { keepAliveMs: 100, idleTimeoutMs: 600 },
    });
    running.push({ stop: () => listener.close() });
    // A healthy pair with keep-alives stays up well past the idle timeout …
    const healthy = await connectSecure({
      keyPair: keyPairFromDevice(makeDevice()),
      host: "127.0.0.1",
      port: listener.port,
      limits: { keepAliveMs: 100, idleTimeoutMs: 600 },
    });
    running.push({ stop: () => Promise.resolve(healthy.close()) });
    // … while a peer that sends no keep-alives (a slept laptop) is dropped by A.
    const silent = await connectSecure({
      keyPair: keyPairFromDevice(makeDevice()),
      host: "127.0.0.1",
      port: a.listener.port,
      limits: { keepAliveMs: 0, idleTimeoutMs: 0 },
    });
    running.push({ stop: () => Promise.resolve(silent.close()) });
    await sleep(1_500);
    expect(silent.closed).toBe(true);
    expect(healthy.closed).toBe(false);
    expect(accepted.length).toBe(1);
    expect(accepted[0]?.closed).toBe(false);
    expect(received).toEqual([]); // keep-alives are empty frames, never delivered as messages
  });

  it("closes a link whose peer stops reading once the send backlog passes the cap", async () => {
    const limits = { maxSendBufferBytes: 4 * 1024 * 1024 };
    let sender: SecureConnection | undefined;
    const listener = await listenSecure({
      keyPair: keyPairFromDevice(makeDevice()),
      host: "127.0.0.1",
      port: 0,
      onConnection: (c) => (sender = c),
      limits,
    });
    running.push({ stop: () => listener.close() });
    const reader = await connectSecure({
      keyPair: keyPairFromDevice(makeDevice()),
      host: "127.0.0.1",
      port: listener.port,
    });
    running.push({ stop: () => Promise.resolve(reader.close()) });
    // The reader never sets onMessage: its stream stays paused and TCP fills up.
    await until(() => sender !== undefined, 2_000, "accepted");
    const chunk = new Uint8Array(1024 * 1024);
    let sent = 0;
    while (sender && !sender.closed && sent < 256) {
      sender.send(chunk);
      sent++;
      if (sent % 8 === 0) await sleep(5);
    }
    expect(sender?.closed).toBe(true);
    // Kernel buffers take some, the cap the rest: far less than the 256 MiB attempted.
    expect(sent).toBeLessThan(128);
  });

  it("serves two communities on one listener, each only to its own members", async () => {
    const c1 = COMMUNITY;
    const c2 = parseAutomergeUrl(generateAutomergeUrl()).documentId;
    const roster1 = new Set<string>();
    const roster2 = new Set<string>();
    const x = makeDevice();
    const m1 = makeDevice(); // member of community 1 only
    roster1.add(x.publicKey).add(m1.publicKey);
    roster2.add(x.publicKey);
    // X has both communities: two repos and adapters, one listener routing by the hello.
    const x1 = track(await makePeer(roster1, { device: x, communityId: c1, hasDocument: true }));
    const x2 = track(await makePeer(roster2, { device: x, communityId: c2, hasDocument: true }));
    const router = communityRouter((id) =>
      id === c1 ? x1.adapter : id === c2 ? x2.adapter : undefined,
    );
    const listener = await listenSecure({
      keyPair: x1.keyPair,
      host: "127.0.0.1",
      port: 0,
      onConnection: router,
    });
    running.push({ stop: () => listener.close() });
    const secret2 = x2.repo.create<Note>({ text: "community 2 only" });
    const dial = async (community: string) => {
      const connection = await connectSecure({
        keyPair: keyPairFromDevice(m1),
        host: "127.0.0.1",
        port: listener.port,
        expectedRemoteKey: x.publicKey,
      });
      const received: Uint8Array[] = [];
      connection.onMessage((m) => received.push(m));
      running.push({ stop: () => Promise.resolve(connection.close()) });
      connection.send(hello(community));
      return { connection, received };
    };
    // Asking for community 2, of which M1 is not a member: closed, nothing sent.
    const wrong = await dial(c2);
    await closedWithin(wrong.connection, 2_000);
    expect(wrong.received).toEqual([]);
    expect(x2.drops).toContain("not-member");
    // A community X does not have: the same silent close.
    const unknown = await dial(parseAutomergeUrl(generateAutomergeUrl()).documentId);
    await closedWithin(unknown.connection, 2_000);
    expect(unknown.received).toEqual([]);
    // Community 1: admitted; but naming community 2's document there gets "unavailable".
    const right = await dial(c1);
    await until(() => x1.repo.peers.length === 1, 2_000, "M1 admitted to community 1");
    right.connection.send(
      encodeFrame({
        type: "request",
        senderId: peerIdOfKey(m1.publicKey),
        targetId: x1.peerId,
        documentId: secret2.documentId,
        data: generateSyncMessage(init(), initSyncState())[1] ?? new Uint8Array(),
      }),
    );
    const about = () =>
      right.received
        .map((m) => decodeFrame(m) as { type?: string; documentId?: string; data?: unknown })
        .filter((m) => m.documentId === secret2.documentId);
    await until(() => about().length > 0, 2_000, "answer");
    expect(about().map((m) => m.type)).toEqual(["doc-unavailable"]);
    expect(x2.repo.peers).toEqual([]);
  });

  it("closes an authenticated member that never sends its hello", async () => {
    const roster = new Set<string>();
    const a = track(await makePeer(roster, { adapter: { helloTimeoutMs: 300 } }));
    const quiet = makeDevice();
    roster.add(a.device.publicKey).add(quiet.publicKey);
    const listener = await listenSecure({
      keyPair: a.keyPair,
      host: "127.0.0.1",
      port: 0,
      onConnection: communityRouter((id) => (id === COMMUNITY ? a.adapter : undefined), 300),
    });
    running.push({ stop: () => listener.close() });
    const connection = await connectSecure({
      keyPair: keyPairFromDevice(quiet),
      host: "127.0.0.1",
      port: listener.port,
    });
    running.push({ stop: () => Promise.resolve(connection.close()) });
    await closedWithin(connection, 2_000);
    expect(a.repo.peers).toEqual([]);
  });
});

describe("what a listener holds before a connection's hello is accepted", () => {
  /** A bare listener whose connections are recorded, read, and accepted only when told. */
  async function bareListener(
    options: { admit?: (key: string) => boolean; limits?: Partial<TransportLimits> } = {},
  ) {
    const device = makeDevice();
    const connections: SecureConnection[] = [];
    const received = new Map<SecureConnection, number[]>();
    const listener = await listenSecure({
      keyPair: keyPairFromDevice(device),
      host: "127.0.0.1",
      port: 0,
      ...(options.admit ? { admit: options.admit } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      onConnection: (c) => {
        connections.push(c);
        received.set(c, []);
        c.onMessage((m) => received.get(c)?.push(m.byteLength));
      },
    });
    running.push({ stop: () => listener.close() });
    return { device, listener, connections, received };
  }

  /** A member's dialled connection, with frames up to `maxFrameBytes` allowed on its side. */
  async function dialMember(port: number, device = makeDevice(), maxFrameBytes = 2 * 1024 * 1024) {
    const connection = await connectSecure({
      keyPair: keyPairFromDevice(device),
      host: "127.0.0.1",
      port,
      limits: { maxFrameBytes },
    });
    running.push({ stop: () => Promise.resolve(connection.close()) });
    return connection;
  }

  it("closes a key that admit refuses at the handshake: nothing reaches onConnection or the key", async () => {
    const member = makeDevice();
    const l = await bareListener({ admit: (key) => key === member.publicKey });
    const stranger = await rawNoiseDial(`127.0.0.1:${l.listener.port}`, makeDevice());
    // Its side of the handshake was never finished: the listener sent nothing after it.
    expect(stranger).toBeUndefined();
    expect(l.connections).toEqual([]);
    expect(l.listener.stats()).toMatchObject({ strangers: 1, unauthenticated: 0, connections: 0 });
    const ok = await dialMember(l.listener.port, member);
    await until(() => l.connections.length === 1, 2_000, "the member's connection");
    expect(l.connections[0]?.remoteKey).toBe(member.publicKey);
    expect(ok.closed).toBe(false);
  });

  it("takes hello-sized frames before the hello is accepted, and megabytes only after", async () => {
    const l = await bareListener();
    const early = await dialMember(l.listener.port);
    await until(() => l.connections.length === 1, 2_000, "connection");
    // A hello-sized frame is read …
    expect(early.send(new Uint8Array(4_000))).toBe(true);
    await until(() => (l.received.get(l.connections[0]!) ?? []).length === 1, 2_000, "small frame");
    // … a frame of a megabyte before the hello is accepted closes the connection at its next read.
    expect(early.send(new Uint8Array(1024 * 1024))).toBe(true);
    await closedWithin(early, 2_000);
    expect(l.received.get(l.connections[0]!)).toEqual([4_000]);
    await until(() => l.listener.stats().preHelloBytes === 0, 1_000, "its bytes released");

    // Once accepted, the same frame goes through whole.
    const later = await dialMember(l.listener.port);
    await until(() => l.connections.length === 2, 2_000, "second connection");
    l.connections[1]!.markAccepted();
    expect(later.send(new Uint8Array(1024 * 1024))).toBe(true);
    await until(
      () => (l.received.get(l.connections[1]!) ?? []).includes(1024 * 1024),
      3_000,
      "the large frame",
    );
    expect(later.closed).toBe(false);
  });

  it("counts the bytes of every connection not yet accepted against one budget", async () => {
    const l = await bareListener({ limits: { maxPreHelloTotalBytes: 8 * 1024 } });
    const dialled: SecureConnection[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await dialMember(l.listener.port);
      dialled.push(c);
      await until(() => l.connections.length === i + 1, 2_000, "connection");
      c.send(new Uint8Array(3_000));
      await sleep(100);
    }
    // Two fit in 8 KiB; the third one's frame would pass it and closes that connection.
    await closedWithin(dialled[2]!, 2_000);
    expect(dialled.slice(0, 2).map((c) => c.closed)).toEqual([false, false]);
    expect(l.listener.stats().preHelloBytes).toBeLessThanOrEqual(8 * 1024);
    // An accepted connection's bytes leave the budget: room again for a newcomer.
    l.connections[0]!.markAccepted();
    const next = await dialMember(l.listener.port);
    await until(() => l.connections.length === 4, 2_000, "fourth connection");
    next.send(new Uint8Array(3_000));
    await until(() => (l.received.get(l.connections[3]!) ?? []).length === 1, 2_000, "its frame");
    expect(next.closed).toBe(false);
  });

  it("keeps a few connections per key before their hello: a new one closes that key's oldest", async () => {
    const l = await bareListener({ limits: { maxUnacceptedPerKey: 2 } });
    const member = makeDevice();
    const other = makeDevice();
    const mine: SecureConnection[] = [];
    for (let i = 0; i < 3; i++) mine.push(await dialMember(l.listener.port, member));
    const theirs = await dialMember(l.listener.port, other);
    await closedWithin(mine[0]!, 2_000);
    await sleep(100);
    expect([...mine.slice(1), theirs].map((c) => c.closed)).toEqual([false, false, false]);
    expect(l.listener.stats().unacceptedEvicted).toBe(1);
  });
});
