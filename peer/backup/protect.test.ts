import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../shared/result.ts";
import { checkPassphrase, isProtected, protect, unprotect } from "./protect.ts";

// Each protect or unprotect hashes the passphrase at the product's cost (about a second): few cases.
const PASSPHRASE = "bog cotton in june";
const plain = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7) % 251);
const header = 8 + 1 + 1 + 4 + 4 + 16 + 16 + 24;

describe("a backup protected by a passphrase", () => {
  let locked: Uint8Array;

  it("round trip: opened with its passphrase, byte for byte; nothing of it in clear", async () => {
    locked = await protect(plain, PASSPHRASE);
    expect(isProtected(locked)).toBe(true);
    expect(Buffer.from(locked).includes(Buffer.from(plain.subarray(1000, 1064)))).toBe(false);
    const opened = await unprotect(locked, PASSPHRASE);
    expect(opened.ok && Buffer.from(opened.value).equals(Buffer.from(plain))).toBe(true);
  }, 30_000);

  it("a wrong passphrase is told from a damaged file", async () => {
    const wrong = await unprotect(locked, "bog cotton in July");
    expect(wrong.ok ? "" : wrong.error.code).toBe(ErrorCode.BadInput);
    expect(wrong.ok ? "" : wrong.error.message).toMatch(/does not open this backup/);
    // One byte of the body changed: the right passphrase, but the chunk fails its check.
    const edited = Uint8Array.from(locked);
    edited[header + 100] = (edited[header + 100] ?? 0) ^ 1;
    const damaged = await unprotect(edited, PASSPHRASE);
    expect(damaged.ok ? "" : damaged.error.code).toBe(ErrorCode.Damaged);
  }, 30_000);

  it("cut short, or with bytes after its end: damaged", async () => {
    for (const bytes of [
      locked.subarray(0, locked.byteLength - 10),
      Buffer.concat([locked, Buffer.from("more")]),
    ]) {
      const opened = await unprotect(bytes, PASSPHRASE);
      expect(opened.ok ? "" : opened.error.code).toBe(ErrorCode.Damaged);
    }
  }, 30_000);

  it("a header asking for more than the SENSITIVE cost is refused, not hashed", async () => {
    const greedy = Uint8Array.from(locked);
    new DataView(greedy.buffer).setUint32(14, 16 * 1024 * 1024, true); // 16 GiB, in KiB
    const opened = await unprotect(greedy, PASSPHRASE);
    expect(opened.ok ? "" : opened.error.code).toBe(ErrorCode.Damaged);
  });

  it("no passphrase, and passphrases too short or too long", async () => {
    expect((await unprotect(locked, undefined)).ok).toBe(false);
    expect(checkPassphrase("seven c").ok).toBe(false);
    expect(checkPassphrase("eight ch").ok).toBe(true);
    expect(checkPassphrase("x".repeat(1025)).ok).toBe(false);
    expect(checkPassphrase(42).ok).toBe(false);
  });
});
