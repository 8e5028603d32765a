import { generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import fc from "fast-check";
import { crypto_generichash } from "sodium-universal";
import { describe, expect, it } from "vitest";
import { asCommunityId, asDeviceKey } from "../../shared/ids.ts";
import {
  base32Decode,
  base32Encode,
  decodeInvite,
  encodeInviteCode,
  encodeInviteUri,
  INVITE_URI_PREFIX,
  inviteToBytes,
  MESSAGES,
  type Invite,
} from "./inviteCode.ts";

const NOW = 1_800_000_000;
const community = () => asCommunityId(parseAutomergeUrl(generateAutomergeUrl()).documentId);
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

const sample = (over: Partial<Invite> = {}): Invite => ({
  version: 1,
  communityId: community(),
  inviterKey: asDeviceKey("ab".repeat(32)),
  inviteId: "0123456789abcdef",
  secret: Uint8Array.from({ length: 16 }, (_, i) => i * 7),
  expiresAt: NOW + 600,
  addresses: ["127.0.0.1:4000", "[fe80:0:0:0:0:0:0:1]:4001", "peer.local:5"],
  ...over,
});

const arbInvite = fc.record({
  version: fc.constant(1 as const),
  communityId: fc.constant(null).map(() => community()),
  inviterKey: fc
    .uint8Array({ minLength: 32, maxLength: 32 })
    .map((b) => asDeviceKey(Buffer.from(b).toString("hex"))),
  inviteId: fc
    .uint8Array({ minLength: 8, maxLength: 8 })
    .map((b) => Buffer.from(b).toString("hex")),
  secret: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  expiresAt: fc.integer({ min: NOW + 1, max: 0xffffffff }),
  addresses: fc.array(
    fc.oneof(
      fc.tuple(fc.ipV4(), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`),
      fc.tuple(fc.domain(), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`),
    ),
    { maxLength: 4 },
  ),
});

const norm = (i: Invite) => ({ ...i, secret: Buffer.from(i.secret).toString("hex") });

describe("base32", () => {
  it("round-trips any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        expect(base32Decode(base32Encode(b))).toEqual(b);
      }),
    );
  });
  it("reads I and L as 1 and O as 0, in either case", () => {
    expect(base32Decode("il")).toEqual(base32Decode("11"));
    expect(base32Decode("oO")).toEqual(base32Decode("00"));
  });
  it("rejects U and other characters outside the alphabet", () => {
    expect(base32Decode("U0")).toBeUndefined();
    expect(base32Decode("0*")).toBeUndefined();
  });
});

describe("invite codes", () => {
  it("round-trips through the typed code and the URI", () => {
    fc.assert(
      fc.property(arbInvite, (invite) => {
        const typed = decodeInvite(encodeInviteCode(invite), NOW);
        const uri = decodeInvite(encodeInviteUri(invite), NOW);
        if (!typed.ok || !uri.ok) throw new Error("decode failed");
        expect(norm(typed.value)).toEqual(norm(invite));
        expect(norm(uri.value)).toEqual(norm(invite));
      }),
    );
  });

  it("writes the typed code in dash-separated groups of five and the URI with its prefix", () => {
    const code = encodeInviteCode(sample());
    expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{5}-)*[0-9A-HJKMNP-TV-Z]{1,5}$/);
    expect(encodeInviteUri(sample()).startsWith(INVITE_URI_PREFIX)).toBe(true);
    const d = decodeInvite(code, NOW);
    expect(d.ok && d.value.addresses).toEqual([
      "127.0.0.1:4000",
      "[fe80:0:0:0:0:0:0:1]:4001",
      "peer.local:5",
    ]);
  });

  it("forgives lower case, I/L for 1, O for 0, and missing or extra dashes", () => {
    const code = encodeInviteCode(sample());
    const sloppy = code.toLowerCase().replace(/1/g, "l").replace(/0/g, "o").replace(/-/g, " ");
    const d = decodeInvite(sloppy, NOW);
    expect(d.ok).toBe(true);
  });

  it("detects any single-character change as a typo", () => {
    fc.assert(
      fc.property(arbInvite, fc.nat(), fc.integer({ min: 1, max: 31 }), (invite, pos, delta) => {
        const raw = base32Encode(inviteToBytes(invite));
        const i = pos % raw.length;
        const changed = ALPHABET.charAt((ALPHABET.indexOf(raw.charAt(i)) + delta) % 32);
        const typo = raw.slice(0, i) + changed + raw.slice(i + 1);
        const d = decodeInvite(typo, NOW);
        expect(d.ok).toBe(false);
        if (!d.ok) expect(d.error.message).toBe(MESSAGES.typo);
      }),
      { numRuns: 500 },
    );
  });

  it("detects a dropped or added character", () => {
    const raw = base32Encode(inviteToBytes(sample()));
    const a = decodeInvite(raw.slice(0, 10) + raw.slice(11), NOW);
    const b = decodeInvite(`${raw.slice(0, 10)}7${raw.slice(10)}`, NOW);
    expect(a.ok || b.ok).toBe(false);
  });

  it("rejects an expired invite, saying to ask for a new one", () => {
    const d = decodeInvite(encodeInviteCode(sample({ expiresAt: NOW - 1 })), NOW);
    expect(d).toEqual({ ok: false, error: { code: "bad-input", message: MESSAGES.expired } });
    expect(MESSAGES.expired).toMatch(/expired.*new one/);
  });

  it("rejects an unknown version even with a good checksum", () => {
    // Re-encode a version-2 payload with a valid checksum to prove the version itself is checked.
    const raw = inviteToBytes(sample());
    raw[0] = 2;
    const payload = raw.subarray(0, raw.length - 4);
    const digest = new Uint8Array(16);
    crypto_generichash(digest, payload);
    raw.set(digest.subarray(0, 4), payload.length);
    const d = decodeInvite(base32Encode(raw), NOW);
    expect(d).toEqual({ ok: false, error: { code: "newer-version", message: MESSAGES.newer } });
  });

  it("refuses to encode more than four addresses", () => {
    expect(() =>
      inviteToBytes(
        sample({ addresses: ["1.1.1.1:1", "1.1.1.1:2", "1.1.1.1:3", "1.1.1.1:4", "1.1.1.1:5"] }),
      ),
    ).toThrow(/at most 4/);
  });
});
