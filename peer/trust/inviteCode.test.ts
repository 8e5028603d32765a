import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  base32Decode,
  base32Encode,
  CODE_SYMBOLS,
  encodeInviteCode,
  encodeInviteUri,
  INVITE_URI_PREFIX,
  inviteKeys,
  MESSAGES,
  parseInvite,
  SECRET_BYTES,
} from "./inviteCode.ts";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const arbSecret = fc.uint8Array({ minLength: SECRET_BYTES, maxLength: SECRET_BYTES });
const sample = Uint8Array.from({ length: SECRET_BYTES }, (_, i) => i * 29 + 3);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const symbols = (code: string) => code.replace(/-/g, "");

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
  it("are 20 characters as shown: 17 symbols in groups 5-5-5-2, carrying 80 bits", () => {
    fc.assert(
      fc.property(arbSecret, (secret) => {
        const code = encodeInviteCode(secret);
        expect(code).toHaveLength(20);
        expect(code).toMatch(
          /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{2}$/,
        );
        expect(symbols(code)).toHaveLength(CODE_SYMBOLS);
      }),
    );
    expect(SECRET_BYTES * 8).toBe(80);
  });

  it("round-trip the secret through the typed code and the QR link", () => {
    fc.assert(
      fc.property(arbSecret, (secret) => {
        const typed = parseInvite(encodeInviteCode(secret));
        const uri = parseInvite(encodeInviteUri(secret, ["192.168.1.5:47800", "[fe80::1]:4001"]));
        if (!typed.ok || !uri.ok) throw new Error("parse failed");
        expect(hex(typed.value.secret)).toBe(hex(secret));
        expect(typed.value.addresses).toEqual([]);
        expect(hex(uri.value.secret)).toBe(hex(secret));
        expect(uri.value.addresses).toEqual(["192.168.1.5:47800", "[fe80::1]:4001"]);
      }),
    );
  });

  it("the QR link starts with its prefix, carries the code and at most four addresses", () => {
    const five = ["1.1.1.1:1", "1.1.1.1:2", "1.1.1.1:3", "1.1.1.1:4", "1.1.1.1:5"];
    const uri = encodeInviteUri(sample, five);
    expect(uri.startsWith(INVITE_URI_PREFIX)).toBe(true);
    expect(uri).toContain(symbols(encodeInviteCode(sample)));
    const parsed = parseInvite(uri);
    expect(parsed.ok && parsed.value.addresses).toEqual(five.slice(0, 4));
    expect(() => encodeInviteUri(sample, ["no port"])).toThrow(/host:port/);
  });

  it("forgive lower case, I/L for 1, O for 0, and missing, extra or moved dashes and spaces", () => {
    const code = encodeInviteCode(sample);
    const sloppy = ` ${code.toLowerCase().replace(/1/g, "l").replace(/0/g, "o").replace(/-/g, " ")} `;
    const moved = `${symbols(code).slice(0, 4)}-${symbols(code).slice(4, 8)}  ${symbols(code).slice(8)}`;
    for (const text of [sloppy, moved, symbols(code)]) {
      const d = parseInvite(text);
      expect(d.ok && hex(d.value.secret)).toBe(hex(sample));
    }
  });

  it("catch any single wrong symbol as a typo, before anything is sent", () => {
    fc.assert(
      fc.property(arbSecret, fc.nat(), fc.integer({ min: 1, max: 31 }), (secret, pos, delta) => {
        const raw = symbols(encodeInviteCode(secret));
        const i = pos % raw.length;
        const changed = ALPHABET.charAt((ALPHABET.indexOf(raw.charAt(i)) + delta) % 32);
        const d = parseInvite(raw.slice(0, i) + changed + raw.slice(i + 1));
        expect(d).toEqual({ ok: false, error: { code: "bad-input", message: MESSAGES.typo } });
      }),
      { numRuns: 1000 },
    );
  });

  it("catch any swap of two different symbols", () => {
    fc.assert(
      fc.property(arbSecret, fc.nat(), fc.nat(), (secret, a, b) => {
        const raw = [...symbols(encodeInviteCode(secret))];
        const i = a % raw.length;
        const j = b % raw.length;
        fc.pre(raw[i] !== raw[j]);
        [raw[i], raw[j]] = [raw[j] ?? "", raw[i] ?? ""];
        expect(parseInvite(raw.join("")).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it("say how many symbols a short or long code has, and that nothing was sent", () => {
    const raw = symbols(encodeInviteCode(sample));
    const short = parseInvite(raw.slice(1));
    expect(!short.ok && short.error.message).toMatch(/that one has 16.*Nothing was sent/);
    expect(parseInvite(`${raw}7`).ok).toBe(false);
  });

  it("refuse another scheme's link and a meitheal link without a code", () => {
    expect(parseInvite("https://example.com/?code=1").ok).toBe(false);
    const bare = parseInvite(`${INVITE_URI_PREFIX}at=1.2.3.4:5`);
    expect(!bare.ok && bare.error.message).toBe(MESSAGES.notInvite);
    const badAt = parseInvite(`${INVITE_URI_PREFIX}code=${symbols(encodeInviteCode(sample))}&at=x`);
    expect(badAt.ok).toBe(false);
  });

  it("derive id, hint and psk that differ from one another and from the secret", () => {
    const keys = inviteKeys(sample);
    expect(keys.inviteId).toMatch(/^[0-9a-f]{16}$/);
    expect(keys.hint).toMatch(/^[0-9a-f]{16}$/);
    expect(keys.psk).toHaveLength(32);
    const all = [keys.inviteId, keys.hint, keys.psk.toString("hex"), hex(sample)];
    for (const x of all) for (const y of all) if (x !== y) expect(y.includes(x)).toBe(false);
    expect(new Set(all).size).toBe(4);
    // Deterministic: both sides derive the same values from the code.
    expect(inviteKeys(Uint8Array.from(sample)).hint).toBe(keys.hint);
  });
});
