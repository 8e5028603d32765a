// Invites, inviter and joiner side: the pairing protocol that spends an invite from the inviter's
// book (inviteBook.ts).
//
// Pairing protocol, on the inviter's listening port (see the report in the issue note):
//   J→I  preamble: "MTHLINV1" + invite id (8 bytes), in the clear; it is the Noise prologue.
//   J→I  frame HS  Noise XXpsk0 msg 1 (psk, e)          — a wrong secret fails here, counted.
//   I→J  frame HS  msg 2 (e, ee, s, es)                 — the joiner learns the inviter's key; that
//                                                         msg 2 decrypts proves the inviter holds the
//                                                         secret (the code carries no key).
//   J→I  frame HS  msg 3 (s, se), payload {name}        — inviter learns the joiner's device key.
//   I→J  frame WELCOME  {communityId, member, inviterKey}, sealed with the handshake's split key.
// The invite id and the psk are derived from the code's secret (inviteCode.ts, inviteKeys).
//   I→J  frame ERROR (one byte code) instead, at any step, then close.
// Frames: u16 big-endian length, then a type byte, then the body. Nothing is answered before the
// preamble names a usable invite, and a wrong secret is answered only with "failed".
//
// Guessing: the invite id comes from the secret, so a guessed code names an unknown invite (2^-80
// per try of naming a real one). A wrong psk with a right id (someone who saw a preamble on the
// network) is counted against the invite, and 5 lock it. Whoever holds the code can answer as the
// inviter: the code is the shared secret, shown only to the person joining.
import { createConnection, createServer, type Server, type Socket } from "node:net";
import NoiseState, { type NoiseKeyPair } from "noise-handshake";
// With its extension: the package has no "exports" map, and Node's own ES module loader (the
// desktop app's built peer) resolves no extensionless subpath; tsx and Vitest did, which hid it.
import CipherState from "noise-handshake/cipher.js";
import curve from "noise-curve-ed";
import { z } from "zod";
import {
  asCommunityId,
  asDeviceKey,
  isDocumentId,
  type CommunityId,
  type DeviceKey,
} from "../../shared/ids.ts";
import { err, ErrorCode, ok, type Result } from "../../shared/result.ts";
import type { DeviceKeyPair } from "./deviceKey.ts";
import { INVITE_ID_BYTES, inviteKeys, MESSAGES } from "./inviteCode.ts";
import { InviteFailure, type InviteBook } from "./inviteBook.ts";

export const HANDSHAKE_TIMEOUT_MS = 5_000;
export const INVITE_MAGIC = Buffer.from("MTHLINV1", "ascii");
const PREAMBLE_BYTES = INVITE_MAGIC.length + INVITE_ID_BYTES;
const MAX_FRAME = 4096;
/** The longest name a joiner may give (characters), checked on both sides. */
export const MAX_NAME = 60;

const FRAME_HANDSHAKE = 1;
const FRAME_ERROR = 2;
const FRAME_WELCOME = 3;

export const INVITE_MESSAGES = {
  // A code that passed its check symbol but names no open invite: mistyped in two places, or
  // cancelled. (The invite id is derived from the code, so the two look the same to the inviter.)
  unknown:
    "The other device has no open invite with that code. Check the code against its screen, or ask for a new one.",
  expired: MESSAGES.expired,
  used: "That invite has already been used. Ask for a new one.",
  locked: "This invite was locked after too many wrong tries. Make a new one.",
  wrong:
    "That code does not match the invite. Check it with the person who invited you, or ask for a new one.",
  refused: "The inviting device refused to add this device to the community.",
  busy: "The inviting device is busy. Try again in a moment.",
  member:
    "This device is already in that community, so the invite was not used. Open the community from the list.",
  impostor:
    "The device that answered could not prove it made this invite. Nothing was shared. Check you are on the right network and try again.",
  unreachable:
    "Could not reach the device that made the invite. Check it is switched on, on the same network, and try again.",
  timeout: "The inviting device stopped answering. Try again.",
  protocol: "The inviting device answered with something this app does not understand.",
} as const;

const FAILURE_MESSAGE: Record<InviteFailure, string> = {
  [InviteFailure.Unknown]: INVITE_MESSAGES.unknown,
  [InviteFailure.Expired]: INVITE_MESSAGES.expired,
  [InviteFailure.Used]: INVITE_MESSAGES.used,
  [InviteFailure.Locked]: INVITE_MESSAGES.locked,
  [InviteFailure.Wrong]: INVITE_MESSAGES.wrong,
  [InviteFailure.Refused]: INVITE_MESSAGES.refused,
  [InviteFailure.Busy]: INVITE_MESSAGES.busy,
  [InviteFailure.Member]: INVITE_MESSAGES.member,
};

/** The device's Ed25519 key as a Noise static key pair, so the handshake proves the device key itself. */
export function noiseKeyPairFromDevice(pair: DeviceKeyPair): NoiseKeyPair {
  const jwk = pair.privateKey.export({ format: "jwk" });
  if (!jwk.d) throw new Error("device key has no private part");
  const keyPair = curve.generateKeyPair(Buffer.from(jwk.d, "base64url"));
  if (Buffer.from(keyPair.publicKey).toString("hex") !== pair.publicKey)
    throw new Error("device key and Noise key disagree");
  return keyPair;
}

// ---------------------------------------------------------------------------------------------
// Framing shared by both sides.

class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null =
    null;
  private failure: Error | null = null;

  constructor(socket: Socket, initial: Buffer = Buffer.alloc(0)) {
    this.buffered = initial;
    socket.on("data", (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      // Nothing in this protocol is large: a peer sending more than a few frames' worth is hostile.
      if (this.buffered.length > 2 * MAX_FRAME) socket.destroy();
      else this.pump();
    });
    const fail = () => {
      this.failure ??= new Error("closed");
      this.pump();
    };
    socket.on("close", fail);
    socket.on("error", fail);
    // A dispatcher that peeked at the first bytes may have paused the socket; a 'data' listener
    // alone does not restart an explicitly paused stream.
    socket.resume();
  }

  readExact(n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.waiting = { n, resolve, reject };
      this.pump();
    });
  }

  async readFrame(): Promise<{ type: number; body: Buffer }> {
    const head = await this.readExact(2);
    const length = head.readUInt16BE(0);
    if (length < 1 || length > MAX_FRAME) throw new ProtocolError();
    const frame = await this.readExact(length);
    return { type: frame[0] ?? 0, body: frame.subarray(1) };
  }

  private pump() {
    const w = this.waiting;
    if (!w) return;
    if (this.buffered.length >= w.n) {
      this.waiting = null;
      const out = this.buffered.subarray(0, w.n);
      this.buffered = this.buffered.subarray(w.n);
      w.resolve(out);
    } else if (this.failure) {
      this.waiting = null;
      w.reject(this.failure);
    }
  }
}

class ProtocolError extends Error {}

const frame = (type: number, body: Uint8Array): Buffer => {
  const out = Buffer.alloc(3 + body.length);
  out.writeUInt16BE(1 + body.length, 0);
  out[2] = type;
  out.set(body, 3);
  return out;
};

// ---------------------------------------------------------------------------------------------
// Inviter side.

export type RosterEntry = {
  readonly deviceKey: DeviceKey;
  readonly name: string;
  readonly addedBy: DeviceKey;
  readonly addedAt: number;
};

export type JoinRequest = {
  readonly communityId: CommunityId;
  readonly inviteId: string;
  readonly deviceKey: DeviceKey;
  readonly name: string;
};

export type InviterOptions = {
  readonly book: InviteBook;
  /** This device's Noise static key pair (noiseKeyPairFromDevice). */
  readonly keyPair: NoiseKeyPair;
  /**
   * Adds the joiner to the community's roster and returns the entry; throws to refuse (a removed
   * device). Runs only after the handshake proved the secret and the joiner's key.
   */
  readonly onJoin: (request: JoinRequest) => Promise<RosterEntry>;
  /**
   * Whether the joiner is on the community's roster already: then the invite is not spent and the
   * joiner is told so (the code no longer names the community, so the joiner cannot check first).
   */
  readonly isMember?: (communityId: CommunityId, deviceKey: DeviceKey) => boolean;
  /**
   * The community's secret key (64 hex), sent in the sealed welcome: members encrypt offline
   * bundles with it and derive discovery tags from it.
   */
  readonly communityKey?: (communityId: CommunityId) => string | undefined;
  readonly handshakeTimeoutMs?: number;
};

export type InviterOutcome =
  | { readonly type: "joined"; readonly entry: RosterEntry; readonly inviteId: string }
  | { readonly type: "failed"; readonly reason: string; readonly inviteId?: string };

const welcomeValidator = z.object({
  communityId: z.string(),
  inviterKey: z.string().regex(/^[0-9a-f]{64}$/),
  communityKey: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  member: z.object({
    deviceKey: z.string().regex(/^[0-9a-f]{64}$/),
    // A name from an older roster may be longer than a new joiner may give.
    name: z.string().max(200),
    addedBy: z.string().regex(/^[0-9a-f]{64}$/),
    addedAt: z.number().finite(),
  }),
});
export type Welcome = {
  readonly communityId: CommunityId;
  readonly inviterKey: DeviceKey;
  readonly member: RosterEntry;
  /** The community key (64 hex), when the inviter sent one. */
  readonly communityKey?: string;
};

const joinPayloadValidator = z.object({ name: z.string().trim().min(1).max(MAX_NAME) });

/**
 * Runs the inviter's side on an accepted socket. `preamble` is what the caller already read to
 * tell this protocol from ordinary peer traffic (it may be empty). Always ends the socket.
 */
export async function serveInvite(
  socket: Socket,
  options: InviterOptions,
  preamble: Buffer = Buffer.alloc(0),
): Promise<InviterOutcome> {
  const timer = setTimeout(
    () => socket.destroy(),
    options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
  );
  socket.on("error", () => undefined);
  const reader = new FrameReader(socket, preamble);
  let inviteId: string | undefined;
  const fail = (code: InviteFailure | null, reason: string): InviterOutcome => {
    if (code !== null && !socket.destroyed) socket.end(frame(FRAME_ERROR, Uint8Array.of(code)));
    else socket.destroy();
    return { type: "failed", reason, ...(inviteId === undefined ? {} : { inviteId }) };
  };
  try {
    const head = await reader.readExact(PREAMBLE_BYTES);
    if (!head.subarray(0, INVITE_MAGIC.length).equals(INVITE_MAGIC))
      return fail(null, "not an invite");
    inviteId = head.subarray(INVITE_MAGIC.length).toString("hex");
    const found = options.book.lookup(inviteId);
    if (!found.ok) return fail(found.failure, `invite not usable (${found.failure})`);

    const noise = new NoiseState("XXpsk0", false, options.keyPair, {
      curve,
      psk: Buffer.from(found.record.psk, "hex"),
    });
    noise.initialise(head);
    const m1 = await reader.readFrame();
    if (m1.type !== FRAME_HANDSHAKE) return fail(null, "unexpected frame");
    try {
      noise.recv(m1.body);
    } catch {
      // The only way msg 1 fails to decrypt is a wrong psk (or garbage): count it, say only "failed".
      const now = options.book.recordFailure(inviteId);
      return fail(now, "wrong secret");
    }
    // Checked again: another connection may have locked or spent the invite meanwhile, and a
    // locked invite must not confirm a guess by answering with message 2.
    const still = options.book.lookup(inviteId);
    if (!still.ok) return fail(still.failure, `invite not usable (${still.failure})`);
    socket.write(frame(FRAME_HANDSHAKE, noise.send()));
    const m3 = await reader.readFrame();
    if (m3.type !== FRAME_HANDSHAKE) return fail(null, "unexpected frame");
    let payload: Uint8Array;
    try {
      payload = noise.recv(m3.body);
    } catch {
      return fail(null, "handshake failed at message 3");
    }
    if (!noise.complete || !noise.rs || !noise.tx) return fail(null, "handshake incomplete");
    const joinerKey = asDeviceKey(Buffer.from(noise.rs).toString("hex"));
    let name: string;
    try {
      name = joinPayloadValidator.parse(JSON.parse(Buffer.from(payload).toString("utf8"))).name;
    } catch {
      return fail(null, "bad join payload");
    }
    const before = options.book.lookup(inviteId);
    if (!before.ok) return fail(before.failure, `invite not usable (${before.failure})`);
    if (options.isMember?.(before.record.communityId as CommunityId, joinerKey))
      return fail(InviteFailure.Member, "already a member");
    const claimed = options.book.claim(inviteId, joinerKey);
    if (!claimed.ok) return fail(claimed.failure, `invite not usable (${claimed.failure})`);
    const communityId = claimed.record.communityId as CommunityId;
    let entry: RosterEntry;
    try {
      entry = await options.onJoin({ communityId, inviteId, deviceKey: joinerKey, name });
    } catch (e) {
      return fail(InviteFailure.Refused, `refused: ${(e as Error).message}`);
    }
    await options.book.flush();
    const communityKey = options.communityKey?.(communityId);
    const welcome = {
      communityId,
      inviterKey: Buffer.from(options.keyPair.publicKey).toString("hex"),
      member: entry,
      ...(communityKey === undefined ? {} : { communityKey }),
    };
    const sealed = new CipherState(noise.tx).encrypt(Buffer.from(JSON.stringify(welcome), "utf8"));
    socket.end(frame(FRAME_WELCOME, sealed));
    return { type: "joined", entry, inviteId };
  } catch (e) {
    return fail(null, e instanceof ProtocolError ? "bad frame" : "connection closed or timed out");
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether a connection's first bytes are the invite protocol's, for a port shared with ordinary
 * peer links. Collect at least 8 bytes first: a shorter prefix is never taken for an invite.
 * (A secret-stream connection starts with a 3-byte little-endian length; "MTH" would be 4.7 MB.)
 */
export const isInvitePreamble = (firstBytes: Uint8Array): boolean =>
  firstBytes.length >= INVITE_MAGIC.length &&
  Buffer.from(firstBytes.subarray(0, INVITE_MAGIC.length)).equals(INVITE_MAGIC);

/**
 * A listener that speaks only the invite protocol (CLI `invite`, tests). Limits concurrent
 * unauthenticated sockets; each is closed after the handshake timeout.
 */
export async function listenForInvites(
  options: InviterOptions & {
    host: string;
    port: number;
    maxPending?: number;
    onOutcome?: (outcome: InviterOutcome) => void;
  },
): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const max = options.maxPending ?? 8;
  let pending = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    if (pending >= max) {
      socket.end(frame(FRAME_ERROR, Uint8Array.of(InviteFailure.Busy)));
      return;
    }
    pending += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serveInvite(socket, options)
      .then((outcome) => options.onOutcome?.(outcome))
      .catch(() => undefined)
      .finally(() => {
        pending -= 1;
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Joiner side.

export type JoinOptions = {
  /** The one-time secret of the typed code (parseInvite). */
  readonly secret: Uint8Array;
  /** host:port to try in turn: from the QR link, typed by the person, or found by the mDNS hint. */
  readonly addresses: readonly string[];
  readonly keyPair: NoiseKeyPair;
  /** The joiner's display name, sent inside the handshake (encrypted). */
  readonly name: string;
  readonly handshakeTimeoutMs?: number;
  /** Opens a socket to host:port; tests pass one that goes through a relay. */
  readonly connect?: (host: string, port: number) => Socket;
};

const splitAddress = (address: string): { host: string; port: number } => {
  const i = address.lastIndexOf(":");
  let host = address.slice(0, i);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { host, port: Number(address.slice(i + 1)) };
};

type Attempt = Result<Welcome> | "unreachable";

/** Joins with a decoded invite, trying each of the inviter's addresses until one answers. */
export async function joinWithInvite(options: JoinOptions): Promise<Result<Welcome>> {
  let impostor: Result<Welcome> | undefined;
  for (const address of options.addresses) {
    const { host, port } = splitAddress(address);
    const attempt = await joinAt(host, port, options);
    if (attempt === "unreachable") continue;
    // Anyone on the LAN can repeat an invite's mDNS hint with its own address; one that cannot
    // prove the secret learnt nothing, so the next address is still worth a try.
    if (!attempt.ok && attempt.error.message === INVITE_MESSAGES.impostor) {
      impostor = attempt;
      continue;
    }
    return attempt;
  }
  return impostor ?? err(ErrorCode.Unavailable, INVITE_MESSAGES.unreachable);
}

async function joinAt(host: string, port: number, options: JoinOptions): Promise<Attempt> {
  const socket = options.connect ? options.connect(host, port) : createConnection({ host, port });
  socket.on("error", () => undefined);
  // One deadline for connecting and the whole exchange: an address that drops packets must not
  // hold the joiner for the operating system's connect timeout (minutes) before the next one.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    socket.destroy();
  }, options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
  const connected = await new Promise<boolean>((resolve) => {
    socket.once("connect", () => resolve(true));
    socket.once("close", () => resolve(false));
  });
  if (!connected) {
    clearTimeout(timer);
    return "unreachable";
  }
  const reader = new FrameReader(socket);
  const keys = inviteKeys(options.secret);
  const failure = (code: ErrorCode, message: string): Attempt => {
    socket.destroy();
    return err(code, message);
  };
  const answer = (f: { type: number; body: Buffer }): Attempt | null => {
    if (f.type !== FRAME_ERROR) return null;
    const code = f.body[0] as InviteFailure | undefined;
    const message = code === undefined ? undefined : FAILURE_MESSAGE[code];
    return failure(
      code === InviteFailure.Busy ? ErrorCode.Unavailable : ErrorCode.BadInput,
      message ?? INVITE_MESSAGES.protocol,
    );
  };
  try {
    const preamble = Buffer.concat([INVITE_MAGIC, Buffer.from(keys.inviteId, "hex")]);
    const noise = new NoiseState("XXpsk0", true, options.keyPair, {
      curve,
      psk: keys.psk,
    });
    noise.initialise(preamble);
    socket.write(Buffer.concat([preamble, frame(FRAME_HANDSHAKE, noise.send())]));
    const m2 = await reader.readFrame();
    const refused = answer(m2);
    if (refused) return refused;
    if (m2.type !== FRAME_HANDSHAKE)
      return failure(ErrorCode.Unavailable, INVITE_MESSAGES.protocol);
    try {
      noise.recv(m2.body);
    } catch {
      // Only someone holding the secret can produce a message 2 that decrypts.
      return failure(ErrorCode.Unavailable, INVITE_MESSAGES.impostor);
    }
    // Only someone holding the secret can produce a message 2 that decrypts: this key is the
    // inviter's, learnt here since the code does not carry it.
    if (!noise.rs) return failure(ErrorCode.Unavailable, INVITE_MESSAGES.impostor);
    const inviterKey = Buffer.from(noise.rs).toString("hex");
    const name = options.name.trim().slice(0, MAX_NAME);
    socket.write(frame(FRAME_HANDSHAKE, noise.send(Buffer.from(JSON.stringify({ name }), "utf8"))));
    if (!noise.complete || !noise.rx) return failure(ErrorCode.Internal, INVITE_MESSAGES.protocol);
    const last = await reader.readFrame();
    const refusedLate = answer(last);
    if (refusedLate) return refusedLate;
    if (last.type !== FRAME_WELCOME)
      return failure(ErrorCode.Unavailable, INVITE_MESSAGES.protocol);
    let welcome: z.infer<typeof welcomeValidator>;
    try {
      const plain = new CipherState(noise.rx).decrypt(last.body);
      welcome = welcomeValidator.parse(JSON.parse(Buffer.from(plain).toString("utf8")));
    } catch {
      return failure(ErrorCode.Unavailable, INVITE_MESSAGES.impostor);
    }
    const self = Buffer.from(options.keyPair.publicKey).toString("hex");
    if (
      !isDocumentId(welcome.communityId) ||
      welcome.inviterKey !== inviterKey ||
      welcome.member.deviceKey !== self
    )
      return failure(ErrorCode.Unavailable, INVITE_MESSAGES.protocol);
    socket.end();
    return ok({
      communityId: asCommunityId(welcome.communityId),
      inviterKey: asDeviceKey(inviterKey),
      ...(welcome.communityKey === undefined ? {} : { communityKey: welcome.communityKey }),
      member: {
        deviceKey: asDeviceKey(welcome.member.deviceKey),
        name: welcome.member.name,
        addedBy: asDeviceKey(welcome.member.addedBy),
        addedAt: welcome.member.addedAt,
      },
    });
  } catch {
    return failure(
      ErrorCode.Unavailable,
      timedOut ? INVITE_MESSAGES.timeout : INVITE_MESSAGES.unreachable,
    );
  } finally {
    clearTimeout(timer);
  }
}
