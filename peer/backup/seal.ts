// The seal of a backup: a MAC over its manifest under a key only members hold, so a backup that
// verifies was written by a member and not changed since.
//
//   seal key = crypto_kdf_derive_from_key(32, SEAL_SUBKEY, "MTHLBKUP", community key)
//   seal     = crypto_generichash(32, manifest.json's bytes, seal key)   (keyed BLAKE2b)
//
// The manifest names every other entry by length and SHA-256 (the documents and trust.json, which
// holds the community key), and a backup may hold nothing the manifest does not list, so sealing
// the manifest's exact bytes seals the whole file. Checksums alone were not enough: anyone could
// edit a document (add a device to the roster), recompute its SHA-256 and the file passed as
// whole. Only library primitives (sodium-universal); nothing here is home-made crypto.
//
// What it does not do: an unprotected backup carries the community key itself, so whoever holds
// that file can make a seal too. It is a member's credential (the UI says so); a passphrase
// (protect.ts) keeps the key, and so the power to seal, from whoever holds only the file, and a
// restore shows every device it would add to a roster and asks first (backup.ts).
import { sodium } from "../sodium.ts";

const SEAL_CONTEXT = new TextEncoder().encode("MTHLBKUP");
const SEAL_SUBKEY = 1;
export const SEAL_BYTES = 32;

/** The seal of `manifest` under the community key (hex, as trust.json holds it). */
export function sealOf(manifest: Uint8Array, communityKeyHex: string): Uint8Array {
  const communityKey = Buffer.from(communityKeyHex, "hex");
  if (communityKey.byteLength !== sodium.crypto_kdf_KEYBYTES)
    throw new Error(
      `the community key has ${communityKey.byteLength} bytes instead of ${sodium.crypto_kdf_KEYBYTES}`,
    );
  const key = new Uint8Array(sodium.crypto_generichash_KEYBYTES);
  sodium.crypto_kdf_derive_from_key(key, SEAL_SUBKEY, SEAL_CONTEXT, communityKey);
  const seal = new Uint8Array(SEAL_BYTES);
  sodium.crypto_generichash(seal, manifest, key);
  return seal;
}

/** Whether `seal` is the seal of `manifest` under the community key (in constant time). */
export function sealMatches(
  manifest: Uint8Array,
  communityKeyHex: string,
  seal: Uint8Array,
): boolean {
  return (
    seal.byteLength === SEAL_BYTES && sodium.sodium_memcmp(sealOf(manifest, communityKeyHex), seal)
  );
}
