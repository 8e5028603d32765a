// This device's Ed25519 key pair: device data, created on first run, never synced. The 32-byte seed
// is kept (as JWK "d"), so the same key can later feed the Noise handshake of the LAN transport.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { join } from "node:path";
import { asDeviceKey, type DeviceKey } from "../../shared/ids.ts";
import { ErrorCode, MeithealFailure } from "../../shared/result.ts";
import { readJson, writeJsonAtomic } from "../storage/atomicFile.ts";

export type DeviceKeyPair = {
  /** Hex of the 32-byte raw public key. */
  publicKey: DeviceKey;
  privateKey: KeyObject;
  publicKeyObject: KeyObject;
  createdAt: string;
};

type StoredKey = {
  kind: "meitheal/device-key";
  version: 1;
  createdAt: string;
  jwk: { kty: "OKP"; crv: "Ed25519"; d: string; x: string };
};

export const DEVICE_KEY_FILE = "device-key.json";

const fromJwk = (jwk: StoredKey["jwk"], createdAt: string): DeviceKeyPair => {
  const privateKey = createPrivateKey({ key: jwk, format: "jwk" });
  const publicKeyObject = createPublicKey(privateKey);
  const x = publicKeyObject.export({ format: "jwk" }).x;
  if (x !== jwk.x) throw new Error("public key does not match private key");
  return {
    publicKey: asDeviceKey(Buffer.from(x, "base64url").toString("hex")),
    privateKey,
    publicKeyObject,
    createdAt,
  };
};

/** Loads the device key from `dataDir`, creating it on first run. A damaged key file is never overwritten. */
export async function loadOrCreateDeviceKey(
  dataDir: string,
  now = () => new Date(),
): Promise<DeviceKeyPair> {
  const path = join(dataDir, DEVICE_KEY_FILE);
  let stored: unknown;
  try {
    stored = await readJson(path);
  } catch (e) {
    throw new MeithealFailure(
      ErrorCode.DataFolder,
      `This device's key file ${path} is damaged (${(e as Error).message}). It was left untouched. Restore it from a backup, or move it aside to make this device a new one.`,
    );
  }
  if (stored !== undefined) {
    const s = stored as Partial<StoredKey>;
    try {
      if (s.kind !== "meitheal/device-key" || !s.jwk || typeof s.createdAt !== "string")
        throw new Error("unexpected content");
      return fromJwk(s.jwk, s.createdAt);
    } catch (e) {
      throw new MeithealFailure(
        ErrorCode.DataFolder,
        `This device's key file ${path} is damaged (${(e as Error).message}). It was left untouched. Restore it from a backup, or move it aside to make this device a new one.`,
      );
    }
  }
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  if (!jwk.d || !jwk.x) throw new Error("Ed25519 key export failed");
  const record: StoredKey = {
    kind: "meitheal/device-key",
    version: 1,
    createdAt: now().toISOString(),
    jwk: { kty: "OKP", crv: "Ed25519", d: jwk.d, x: jwk.x },
  };
  await writeJsonAtomic(path, record);
  return fromJwk(record.jwk, record.createdAt);
}
