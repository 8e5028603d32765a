// An invite as a QR code or a typed code. The binary form is versioned and carries a checksum, so a
// mistyped code is caught here, before any network use, and never costs one of the invite's tries.
// Typed form: Crockford base32, grouped in fives with dashes. QR form: `meitheal:join?c=<base32>`.
// Pure: no I/O; the caller passes the current time.
import {
  documentIdToBinary,
  parseAutomergeUrl,
  stringifyAutomergeUrl,
  type DocumentId,
} from "@automerge/automerge-repo";
import { crypto_generichash } from "sodium-universal";
import { asCommunityId, asDeviceKey, isDocumentId } from "../../shared/ids.ts";
import type { CommunityId, DeviceKey } from "../../shared/ids.ts";
import { err, ErrorCode, ok } from "../../shared/result.ts";
import type { Result } from "../../shared/result.ts";

export const INVITE_VERSION = 1;
export const SECRET_BYTES = 16;
export const INVITE_ID_BYTES = 8;
export const MAX_ADDRESSES = 4;
export const INVITE_URI_PREFIX = "meitheal:join?c=";

export type Invite = {
  readonly version: typeof INVITE_VERSION;
  readonly communityId: CommunityId;
  /** Hex of the inviter's Ed25519 device key: the joiner checks the handshake against it. */
  readonly inviterKey: DeviceKey;
  /** Hex of a random id naming the invite, so the inviter can count wrong tries against it. */
  readonly inviteId: string;
  /** The one-time secret (128 bits). */
  readonly secret: Uint8Array;
  /** Unix seconds. */
  readonly expiresAt: number;
  /** host:port, at most four; IPv6 hosts in brackets. */
  readonly addresses: readonly string[];
};

export const MESSAGES = {
  typo: "That code has a typo: check the characters and try again.",
  expired: "That invite has expired. Ask for a new one.",
  newer: "That invite was made by a newer version of Meitheal. Update this app and try again.",
} as const;

// Crockford's alphabet: no I, L, O, U, so a code read aloud or typed is hard to get wrong.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CHECKSUM_BYTES = 4;
const KIND_IPV4 = 4;
const KIND_IPV6 = 6;
const KIND_HOST = 0;

const DECODE = (() => {
  const table = new Map<string, number>();
  for (let i = 0; i < ALPHABET.length; i++) table.set(ALPHABET.charAt(i), i);
  // Crockford's forgiving reads: people mistake these letters for digits.
  table.set("I", 1);
  table.set("L", 1);
  table.set("O", 0);
  return table;
})();

export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET.charAt((buffer >> (bits - 5)) & 31);
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET.charAt((buffer << (5 - bits)) & 31);
  return out;
}

/** Undefined for a character outside the alphabet or for non-zero padding bits (a changed last character). */
export function base32Decode(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text.toUpperCase()) {
    const value = DECODE.get(ch);
    if (value === undefined) return undefined;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  // Strict: leftover bits must be zero, and fewer than a whole character, or the text was altered.
  if (bits >= 5 || buffer !== 0) return undefined;
  return Uint8Array.from(out);
}

const checksum = (payload: Uint8Array): Uint8Array => {
  const out = new Uint8Array(16);
  crypto_generichash(out, payload);
  return out.subarray(0, CHECKSUM_BYTES);
};

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

function encodeAddress(address: string): number[] {
  const match = /^(.*):(\d{1,5})$/.exec(address);
  if (!match) throw new Error(`invite address "${address}" is not host:port`);
  const host = match[1] ?? "";
  const port = Number(match[2]);
  if (port < 1 || port > 65535) throw new Error(`invite address "${address}" has a bad port`);
  const portBytes = [port >> 8, port & 255];
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.every((p) => p <= 255)) return [KIND_IPV4, ...parts, ...portBytes];
  }
  if (host.startsWith("[") && host.endsWith("]")) {
    const v6 = parseIpv6(host.slice(1, -1));
    if (!v6) throw new Error(`invite address "${address}" has a bad IPv6 host`);
    return [KIND_IPV6, ...v6, ...portBytes];
  }
  const name = Buffer.from(host, "ascii");
  if (name.length === 0 || name.length > 253 || !/^[A-Za-z0-9.-]+$/.test(host))
    throw new Error(`invite address "${address}" has a bad host name`);
  return [KIND_HOST, name.length, ...name, ...portBytes];
}

function parseIpv6(text: string): number[] | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0] ?? "");
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? head.length !== 8 : fill < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill("0"), ...tail];
  const out: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const v = parseInt(g, 16);
    out.push(v >> 8, v & 255);
  }
  return out;
}

function formatIpv6(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return `[${groups.join(":")}]`;
}

/** The binary form: version, community, inviter key, invite id, secret, expiry, addresses, checksum. */
export function inviteToBytes(invite: Invite): Uint8Array {
  const community = documentIdToBinary(invite.communityId as string as DocumentId);
  if (!community) throw new Error("invite community id is not a document id");
  const key = Buffer.from(invite.inviterKey, "hex");
  const id = Buffer.from(invite.inviteId, "hex");
  if (key.length !== 32) throw new Error("inviter key must be 32 bytes");
  if (id.length !== INVITE_ID_BYTES) throw new Error(`invite id must be ${INVITE_ID_BYTES} bytes`);
  if (invite.secret.length !== SECRET_BYTES)
    throw new Error(`secret must be ${SECRET_BYTES} bytes`);
  if (!Number.isInteger(invite.expiresAt) || invite.expiresAt < 0 || invite.expiresAt > 0xffffffff)
    throw new Error("invite expiry must be unix seconds");
  if (invite.addresses.length > MAX_ADDRESSES)
    throw new Error(`an invite carries at most ${MAX_ADDRESSES} addresses`);
  const bytes: number[] = [
    INVITE_VERSION,
    community.length,
    ...community,
    ...key,
    ...id,
    ...invite.secret,
  ];
  const e = invite.expiresAt;
  bytes.push((e >>> 24) & 255, (e >>> 16) & 255, (e >>> 8) & 255, e & 255);
  bytes.push(invite.addresses.length);
  for (const a of invite.addresses) bytes.push(...encodeAddress(a));
  const payload = Uint8Array.from(bytes);
  const out = new Uint8Array(payload.length + CHECKSUM_BYTES);
  out.set(payload);
  out.set(checksum(payload), payload.length);
  return out;
}

const group = (text: string) => (text.match(/.{1,5}/g) ?? []).join("-");

/** The code a person types: Crockford base32 in groups of five. */
export const encodeInviteCode = (invite: Invite): string =>
  group(base32Encode(inviteToBytes(invite)));
/** The text put in the QR code. */
export const encodeInviteUri = (invite: Invite): string =>
  `${INVITE_URI_PREFIX}${base32Encode(inviteToBytes(invite))}`;

class Truncated extends Error {}

/** Reads a typed code or a QR URI. Rejects typos, unknown versions and expired invites. */
export function decodeInvite(text: string, nowSeconds: number): Result<Invite> {
  let body = text.trim();
  if (body.toLowerCase().startsWith(INVITE_URI_PREFIX)) body = body.slice(INVITE_URI_PREFIX.length);
  // Dashes and spaces are only for reading; people add or drop them.
  body = body.replace(/[\s-]/g, "");
  const bytes = base32Decode(body);
  if (!bytes || bytes.length < 1 + CHECKSUM_BYTES) return err(ErrorCode.BadInput, MESSAGES.typo);
  const payload = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  const sum = bytes.subarray(bytes.length - CHECKSUM_BYTES);
  if (Buffer.compare(Buffer.from(checksum(payload)), Buffer.from(sum)) !== 0)
    return err(ErrorCode.BadInput, MESSAGES.typo);
  if (payload[0] !== INVITE_VERSION) return err(ErrorCode.NewerVersion, MESSAGES.newer);
  let invite: Invite;
  try {
    invite = parsePayload(payload);
  } catch {
    // The checksum matched but the content is malformed: made by a broken encoder, not a typo.
    return err(ErrorCode.BadInput, MESSAGES.typo);
  }
  if (invite.expiresAt <= nowSeconds) return err(ErrorCode.BadInput, MESSAGES.expired);
  return ok(invite);
}

function parsePayload(payload: Uint8Array): Invite {
  let at = 1;
  const take = (n: number): Uint8Array => {
    if (at + n > payload.length) throw new Truncated();
    const out = payload.subarray(at, at + n);
    at += n;
    return out;
  };
  const byte = () => take(1)[0] ?? 0;
  const communityBytes = take(byte());
  const url = stringifyAutomergeUrl(
    communityBytes as Parameters<typeof stringifyAutomergeUrl>[0] & Uint8Array,
  );
  const communityId = parseAutomergeUrl(url).documentId;
  if (!isDocumentId(communityId)) throw new Error("bad community id");
  const inviterKey = hex(take(32));
  const inviteId = hex(take(INVITE_ID_BYTES));
  const secret = Uint8Array.from(take(SECRET_BYTES));
  const e = take(4);
  const expiresAt =
    (((e[0] ?? 0) << 24) >>> 0) + ((e[1] ?? 0) << 16) + ((e[2] ?? 0) << 8) + (e[3] ?? 0);
  const count = byte();
  if (count > MAX_ADDRESSES) throw new Error("too many addresses");
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = byte();
    let host: string;
    if (kind === KIND_IPV4) host = Array.from(take(4)).join(".");
    else if (kind === KIND_IPV6) host = formatIpv6(take(16));
    else if (kind === KIND_HOST) host = Buffer.from(take(byte())).toString("ascii");
    else throw new Error("unknown address kind");
    const p = take(2);
    addresses.push(`${host}:${((p[0] ?? 0) << 8) | (p[1] ?? 0)}`);
  }
  if (at !== payload.length) throw new Error("trailing bytes");
  return {
    version: INVITE_VERSION,
    communityId: asCommunityId(communityId),
    inviterKey: asDeviceKey(inviterKey),
    inviteId,
    secret,
    expiresAt,
    addresses,
  };
}
