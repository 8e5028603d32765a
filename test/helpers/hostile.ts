// A hostile device in the test process, against a peer running as its own process: its own Ed25519
// key, a raw secure link to the peer's LAN port (the real transport, no adapter or repo of its own),
// and a record of every plaintext frame the peer sends it, so a test can say exactly what leaked.
import {
  clone,
  generateSyncMessage,
  getHeads,
  init,
  initSyncState,
  receiveSyncMessage,
  type Doc,
  type SyncState,
} from "@automerge/automerge";
import {
  generateAutomergeUrl,
  parseAutomergeUrl,
  type DocumentId,
  type PeerId,
  type StorageId,
} from "@automerge/automerge-repo";
import NoiseSecretStream from "@hyperswarm/secret-stream";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { connect as netConnect, type Socket } from "node:net";
import { join } from "node:path";
import type { TransportLimits } from "../../peer/net/limits.ts";
import { decodeFrame, encodeFrame, encodeHello } from "../../peer/net/messages.ts";
import { peerIdOfKey } from "../../peer/net/secureAdapter.ts";
import {
  connectSecure,
  keyPairFromDevice,
  type SecureConnection,
} from "../../peer/net/transport.ts";
import type { DeviceKeyPair } from "../../peer/trust/deviceKey.ts";
import { parseInvite } from "../../peer/trust/inviteCode.ts";
import { joinWithInvite, noiseKeyPairFromDevice } from "../../peer/trust/invites.ts";
import { asDeviceKey } from "../../shared/ids.ts";

/** A device key made the way loadOrCreateDeviceKey makes one (without the file). */
export function makeDevice(): DeviceKeyPair {
  const { privateKey } = generateKeyPairSync("ed25519");
  const x = privateKey.export({ format: "jwk" }).x ?? "";
  return {
    publicKey: asDeviceKey(Buffer.from(x, "base64url").toString("hex")),
    privateKey,
    publicKeyObject: createPublicKey(privateKey),
    createdAt: new Date(0).toISOString(),
  };
}

/** A decoded frame as received: any of these fields may be missing or of another type. */
export type Frame = {
  type?: unknown;
  senderId?: unknown;
  targetId?: unknown;
  documentId?: unknown;
  data?: unknown;
  community?: unknown;
  storageId?: unknown;
};

const asFrame = (value: unknown): Frame =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 20 ms until it is true; throws after `ms`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

export type Intruder = {
  readonly device: DeviceKeyPair;
  /** The peer id the target derives for this key (what an honest repo would use as senderId). */
  readonly peerId: PeerId;
  readonly connection: SecureConnection;
  /** Every plaintext message received on this link, in order. */
  readonly received: Uint8Array[];
  /** When the link closed (ms since epoch), or undefined while open. */
  readonly closedAt: number | undefined;
  /** The received messages, decoded (undecodable ones as {}). */
  frames(): Frame[];
  /** Whether the target's own hello has arrived (it is sent once the roster check passed). */
  helloReceived(): boolean;
  send(value: unknown): boolean;
  sendRaw(bytes: Uint8Array): boolean;
  /**
   * Sends the hello frame naming `community`: by default as an ephemeral peer (nothing of its sync
   * state is kept), or with the metadata given.
   */
  hello(community: string, meta?: { storageId?: string; isEphemeral?: boolean }): boolean;
  /** Calls `listener` for each message from now on; returns a function that stops it. */
  onFrame(listener: (frame: Frame) => void): () => void;
  close(): void;
};

/**
 * Dials `address` (host:port) with `device`'s key over the real transport and records everything.
 * `log`, when given, also receives every message (one place to search for leaks across links).
 */
export async function dialIntruder(
  device: DeviceKeyPair,
  address: string,
  options: {
    expectedRemoteKey?: string;
    limits?: Partial<TransportLimits>;
    log?: Uint8Array[];
  } = {},
): Promise<Intruder> {
  const [host, port] = address.split(":");
  const connection = await connectSecure({
    keyPair: keyPairFromDevice(device),
    host: host ?? "127.0.0.1",
    port: Number(port),
    ...(options.expectedRemoteKey === undefined
      ? {}
      : { expectedRemoteKey: options.expectedRemoteKey }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  const received: Uint8Array[] = [];
  const decoded: Frame[] = [];
  const listeners = new Set<(frame: Frame) => void>();
  let closedAt: number | undefined;
  connection.onClose(() => (closedAt = Date.now()));
  connection.onMessage((bytes) => {
    // secret-stream may reuse nothing, but a copy costs little and makes the record immutable.
    const copy = new Uint8Array(bytes);
    received.push(copy);
    options.log?.push(copy);
    const frame = asFrame(decodeFrame(copy));
    // As the adapter does: once the target's hello is here, it may send more than hello-sized frames.
    if (frame.type === "meitheal/hello") connection.markAccepted();
    decoded.push(frame);
    for (const listener of listeners) listener(frame);
  });
  return {
    device,
    peerId: peerIdOfKey(device.publicKey),
    connection,
    received,
    get closedAt() {
      return closedAt;
    },
    frames: () => decoded,
    helloReceived: () => decoded.some((f) => f.type === "meitheal/hello"),
    send: (value) => connection.send(encodeFrame(value)),
    sendRaw: (bytes) => connection.send(bytes),
    hello: (community, meta = {}) =>
      connection.send(
        encodeHello({
          community,
          isEphemeral: meta.isEphemeral ?? true,
          ...(meta.storageId === undefined ? {} : { storageId: meta.storageId as StorageId }),
        }),
      ),
    onFrame(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => connection.close(),
  };
}

/** A fresh, valid document id that no one holds. */
export const randomDocumentId = (): DocumentId =>
  parseAutomergeUrl(generateAutomergeUrl()).documentId;

/** What an empty repo sends to ask for a document it lacks. */
export const emptyRequestData = (): Uint8Array =>
  generateSyncMessage(init(), initSyncState())[1] ?? new Uint8Array([0x42]);

/**
 * The sync message a peer holding `doc` sends to one holding only `base`'s history (all of it when
 * `base` is empty): the two are synced here, in memory, and the message carrying changes returned.
 */
export function messageWithChanges<T>(doc: Doc<T>, base: Doc<T> = init<T>()): Uint8Array {
  // Clones: receiveSyncMessage refuses a document that has been changed since (an outdated one).
  let ours: Doc<T> = clone(doc);
  let theirs: Doc<T> = clone(base);
  let ourState: SyncState = initSyncState();
  let theirState: SyncState = initSyncState();
  for (let round = 0; round < 10; round++) {
    const [s1, fromUs] = generateSyncMessage(ours, ourState);
    ourState = s1;
    if (fromUs) {
      const before = getHeads(theirs).join();
      [theirs, theirState] = receiveSyncMessage(theirs, theirState, fromUs);
      if (getHeads(theirs).join() !== before) return fromUs;
    }
    const [s2, fromThem] = generateSyncMessage(theirs, theirState);
    theirState = s2;
    if (fromThem) [ours, ourState] = receiveSyncMessage(ours, ourState, fromThem);
    if (!fromUs && !fromThem) break;
  }
  throw new Error("no sync message with changes: the base already has everything");
}

export type Fetched<T> =
  | { type: "doc"; doc: Doc<T>; syncState: SyncState }
  | { type: "unavailable" }
  | { type: "timeout" };

/**
 * Runs the Automerge sync protocol for one document over the intruder's link, as an honest member
 * would: a request, then answers to every sync message from `target`, until it goes quiet with a
 * document in hand, or the target says "unavailable".
 */
export function fetchDocument<T>(
  intruder: Intruder,
  target: PeerId,
  documentId: DocumentId,
  ms = 5_000,
): Promise<Fetched<T>> {
  let doc = init<T>();
  let state = initSyncState();
  const [first, request] = generateSyncMessage(doc, state);
  state = first;
  return new Promise((resolve) => {
    let quiet: NodeJS.Timeout | undefined;
    const finish = (result: Fetched<T>) => {
      stop();
      clearTimeout(deadline);
      clearTimeout(quiet);
      resolve(result);
    };
    const deadline = setTimeout(() => finish({ type: "timeout" }), ms);
    const stop = intruder.onFrame((frame) => {
      if (frame.documentId !== documentId || frame.senderId !== target) return;
      if (frame.type === "doc-unavailable") return finish({ type: "unavailable" });
      if (frame.type !== "sync" || !(frame.data instanceof Uint8Array)) return;
      [doc, state] = receiveSyncMessage(doc, state, frame.data);
      const [next, reply] = generateSyncMessage(doc, state);
      state = next;
      if (reply)
        intruder.send({
          type: "sync",
          senderId: intruder.peerId,
          targetId: target,
          documentId,
          data: reply,
        });
      clearTimeout(quiet);
      if (getHeads(doc).length > 0)
        quiet = setTimeout(() => finish({ type: "doc", doc, syncState: state }), 300);
    });
    intruder.send({
      type: "request",
      senderId: intruder.peerId,
      targetId: target,
      documentId,
      data: request ?? emptyRequestData(),
    });
  });
}

/** Whether `needle` occurs in any of `chunks` (raw bytes, as received). */
export const containsBytes = (chunks: readonly Uint8Array[], needle: Uint8Array): boolean =>
  chunks.some((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength).indexOf(needle) !== -1);

/** Resident memory of a process in KiB (Linux /proc), or undefined where there is none. */
export async function residentKiB(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** The document folders a peer's data folder holds for a community (fsStorage: docs/<documentId>/). */
export async function documentFolders(dataDir: string, communityId: string): Promise<string[]> {
  try {
    return (await readdir(join(dataDir, "communities", communityId, "docs"))).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
}

/** Every sync-state file a peer keeps for a community (automerge-repo's `<doc>/sync-state/<id>`), by path, with its bytes. */
export async function syncStateFiles(
  dataDir: string,
  communityId: string,
): Promise<Map<string, Buffer>> {
  const root = join(dataDir, "communities", communityId, "docs");
  const files = new Map<string, Buffer>();
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (dir.endsWith("sync-state") && !entry.name.startsWith("."))
        files.set(path.slice(root.length + 1), await readFile(path));
    }
  };
  await walk(root);
  return files;
}

/** host:port → its two parts. */
const splitAddress = (address: string): { host: string; port: number } => {
  const [host, port] = address.split(":");
  return { host: host ?? "127.0.0.1", port: Number(port) };
};

/**
 * A TCP socket from `localAddress` (any of 127/8 on Linux: another "device" on this machine) that
 * runs the Noise handshake with `device`'s key and then hands back the raw socket, so a test can
 * write what secret-stream never would: a frame header announcing megabytes, then part of them.
 * Undefined when the peer closed the socket before its side of the handshake was done.
 */
export async function rawNoiseDial(
  address: string,
  device: DeviceKeyPair,
  localAddress?: string,
): Promise<{ socket: Socket; closed: () => boolean } | undefined> {
  const socket = netConnect({
    ...splitAddress(address),
    ...(localAddress === undefined ? {} : { localAddress }),
  });
  socket.on("error", () => undefined);
  let closed = false;
  socket.once("close", () => (closed = true));
  const stream = new NoiseSecretStream(true, socket, {
    keyPair: keyPairFromDevice(device),
    pattern: "XX",
  });
  stream.on("error", () => undefined);
  // Done on this side once it sent its last handshake message; done on the peer's side when the
  // peer's first encrypted frame (secret-stream's stream header) arrives. Bytes written before
  // that would still count as handshake bytes there.
  const done = await new Promise<boolean>((resolve) => {
    stream.once("connect", () => socket.once("data", () => resolve(true)));
    stream.once("close", () => resolve(false));
  });
  if (!done || closed) {
    socket.destroy();
    return undefined;
  }
  return { socket, closed: () => closed };
}

/**
 * Writes, on a raw socket past the handshake, the header of a `frameBytes` frame and then `sendBytes`
 * of its body, in 64 KiB writes that wait for the socket to drain. Resolves with the bytes written
 * before the socket closed (or all of them).
 */
export async function writePartialFrame(
  socket: Socket,
  frameBytes: number,
  sendBytes: number,
): Promise<number> {
  const header = Buffer.from([
    frameBytes & 255,
    (frameBytes >>> 8) & 255,
    (frameBytes >>> 16) & 255,
  ]);
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let written = 0;
  const write = (bytes: Buffer) =>
    new Promise<boolean>((resolve) => {
      if (socket.destroyed) return resolve(false);
      if (socket.write(bytes)) return resolve(true);
      const drained = () => {
        socket.off("close", gone);
        resolve(true);
      };
      const gone = () => {
        socket.off("drain", drained);
        resolve(false);
      };
      socket.once("drain", drained);
      socket.once("close", gone);
    });
  if (!(await write(header))) return 0;
  while (written < sendBytes) {
    const part = chunk.subarray(0, Math.min(chunk.length, sendBytes - written));
    if (!(await write(part))) break;
    written += part.length;
  }
  return written;
}

export type SocketFlood = {
  /** Sockets opened so far, and how many of them got connected. */
  stats(): { opened: number; connected: number; open: number; maxOpen: number };
  stop(): Promise<void>;
};

/**
 * A stranger holding `count` TCP sockets to `address` from `localAddress`, sending nothing, and
 * opening a new one as soon as any closes, until stop(). What a device on the Wi-Fi can do with no
 * key at all.
 */
export function socketFlood(
  address: string,
  options: { count: number; localAddress: string },
): SocketFlood {
  const target = splitAddress(address);
  const live = new Set<Socket>();
  let opened = 0;
  let connected = 0;
  let open = 0;
  let maxOpen = 0;
  let stopped = false;
  const openOne = () => {
    if (stopped) return;
    opened++;
    const socket = netConnect({ ...target, localAddress: options.localAddress });
    live.add(socket);
    let isOpen = false;
    socket.on("error", () => undefined);
    socket.once("connect", () => {
      isOpen = true;
      connected++;
      open++;
      maxOpen = Math.max(maxOpen, open);
    });
    socket.once("close", () => {
      if (isOpen) open--;
      live.delete(socket);
      // Re-opened on the next turn of the event loop, so the test process keeps reading.
      setImmediate(openOne);
    });
  };
  for (let i = 0; i < options.count; i++) openOne();
  return {
    stats: () => ({ opened, connected, open, maxOpen }),
    async stop() {
      stopped = true;
      const closing = [...live].map(
        (socket) =>
          new Promise<void>((resolve) => {
            socket.once("close", () => resolve());
            socket.destroy();
          }),
      );
      await Promise.all(closing);
    },
  };
}

/**
 * `device` joins a community for real with an invite link (`sync:invite`'s `uri`): the XXpsk0
 * handshake and a place on the roster, as a member's device that then turns hostile would.
 */
export async function joinByInviteUri(
  uri: string,
  device: DeviceKeyPair,
  name: string,
): Promise<void> {
  const decoded = parseInvite(uri);
  if (!decoded.ok) throw new Error(decoded.error.message);
  const welcome = await joinWithInvite({
    secret: decoded.value.secret,
    addresses: decoded.value.addresses,
    keyPair: noiseKeyPairFromDevice(device),
    name,
  });
  if (!welcome.ok) throw new Error(welcome.error.message);
}
