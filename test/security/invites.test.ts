// Hostile and careless joiners against the invite protocol, on 127.0.0.1 with real sockets.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import NoiseState from "noise-handshake";
import curve from "noise-curve-ed";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asCommunityId, type DeviceKey } from "../../shared/ids.ts";
import { loadOrCreateDeviceKey } from "../../peer/trust/deviceKey.ts";
import {
  encodeInviteCode,
  inviteKeys,
  MESSAGES,
  parseInvite,
  SECRET_BYTES,
} from "../../peer/trust/inviteCode.ts";
import {
  HANDSHAKE_TIMEOUT_MS,
  INVITE_MAGIC,
  INVITE_MESSAGES,
  isInvitePreamble,
  serveInvite,
  joinWithInvite,
  listenForInvites,
  noiseKeyPairFromDevice,
  type InviterOutcome,
  type JoinRequest,
  type RosterEntry,
} from "../../peer/trust/invites.ts";
import { InviteBook, InviteFailure } from "../../peer/trust/inviteBook.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

type Inviter = Awaited<ReturnType<typeof listenForInvites>>;

let dir: string;
let now: number;
let book: InviteBook;
let inviter: Inviter;
let inviterKey: DeviceKey;
let joinerPair: ReturnType<typeof noiseKeyPairFromDevice>;
let joinerKey: DeviceKey;
let joins: JoinRequest[];
let outcomes: InviterOutcome[];
const servers: Server[] = [];
const communityId = asCommunityId(parseAutomergeUrl(generateAutomergeUrl()).documentId);
const COMMUNITY_KEY = "ab".repeat(32);

beforeEach(async () => {
  dir = await makeTempDir("meitheal-invites-");
  now = 1_900_000_000;
  const inviterDevice = await loadOrCreateDeviceKey(join(dir, "inviter"));
  const joinerDevice = await loadOrCreateDeviceKey(join(dir, "joiner"));
  inviterKey = inviterDevice.publicKey;
  joinerKey = joinerDevice.publicKey;
  joinerPair = noiseKeyPairFromDevice(joinerDevice);
  book = await InviteBook.open(join(dir, "inviter"), () => now);
  joins = [];
  outcomes = [];
  inviter = await listenForInvites({
    host: "127.0.0.1",
    port: 0,
    book,
    keyPair: noiseKeyPairFromDevice(inviterDevice),
    onJoin: (request): Promise<RosterEntry> => {
      joins.push(request);
      return Promise.resolve({
        deviceKey: request.deviceKey,
        name: request.name,
        addedBy: inviterKey,
        addedAt: now * 1000,
      });
    },
    communityKey: (id) => (id === communityId ? COMMUNITY_KEY : undefined),
    onOutcome: (o) => outcomes.push(o),
  });
});

afterEach(async () => {
  await inviter.close();
  for (const s of servers.splice(0)) s.close();
  await book.flush();
  await removeDir(dir);
});

/** What a joiner holds: the secret of the typed code and where to dial (the QR link's addresses). */
type Invite = { secret: Uint8Array; addresses: string[]; inviteId: string };

const makeInvite = async (port = inviter.port): Promise<{ invite: Invite; code: string }> => {
  const created = await book.create({ communityId, addresses: [`127.0.0.1:${port}`] });
  const parsed = parseInvite(created.uri);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const { secret, addresses } = parsed.value;
  return {
    invite: { secret, addresses: [...addresses], inviteId: inviteKeys(secret).inviteId },
    code: created.code,
  };
};

const join_ = (invite: Invite, over: Partial<Parameters<typeof joinWithInvite>[0]> = {}) =>
  joinWithInvite({
    secret: invite.secret,
    addresses: invite.addresses,
    keyPair: joinerPair,
    name: "Áine",
    ...over,
  });

const otherSecret = (invite: Invite): Invite => {
  const secret = Uint8Array.from(invite.secret);
  secret[0] = (secret[0] ?? 0) ^ 1;
  return { ...invite, secret, inviteId: inviteKeys(secret).inviteId };
};

/**
 * Someone who saw an invite's preamble on the network (its id) tries a guessed psk: message 1 with
 * the right id and a wrong key. Resolves with the inviter's answer: a failure code, or "handshake"
 * if it went on.
 */
const tryWrongPsk = (inviteId: string, port = inviter.port): Promise<number | "handshake"> =>
  new Promise((resolve) => {
    const prologue = Buffer.concat([INVITE_MAGIC, Buffer.from(inviteId, "hex")]);
    const noise = new NoiseState("XXpsk0", true, curve.generateKeyPair(), {
      curve,
      psk: Buffer.alloc(32, 9),
    });
    noise.initialise(prologue);
    const m1 = noise.send();
    const head = Buffer.alloc(3);
    head.writeUInt16BE(m1.length + 1, 0);
    head[2] = 1;
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.on("error", () => undefined);
    socket.write(Buffer.concat([prologue, head, m1]));
    socket.once("data", (d: Buffer) => {
      resolve(d[2] === 2 ? (d[3] ?? -1) : "handshake");
      socket.destroy();
    });
    socket.once("close", () => resolve(-1));
  });

const listen = async (onSocket: (s: Socket) => void): Promise<number> => {
  const server = createServer(onSocket);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no port");
  return address.port;
};

describe("pairing over 127.0.0.1", () => {
  it("a joiner with the code gets the community id and the roster entry made for it", async () => {
    const { code, invite } = await makeInvite();
    expect(code).toHaveLength(20);
    // The joiner starts from the typed code, exactly as a person would, and the inviter's address.
    const decoded = parseInvite(code.toLowerCase());
    if (!decoded.ok) throw new Error(decoded.error.message);
    const result = await join_({ ...invite, secret: decoded.value.secret });
    expect(result).toEqual({
      ok: true,
      value: {
        communityId,
        inviterKey,
        // The community key travels only inside the sealed welcome.
        communityKey: COMMUNITY_KEY,
        member: { deviceKey: joinerKey, name: "Áine", addedBy: inviterKey, addedAt: now * 1000 },
      },
    });
    // The inviter learned the joiner's real device key from the handshake, not from a claim.
    expect(joins).toEqual([
      { communityId, inviteId: invite.inviteId, deviceKey: joinerKey, name: "Áine" },
    ]);
    expect(book.list()[0]?.state).toBe("used");
  });

  it("stores neither the secret nor the code on the inviter's disk", async () => {
    const { invite, code } = await makeInvite();
    await book.flush();
    const text = await readFile(join(dir, "inviter", "invites.json"), "utf8");
    expect(text).toContain(invite.inviteId);
    expect(text).not.toContain(Buffer.from(invite.secret).toString("hex"));
    expect(text).not.toContain(Buffer.from(invite.secret).toString("base64"));
    expect(text.toUpperCase()).not.toContain(code.replace(/-/g, "").slice(0, 10));
  });

  it("reads an invites file of the long-code era as no pending invites, and writes the new format", async () => {
    const path = join(dir, "old", "invites.json");
    await mkdir(join(dir, "old"), { recursive: true });
    await writeFile(path, JSON.stringify({ kind: "meitheal/invites", version: 1, invites: [] }));
    const old = await InviteBook.open(join(dir, "old"), () => now);
    expect(old.list()).toEqual([]);
    await old.create({ communityId, addresses: [] });
    await old.flush();
    const written = JSON.parse(await readFile(path, "utf8")) as { version: number };
    expect(written.version).toBe(2);
    // Anything else that is not an invites file is left alone and said to be damaged.
    await writeFile(path, JSON.stringify({ kind: "meitheal/invites", version: 3 }));
    await expect(InviteBook.open(join(dir, "old"), () => now)).rejects.toThrow(/damaged/);
  });

  it("survives an inviter restart: a reloaded book still honours (and still spends) the invite", async () => {
    const { invite } = await makeInvite();
    await book.flush();
    const reloaded = await InviteBook.open(join(dir, "inviter"), () => now);
    expect(reloaded.list().map((i) => i.inviteId)).toEqual([invite.inviteId]);
    expect((await join_(invite)).ok).toBe(true);
    await book.flush();
    const after = await InviteBook.open(join(dir, "inviter"), () => now);
    expect(after.list()[0]?.state).toBe("used");
  });
});

describe("single use under load, shared ports, unreachable inviters", () => {
  it("two joiners racing with the right code: exactly one gets in", async () => {
    const { invite } = await makeInvite();
    const other = curve.generateKeyPair();
    const results = await Promise.all([
      join_(invite),
      join_(invite, { keyPair: other, name: "B" }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const loser = results.find((r) => !r.ok);
    expect(loser).toEqual({
      ok: false,
      error: { code: "bad-input", message: INVITE_MESSAGES.used },
    });
    expect(joins).toHaveLength(1);
  });

  it("works on a port shared with peer links, dispatched on the first 8 bytes", async () => {
    const { invite } = await makeInvite();
    const device = await loadOrCreateDeviceKey(join(dir, "inviter"));
    let otherTraffic = 0;
    const sharedPort = await listen((socket) => {
      socket.on("error", () => undefined);
      let first = Buffer.alloc(0);
      const onData = (d: Buffer) => {
        first = Buffer.concat([first, d]);
        if (first.length < 8) return;
        socket.off("data", onData);
        socket.pause();
        if (!isInvitePreamble(first)) {
          otherTraffic += 1;
          socket.destroy();
          return;
        }
        void serveInvite(
          socket,
          {
            book,
            keyPair: noiseKeyPairFromDevice(device),
            onJoin: (request) =>
              Promise.resolve({
                deviceKey: request.deviceKey,
                name: request.name,
                addedBy: inviterKey,
                addedAt: 1,
              }),
          },
          first,
        );
      };
      socket.on("data", onData);
    });
    const r = await join_({ ...invite, addresses: [`127.0.0.1:${sharedPort}`] });
    expect(r.ok).toBe(true);
    expect(otherTraffic).toBe(0);
    expect(isInvitePreamble(Buffer.from([0x4d, 0x54, 0x48]))).toBe(false);
    expect(isInvitePreamble(Buffer.from([0x40, 0, 0, 1, 2, 3, 4, 5]))).toBe(false);
  });

  it("tries each address in turn and says so when none answers", async () => {
    const { invite } = await makeInvite();
    const closed = await listen(() => undefined);
    servers.pop()?.close();
    const r = await join_({
      ...invite,
      addresses: [`127.0.0.1:${closed}`, `127.0.0.1:${inviter.port}`],
    });
    expect(r.ok).toBe(true);
    const none = await join_({ ...invite, addresses: [`127.0.0.1:${closed}`] });
    expect(none).toEqual({
      ok: false,
      error: { code: "unavailable", message: INVITE_MESSAGES.unreachable },
    });
  });
});

describe("refusals, each with a clear message", () => {
  it("a code with a typo is caught before any network use", async () => {
    const { code } = await makeInvite();
    const i = 2;
    const typo = code.slice(0, i) + (code.charAt(i) === "Z" ? "Y" : "Z") + code.slice(i + 1);
    expect(parseInvite(typo)).toEqual({
      ok: false,
      error: { code: "bad-input", message: MESSAGES.typo },
    });
    // Nothing reached the inviter, and the invite's tries are untouched.
    expect(outcomes).toEqual([]);
    expect(book.list()[0]?.failedAttempts).toBe(0);
  });

  it("a wrong code (well formed) names no invite: refused, and shares nothing", async () => {
    const { invite } = await makeInvite();
    const wrong = otherSecret(invite);
    expect(parseInvite(encodeInviteCode(wrong.secret)).ok).toBe(true);
    expect(await join_(wrong)).toEqual({
      ok: false,
      error: { code: "bad-input", message: INVITE_MESSAGES.unknown },
    });
    expect(joins).toEqual([]);
    expect((await join_(invite)).ok).toBe(true);
  });

  it("a wrong secret for a known invite id fails, is counted, and shares nothing", async () => {
    const { invite } = await makeInvite();
    expect(await tryWrongPsk(invite.inviteId)).toBe(InviteFailure.Wrong);
    expect(joins).toEqual([]);
    expect(book.list()[0]).toMatchObject({ state: "pending", failedAttempts: 1 });
    // The count is on disk: a restarted inviter keeps it.
    await book.flush();
    const reloaded = await InviteBook.open(join(dir, "inviter"), () => now);
    expect(reloaded.list()[0]?.failedAttempts).toBe(1);
    // The right code still works afterwards.
    expect((await join_(invite)).ok).toBe(true);
  });

  it("an expired code is refused by the inviter (the code itself carries no expiry)", async () => {
    const { invite } = await makeInvite();
    now += 601;
    expect(await join_(invite)).toEqual({
      ok: false,
      error: { code: "bad-input", message: INVITE_MESSAGES.expired },
    });
    expect(INVITE_MESSAGES.expired).toMatch(/expired.*new one/i);
    expect(joins).toEqual([]);
  });

  it("a used code is refused, for the same device and for another", async () => {
    const { invite } = await makeInvite();
    expect((await join_(invite)).ok).toBe(true);
    const again = await join_(invite);
    expect(again).toEqual({
      ok: false,
      error: { code: "bad-input", message: INVITE_MESSAGES.used },
    });
    const other = curve.generateKeyPair();
    expect(await join_(invite, { keyPair: other })).toEqual(again);
    expect(joins).toHaveLength(1);
  });

  it("five wrong tries lock the invite, and then even the right code is refused", async () => {
    const { invite } = await makeInvite();
    const answers: (number | string)[] = [];
    for (let i = 0; i < 5; i++) answers.push(await tryWrongPsk(invite.inviteId));
    expect(answers).toEqual([...Array<number>(4).fill(InviteFailure.Wrong), InviteFailure.Locked]);
    expect(await join_(invite)).toEqual({
      ok: false,
      error: { code: "bad-input", message: INVITE_MESSAGES.locked },
    });
    expect(INVITE_MESSAGES.locked).toBe(
      "This invite was locked after too many wrong tries. Make a new one.",
    );
    expect(joins).toEqual([]);
    expect(book.list()[0]?.state).toBe("locked");
    // The lock holds across a restart of the inviter.
    await book.flush();
    const reloaded = await InviteBook.open(join(dir, "inviter"), () => now);
    expect(reloaded.lookup(invite.inviteId)).toEqual({
      ok: false,
      failure: InviteFailure.Locked,
    });
  });

  it("an unknown invite id gets 'ask for a new one' and no handshake", async () => {
    const { invite } = await makeInvite();
    expect(await tryWrongPsk("00".repeat(8))).toBe(InviteFailure.Unknown);
    expect(await join_(otherSecret(invite))).toEqual({
      ok: false,
      error: { code: "bad-input", message: INVITE_MESSAGES.unknown },
    });
    expect(book.list()[0]?.failedAttempts).toBe(0);
  });

  /** The inviter listening again with the same device key and book, answering joins its own way. */
  const restartInviter = async (
    answers: Pick<Parameters<typeof listenForInvites>[0], "onJoin" | "isMember">,
  ) => {
    await inviter.close();
    const device = await loadOrCreateDeviceKey(join(dir, "inviter"));
    inviter = await listenForInvites({
      host: "127.0.0.1",
      port: 0,
      book,
      keyPair: noiseKeyPairFromDevice(device),
      ...answers,
    });
  };

  it("a device already on the roster is told so, and the invite stays unspent", async () => {
    const { invite } = await makeInvite();
    await restartInviter({
      onJoin: () => Promise.reject(new Error("must not be called")),
      isMember: (id, key) => id === communityId && key === joinerKey,
    });
    const r = await join_({ ...invite, addresses: [`127.0.0.1:${inviter.port}`] });
    expect(r).toEqual({ ok: false, error: { code: "bad-input", message: INVITE_MESSAGES.member } });
    expect(book.list()[0]?.state).toBe("pending");
  });

  it("a code for another device's invite is unknown here, and costs that invite nothing", async () => {
    // Two inviters; the joiner dials the wrong one with the other's code.
    const { invite } = await makeInvite();
    const otherDir = join(dir, "other");
    const otherBook = await InviteBook.open(otherDir, () => now);
    const otherDevice = await loadOrCreateDeviceKey(otherDir);
    const other = await listenForInvites({
      host: "127.0.0.1",
      port: 0,
      book: otherBook,
      keyPair: noiseKeyPairFromDevice(otherDevice),
      onJoin: () => Promise.reject(new Error("must not be called")),
    });
    try {
      const r = await join_({ ...invite, addresses: [`127.0.0.1:${other.port}`] });
      expect(r).toEqual({
        ok: false,
        error: { code: "bad-input", message: INVITE_MESSAGES.unknown },
      });
      expect(book.list()[0]).toMatchObject({ state: "pending", failedAttempts: 0 });
      expect((await join_(invite)).ok).toBe(true);
    } finally {
      await other.close();
      await otherBook.flush();
    }
  });

  it("a device the inviter refuses (a removed device) learns nothing but the refusal", async () => {
    const { invite } = await makeInvite();
    await restartInviter({ onJoin: () => Promise.reject(new Error("removed")) });
    const r = await join_({ ...invite, addresses: [`127.0.0.1:${inviter.port}`] });
    expect(r).toEqual({
      ok: false,
      error: { code: "bad-input", message: INVITE_MESSAGES.refused },
    });
  });
});

describe("man in the middle", () => {
  it("an active relay with its own static key and no secret fails on both sides", async () => {
    const { invite } = await makeInvite();
    let upstreamError: number | undefined;
    // The relay answers the joiner as if it were the inviter, and calls the inviter as if it were
    // the joiner, each time with its own key and a guessed psk.
    const mitmPort = await listen((down) => {
      down.on("error", () => undefined);
      down.once("data", (first: Buffer) => {
        const prologue = first.subarray(0, 16);
        const guess = new Uint8Array(32).fill(7);
        const asInviter = new NoiseState("XXpsk0", false, null, { curve, psk: guess });
        asInviter.initialise(prologue);
        try {
          asInviter.recv(first.subarray(16 + 3));
        } catch {
          // Expected: it cannot read msg 1. Pretend anyway with its own msg 2.
        }
        const asJoiner = new NoiseState("XXpsk0", true, null, { curve, psk: guess });
        asJoiner.initialise(prologue);
        const up = createConnection({ host: "127.0.0.1", port: inviter.port });
        up.on("error", () => undefined);
        const m1 = asJoiner.send();
        const head = Buffer.alloc(3);
        head.writeUInt16BE(m1.length + 1, 0);
        head[2] = 1;
        up.write(Buffer.concat([prologue, head, m1]));
        up.on("data", (d: Buffer) => {
          if (d[2] === 2) upstreamError = d[3];
        });
        // A well-formed msg 2 carrying the relay's own static key, made with its guessed psk.
        const sim = new NoiseState("XXpsk0", true, null, { curve, psk: guess });
        const fake = new NoiseState("XXpsk0", false, null, { curve, psk: guess });
        sim.initialise(prologue);
        fake.initialise(prologue);
        fake.recv(sim.send());
        const reply = fake.send();
        const fh = Buffer.alloc(3);
        fh.writeUInt16BE(reply.length + 1, 0);
        fh[2] = 1;
        down.write(Buffer.concat([fh, reply]));
      });
    });
    const r = await join_({ ...invite, addresses: [`127.0.0.1:${mitmPort}`] });
    expect(r).toEqual({
      ok: false,
      error: { code: "unavailable", message: INVITE_MESSAGES.impostor },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(upstreamError).toBe(5); // the inviter answered "wrong" to the relay's guess
    expect(joins).toEqual([]);
    // A spoofer repeating the hint first does not stop the join: the real inviter is tried next.
    const both = await join_({
      ...invite,
      addresses: [`127.0.0.1:${mitmPort}`, `127.0.0.1:${inviter.port}`],
    });
    expect(both.ok).toBe(true);
  });

  it("the joiner learns the inviter's key from the handshake and checks the welcome against it", async () => {
    const { invite } = await makeInvite();
    const r = await join_(invite);
    expect(r.ok && r.value.inviterKey).toBe(inviterKey);
    // The code carries no key: 17 symbols of secret and check, nothing else.
    expect(SECRET_BYTES).toBe(10);
  });

  it("a byte relay that swaps the inviter's static key in message 2 is detected", async () => {
    const { invite } = await makeInvite();
    const mitmPort = await listen((down) => {
      const up = createConnection({ host: "127.0.0.1", port: inviter.port });
      down.on("error", () => undefined);
      up.on("error", () => undefined);
      down.on("data", (d: Buffer) => up.write(d));
      let pending = Buffer.alloc(0);
      let swapped = false;
      up.on("data", (d: Buffer) => {
        if (swapped) return void down.write(d);
        pending = Buffer.concat([pending, d]);
        if (pending.length < 3 + 32 + 48) return;
        // Frame header 3 bytes, then e (32), then the encrypted static key (32 + 16 tag).
        const mitmKey = curve.generateKeyPair().publicKey;
        Buffer.from(mitmKey).copy(pending, 3 + 32);
        swapped = true;
        down.write(pending);
      });
      down.on("close", () => up.destroy());
      up.on("close", () => down.destroy());
    });
    const r = await join_({ ...invite, addresses: [`127.0.0.1:${mitmPort}`] });
    expect(r).toEqual({
      ok: false,
      error: { code: "unavailable", message: INVITE_MESSAGES.impostor },
    });
    expect(joins).toEqual([]);
    // The invite was not spent by the attack: the real joiner can still use it.
    expect((await join_(invite)).ok).toBe(true);
  });

  it("a byte relay that swaps the joiner's static key in message 3 gets nothing added", async () => {
    const { invite } = await makeInvite();
    const mitmPort = await listen((down) => {
      const up = createConnection({ host: "127.0.0.1", port: inviter.port });
      down.on("error", () => undefined);
      up.on("error", () => undefined);
      up.on("data", (d: Buffer) => down.write(d));
      let chunks = 0;
      down.on("data", (d: Buffer) => {
        chunks += 1;
        // The second write of the joiner is msg 3: header 3 bytes, then its encrypted static key.
        if (chunks === 2 && d.length >= 3 + 48) {
          const copy = Buffer.from(d);
          Buffer.from(curve.generateKeyPair().publicKey).copy(copy, 3);
          up.write(copy);
        } else up.write(d);
      });
      down.on("close", () => up.destroy());
      up.on("close", () => down.destroy());
    });
    const r = await join_({ ...invite, addresses: [`127.0.0.1:${mitmPort}`] });
    expect(r.ok).toBe(false);
    expect(joins).toEqual([]);
    expect(book.list()[0]?.state).toBe("pending");
  });
});

describe("strangers that stall", () => {
  it(`closes a silent socket after the ${HANDSHAKE_TIMEOUT_MS} ms handshake timeout`, async () => {
    const started = Date.now();
    const socket = createConnection({ host: "127.0.0.1", port: inviter.port });
    socket.on("error", () => undefined);
    // Half a handshake: the preamble of a real-looking invite, then nothing.
    socket.write(Buffer.concat([INVITE_MAGIC, Buffer.alloc(8)]).subarray(0, 10));
    await new Promise<void>((resolve) => socket.once("close", () => resolve()));
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT_MS - 100);
    expect(waited).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 2000);
    expect(HANDSHAKE_TIMEOUT_MS).toBe(5000);
  });

  it("a joiner gives up on an inviter that never answers", async () => {
    const { invite } = await makeInvite();
    const silentPort = await listen((s) => s.on("error", () => undefined));
    const r = await join_(
      { ...invite, addresses: [`127.0.0.1:${silentPort}`] },
      { handshakeTimeoutMs: 300 },
    );
    expect(r).toEqual({
      ok: false,
      error: { code: "unavailable", message: INVITE_MESSAGES.timeout },
    });
  });
});

describe("the joining peer checks before it sends anything", () => {
  it("a typo, a blank name or a bad address is refused on the joiner: no connection is made", async () => {
    const { code, invite } = await makeInvite();
    let connections = 0;
    const port = await listen((s) => {
      connections += 1;
      s.destroy();
    });
    const node = await PeerNode.start({
      dataDir: join(dir, "joining-peer"),
      sync: { listen: { host: "127.0.0.1", port: 0 }, discovery: false },
    });
    try {
      const at = `127.0.0.1:${port}`;
      const typo = `${code.slice(0, 2)}${code.charAt(2) === "Z" ? "Y" : "Z"}${code.slice(3)}`;
      expect(await node.sync!.join({ code: typo, name: "Áine", at })).toEqual({
        ok: false,
        error: { code: "bad-input", message: MESSAGES.typo },
      });
      const blank = await node.sync!.join({ code, name: "   ", at });
      expect(!blank.ok && blank.error.message).toMatch(/name is empty.*others.*Nothing was sent/);
      const long = await node.sync!.join({ code, name: "x".repeat(61), at });
      expect(!long.ok && long.error.message).toMatch(/limit is 60/);
      const badAt = await node.sync!.join({ code, name: "Áine", at: "my laptop" });
      expect(!badAt.ok && badAt.error.message).toMatch(/not an address.*host:port/);
      // A typed code with no address and no mDNS: said plainly, nothing dialled.
      const nowhere = await node.sync!.join({ code, name: "Áine" });
      expect(!nowhere.ok && nowhere.error.message).toMatch(/No device on this network/);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(connections).toBe(0);
      expect(outcomes).toEqual([]);
      expect(book.list()[0]).toMatchObject({ state: "pending", failedAttempts: 0 });
      // The same code, well typed, with the inviter's address: in.
      expect(book.lookup(invite.inviteId).ok).toBe(true);
    } finally {
      await node.close();
    }
  }, 30_000);
});
