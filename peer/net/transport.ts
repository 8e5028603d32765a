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
  /** Stops reading (TCP pushes back on the sender) until resume(). */
  pause(): void;
  resume(): void;
  readonly closed: boolean;
  close(): void;
};

export type SecureListener = {
  readonly port: number;
  stats(): { unauthenticated: number; connections: number; refused: number; timedOut: number };
  close(): Promise<void>;
};

export type ListenOptions = {
  keyPair: SecureKeyPair;
  host: string;
  port: number;
  onConnection: (connection: SecureConnection) => void;
  limits?: Partial<TransportLimits>;
  /**
   * Another protocol on the same port (the invite handshake): given a socket's first `bytes`
   * bytes, `take` returns true to own the socket from then on. Otherwise the bytes are put back
   * and the Noise handshake runs. The socket counts as unauthenticated until decided, and a
   * socket that sends fewer bytes before the handshake timeout is destroyed.
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

/**
 * Reads the uint24 length prefixes of the raw socket alongside secret-stream (same bytes, same
 * framing) and reports a frame too large for the current phase, at its header.
 */
function watchRawFrames(
  socket: Socket,
  maxFrame: () => number,
  maxTotal: () => number,
  onViolation: (why: string) => void,
): void {
  let header = 0;
  let headerBytes = 0;
  let remaining = 0;
  let total = 0;
  socket.on("data", (chunk: Buffer) => {
    total += chunk.byteLength;
    if (total > maxTotal()) return onViolation("too many bytes before authentication");
    let offset = 0;
    while (offset < chunk.byteLength) {
      if (remaining > 0) {
        const step = Math.min(remaining, chunk.byteLength - offset);
        remaining -= step;
        offset += step;
        continue;
      }
      header += (chunk[offset] ?? 0) * 256 ** headerBytes;
      headerBytes++;
      offset++;
      if (headerBytes === 3) {
        if (header > maxFrame()) return onViolation(`frame of ${header} bytes is over the cap`);
        remaining = header;
        header = 0;
        headerBytes = 0;
      }
    }
  });
}

/** Runs the handshake on a raw socket; resolves with the connection, or undefined (socket gone). */
function secure(
  socket: Socket,
  isInitiator: boolean,
  keyPair: SecureKeyPair,
  limits: TransportLimits,
  onTimeout: () => void = () => undefined,
): Promise<SecureConnection | undefined> {
  let authenticated = false;
  socket.setNoDelay(true);
  // Registered before secret-stream's own listener, so a violation destroys the socket at once.
  watchRawFrames(
    socket,
    () => (authenticated ? limits.maxFrameBytes + ABYTES : limits.maxHandshakeFrameBytes),
    () => (authenticated ? Number.POSITIVE_INFINITY : limits.maxHandshakeBytes),
    (why) => stream.destroy(new Error(why)),
  );
  const stream = new NoiseSecretStream(isInitiator, socket, { keyPair, pattern: "XX" });
  // Errors end the connection (close follows); they must never reach the process as unhandled.
  stream.on("error", () => undefined);
  socket.on("error", () => undefined);

  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      onTimeout();
      stream.destroy(new Error("handshake timed out"));
    }, limits.handshakeTimeoutMs);
    timer.unref();
    stream.once("close", () => {
      clearTimeout(timer);
      if (!authenticated) resolve(undefined);
    });
    stream.once("connect", () => {
      clearTimeout(timer);
      const remote = stream.remotePublicKey;
      if (!remote || remote.byteLength !== 32) {
        stream.destroy();
        return resolve(undefined);
      }
      authenticated = true;
      const address = `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? 0}`;
      resolve(wrap(stream, remote.toString("hex"), isInitiator, limits, address));
    });
  });
}

function wrap(
  stream: NoiseSecretStream,
  remoteKey: string,
  isInitiator: boolean,
  limits: TransportLimits,
  remoteAddress: string,
): SecureConnection {
  let closed = false;
  const closeHandlers: (() => void)[] = [];
  // Bytes written since the stream last reported it was drained; only counted while congested.
  let backlog = 0;
  let congested = false;
  stream.on("drain", () => {
    congested = false;
    backlog = 0;
  });
  // Both ends run this code, so both send keep-alives and an idle link really is dead.
  if (limits.keepAliveMs > 0) stream.setKeepAlive(limits.keepAliveMs);
  if (limits.idleTimeoutMs > 0) stream.setTimeout(limits.idleTimeoutMs);
  stream.once("close", () => {
    closed = true;
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
    close() {
      if (!closed) stream.destroy();
    },
  };
}

/**
 * Reads a socket's first bytes for `claim` (see ListenOptions); then either hands the socket over
 * (`taken`) or puts the bytes back and runs `handshake`. A socket that stays silent is destroyed at
 * the handshake timeout, exactly as in the handshake itself.
 */
function peek(
  socket: Socket,
  claim: NonNullable<ListenOptions["claim"]>,
  limits: TransportLimits,
  handshake: () => void,
  taken: () => void,
): void {
  let first = Buffer.alloc(0);
  let decided = false;
  socket.on("error", () => undefined);
  const timer = setTimeout(() => socket.destroy(), limits.handshakeTimeoutMs);
  timer.unref();
  const onClose = () => {
    clearTimeout(timer);
    if (!decided) {
      decided = true;
      taken();
    }
  };
  const onData = (chunk: Buffer) => {
    first = Buffer.concat([first, chunk]);
    if (first.length < claim.bytes) return;
    decided = true;
    clearTimeout(timer);
    socket.off("data", onData);
    socket.off("close", onClose);
    socket.pause();
    if (claim.take(first, socket)) return taken();
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
  socket.once("close", onClose);
}

export async function listenSecure(options: ListenOptions): Promise<SecureListener> {
  const limits = { ...DEFAULT_TRANSPORT_LIMITS, ...options.limits };
  let unauthenticated = 0;
  let refused = 0;
  let timedOut = 0;
  const connections = new Set<SecureConnection>();
  const sockets = new Set<Socket>();

  const server: Server = createServer({ pauseOnConnect: false }, (socket) => {
    if (unauthenticated >= limits.maxUnauthenticated || connections.size >= limits.maxConnections) {
      refused++;
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    unauthenticated++;
    const handshake = () =>
      void secure(socket, false, options.keyPair, limits, () => timedOut++).then((connection) => {
        unauthenticated--;
        if (!connection) return;
        connections.add(connection);
        connection.onClose(() => connections.delete(connection));
        try {
          options.onConnection(connection);
        } catch {
          connection.close();
        }
      });
    if (options.claim) peek(socket, options.claim, limits, handshake, () => unauthenticated--);
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
    stats: () => ({ unauthenticated, connections: connections.size, refused, timedOut }),
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
  const connection = await secure(socket, true, options.keyPair, limits);
  if (!connection) throw new SecureConnectError("the secure handshake failed");
  if (expected !== undefined && connection.remoteKey !== expected) {
    connection.close();
    throw new SecureConnectError("the remote device is not the one expected");
  }
  return connection;
}
