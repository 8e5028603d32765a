// An automerge-repo network adapter for ONE community over secure connections (transport.ts).
//
// automerge-repo believes what an adapter tells it: the peer id in "peer-candidate", the senderId
// of every message, and the shape of every message. So this adapter is where a remote device's
// claims stop:
// - the remote peer id is derived from the key the Noise handshake proved, exactly as PeerNode
//   derives its own (`device-<first 32 hex>`), never read from the wire;
// - the roster is checked right after the handshake: a non-member is closed before anything is sent;
// - peer metadata comes in a validated hello frame; only then does the repo hear "peer-candidate",
//   and only then may the link send more than hello-sized frames (transport.ts, markAccepted);
// - the storage id automerge-repo keeps a device's sync state under is derived from the proven
//   key, never the one the hello claims: a member cannot overwrite what this device keeps for
//   another, and one device has one sync state per document however many ids it makes up;
// - every later frame is decoded, shape-checked and rebuilt (messages.ts); senderId must be the
//   link's own peer id and targetId ours, or the frame is dropped and counted. Presence may also
//   come from the device's own windows, under ids bound to its key (windowIdOf);
// - per-peer token buckets bound message and presence rates, distinct documents are capped, and a
//   request for a document this community does not hold is answered "unavailable" here, so the repo
//   never relays it to its other peers.
// Access per document is the repo's shareConfig (communityShareConfig below), checked by
// automerge-repo on every request, sync and ephemeral message.
import {
  NetworkAdapter,
  type DocumentId,
  type Message,
  type PeerId,
  type PeerMetadata,
  type RepoMessage,
  type StorageId,
} from "@automerge/automerge-repo";
import { DEFAULT_ADAPTER_LIMITS, TokenBucket, type AdapterLimits } from "./limits.ts";
import {
  decodeFrame,
  encodeFrame,
  encodeHeadsAnswer,
  encodeHeadsQuery,
  encodeCatchUp,
  encodeHello,
  validateCatchUp,
  validateHeadsFrame,
  validateHello,
  validateRepoMessage,
  type CatchUpFrame,
  type HeadsFrame,
} from "./messages.ts";
import type { SecureConnection } from "./transport.ts";

/** The automerge-repo peer id of a device key, as PeerNode.peerId computes it for itself. */
export const peerIdOfKey = (deviceKeyHex: string): PeerId =>
  `device-${deviceKeyHex.toLowerCase().slice(0, 32)}` as PeerId;

/**
 * The storage id this device keeps a linked device's sync state under: from its proven key, so
 * what one device claims in its hello can neither reach another's sync state nor add files.
 */
export const storageIdOfKey = (deviceKeyHex: string): StorageId =>
  `device-${deviceKeyHex.toLowerCase()}` as StorageId;

/** Connections held while an adapter waits for its repo to connect it. */
const MAX_PENDING = 16;

/** Local UI windows join a community's repo with peer ids of this prefix. */
export const LOCAL_UI_PREFIX = "ui-";

/** A window of another device, as its presence travels and as this device's windows see it. */
const REMOTE_WINDOW = /^ui-[0-9a-f]{32}-./;

/**
 * The id a window's presence travels under between devices: `ui-<the device's 32 hex>-<window>`.
 * The sending device binds its own windows' ids to its key; the receiving one accepts presence
 * only under its link's own peer id or an id bound to the link's key, so no member can speak for
 * another device or its windows, and windows see another device's windows under bound ids.
 */
export function windowIdOf(devicePeerId: PeerId, localWindowId: string): PeerId {
  const key32 = devicePeerId.slice("device-".length);
  return `${LOCAL_UI_PREFIX}${key32}-${localWindowId.slice(LOCAL_UI_PREFIX.length)}` as PeerId;
}

/** Whether `senderId` is one of the windows of the device whose peer id is `devicePeerId`. */
const isWindowOf = (senderId: string, devicePeerId: PeerId): boolean =>
  REMOTE_WINDOW.test(senderId) && senderId.startsWith(windowIdOf(devicePeerId, LOCAL_UI_PREFIX));

/** A window of this device: a "ui-" id that is not bound to some device (those came from links). */
const isLocalWindow = (senderId: string): boolean =>
  senderId.startsWith(LOCAL_UI_PREFIX) && !REMOTE_WINDOW.test(senderId);

/** The longest id a frame may carry (messages.ts): a bound window id longer than it is not sent. */
const MAX_WIRE_ID = 128;

export type DropReason =
  | "not-member"
  | "duplicate"
  | "bad-hello"
  | "hello-timeout"
  | "undecodable"
  | "bad-shape"
  | "spoofed-sender"
  | "wrong-target"
  | "rate"
  | "ephemeral-rate"
  | "too-many-documents"
  | "document-budget"
  | "unknown-document"
  | "send-too-large"
  | "catch-up";

export type SecureAdapterOptions = {
  /** The community this adapter (and its repo) serves; every connection's hello must name it. */
  communityId: string;
  /** The roster check, at connection time: false closes the connection before anything is sent. */
  isMember: (remoteKeyHex: string) => boolean;
  /**
   * Whether this community holds a document. A request for any other id is answered
   * "doc-unavailable" by the adapter, so the repo never asks its other peers for it.
   * Without it every id is passed on (the repo's shareConfig still decides access).
   */
  hasDocument?: (documentId: DocumentId) => boolean;
  limits?: Partial<AdapterLimits>;
  /** Called for each dropped frame or refused connection (for counters and logs). */
  onDrop?: (reason: DropReason, remoteKeyHex: string) => void;
  /** This device's heads of a document, to answer a linked device's query (listed documents only). */
  headsOf?: (documentId: string) => string[] | undefined;
  /** A linked device answered a heads query. */
  onHeads?: (remoteKeyHex: string, heads: Record<string, string[]>) => void;
  /** Called once per connection and document when the document's byte budget is spent. */
  onBudgetSpent?: (documentId: DocumentId, remoteKeyHex: string) => void;
  /** A sync message for this document was handed to the repo. */
  onSyncMessage?: (documentId: DocumentId) => void;
  /**
   * The catch-up exchange (messages.ts): what this device has, the documents a linked device
   * lacks, and taking documents it sends. Without it links go straight to automerge-repo's sync.
   */
  catchUp?: CatchUpHooks;
};

export type CatchUpHooks = {
  /** The documents this device has (ids), and the heads of the few that always change. */
  have(): Promise<{ have: string[]; heads: Record<string, string[]> }>;
  /** Batches of [id, saved bytes] a device that has `ask` lacks, the index first. */
  send(
    ask: { have: string[]; heads: Record<string, string[]> },
    remoteKeyHex: string,
  ): AsyncIterable<[string, Uint8Array][]>;
  /** Checks and keeps one batch from a linked device (before the next frame is read). */
  receive(docs: [string, Uint8Array][], remoteKeyHex: string): Promise<void>;
  /**
   * Resolves when everything received from this device is kept (written where the repo will find
   * it), with the heads of the documents taken whole: the sender learns them from "done".
   */
  settled(remoteKeyHex: string): Promise<Record<string, string[]>>;
  /** The device took whole these documents (sent by this side), and has them at these heads. */
  confirmed(remoteKeyHex: string, heads: Record<string, string[]>): void;
  /** The device sent everything it had for us (`sent` documents), or the exchange was given up. */
  finished?(remoteKeyHex: string, outcome: { received: number; complete: boolean }): void;
};

/**
 * A catch-up with no frame either way for this long is given up: the link goes on to
 * automerge-repo's sync, which fetches whatever is still missing one document at a time.
 */
export const CATCH_UP_IDLE_MS = 30_000;

type CatchUp = {
  sentEnd: boolean;
  gotEnd: boolean;
  /** This side kept all the other sent and said so; the other side said the same. */
  sentDone: boolean;
  gotDone: boolean;
  asked: boolean;
  received: number;
  lastProgress: number;
  timer: NodeJS.Timeout | undefined;
  /** Repo frames that came after the other side finished, before this side did. */
  held: Uint8Array[];
  heldBytes: number;
};

type Link = {
  connection: SecureConnection;
  peerId: PeerId;
  /** The hello was accepted: a member, in this community. */
  accepted: boolean;
  /** The repo was told of the peer ("peer-candidate"): after the catch-up, if there is one. */
  announced: boolean;
  catchUp: CatchUp | undefined;
  peerMetadata: PeerMetadata | undefined;
  messages: TokenBucket;
  ephemeral: TokenBucket;
  documents: Set<string>;
  /** Sync bytes received per document on this connection. */
  documentBytes: Map<string, number>;
  drops: number;
  /** Frames received but not yet processed, waiting for rate tokens (the connection is paused). */
  queue: Uint8Array[];
  queuedBytes: number;
  draining: boolean;
  /** When the connection was authenticated (ms since epoch). */
  since: number;
  storageId: StorageId | undefined;
};

/** A linked, announced peer as the Sync screen shows it. */
export type LinkInfo = {
  peerId: PeerId;
  remoteKey: string;
  remoteAddress: string;
  direction: "in" | "out";
  since: number;
  storageId: StorageId | undefined;
};

const linkInfo = (l: Link): LinkInfo => ({
  peerId: l.peerId,
  remoteKey: l.connection.remoteKey,
  remoteAddress: l.connection.remoteAddress,
  direction: l.connection.isInitiator ? "out" : "in",
  since: l.since,
  storageId: l.storageId,
});

export class SecureNetworkAdapter extends NetworkAdapter {
  readonly #options: SecureAdapterOptions;
  readonly #limits: AdapterLimits;
  /** Authenticated links by derived peer id (at most one per peer). */
  readonly #links = new Map<PeerId, Link>();
  /** Connections handed over before connect(): the repo is not listening yet. */
  readonly #pending: { connection: SecureConnection; firstFrame: Uint8Array | undefined }[] = [];
  readonly #dropped = new Map<DropReason, number>();
  #ready = false;
  #readyResolve: (() => void) | undefined;
  readonly #readyPromise: Promise<void>;
  #stopped = false;

  constructor(options: SecureAdapterOptions) {
    super();
    this.#options = options;
    this.#limits = { ...DEFAULT_ADAPTER_LIMITS, ...options.limits };
    this.#readyPromise = new Promise((resolve) => (this.#readyResolve = resolve));
  }

  isReady(): boolean {
    return this.#ready;
  }

  /**
   * Resolves at the first announced peer, or after readyTimeoutMs: the repo declares a missing
   * document unavailable once every adapter is ready, so "ready" must give peers a moment to appear.
   */
  whenReady(): Promise<void> {
    return this.#readyPromise;
  }

  #markReady(): void {
    if (this.#ready) return;
    this.#ready = true;
    this.#readyResolve?.();
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata ?? {};
    this.#stopped = false;
    setTimeout(() => this.#markReady(), this.#limits.readyTimeoutMs).unref();
    for (const { connection, firstFrame } of this.#pending.splice(0))
      this.addConnection(connection, firstFrame);
  }

  disconnect(): void {
    this.#stopped = true;
    for (const link of [...this.#links.values()]) link.connection.close();
    for (const { connection } of this.#pending.splice(0)) connection.close();
    this.emit("close");
  }

  /**
   * After a roster change (a device revoked): closes every connection whose key is no longer a
   * member. Call repo.shareConfigChanged() too, so access is re-evaluated for documents.
   */
  recheckMembers(): void {
    for (const link of [...this.#links.values()]) {
      let member = false;
      try {
        member = this.#options.isMember(link.connection.remoteKey);
      } catch {
        member = false;
      }
      if (!member) {
        this.#drop("not-member", link.connection.remoteKey);
        link.connection.close();
      }
    }
  }

  /** Asks a linked device for its heads of these documents; the answer goes to onHeads. */
  queryHeads(remoteKey: string, documents: readonly string[]): void {
    const link = this.#links.get(peerIdOfKey(remoteKey));
    if (!link?.announced || documents.length === 0) return;
    link.connection.send(encodeHeadsQuery(documents));
  }

  #headsFrame(link: Link, frame: HeadsFrame): void {
    if (frame.kind === "answer") {
      // Only what this community has; anything else in an answer is ignored.
      const known = Object.fromEntries(
        Object.entries(frame.heads).filter(
          ([id]) => this.#options.hasDocument?.(id as DocumentId) ?? true,
        ),
      );
      this.#options.onHeads?.(link.connection.remoteKey, known);
      return;
    }
    const answer: Record<string, string[]> = {};
    for (const id of frame.documents) {
      if (this.#options.hasDocument && !this.#options.hasDocument(id as DocumentId)) continue;
      const heads = this.#options.headsOf?.(id);
      if (heads) answer[id] = heads;
    }
    link.connection.send(encodeHeadsAnswer(answer));
  }

  /** The peers linked and announced now. */
  links(): LinkInfo[] {
    return [...this.#links.values()]
      .filter((l) => l.announced && !l.connection.closed)
      .map(linkInfo);
  }

  /** Devices linked whose catch-up is still under way (not yet given to the repo). */
  catchingUp(): LinkInfo[] {
    return [...this.#links.values()]
      .filter((l) => l.accepted && !l.announced && !l.connection.closed)
      .map(linkInfo);
  }

  /** Whether a device (by key) is linked now (catching up counts). */
  isLinked(remoteKey: string): boolean {
    return this.#links.get(peerIdOfKey(remoteKey))?.accepted === true;
  }

  /** Dropped frames and refused connections so far, by reason. */
  stats(): { peers: PeerId[]; dropped: Partial<Record<DropReason, number>> } {
    return {
      peers: [...this.#links.values()].filter((l) => l.announced).map((l) => l.peerId),
      dropped: Object.fromEntries(this.#dropped),
    };
  }

  #drop(reason: DropReason, remoteKey: string, link?: Link): void {
    this.#dropped.set(reason, (this.#dropped.get(reason) ?? 0) + 1);
    this.#options.onDrop?.(reason, remoteKey);
    if (link && ++link.drops > this.#limits.maxDropsBeforeClose) link.connection.close();
  }

  /**
   * Takes an authenticated connection (from listenSecure's onConnection or connectSecure). The
   * connection is closed at once unless the remote key is on the roster.
   */
  addConnection(connection: SecureConnection, firstFrame?: Uint8Array): void {
    if (connection.closed) return;
    if (this.#stopped) return connection.close();
    if (this.peerId === undefined) {
      // Not attached to its repo yet; a bounded wait, since a listener may already be up.
      if (this.#pending.length >= MAX_PENDING) return connection.close();
      this.#pending.push({ connection, firstFrame });
      return;
    }
    const remoteKey = connection.remoteKey;
    let member = false;
    try {
      member = this.#options.isMember(remoteKey);
    } catch {
      member = false;
    }
    if (!member) {
      this.#drop("not-member", remoteKey);
      return connection.close();
    }
    const ourId = this.peerId;
    const peerId = peerIdOfKey(remoteKey);
    if (peerId === ourId) {
      // Our own key on the other end: a loop (or a stolen key); never a peer to sync with.
      this.#drop("duplicate", remoteKey);
      return connection.close();
    }
    const existing = this.#links.get(peerId);
    if (existing) {
      // Both devices dialled each other at once. Each side keeps the connection whose dialler has
      // the smaller peer id, so both keep the same one; a redial from the same side replaces the
      // old connection (it is most likely dead).
      const dialler = (c: SecureConnection): string => (c.isInitiator ? ourId : peerId);
      const fresh = dialler(connection);
      const old = dialler(existing.connection);
      this.#drop("duplicate", remoteKey);
      if (fresh !== old && fresh > old) return connection.close();
      this.#links.delete(peerId);
      existing.connection.close();
      // The repo must hear that the old link is gone: otherwise it takes the new one's hello for
      // a peer it already has, keeps every document's sync state from the dead link (messages it
      // believes in flight), and some documents never sync again on the new one.
      if (existing.announced) this.emit("peer-disconnected", { peerId });
    }
    const link: Link = {
      connection,
      peerId,
      accepted: false,
      announced: false,
      catchUp: undefined,
      peerMetadata: undefined,
      messages: new TokenBucket(this.#limits.messagesPerSecond, this.#limits.messageBurst),
      ephemeral: new TokenBucket(this.#limits.ephemeralPerSecond, this.#limits.ephemeralBurst),
      documents: new Set(),
      documentBytes: new Map(),
      drops: 0,
      queue: [],
      queuedBytes: 0,
      draining: false,
      since: Date.now(),
      storageId: undefined,
    };
    this.#links.set(peerId, link);

    const helloTimer = setTimeout(() => {
      if (!link.accepted) {
        this.#drop("hello-timeout", remoteKey);
        connection.close();
      }
    }, this.#limits.helloTimeoutMs);
    helloTimer.unref();

    connection.onClose(() => {
      clearTimeout(helloTimer);
      if (link.catchUp?.timer) clearTimeout(link.catchUp.timer);
      if (link.catchUp && !link.announced)
        this.#options.catchUp?.finished?.(remoteKey, {
          received: link.catchUp.received,
          complete: false,
        });
      if (this.#links.get(peerId) !== link) return;
      this.#links.delete(peerId);
      if (link.announced) this.emit("peer-disconnected", { peerId });
    });
    connection.send(
      encodeHello({
        community: this.#options.communityId,
        isEphemeral: this.peerMetadata?.isEphemeral ?? false,
        ...(this.peerMetadata?.storageId === undefined
          ? {}
          : { storageId: this.peerMetadata.storageId }),
        ...(this.#options.catchUp ? { catchUp: true } : {}),
      }),
    );
    // The listening side's router has already read the dialler's hello to pick this community.
    if (firstFrame) this.#enqueue(link, firstFrame);
    connection.onMessage((bytes) => this.#enqueue(link, bytes));
  }

  /**
   * Rate limiting slows a peer down rather than dropping its sync messages (the Automerge sync
   * protocol assumes none are lost): past its budget the connection is paused, so TCP pushes back
   * on the sender, and the queue drains as tokens refill. A peer that still piles up more than
   * maxQueuedBytes is closed.
   */
  #enqueue(link: Link, bytes: Uint8Array): void {
    if (link.connection.closed) return;
    link.queue.push(bytes);
    link.queuedBytes += bytes.byteLength;
    if (link.queuedBytes > this.#limits.maxQueuedBytes) {
      this.#drop("rate", link.connection.remoteKey, link);
      link.queue.length = 0;
      link.queuedBytes = 0;
      return link.connection.close();
    }
    this.#drain(link);
  }

  #drain(link: Link): void {
    if (link.draining) return;
    link.draining = true;
    try {
      while (link.queue.length > 0 && !link.connection.closed) {
        if (!link.messages.take()) {
          link.connection.pause();
          const wait = Math.ceil(1000 / this.#limits.messagesPerSecond);
          link.draining = false;
          setTimeout(() => this.#drain(link), wait).unref();
          return;
        }
        const bytes = link.queue.shift() as Uint8Array;
        link.queuedBytes -= bytes.byteLength;
        const pending = this.#receive(link, bytes);
        if (pending) {
          // A catch-up batch is being kept: nothing more is read until it is (TCP pushes back).
          link.connection.pause();
          const next = () => {
            link.draining = false;
            this.#drain(link);
          };
          pending.then(next, next);
          return;
        }
      }
      if (!link.connection.closed) link.connection.resume();
      link.draining = false;
    } catch (e) {
      link.draining = false;
      throw e;
    }
  }

  /** Handles one frame; returns a promise when the next frame must wait for it (catch-up). */
  #receive(link: Link, bytes: Uint8Array): Promise<void> | undefined {
    const remoteKey = link.connection.remoteKey;
    if (link.connection.closed || this.#links.get(link.peerId) !== link) return;
    const decoded = decodeFrame(bytes);
    if (decoded === undefined) return void this.#drop("undecodable", remoteKey, link);

    if (!link.accepted) {
      const hello = validateHello(decoded);
      if (hello?.community !== this.#options.communityId) {
        // The first frame must be the hello; anything else is a confused or hostile peer.
        this.#drop("bad-hello", remoteKey);
        return void link.connection.close();
      }
      link.accepted = true;
      link.connection.markAccepted();
      const peerMetadata: PeerMetadata = { isEphemeral: hello.isEphemeral };
      // Whether the device keeps its own sync state is its business; under which name this device
      // keeps it is not (storageIdOfKey).
      if (hello.storageId !== undefined) peerMetadata.storageId = storageIdOfKey(remoteKey);
      link.storageId = peerMetadata.storageId;
      link.peerMetadata = peerMetadata;
      if (this.#options.catchUp && hello.catchUp) this.#startCatchUp(link, this.#options.catchUp);
      else this.#announce(link);
      return;
    }

    const heads = validateHeadsFrame(decoded);
    if (heads) return void this.#headsFrame(link, heads);

    const catchUp = validateCatchUp(decoded, this.#limits.maxBytesPerDocument);
    if (catchUp) return this.#catchUpFrame(link, catchUp);

    if (!link.announced) {
      // The other side finished its catch-up and its repo began to sync before this side finished
      // its own: held, in order, until the repo here hears of the peer.
      const held = link.catchUp;
      if (!held) return void this.#drop("bad-shape", remoteKey, link);
      held.held.push(bytes);
      held.heldBytes += bytes.byteLength;
      if (held.heldBytes > this.#limits.maxQueuedBytes) {
        this.#drop("rate", remoteKey, link);
        link.connection.close();
      }
      return;
    }
    this.#receiveRepo(link, decoded);
  }

  /** A repo message from an announced link: checked, then given to the repo. */
  #receiveRepo(link: Link, decoded: unknown): void {
    const remoteKey = link.connection.remoteKey;
    const message = validateRepoMessage(decoded, this.#limits.maxDataBytes);
    if (!message) return this.#drop("bad-shape", remoteKey, link);
    if (message.targetId !== this.peerId) return this.#drop("wrong-target", remoteKey, link);
    // Presence under any id but the device's own and its windows' is dropped; never counted
    // against the link, so a device of an older version, which relayed others' presence, stays.
    const own = message.senderId === link.peerId;
    if (!own && !this.#ownWindow(link, message))
      return this.#drop(
        "spoofed-sender",
        remoteKey,
        message.type === "ephemeral" ? undefined : link,
      );
    if (message.type === "ephemeral" && !link.ephemeral.take())
      return this.#drop("ephemeral-rate", remoteKey, own ? link : undefined);

    if ("documentId" in message) {
      const id = message.documentId;
      if (!link.documents.has(id)) {
        if (link.documents.size >= this.#limits.maxDocumentsPerPeer)
          return this.#drop("too-many-documents", remoteKey, link);
        link.documents.add(id);
      }
      if (message.type === "sync") {
        const before = link.documentBytes.get(id) ?? 0;
        const after = before + message.data.byteLength;
        if (after > this.#limits.maxBytesPerDocument) {
          if (before <= this.#limits.maxBytesPerDocument) {
            link.documentBytes.set(id, after);
            this.#options.onBudgetSpent?.(id, remoteKey);
          }
          // Not counted toward closing: the link stays useful for every other document.
          return this.#drop("document-budget", remoteKey);
        }
        link.documentBytes.set(id, after);
      }
      if (this.#options.hasDocument && !this.#options.hasDocument(id)) {
        this.#drop("unknown-document", remoteKey);
        // A request is answered, so the asker stops waiting; anything else about a document this
        // community does not list (a pushed document, presence for it) is dropped unseen: the repo
        // would otherwise create, and store, a handle for it. A document a member has just created
        // is fetched once the index that lists it arrives.
        if (message.type === "request")
          this.#sendTo(link, {
            type: "doc-unavailable",
            senderId: this.peerId,
            targetId: link.peerId,
            documentId: id,
          });
        return;
      }
    }
    this.emit("message", message);
    if (message.type === "sync") this.#options.onSyncMessage?.(message.documentId);
  }

  /** Tells the repo of the peer; frames held meanwhile are handled now, in order. */
  #announce(link: Link): void {
    if (link.announced || link.connection.closed) return;
    link.announced = true;
    const catchUp = link.catchUp;
    if (catchUp?.timer) clearTimeout(catchUp.timer);
    if (catchUp)
      this.#options.catchUp?.finished?.(link.connection.remoteKey, {
        received: catchUp.received,
        complete: catchUp.gotEnd && catchUp.gotDone,
      });
    this.emit("peer-candidate", { peerId: link.peerId, peerMetadata: link.peerMetadata ?? {} });
    this.#markReady();
    for (const bytes of catchUp?.held.splice(0) ?? []) {
      const decoded = decodeFrame(bytes);
      if (decoded !== undefined) this.#receiveRepo(link, decoded);
    }
    if (catchUp) catchUp.heldBytes = 0;
  }

  #startCatchUp(link: Link, hooks: CatchUpHooks): void {
    const catchUp: CatchUp = {
      sentEnd: false,
      gotEnd: false,
      sentDone: false,
      gotDone: false,
      asked: false,
      received: 0,
      lastProgress: performance.now(),
      timer: undefined,
      held: [],
      heldBytes: 0,
    };
    link.catchUp = catchUp;
    const watch = () => {
      if (link.announced || link.connection.closed) return;
      const idle = performance.now() - catchUp.lastProgress;
      if (idle >= CATCH_UP_IDLE_MS) {
        this.#drop("catch-up", link.connection.remoteKey);
        return this.#announce(link);
      }
      catchUp.timer = setTimeout(watch, CATCH_UP_IDLE_MS - idle);
      catchUp.timer.unref();
    };
    watch();
    void hooks
      .have()
      .catch(() => ({ have: [], heads: {} }))
      .then((ask) => {
        if (!link.connection.closed) link.connection.send(encodeCatchUp({ kind: "ask", ...ask }));
      });
  }

  /** One catch-up frame; a batch of documents returns the promise of keeping it. */
  #catchUpFrame(link: Link, frame: CatchUpFrame): Promise<void> | undefined {
    const hooks = this.#options.catchUp;
    const catchUp = link.catchUp;
    const remoteKey = link.connection.remoteKey;
    // Only during a catch-up both sides offered, and each kind in its place.
    if (!hooks || !catchUp || link.announced) return void this.#drop("bad-shape", remoteKey, link);
    catchUp.lastProgress = performance.now();
    switch (frame.kind) {
      case "ask":
        if (catchUp.asked) return void this.#drop("bad-shape", remoteKey, link);
        catchUp.asked = true;
        void this.#answer(link, hooks, frame);
        return;
      case "docs":
        if (catchUp.gotEnd) return void this.#drop("bad-shape", remoteKey, link);
        catchUp.received += frame.docs.length;
        return hooks.receive(frame.docs, remoteKey).then(
          () => void (catchUp.lastProgress = performance.now()),
          () => void this.#drop("catch-up", remoteKey, link),
        );
      case "end":
        if (catchUp.gotEnd) return void this.#drop("bad-shape", remoteKey, link);
        // Every batch before it was checked (frames are handled one after another); once all
        // are kept: done.
        catchUp.gotEnd = true;
        return hooks.settled(remoteKey).then((heads) => {
          if (link.connection.closed) return;
          link.connection.send(encodeCatchUp({ kind: "done", heads }));
          catchUp.sentDone = true;
          if (catchUp.gotDone) this.#announce(link);
        });
      default:
        // Only after our end: the other side cannot have kept what it was not yet sent.
        if (catchUp.gotDone || !catchUp.sentEnd)
          return void this.#drop("bad-shape", remoteKey, link);
        catchUp.gotDone = true;
        hooks.confirmed(remoteKey, frame.heads);
        if (catchUp.sentDone) this.#announce(link);
        return;
    }
  }

  /** Sends what the other device lacks, batch by batch, waiting while the socket is full. */
  async #answer(
    link: Link,
    hooks: CatchUpHooks,
    ask: { have: string[]; heads: Record<string, string[]> },
  ): Promise<void> {
    const catchUp = link.catchUp;
    if (!catchUp) return;
    let sent = 0;
    try {
      for await (const docs of hooks.send(ask, link.connection.remoteKey)) {
        if (link.connection.closed) return;
        if (docs.length === 0) continue;
        if (!link.connection.send(encodeCatchUp({ kind: "docs", docs })))
          this.#drop("send-too-large", link.connection.remoteKey);
        else sent += docs.length;
        catchUp.lastProgress = performance.now();
        await link.connection.whenWritable?.();
      }
    } catch {
      // What could not be read here is left to the repo's sync; the end is still sent.
      this.#drop("catch-up", link.connection.remoteKey);
    }
    if (link.connection.closed) return;
    link.connection.send(encodeCatchUp({ kind: "end", sent }));
    catchUp.sentEnd = true;
  }

  /**
   * automerge-repo passes on presence (ephemeral messages) with the senderId of the window that
   * wrote it; the other device sends its own windows' presence under ids bound to its key
   * (windowIdOf). Those are accepted as presence only: never stored, rate-limited, and
   * automerge-repo still checks access. Data never comes under a window's id.
   */
  #ownWindow(link: Link, message: RepoMessage): boolean {
    return message.type === "ephemeral" && isWindowOf(message.senderId, link.peerId);
  }

  #sendTo(link: Link, message: Message): void {
    const bytes = encodeFrame(message);
    if (!link.connection.send(bytes)) this.#drop("send-too-large", link.connection.remoteKey);
  }

  send(message: Message): void {
    const link = this.#links.get(message.targetId);
    if (!link?.announced) return;
    if (message.senderId === this.peerId) return this.#sendTo(link, message);
    // Besides our own messages, only presence from this device's own windows leaves, under ids
    // bound to our key. Presence automerge-repo passes on from another device (its ids are bound
    // to that device) is not: devices link directly, and relaying would let one member speak to
    // the others through us.
    if (message.type !== "ephemeral" || !isLocalWindow(message.senderId)) return;
    const senderId = windowIdOf(this.peerId as PeerId, message.senderId);
    if (senderId.length > MAX_WIRE_ID) return;
    this.#sendTo(link, { ...message, senderId });
  }
}

/**
 * automerge-repo's shareConfig for a community repo: only roster members' devices and this
 * device's own UI windows may read or receive its documents. `announce` never exceeds `access`,
 * because announce bypasses access in automerge-repo (its shareConfig checks `access` only for
 * documents it does not announce), so announcing must never widen it.
 */
export function communityShareConfig(options: {
  isMemberPeerId: (peerId: PeerId) => boolean;
  /** Restricts access further to this community's own documents, when known. */
  hasDocument?: (documentId: DocumentId) => boolean;
  /**
   * A document known to be the same on that peer already (after a catch-up): not announced, so
   * the repo starts no exchange for it; access is unchanged, so a request is still answered.
   */
  quiet?: (peerId: PeerId, documentId: DocumentId) => boolean;
}): {
  announce: (peerId: PeerId, documentId?: DocumentId) => Promise<boolean>;
  access: (peerId: PeerId, documentId: DocumentId) => Promise<boolean>;
} {
  const allowed = (peerId: PeerId, documentId?: DocumentId): boolean => {
    // This device's own windows create documents before the index lists them (a new story), so
    // they are not held to the list; they never reach the network under a "ui-" id (the adapter
    // refuses data from such ids).
    if (peerId.startsWith(LOCAL_UI_PREFIX)) return true;
    if (!options.isMemberPeerId(peerId)) return false;
    if (documentId === undefined || !options.hasDocument) return true;
    return options.hasDocument(documentId);
  };
  return {
    // A window is sent what it asks for, never everything the peer happens to load (search reads a
    // whole community): pushing every document into every window costs it time and memory.
    announce: (peerId, documentId) =>
      Promise.resolve(
        !peerId.startsWith(LOCAL_UI_PREFIX) &&
          allowed(peerId, documentId) &&
          !(documentId !== undefined && options.quiet?.(peerId, documentId)),
      ),
    access: (peerId, documentId) => Promise.resolve(allowed(peerId, documentId)),
  };
}

/**
 * The listening side's `onConnection` when one listener serves several communities: reads the
 * dialler's hello, which names a community, and hands the connection to that community's adapter
 * (which then checks that community's roster). An unknown community, a bad hello or none in time
 * closes the connection with nothing sent, exactly as a non-member is treated, so a stranger
 * cannot tell which communities this device has.
 */
export function communityRouter(
  adapterFor: (communityId: string) => SecureNetworkAdapter | undefined,
  helloTimeoutMs = DEFAULT_ADAPTER_LIMITS.helloTimeoutMs,
): (connection: SecureConnection) => void {
  return (connection) => {
    let routed = false;
    let handler: ((bytes: Uint8Array) => void) | undefined;
    const timer = setTimeout(() => {
      if (!routed) connection.close();
    }, helloTimeoutMs);
    timer.unref();
    connection.onClose(() => clearTimeout(timer));
    // The adapter registers its handler synchronously inside addConnection (or, if its repo is
    // not connected yet, later): frames in between wait here with the connection paused.
    const waiting: Uint8Array[] = [];
    const view: SecureConnection = {
      remoteKey: connection.remoteKey,
      remoteAddress: connection.remoteAddress,
      isInitiator: connection.isInitiator,
      get closed() {
        return connection.closed;
      },
      send: (bytes) => connection.send(bytes),
      whenWritable: () => connection.whenWritable?.() ?? Promise.resolve(),
      onMessage(h) {
        handler = h;
        for (const bytes of waiting.splice(0)) h(bytes);
        connection.resume();
      },
      onClose: (h) => connection.onClose(h),
      pause: () => connection.pause(),
      resume: () => connection.resume(),
      markAccepted: () => connection.markAccepted(),
      close: () => connection.close(),
    };
    connection.onMessage((bytes) => {
      if (routed) {
        if (handler) return handler(bytes);
        waiting.push(bytes);
        return connection.pause();
      }
      routed = true;
      clearTimeout(timer);
      const hello = validateHello(decodeFrame(bytes));
      const adapter = hello ? adapterFor(hello.community) : undefined;
      if (!adapter) return connection.close();
      adapter.addConnection(view, bytes);
    });
  };
}
