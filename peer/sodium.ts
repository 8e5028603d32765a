// libsodium, through sodium-universal: one typed view of what the peer uses, with signatures as in
// sodium-native: offline bundles (sync/bundle/), the backup seal and passphrase (backup/seal.ts,
// protect.ts). peer/trust/vendor.d.ts types the few functions the invite code imports by name.
// The default import is module.exports itself: a namespace import lacks the constants under Node
// (test/smoke/nodeImports.test.ts keeps it so).
import sodiumModule from "sodium-universal";

type Sodium = {
  crypto_kdf_derive_from_key(
    subkey: Uint8Array,
    subkeyId: number,
    ctx: Uint8Array,
    key: Uint8Array,
  ): void;
  crypto_kdf_KEYBYTES: number;
  crypto_kdf_CONTEXTBYTES: number;
  crypto_generichash(out: Uint8Array, input: Uint8Array, key?: Uint8Array): void;
  crypto_generichash_KEYBYTES: number;
  /** Argon2id in libuv's thread pool: the peer keeps answering while a passphrase is hashed. */
  crypto_pwhash_async(
    out: Uint8Array,
    passwd: Uint8Array,
    salt: Uint8Array,
    opslimit: number,
    memlimit: number,
    alg: number,
  ): Promise<void>;
  crypto_pwhash_SALTBYTES: number;
  crypto_pwhash_ALG_ARGON2ID13: number;
  crypto_pwhash_OPSLIMIT_MIN: number;
  crypto_pwhash_MEMLIMIT_MIN: number;
  crypto_pwhash_OPSLIMIT_MODERATE: number;
  crypto_pwhash_MEMLIMIT_MODERATE: number;
  crypto_pwhash_OPSLIMIT_SENSITIVE: number;
  crypto_pwhash_MEMLIMIT_SENSITIVE: number;
  crypto_secretstream_xchacha20poly1305_init_push(
    state: Uint8Array,
    header: Uint8Array,
    key: Uint8Array,
  ): void;
  crypto_secretstream_xchacha20poly1305_init_pull(
    state: Uint8Array,
    header: Uint8Array,
    key: Uint8Array,
  ): void;
  /** Throws when it fails; returns the ciphertext length. */
  crypto_secretstream_xchacha20poly1305_push(
    state: Uint8Array,
    c: Uint8Array,
    m: Uint8Array,
    ad: Uint8Array | null,
    tag: number,
  ): number;
  /** Throws when the chunk fails authentication. */
  crypto_secretstream_xchacha20poly1305_pull(
    state: Uint8Array,
    m: Uint8Array,
    tag: Uint8Array,
    c: Uint8Array,
    ad: Uint8Array | null,
  ): number;
  crypto_secretstream_xchacha20poly1305_STATEBYTES: number;
  crypto_secretstream_xchacha20poly1305_HEADERBYTES: number;
  crypto_secretstream_xchacha20poly1305_KEYBYTES: number;
  crypto_secretstream_xchacha20poly1305_ABYTES: number;
  crypto_secretstream_xchacha20poly1305_TAG_MESSAGE: number;
  crypto_secretstream_xchacha20poly1305_TAG_FINAL: number;
  randombytes_buf(out: Uint8Array): void;
  sodium_memcmp(a: Uint8Array, b: Uint8Array): boolean;
  sodium_memzero(buf: Uint8Array): void;
};

export const sodium = sodiumModule as Sodium;
