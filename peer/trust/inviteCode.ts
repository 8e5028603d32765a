// An invite as a person reads it aloud, types it, or scans it. Pure: no I/O.
//
// The code is 80 bits of one-time secret (from the OS's random source, inviteBook.ts) written as 16
// Crockford base32 symbols, plus one check symbol, shown in groups: `7K3MQ-P9TXW-2CHJ5-R8` (20
// characters with the dashes). It carries nothing else: no community, no device key, no address,
// no expiry. The joiner derives from the secret, with HKDF-SHA256 and one label each:
//   - the invite id, sent in the clear in the pairing's preamble so the inviter can find the invite
//     (and count wrong tries against it);
//   - the mDNS hint, advertised by the inviter on the LAN so the joiner can find it (discovery.ts);
//   - the Noise psk of the XXpsk0 pairing (invites.ts), which proves both sides hold the secret.
// Three labels, so seeing the hint on the LAN does not give the invite id, and neither gives the psk.
// Every one of them lets whoever sees it test guesses offline; 80 bits against a 10-minute life
// leaves that hopeless. Online guesses are limited by the inviter: 5 wrong tries lock an invite.
//
// The check symbol is a weighted sum over GF(32) (a one-symbol Reed–Solomon check): it catches
// every single wrong symbol and every swap of two symbols, so a typo is refused here, before any
// network use, and never costs one of the invite's tries. Crockford's forgiving reads apply: I and
// L are read as 1, O as 0, any case, dashes and spaces anywhere. U is not in the alphabet.
//
// The QR code carries a link with the code and where the inviter listens, for networks where mDNS
// does not pass: `meitheal:join?code=7K3MQP9TXW2CHJ5R8&at=192.168.1.5:47800,10.0.0.4:47800`.
import { hkdfSync } from "node:crypto";
import { err, ErrorCode, ok } from "../../shared/result.ts";
import type { Result } from "../../shared/result.ts";

/** 80 bits. */
export const SECRET_BYTES = 10;
/** Symbols of a code: 16 for the secret, 1 check symbol. */
export const CODE_SYMBOLS = 17;
/** Where the dashes go when a code is shown: 5-5-5-2, 20 characters. */
const GROUPS = [5, 5, 5, 2] as const;
export const INVITE_ID_BYTES = 8;
export const HINT_BYTES = 8;
export const MAX_ADDRESSES = 4;
export const INVITE_URI_PREFIX = "meitheal:join?";

export const MESSAGES = {
  typo: "That code has a typo: check each character against the other screen and type it again. Nothing was sent.",
  length:
    "An invite code has 17 letters and digits (the dashes do not count); that one has {n}. Check it against the other screen and type it again. Nothing was sent.",
  notInvite:
    "That link is not a Meitheal invite. Type the code shown on the other device instead. Nothing was sent.",
  expired: "That invite has expired. Ask for a new one.",
} as const;

// Crockford's alphabet: no I, L, O, U, so a code read aloud or typed is hard to get wrong.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

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

// GF(32) with the primitive polynomial x^5 + x^2 + 1: the powers of x are 31 distinct non-zero
// weights, so a changed symbol or two swapped symbols always change the sum.
const gfMul = (a: number, b: number): number => {
  let product = 0;
  for (let x = a, y = b; y > 0; y >>= 1) {
    if (y & 1) product ^= x;
    x <<= 1;
    if (x & 32) x ^= 0b100101;
  }
  return product;
};

/** The check symbol's value for the secret's 16 symbol values: Σ x^(i+1)·v_i over GF(32). */
export function checkValue(values: readonly number[]): number {
  let sum = 0;
  let weight = 1;
  for (const value of values) {
    weight = gfMul(weight, 2);
    sum ^= gfMul(weight, value);
  }
  return sum;
}

/** `7K3MQP9TXW2CHJ5R8` → `7K3MQ-P9TXW-2CHJ5-R8`. */
export function groupCode(symbols: string): string {
  const parts: string[] = [];
  let at = 0;
  for (const size of GROUPS) {
    parts.push(symbols.slice(at, at + size));
    at += size;
  }
  return parts.filter((p) => p.length > 0).join("-");
}

/** The 17 symbols of a secret (no dashes). */
function codeSymbols(secret: Uint8Array): string {
  if (secret.length !== SECRET_BYTES) throw new Error(`an invite secret is ${SECRET_BYTES} bytes`);
  const body = base32Encode(secret);
  const check = checkValue([...body].map((ch) => DECODE.get(ch) ?? 0));
  return body + ALPHABET.charAt(check);
}

/** The code a person reads aloud and types: 17 symbols in groups, 20 characters. */
export const encodeInviteCode = (secret: Uint8Array): string => groupCode(codeSymbols(secret));

/** The link in the QR code: the code and the addresses where the inviter listens. */
export function encodeInviteUri(secret: Uint8Array, addresses: readonly string[]): string {
  const at = addresses.slice(0, MAX_ADDRESSES).map((a) => {
    if (!checkAddress(a)) throw new Error(`invite address "${a}" is not host:port`);
    return a;
  });
  return `${INVITE_URI_PREFIX}code=${codeSymbols(secret)}${at.length > 0 ? `&at=${at.join(",")}` : ""}`;
}

/** host:port with a host name, an IPv4 address or a bracketed IPv6 one, and a port 1–65535. */
export function checkAddress(text: string): string | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253}):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return `${match[1]}:${port}`;
}

export type ParsedInvite = {
  /** The one-time secret (80 bits). */
  readonly secret: Uint8Array;
  /** host:port where the inviter listens, from the QR link (none for a typed code). */
  readonly addresses: readonly string[];
};

/** Reads a typed code or the QR link. A typo is refused here, with nothing sent anywhere. */
export function parseInvite(text: string): Result<ParsedInvite> {
  const trimmed = String(text).trim();
  let code = trimmed;
  let addresses: string[] = [];
  if (trimmed.toLowerCase().startsWith(INVITE_URI_PREFIX)) {
    const query = new URLSearchParams(trimmed.slice(INVITE_URI_PREFIX.length));
    const given = query.get("code");
    if (given === null) return err(ErrorCode.BadInput, MESSAGES.notInvite);
    code = given;
    const at = (query.get("at") ?? "").split(",").filter((a) => a.length > 0);
    if (at.length > MAX_ADDRESSES) return err(ErrorCode.BadInput, MESSAGES.notInvite);
    for (const a of at) {
      const address = checkAddress(a);
      if (!address) return err(ErrorCode.BadInput, MESSAGES.notInvite);
      addresses.push(address);
    }
    addresses = [...new Set(addresses)];
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && /[/?]/.test(trimmed)) {
    // Another scheme's link (a web address pasted by mistake), not a code with a stray colon.
    return err(ErrorCode.BadInput, MESSAGES.notInvite);
  }
  // Dashes and spaces are only for reading; people add or drop them.
  const symbols = code.replace(/[\s-]/g, "").toUpperCase();
  if (symbols.length !== CODE_SYMBOLS)
    return err(ErrorCode.BadInput, MESSAGES.length.replace("{n}", String(symbols.length)));
  const values: number[] = [];
  for (const ch of symbols) {
    const value = DECODE.get(ch);
    if (value === undefined) return err(ErrorCode.BadInput, MESSAGES.typo);
    values.push(value);
  }
  const body = values.slice(0, CODE_SYMBOLS - 1);
  if (checkValue(body) !== values[CODE_SYMBOLS - 1]) return err(ErrorCode.BadInput, MESSAGES.typo);
  const secret = base32Decode(body.map((v) => ALPHABET.charAt(v)).join(""));
  if (!secret || secret.length !== SECRET_BYTES) return err(ErrorCode.BadInput, MESSAGES.typo);
  return ok({ secret, addresses });
}

// HKDF labels: one per use, so no value derived from the secret can stand in for another.
const SALT = "meitheal/invite/v2";
const LABEL_ID = "meitheal/invite-id/v1";
const LABEL_HINT = "meitheal/invite-hint/v1";
const LABEL_PSK = "meitheal/invite-psk/v1";

const derive = (secret: Uint8Array, label: string, bytes: number): Buffer =>
  Buffer.from(hkdfSync("sha256", secret, SALT, label, bytes));

/** What both sides derive from the secret. */
export type InviteKeys = {
  /** 16 hex: names the invite in the pairing's preamble. */
  readonly inviteId: string;
  /** 16 hex: what the inviter advertises over mDNS while the invite is open. */
  readonly hint: string;
  /** The XXpsk0 pre-shared key (32 bytes). */
  readonly psk: Buffer;
};

export function inviteKeys(secret: Uint8Array): InviteKeys {
  if (secret.length !== SECRET_BYTES) throw new Error(`an invite secret is ${SECRET_BYTES} bytes`);
  return {
    inviteId: derive(secret, LABEL_ID, INVITE_ID_BYTES).toString("hex"),
    hint: derive(secret, LABEL_HINT, HINT_BYTES).toString("hex"),
    psk: derive(secret, LABEL_PSK, 32),
  };
}
