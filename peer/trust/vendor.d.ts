// Minimal types for the untyped crypto packages the invite protocol uses: only what we call.
declare module "noise-handshake" {
  export type NoiseKeyPair = { publicKey: Uint8Array; secretKey: Uint8Array };
  export type NoiseCurve = {
    DHLEN: number;
    PKLEN: number;
    SKLEN: number;
    ALG: string;
    generateKeyPair(seed?: Uint8Array): NoiseKeyPair;
    dh(publicKey: Uint8Array, keyPair: NoiseKeyPair): Uint8Array;
  };
  class NoiseState {
    constructor(
      pattern: string,
      initiator: boolean,
      staticKeypair?: NoiseKeyPair | null,
      opts?: { curve?: NoiseCurve; psk?: Uint8Array },
    );
    readonly s: NoiseKeyPair;
    readonly rs: Uint8Array | null;
    readonly complete: boolean;
    readonly tx: Uint8Array | null;
    readonly rx: Uint8Array | null;
    readonly hash: Uint8Array | null;
    initialise(prologue: Uint8Array, remoteStatic?: Uint8Array): void;
    send(payload?: Uint8Array): Uint8Array;
    recv(message: Uint8Array): Uint8Array;
  }
  export default NoiseState;
}

declare module "noise-handshake/cipher.js" {
  class CipherState {
    constructor(key: Uint8Array);
    encrypt(plaintext: Uint8Array, ad?: Uint8Array): Uint8Array;
    decrypt(ciphertext: Uint8Array, ad?: Uint8Array): Uint8Array;
  }
  export default CipherState;
}

declare module "noise-curve-ed" {
  import type { NoiseCurve } from "noise-handshake";
  const curve: NoiseCurve;
  export default curve;
}

declare module "sodium-universal" {
  export function randombytes_buf(out: Uint8Array): void;
  export function crypto_generichash(out: Uint8Array, input: Uint8Array, key?: Uint8Array): void;
  export function sodium_memcmp(a: Uint8Array, b: Uint8Array): boolean;
  export function sodium_memzero(buf: Uint8Array): void;
  export const crypto_generichash_BYTES_MIN: number;
  /**
   * module.exports itself, every function and constant: under Node's own loader the named exports
   * hold only what cjs-module-lexer finds (no constants). Typed where it is used.
   */
  const sodium: unknown;
  export default sodium;
}
