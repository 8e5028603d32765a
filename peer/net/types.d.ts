// @hyperswarm/secret-stream ships no TypeScript types. Only the part the transport uses is declared,
// so anything else it might be tempted to call fails the type check instead of being `any`.
declare module "@hyperswarm/secret-stream" {
  import type { Duplex } from "node:stream";

  type KeyPair = { publicKey: Buffer; secretKey: Buffer };

  type Options = {
    keyPair?: KeyPair;
    pattern?: string;
    remotePublicKey?: Buffer;
    keepAlive?: number;
  };

  class NoiseSecretStream {
    constructor(isInitiator: boolean, rawStream: Duplex, options?: Options);
    static keyPair(seed?: Uint8Array): KeyPair;
    readonly isInitiator: boolean;
    readonly publicKey: Buffer | null;
    readonly remotePublicKey: Buffer | null;
    readonly connected: boolean;
    readonly destroyed: boolean;
    readonly destroying: boolean;
    write(data: Uint8Array): boolean;
    end(): void;
    pause(): this;
    setKeepAlive(ms: number): void;
    setTimeout(ms: number): void;
    resume(): this;
    destroy(error?: Error): void;
    on(event: "connect" | "close" | "end" | "drain" | "handshake", listener: () => void): this;
    on(event: "data", listener: (data: Buffer) => void): this;
    on(event: "error", listener: (error: Error) => void): this;
    once(event: "connect" | "close" | "handshake", listener: () => void): this;
  }
  export default NoiseSecretStream;
}
