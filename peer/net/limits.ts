// Limits on what a remote device can make this peer do (docs/DESIGN.md, "Trust and access"). The numbers
// are generous for two honest peers and small enough that a stranger on the LAN, or a member's
// broken or hostile device, can only cost a bounded amount of memory and work.

export type TransportLimits = {
  /** A socket that has not finished the Noise handshake by then is destroyed. */
  handshakeTimeoutMs: number;
  /**
   * Sockets accepted but not yet authenticated (or answering an invite). When all are taken, a new
   * one closes the oldest socket of the address holding the most, so no one can keep them all.
   */
  maxUnauthenticated: number;
  /**
   * Of those, what one remote address (an IPv6 /64) may hold; a new socket from it closes its own
   * oldest. A stranger on the Wi-Fi can then never take the slots other devices need.
   */
  maxUnauthenticatedPerAddress: number;
  /** Authenticated connections a listener keeps at once. */
  maxConnections: number;
  /**
   * Connections of one device key past the handshake whose hello is not accepted yet; a new one
   * closes that key's oldest, so one member cannot take the connection slots either.
   */
  maxUnacceptedPerKey: number;
  /** Largest application message (plaintext) sent or accepted; secret-stream's own cap is 16 MiB. */
  maxFrameBytes: number;
  /** Largest raw frame during the handshake: Noise XX messages are under 200 bytes. */
  maxHandshakeFrameBytes: number;
  /** Raw bytes a socket may send before it is authenticated. */
  maxHandshakeBytes: number;
  /**
   * Largest message (plaintext) read before the remote's hello is accepted: a hello is about 100
   * bytes. A larger frame may begin in the read that carries the hello (an honest device's first
   * sync message can follow its hello at once), but one still arriving at the next read closes
   * the connection.
   */
  maxHelloBytes: number;
  /** Raw bytes a connection may send after the handshake and before its hello is accepted. */
  maxPreHelloBytes: number;
  /** Raw bytes all of a listener's sockets not yet accepted may have sent, together. */
  maxPreHelloTotalBytes: number;
  /**
   * Bytes queued for a peer that is not reading; past this the connection is closed, so a stalled
   * or hostile reader cannot make this process buffer without bound.
   */
  maxSendBufferBytes: number;
  /** An empty encrypted frame this often keeps an idle but healthy link visibly alive. */
  keepAliveMs: number;
  /** A link that sends nothing (not even keep-alives) this long is dead: a slept laptop, a cut cable. */
  idleTimeoutMs: number;
};

export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = {
  handshakeTimeoutMs: 5_000,
  maxUnauthenticated: 16,
  maxUnauthenticatedPerAddress: 4,
  maxConnections: 64,
  maxUnacceptedPerKey: 4,
  maxFrameBytes: 8 * 1024 * 1024,
  maxHandshakeFrameBytes: 1024,
  maxHandshakeBytes: 4096,
  maxHelloBytes: 4096,
  // A socket read is at most 64 KiB: the hello, and the start of one frame after it.
  maxPreHelloBytes: 128 * 1024,
  maxPreHelloTotalBytes: 4 * 1024 * 1024,
  maxSendBufferBytes: 64 * 1024 * 1024,
  keepAliveMs: 5_000,
  idleTimeoutMs: 20_000,
};

export type AdapterLimits = {
  /** Sustained repo messages per second per peer, and the burst allowed above it. */
  messagesPerSecond: number;
  messageBurst: number;
  /** Bytes of frames waiting for rate tokens per connection; more closes the connection. */
  maxQueuedBytes: number;
  /** Largest `data` inside one message (the frame cap bounds it anyway). */
  maxDataBytes: number;
  /** Ephemeral (presence) messages: a separate, smaller budget, since they are never stored. */
  ephemeralPerSecond: number;
  ephemeralBurst: number;
  /** Distinct document ids one connection may request or sync; more are dropped. */
  maxDocumentsPerPeer: number;
  /**
   * Bytes of sync data one connection may send for one document; past it, that document's sync
   * messages from that connection are refused (what already arrived stays) and reported, so one
   * device cannot grow a document, or this disk, without bound.
   */
  maxBytesPerDocument: number;
  /** Dropped messages on one connection before it is closed: a peer that keeps misbehaving goes. */
  maxDropsBeforeClose: number;
  /** How long a connection may take to send its hello after the handshake. */
  helloTimeoutMs: number;
  /** whenReady() resolves at the first peer, or after this long with none. */
  readyTimeoutMs: number;
};

export const DEFAULT_ADAPTER_LIMITS: AdapterLimits = {
  messagesPerSecond: 1_000,
  messageBurst: 5_000,
  maxQueuedBytes: 32 * 1024 * 1024,
  maxDataBytes: 8 * 1024 * 1024,
  ephemeralPerSecond: 20,
  ephemeralBurst: 100,
  maxDocumentsPerPeer: 20_000,
  maxBytesPerDocument: 256 * 1024 * 1024,
  maxDropsBeforeClose: 1_000,
  helloTimeoutMs: 5_000,
  readyTimeoutMs: 2_000,
};

/** A token bucket: `take()` succeeds while tokens remain; tokens refill at `ratePerSecond`. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  take(count = 1): boolean {
    const t = this.now();
    this.#tokens = Math.min(
      this.burst,
      this.#tokens + ((t - this.#last) / 1000) * this.ratePerSecond,
    );
    this.#last = t;
    if (this.#tokens < count) return false;
    this.#tokens -= count;
    return true;
  }
}
