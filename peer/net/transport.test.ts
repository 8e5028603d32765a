import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { asDeviceKey } from "../../shared/ids.ts";
import { keyPairFromDevice, keyPairFromSeed } from "./transport.ts";

describe("keyPairFromDevice", () => {
  it("derives the same Ed25519 key as the device key (so the Noise identity is the device's)", () => {
    const { privateKey, publicKey: publicKeyObject } = generateKeyPairSync("ed25519");
    const jwk = privateKey.export({ format: "jwk" });
    const hex = Buffer.from(jwk.x ?? "", "base64url").toString("hex");
    const pair = keyPairFromDevice({
      publicKey: asDeviceKey(hex),
      privateKey,
      publicKeyObject,
      createdAt: "",
    });
    expect(pair.publicKey.toString("hex")).toBe(hex);
    // sodium's 64-byte secret key is seed ‖ public key.
    expect(pair.secretKey.subarray(0, 32).toString("base64url")).toBe(jwk.d);
    expect(sign(null, Buffer.from("x"), privateKey).byteLength).toBe(64);
  });

  it("refuses a seed of the wrong length", () => {
    expect(() => keyPairFromSeed(new Uint8Array(31))).toThrow(/32 bytes/);
  });
});
