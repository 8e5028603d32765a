// A backstop against sync exchanges that go round without progress (issue #15; docs/DESIGN.md,
// "Trust and access"). One such loop wedged a laptop at a simulated retreat: its window asked for
// the same changes several hundred times a second, the peer (holding a stale "already sent" record)
// never sent them, and the exchange starved the whole event loop (LAN links, mDNS, the RPC). The
// cause is patched (patches/README.md); this guard makes the peer robust to any loop of that shape,
// whatever its cause: it watches each peer's sync messages per document and, when one peer sends
// the very same message again and again in a short time, it logs the event and resets that peer's
// sync state (a disconnect and reconnect as the repo sees it, over the same link), after which the
// exchange starts from the shared heads and sends what is missing.
//
// Why identical bytes: an exchange that makes progress changes its messages (new heads, fewer
// needs, other changes); two peers in step stop sending. The same bytes many times in a row from
// one peer for one document is the loop's signature, found without decoding anything (a digest of
// each small message is compared).
import {
  NetworkAdapter,
  type Message,
  type NetworkAdapterInterface,
  type PeerId,
  type PeerMetadata,
} from "@automerge/automerge-repo";
import { createHash } from "node:crypto";

export type LoopGuardOptions = {
  /** Identical messages in a row, within `windowMs`, that count as a loop. */
  repeats?: number;
  windowMs?: number;
  /** Where the event is told (the peer's log). */
  log?: (line: string) => void;
  now?: () => number;
};

export const DEFAULT_LOOP_REPEATS = 30;
export const DEFAULT_LOOP_WINDOW_MS = 10_000;

type Run = { digest: string; count: number; since: number };

/**
 * Messages larger than this carry changes (a document arriving) and are not watched: a loop's
 * messages are small (heads, needs, a Bloom filter), and only a digest of each is kept.
 */
const WATCHED_BYTES = 64 * 1024;

const digestOf = (data: Uint8Array): string => createHash("sha256").update(data).digest("base64");

/** Wraps a network adapter; the repo is given the guard, which passes everything through. */
export class SyncLoopGuard extends NetworkAdapter {
  readonly inner: NetworkAdapterInterface;
  /** Loops found and reset, for tests and diagnostics. */
  resets = 0;
  readonly #repeats: number;
  readonly #windowMs: number;
  readonly #log: (line: string) => void;
  readonly #now: () => number;
  readonly #metadata = new Map<PeerId, PeerMetadata>();
  /** The current run of identical messages, per peer and document. */
  readonly #runs = new Map<PeerId, Map<string, Run>>();

  constructor(inner: NetworkAdapterInterface, options: LoopGuardOptions = {}) {
    super();
    this.inner = inner;
    this.#repeats = options.repeats ?? DEFAULT_LOOP_REPEATS;
    this.#windowMs = options.windowMs ?? DEFAULT_LOOP_WINDOW_MS;
    this.#log = options.log ?? ((line) => console.warn(line));
    this.#now = options.now ?? Date.now;
    inner.on("peer-candidate", (payload) => {
      this.#metadata.set(payload.peerId, payload.peerMetadata);
      this.emit("peer-candidate", payload);
    });
    inner.on("peer-disconnected", (payload) => {
      this.#metadata.delete(payload.peerId);
      this.#runs.delete(payload.peerId);
      this.emit("peer-disconnected", payload);
    });
    inner.on("message", (message) => this.#receive(message));
    inner.on("close", () => this.emit("close"));
  }

  isReady(): boolean {
    return this.inner.isReady();
  }
  whenReady(): Promise<void> {
    return this.inner.whenReady();
  }
  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata;
    this.inner.connect(peerId, peerMetadata);
  }
  send(message: Message): void {
    this.inner.send(message);
  }
  disconnect(): void {
    this.inner.disconnect();
  }

  #receive(message: Message): void {
    const { type, senderId, documentId, data } = message;
    if (
      (type === "sync" || type === "request") &&
      documentId &&
      data &&
      this.#isLoop(senderId, documentId, data)
    ) {
      this.resets++;
      this.#log(
        `Sync of document ${documentId} with ${senderId} went round ${this.#repeats} times without progress; its sync state was reset and the missing changes are sent again.`,
      );
      const metadata = this.#metadata.get(senderId);
      if (metadata) {
        // As the repo sees it, the peer left and came back: it forgets what it believed it had
        // sent (patches/README.md) and starts again from the heads the two share.
        this.emit("peer-disconnected", { peerId: senderId });
        this.emit("peer-candidate", { peerId: senderId, peerMetadata: metadata });
      }
    }
    this.emit("message", message);
  }

  /** Whether this message completes a run of identical ones from its sender for its document. */
  #isLoop(senderId: PeerId, documentId: string, data: Uint8Array): boolean {
    const now = this.#now();
    let runs = this.#runs.get(senderId);
    if (!runs) this.#runs.set(senderId, (runs = new Map<string, Run>()));
    if (data.byteLength > WATCHED_BYTES) {
      runs.delete(documentId);
      return false;
    }
    const digest = digestOf(data);
    const run = runs.get(documentId);
    if (!run || now - run.since > this.#windowMs || run.digest !== digest) {
      runs.set(documentId, { digest, count: 1, since: now });
      return false;
    }
    run.count++;
    if (run.count < this.#repeats) return false;
    runs.delete(documentId);
    return true;
  }
}
