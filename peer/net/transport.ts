// The secure LAN transport: TCP carrying a Noise XX handshake and then an encrypted, authenticated
// message stream (@hyperswarm/secret-stream), keyed by the device's Ed25519 key. After the
// handshake the remote device key is proven; what that key may do is decided above this layer
// (secureAdapter.ts checks the roster). There is no plaintext mode and no other port.
//
// secret-stream frames every message itself (uint24 length, then ciphertext) and delivers one
// "data" event per message, so message boundaries need no second framing. It has no handshake
// timeout and accepts frames up to 16 MiB, so both are bounded here: a timer destroys sockets that
// do not authenticate in time, and a small parser reads the same uint24 length prefixes on the raw
// socket to destroy a connection as soon as a frame header announces more than the cap, before the
// bytes arrive (secret-stream would otherwise buffer up to 16 MiB per frame).
//
// A listener faces strangers, so what it holds for them is bounded in three phases:
// - before the handshake: a pool of unauthenticated sockets with a small share per remote address;
//   a new socket closes the oldest of its own address, or when the pool is full the oldest of the
//   address holding the most, so a stranger re-opening hundreds of sockets keeps only its share;
// - at the handshake, the moment the remote key is known: `admit` decides (the roster of any
//   community here), and every other key is closed before another byte is read or sent;
// - after it, until the layer above accepts the remote's hello (`markAccepted`): frames the size of
//   a hello, a few KB per connection and a few MB for all of them together, and a few connections
//   per key. Only then may a frame carry megabytes.
import NoiseSecretStream from "@hyperswarm/secret-stream";
import {
  createConnection,
  createServer,
  type AddressInfo,
  type Server,
  type Socket,
} from "node:net";
import type { DeviceKeyPair } from "../trust/deviceKey.ts";
import { DEFAULT_TRANSPORT_LIMITS, type TransportLimits } from "./limits.ts";

/** The sodium Ed25519 key pair secret-stream signs the handshake with. */
export type SecureKeyPair = { publicKey: Buffer; secretKey: Buffer };

/** secret-stream's own derivation (`crypto_sign_seed_keypair`) from the device key's 32-byte seed. */
export function keyPairFromSeed(seed: Uint8Array): SecureKeyPair {
  if (seed.byteLength !== 32) throw new Error("an Ed25519 seed is 32 bytes");
  return NoiseSecretStream.keyPair(seed);
}

/** The device key (stored as JWK with seed `d`) as a Noise key pair; the public key is the same. */
export function keyPairFromDevice(device: DeviceKeyPair): SecureKeyPair {
  const jwk = device.privateKey.export({ format: "jwk" });
  if (!jwk.d) throw new Error("the device key has no private part");
  const pair = keyPairFromSeed(Buffer.from(jwk.d, "base64url"));
  if (pair.publicKey.toString("hex") !== device.publicKey)
    throw new Error("the Noise key does not match the device key");
  return pair;
}

export type SecureConnection = {
  /** Hex of the remote device's Ed25519 public key, proven by the handshake. */
  readonly remoteKey: string;
  /** Whether this side dialled. */
  readonly isInitiator: boolean;
  /** host:port of the other end, as the socket saw it (for display; never trusted). */
  readonly remoteAddress: string;
  /** Sends one message; false if it is over the cap or the connection is closed (nothing sent). */
  send(bytes: Uint8Array): boolean;
  /** Messages are held (with backpressure) until a handler is set. */
  onMessage(handler: (bytes: Uint8Array) => void): void;
  onClose(handler: () => void): void;
  /**
   * Resolves once what was sent has drained to the socket (at once when it has), or the
   * connection closed: a sender of much data waits on it instead of filling its buffers.
   */
  whenWritable?(): Promise<void>;
  /** Stops reading (TCP pushes back on the sender) until resume(). */
  pause(): void;
  resume(): void;
  /**
   * The remote's hello is accepted (it is a member of the community it named): lifts the limits
   * on what it may send before that (maxHelloBytes, maxPreHelloBytes).
   */
  markAccepted(): void;
  readonly closed: boolean;
  close(): void;
};

export type ListenerStats = {
  /** Sockets not yet authenticated now (invite sockets included). */
  unauthenticated: number;
  connections: number;
  /** Sockets refused on arrival because every connection slot was taken. */
  refused: number;
  timedOut: number;
  /** Unauthenticated sockets closed to make room for a newer one (per address, or pool full). */
  evicted: number;
  /** Handshakes completed with a key that `admit` refused. */
  strangers: number;
  /** Connections past the handshake closed because their key held too many not yet accepted. */
  unacceptedEvicted: number;
  /** Raw bytes counted now against maxPreHelloTotalBytes. */
  preHelloBytes: number;
};

export type SecureListener = {
  readonly port: number;
  stats(): ListenerStats;
  close(): Promise<void>;
};

export type ListenOptions = {
  keyPair: SecureKeyPair;
  host: string;
  port: number;
  onConnection: (connection: SecureConnection) => void;
  /**
   * Decides at the handshake, as soon as the remote key is proven: false closes the socket before
   * anything more is read or sent. Without it every key reaches onConnection.
   */
  admit?: (remoteKeyHex: string) => boolean;
  limits?: Partial<TransportLimits>;
  /**
   * Another protocol on the same port (the invite handshake): given a socket's first `bytes`
   * bytes, `take` returns true to own the socket from then on. Otherwise the bytes are put back
   * and the Noise handshake runs. The socket counts as unauthenticated until it closes (when
   * taken) or authenticates, and a socket that sends fewer bytes before the handshake timeout is
   * destroyed.
   */
  claim?: { bytes: number; take: (first: Buffer, socket: Socket) => boolean };
};

export type ConnectOptions = {
  keyPair: SecureKeyPair;
  host: string;
  port: number;
  /** When known (from discovery or an invite), a different key closes the connection. */
  expectedRemoteKey?: string;
  limits?: Partial<TransportLimits>;
};

const HEX_KEY = /^[0-9a-f]{64}$/;
/** secret-stream's per-message overhead (secretstream ABYTES); a frame is plaintext + this. */
const ABYTES = 17;

/** Bytes shared by the sockets of one listener (or held by one dialled connection). */
class ByteBudget {
  used = 0;
  constructor(readonly max: number) {}

  take(bytes: number): boolean {
    if (this.used + bytes > this.max) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** Where a connection stands: what it may send depends on it. */
type Phase = "handshake" | "unaccepted" | "accepted";

/**
 * Reads the uint24 length prefixes of the raw socket alongside secret-stream (same bytes, same
 * framing) and reports what is too much for the phase: a frame header over the cap, at its header;
 * too many bytes before the handshake or before the hello is accepted; a frame larger than a hello
 * still arriving, at a later read, while the hello is not accepted. Registered before
 * secret-stream's own reader, so each read is judged (phase as it was before the read) before
 * secret-stream buffers it.
 */
function watchRawFrames(
  socket: Socket,
  limits: TransportLimits,
  phase: () => Phase,
  budget: ByteBudget,
  onViolation: (why: string) => void,
): { release(): void } {
  let header = 0;
  let headerBytes = 0;
  let remaining = 0;
  let handshakeBytes = 0;
  /** Bytes of this socket counted in the budget (sent after the handshake, before acceptance). */
  let preHello = 0;
  /** A frame larger than a hello began before acceptance and has not ended. */
  let oversized = false;
  const release = () => {
    budget.give(preHello);
    preHello = 0;
  };
  socket.once("close", release);
  socket.on("data", (chunk: Buffer) => {
    const now = phase();
    if (now === "handshake") {
      handshakeBytes += chunk.byteLength;
      if (handshakeBytes > limits.maxHandshakeBytes)
        return onViolation("too many bytes before authentication");
    } else if (now === "unaccepted") {
      if (oversized) return onViolation("a frame larger than a hello before the hello");
      if (preHello + chunk.byteLength > limits.maxPreHelloBytes || !budget.take(chunk.byteLength))
        return onViolation("too many bytes before the hello");
      preHello += chunk.byteLength;
    } else if (preHello > 0) release();
    let offset = 0;
    while (offset < chunk.byteLength) {
      if (remaining > 0) {
        const step = Math.min(remaining, chunk.byteLength - offset);
        remaining -= step;
        offset += step;
        if (remaining === 0) oversized = false;
        continue;
      }
      header += (chunk[offset] ?? 0) * 256 ** headerBytes;
      headerBytes++;
      offset++;
      if (headerBytes === 3) {
        const cap =
          now === "handshake" ? limits.maxHandshakeFrameBytes : limits.maxFrameBytes + ABYTES;
        if (header > cap) return onViolation(`frame of ${header} bytes is over the cap`);
        if (now === "unaccepted" && header > limits.maxHelloBytes + ABYTES) oversized = true;
        remaining = header;
        header = 0;
        headerBytes = 0;
      }
    }
  });
  return { release };
}

type SecureHooks = {
  /** The pre-hello byte budget this socket shares (a listener's), or its own. */
  budget: ByteBudget;
  onTimeout?: () => void;
  /** The remote key is proven; false closes the socket at once (see ListenOptions.admit). */
  admit?: (remoteKeyHex: string) => boolean;
  /** The handshake is over: admitted or not, the socket is no longer unauthenticated. */
  onHandshake?: (admitted: boolean) => void;
  onAccepted?: () => void;
};

/** Runs the handshake on a raw socket; resolves with the connection, or undefined (socket gone). */
function secure(
  socket: Socket,
  isInitiator: boolean,
  keyPair: SecureKeyPair,
  limits: TransportLimits,
  hooks: SecureHooks,
): Promise<SecureConnection | undefined> {
  let phase: Phase = "handshake";
  let refused = false;
  socket.setNoDelay(true);
  // Registered before secret-stream's own listener, so a violation destroys the socket at once.
  const watch = watchRawFrames(
    socket,
    limits,
    () => phase,
    hooks.budget,
    (why) => stream.destroy(new Error(why)),
  );
  const stream = new NoiseSecretStream(isInitiator, socket, { keyPair, pattern: "XX" });
  // Errors end the connection (close follows); they must never reach the process as unhandled.
  stream.on("error", () => undefined);
  socket.on("error", () => undefined);
  // secret-stream says "handshake" the moment the remote key is proven, before it sends or reads
  // anything more: a key refused here gets nothing past the handshake.
  stream.once("handshake", () => {
    const remote = stream.remotePublicKey;
    let admitted = remote?.byteLength === 32;
    if (admitted && hooks.admit) {
      try {
        admitted = hooks.admit((remote as Buffer).toString("hex"));
      } catch {
        admitted = false;
      }
    }
    phase = "unaccepted";
    hooks.onHandshake?.(admitted);
    if (!admitted) {
      refused = true;
      stream.destroy();
    }
  });

  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      hooks.onTimeout?.();
      stream.destroy(new Error("handshake timed out"));
    }, limits.handshakeTimeoutMs);
    timer.unref();
    let done = false;
    stream.once("close", () => {
      clearTimeout(timer);
      if (!done) resolve(undefined);
    });
    stream.once("connect", () => {
      clearTimeout(timer);
      const remote = stream.remotePublicKey;
      if (refused || stream.destroying || !remote || remote.byteLength !== 32) {
        stream.destroy();
        return;
      }
      done = true;
      const address = `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? 0}`;
      resolve(
        wrap(stream, remote.toString("hex"), isInitiator, limits, address, () => {
          phase = "accepted";
          watch.release();
          hooks.onAccepted?.();
        }),
      );
    });
  });
}

function wrap(
  stream: NoiseSecretStream,
  remoteKey: string,
  isInitiator: boolean,
  limits: TransportLimits,
  remoteAddress: string,
  onAccepted: () => void,
): SecureConnection {
  let closed = false;
  let accepted = false;
  const closeHandlers: (() => void)[] = [];
  // Bytes written since the stream last reported it was drained; only counted while congested.
  let backlog = 0;
  let congested = false;
  const writable: (() => void)[] = [];
  const wake = () => {
    for (const resolve of writable.splice(0)) resolve();
  };
  stream.on("drain", () => {
    congested = false;
    backlog = 0;
    wake();
  });
  // Both ends run this code, so both send keep-alives and an idle link really is dead.
  if (limits.keepAliveMs > 0) stream.setKeepAlive(limits.keepAliveMs);
  if (limits.idleTimeoutMs > 0) stream.setTimeout(limits.idleTimeoutMs);
  stream.once("close", () => {
    closed = true;
    wake();
    for (const handler of closeHandlers.splice(0)) handler();
  });
  return {
    remoteKey,
    isInitiator,
    remoteAddress,
    get closed() {
      return closed;
    },
    send(bytes) {
      if (closed || bytes.byteLength > limits.maxFrameBytes) return false;
      // secret-stream drops zero-length writes on some paths; nothing above sends empty messages.
      if (bytes.byteLength === 0) return false;
      if (congested) {
        backlog += bytes.byteLength;
        if (backlog > limits.maxSendBufferBytes) {
          stream.destroy(new Error("the peer is not reading"));
          return false;
        }
      }
      if (!stream.write(bytes)) congested = true;
      return true;
    },
    whenWritable() {
      if (closed || !congested) return Promise.resolve();
      return new Promise<void>((resolve) => writable.push(resolve));
    },
    onMessage(handler) {
      stream.on("data", (data) => {
        if (closed) return;
        // The raw watcher already refused such a frame; this is the same cap on the plaintext.
        if (data.byteLength > limits.maxFrameBytes)
          return stream.destroy(new Error("frame over cap"));
        handler(data);
      });
    },
    onClose(handler) {
      if (closed) handler();
      else closeHandlers.push(handler);
    },
    pause() {
      stream.pause();
    },
    resume() {
      stream.resume();
    },
    markAccepted() {
      if (accepted || closed) return;
      accepted = true;
      onAccepted();
    },
    close() {
      if (!closed) stream.destroy();
    },
  };
}

/**
 * Reads a socket's first bytes for `claim` (see ListenOptions); then either hands the socket over
 * or puts the bytes back and runs `handshake`. A socket that stays silent is destroyed at the
 * handshake timeout, exactly as in the handshake itself.
 */
function peek(
  socket: Socket,
  claim: NonNullable<ListenOptions["claim"]>,
  limits: TransportLimits,
  handshake: () => void,
): void {
  let first = Buffer.alloc(0);
  socket.on("error", () => undefined);
  const timer = setTimeout(() => socket.destroy(), limits.handshakeTimeoutMs);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
  const onData = (chunk: Buffer) => {
    first = Buffer.concat([first, chunk]);
    if (first.length < claim.bytes) return;
    clearTimeout(timer);
    socket.off("data", onData);
    socket.pause();
    if (claim.take(first, socket)) return;
    socket.unshift(first);
    const readers = socket.listenerCount("data");
    handshake();
    // The bytes wait in the paused socket until secret-stream has attached its reader (it does so
    // when the stream opens, a tick or two later); flowing earlier would hand them to no one.
    const flow = () => {
      if (socket.destroyed) return;
      if (socket.listenerCount("data") >= readers + 2) socket.resume();
      else setImmediate(flow);
    };
    flow();
  };
  socket.on("data", onData);
}

/** The remote address a share of the unauthenticated pool belongs to: IPv4, or an IPv6 /64. */
export function addressShare(address: string | undefined): string {
  if (address === undefined) return "?";
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (v4?.[1]) return v4[1];
  // One device on IPv6 may have many addresses in its /64 (privacy addresses): one share.
  const [head = "", tail] = address.toLowerCase().split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [
    ...left,
    ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"),
    ...right,
  ];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

export async function listenSecure(options: ListenOptions): Promise<SecureListener> {
  const limits = { ...DEFAULT_TRANSPORT_LIMITS, ...options.limits };
  const budget = new ByteBudget(limits.maxPreHelloTotalBytes);
  let refused = 0;
  let timedOut = 0;
  let evicted = 0;
  let strangers = 0;
  let unacceptedEvicted = 0;
  const connections = new Set<SecureConnection>();
  const sockets = new Set<Socket>();
  /** Unauthenticated sockets → their address share, oldest first (a Map keeps insertion order). */
  const pool = new Map<Socket, string>();
  /** Connections past the handshake whose hello is not accepted yet, by key, oldest first. */
  const unaccepted = new Map<string, SecureConnection[]>();

  const evict = (socket: Socket | undefined) => {
    if (!socket) return;
    pool.delete(socket);
    evicted++;
    socket.destroy();
  };
  /** Makes room for a socket from `share`: its own oldest, or the oldest of the biggest holder. */
  const makeRoom = (share: string) => {
    const held = new Map<string, Socket[]>();
    for (const [socket, s] of pool) held.set(s, [...(held.get(s) ?? []), socket]);
    const own = held.get(share) ?? [];
    if (own.length >= limits.maxUnauthenticatedPerAddress) return evict(own[0]);
    if (pool.size < limits.maxUnauthenticated) return;
    let biggest: Socket[] = [];
    for (const list of held.values()) if (list.length > biggest.length) biggest = list;
    evict(biggest[0]);
  };
  const leaveUnaccepted = (connection: SecureConnection) => {
    const list = unaccepted.get(connection.remoteKey);
    if (!list) return;
    const rest = list.filter((c) => c !== connection);
    if (rest.length > 0) unaccepted.set(connection.remoteKey, rest);
    else unaccepted.delete(connection.remoteKey);
  };

  const server: Server = createServer({ pauseOnConnect: false }, (socket) => {
    if (connections.size >= limits.maxConnections) {
      refused++;
      socket.destroy();
      return;
    }
    const share = addressShare(socket.remoteAddress);
    makeRoom(share);
    pool.set(socket, share);
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      pool.delete(socket);
    });
    let connection: SecureConnection | undefined;
    const handshake = () =>
      void secure(socket, false, options.keyPair, limits, {
        budget,
        onTimeout: () => timedOut++,
        ...(options.admit ? { admit: options.admit } : {}),
        onHandshake: (admitted) => {
          pool.delete(socket);
          if (!admitted) strangers++;
        },
        onAccepted: () => {
          if (connection) leaveUnaccepted(connection);
        },
      }).then((secured) => {
        if (!secured) return;
        connection = secured;
        connections.add(secured);
        const mine = unaccepted.get(secured.remoteKey) ?? [];
        if (mine.length >= limits.maxUnacceptedPerKey) {
          unacceptedEvicted++;
          mine[0]?.close();
        }
        unaccepted.set(secured.remoteKey, [...mine.filter((c) => !c.closed), secured]);
        secured.onClose(() => {
          connections.delete(secured);
          leaveUnaccepted(secured);
        });
        try {
          options.onConnection(secured);
        } catch {
          secured.close();
        }
      });
    if (options.claim) peek(socket, options.claim, limits, handshake);
    else handshake();
  });
  server.on("error", () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    stats: () => ({
      unauthenticated: pool.size,
      connections: connections.size,
      refused,
      timedOut,
      evicted,
      strangers,
      unacceptedEvicted,
      preHelloBytes: budget.used,
    }),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of connections) connection.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

export class SecureConnectError extends Error {}

/** Dials a peer; rejects with SecureConnectError if it cannot be reached or authenticated. */
export async function connectSecure(options: ConnectOptions): Promise<SecureConnection> {
  const limits = { ...DEFAULT_TRANSPORT_LIMITS, ...options.limits };
  const expected = options.expectedRemoteKey?.toLowerCase();
  if (expected !== undefined && !HEX_KEY.test(expected))
    throw new SecureConnectError("expectedRemoteKey must be 64 hex characters");
  const socket = createConnection({ host: options.host, port: options.port });
  // Connecting also counts against the handshake timeout: a black-holed address fails in time.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SecureConnectError(`no answer from ${options.host}:${options.port}`));
    }, limits.handshakeTimeoutMs);
    timer.unref();
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(
        new SecureConnectError(`could not reach ${options.host}:${options.port}: ${e.message}`),
      );
    });
  });
  const connection = await secure(socket, true, options.keyPair, limits, {
    budget: new ByteBudget(limits.maxPreHelloBytes),
  });
  if (!connection) throw new SecureConnectError("the secure handshake failed");
  if (expected !== undefined && connection.remoteKey !== expected) {
    connection.close();
    throw new SecureConnectError("the remote device is not the one expected");
  }
  return connection;
}
