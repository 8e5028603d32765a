// LAN sync for every community on this device (docs/DESIGN.md, "Trust and access"):
// - one TCP port per device: Noise (secret-stream) links, routed to a community by the dialler's
//   hello (communityRouter), and the invite handshake on the same port (told apart by its first
//   8 bytes);
// - per community, one SecureNetworkAdapter on its Repo: the roster decides who may link, the index
//   decides which documents exist (anything else is refused, never relayed, never stored);
// - dialling: member devices at the addresses an invite, discovery or a person gave, with backoff;
// - replication: once a device is linked, every document the index lists is opened, so it syncs;
// - status: peers here now, first-sync progress, and "in sync — safe to leave" from the heads each
//   linked device last reported (status.ts).
// This file ties them together; each community's state is communitySync.ts, dialling dialler.ts,
// invites and joining admission.ts, what the Sync screen shows report.ts.
import type { AutomergeUrl, DocHandle, PeerId } from "@automerge/automerge-repo";
import { networkInterfaces } from "node:os";
import type {
  CommunitySummary,
  InviteInfo,
  MemberInfo,
  PeerEvents,
  SyncGap,
  SyncStatus,
} from "../../shared/contract.ts";
import { asDeviceKey, type CommunityId } from "../../shared/ids.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Roster } from "../../shared/schema/roster.ts";
import { communityNotHere, type OpenCommunity } from "../communities.ts";
import type { BonjourLike } from "../net/bonjour.ts";
import { startDiscovery, type Discovery } from "../net/discovery.ts";
import { communityTag } from "../net/discoveryRecord.ts";
import { DEFAULT_ADAPTER_LIMITS, type AdapterLimits, type TransportLimits } from "../net/limits.ts";
import { SecureNetworkAdapter, communityRouter, peerIdOfKey } from "../net/secureAdapter.ts";
import {
  keyPairFromDevice,
  listenSecure,
  type SecureKeyPair,
  type SecureListener,
} from "../net/transport.ts";
import type { DeviceKeyPair } from "../trust/deviceKey.ts";
import { MAX_ADDRESSES } from "../trust/inviteCode.ts";
import { removeMember } from "../trust/roster.ts";
import { Admission, type JoinRequestArgs } from "./admission.ts";
import { catchUpHooks } from "./catchUp.ts";
import { CommunitySync, headsOf } from "./communitySync.ts";
import { Dialler } from "./dialler.ts";
import { foundCommunity, rosterUrl } from "./membership.ts";
import { SyncLoopGuard } from "./loopGuard.ts";
import { communityStatus, memberList } from "./report.ts";
import { CommunityTrust } from "./trust.ts";

export type SyncConfig = {
  /** Where to accept links: 0.0.0.0 for the LAN; tests use 127.0.0.1. Port 0 picks a free one. */
  listen: { host: string; port: number };
  /** host:port put in invites instead of this device's own addresses (a relay, a port forward). */
  advertise?: string[];
  /** Devices to link to at start, by host:port (their key is learnt from the handshake). */
  connect?: string[];
  transportLimits?: Partial<TransportLimits>;
  adapterLimits?: Partial<AdapterLimits>;
  /** How often unlinked members are dialled again at most (ms); doubles per failure up to 10 s. */
  retryMs?: number;
  /** When the port is taken, listen on any free one instead of failing (the default port). */
  anyPortIfTaken?: boolean;
  /** Announce this device and look for others with mDNS (never in tests: no multicast there). */
  discovery?: boolean | { bonjour: BonjourLike };
};

/** What the service needs from the peer that owns it. */
export type SyncHost = {
  readonly dataDir: string;
  readonly device: DeviceKeyPair;
  displayName(): string;
  now(): number;
  community(id: string): OpenCommunity | undefined;
  communityIds(): CommunityId[];
  /** Opens (and remembers) a community known by id only; its documents come from peers. */
  joinCommunity(id: string): Promise<Result<CommunitySummary>>;
  emit<E extends keyof PeerEvents>(name: E, data: PeerEvents[E]): void;
  /** The name a joiner gave becomes the profile's when the person never chose one. */
  adoptName(name: string): Promise<void>;
};

/** Invite hints heard over mDNS, remembered this long (an invite lives 10 minutes). */
const HINT_MEMORY_MS = 10 * 60_000;
const MAX_HINTS_HEARD = 256;

/**
 * A community on this device that does not sync (its index unread and no key here, or its sync
 * still starting).
 */
const CANNOT_SYNC_YET =
  "That community cannot sync on this device yet, so no invite was made. Wait until it has loaded (the list of communities says if it is damaged), then invite again.";
const ROSTER_LOAD_MS = 5_000;
const DIAL_TICK_MS = 1_000;
/** Documents opened per step of replication, so a 1,000-document community never stalls the peer. */
const REPLICATE_BATCH = 50;

export class SyncService {
  readonly #host: SyncHost;
  readonly #config: SyncConfig;
  readonly #keyPair: SecureKeyPair;
  readonly #communities = new Map<CommunityId, CommunitySync>();
  readonly #dialler: Dialler;
  readonly #admission: Admission;
  #listener: SecureListener | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #discovery: Discovery | undefined;
  #discoveryState: SyncStatus["discovery"] = "off";
  #discoveryProblem: string | undefined;
  readonly #changed = new Set<CommunityId>();
  /** Invite hint → where a device advertising it was heard, and when (performance.now()). */
  readonly #hintsHeard = new Map<string, { addresses: string[]; at: number }>();
  readonly #hintWaiters = new Set<(hint: string) => void>();
  #changeTimer: NodeJS.Timeout | undefined;

  constructor(host: SyncHost, config: SyncConfig) {
    this.#host = host;
    this.#config = config;
    this.#keyPair = keyPairFromDevice(host.device);
    this.#dialler = new Dialler({
      keyPair: this.#keyPair,
      self: host.device.publicKey,
      retryMs: config.retryMs,
      transportLimits: config.transportLimits,
      connect: config.connect,
      closed: () => this.#closed,
    });
    this.#admission = new Admission({
      dataDir: host.dataDir,
      device: host.device,
      displayName: () => host.displayName(),
      now: () => host.now(),
      community: (id) => host.community(id),
      syncOf: (id) => this.#communities.get(id),
      joinCommunity: (id) => host.joinCommunity(id),
      dial: (sync) => this.#dialler.dial(sync),
      notify: (id) => this.#notify(id),
      joined: (event) => {
        this.#host.emit("sync:joined", event);
        this.#discovery?.update();
      },
      findInviter: (hint, waitMs) => this.#findInviter(hint, waitMs),
      adoptName: (name) => host.adoptName(name),
    });
  }

  get self(): string {
    return this.#host.device.publicKey;
  }

  /** Starts listening and dialling. Throws a readable error when the port cannot be opened. */
  async start(): Promise<void> {
    await this.#admission.open();
    const router = communityRouter((id) => this.#communities.get(id as CommunityId)?.adapter);
    const listen = (port: number) =>
      listenSecure({
        keyPair: this.#keyPair,
        host: this.#config.listen.host,
        port,
        onConnection: router,
        // Decided at the handshake, before anything else is read: a key no community here may
        // link is a stranger, and never holds a connection slot or buffers a byte.
        admit: (key) => [...this.#communities.values()].some((sync) => sync.mayLink(key)),
        ...(this.#config.transportLimits ? { limits: this.#config.transportLimits } : {}),
        claim: { bytes: 8, take: (first, socket) => this.#admission.claim(first, socket) },
      });
    try {
      this.#listener = await listen(this.#config.listen.port);
    } catch (e) {
      if (!this.#config.anyPortIfTaken || (e as NodeJS.ErrnoException).code !== "EADDRINUSE")
        throw e;
      this.#listener = await listen(0);
    }
    this.#timer = setInterval(() => this.#dialAll(), DIAL_TICK_MS);
    this.#timer.unref();
    this.#dialAll();
    if (this.#config.discovery) this.#startDiscovery(this.#config.discovery);
  }

  /**
   * mDNS: this device advertises its port and one tag per community (an HMAC of the community key
   * and its device key: members recognise it, strangers learn nothing); devices found are only
   * dialled when a tag matches a community here, and the handshake and roster decide the rest.
   */
  #startDiscovery(option: true | { bonjour: BonjourLike }): void {
    const port = this.#listener?.port;
    if (port === undefined) return;
    try {
      this.#discovery = startDiscovery({
        deviceKey: this.self,
        port,
        tags: () => this.#trusts().map((t) => communityTag(t.communityKey, this.self)),
        hints: () => this.#admission.openHints(),
        onPeer: (peer) => {
          // Hearing anyone means it works (again): an earlier error was passing.
          this.#discoveryState = "on";
          for (const hint of peer.inviteHints) this.#heardHint(hint, `${peer.host}:${peer.port}`);
          this.discovered(peer.deviceKey, `${peer.host}:${peer.port}`, (trust) =>
            peer.communityTags.includes(communityTag(trust.communityKey, peer.deviceKey)),
          );
        },
        onError: (message) => {
          this.#discoveryProblem = message;
          this.#discoveryState = "failed";
        },
        ...(option === true ? {} : { bonjour: option.bonjour }),
      });
      this.#discoveryState = "on";
    } catch (e) {
      this.#discoveryState = "failed";
      this.#discoveryProblem = (e as Error).message;
    }
  }

  /** host:port where this device accepts links. */
  listening(): string[] {
    if (!this.#listener) return [];
    const port = this.#listener.port;
    const host = this.#config.listen.host;
    if (host !== "0.0.0.0" && host !== "::") return [`${host}:${port}`];
    const out: string[] = [];
    for (const list of Object.values(networkInterfaces()))
      for (const a of list ?? [])
        if (!a.internal && a.family === "IPv4") out.push(`${a.address}:${port}`);
    return out.length > 0 ? out : [`127.0.0.1:${port}`];
  }

  get discovering(): boolean {
    return this.#discoveryState === "on";
  }

  get port(): number | undefined {
    return this.#listener?.port;
  }

  /**
   * Starts syncing a community that is open on this device. A community with no trust record was
   * made before rosters existed (or just now, by `found`): this device is its founder.
   */
  async attach(community: OpenCommunity): Promise<void> {
    if (this.#communities.has(community.id) || this.#closed) return;
    let trust = await CommunityTrust.load(this.#host.dataDir, community.id);
    let roster: DocHandle<Roster> | undefined;
    if (!trust) {
      if (!community.index) return; // nothing here to found on; it cannot sync
      ({ trust, roster } = await foundCommunity({
        dataDir: this.#host.dataDir,
        community,
        deviceKey: this.self,
        name: this.#host.displayName(),
        now: this.#host.now(),
      }));
    }
    const sync = new CommunitySync(community, trust, (s) => this.#makeAdapter(s));
    this.#communities.set(community.id, sync);
    // Behind a guard: an exchange with a member device that goes round without progress is reset,
    // not left to starve the other links (loopGuard.ts).
    community.repo.networkSubsystem.addNetworkAdapter(new SyncLoopGuard(sync.adapter));
    // Dial at once: a device that just joined has only its inviter to learn the roster from.
    this.#dialler.dial(sync);
    await this.#watchRoster(sync, roster);
    this.#watchIndex(sync);
    this.#discovery?.update();
  }

  #makeAdapter(sync: CommunitySync): SecureNetworkAdapter {
    const adapter = new SecureNetworkAdapter({
      communityId: sync.community.id,
      isMember: (key) => sync.mayLink(key),
      hasDocument: (id) => sync.has(id),
      // Ready at once. automerge-repo holds every lookup of a document it lacks until all adapters
      // are ready; waiting here for devices that may never come stalled windows (a story page
      // reloaded stayed "Loading…"). A document that arrives later still arrives: a handle once
      // "unavailable" turns ready when a linked device sends it, and lasting gaps are re-asked.
      limits: { readyTimeoutMs: 0, ...this.#config.adapterLimits },
      headsOf: (id) => {
        const handle = sync.community.repo.handles[id as never] as DocHandle<unknown> | undefined;
        return handle?.isReady() ? [...headsOf(handle)] : undefined;
      },
      onHeads: (remoteKey, heads) => {
        const mine = sync.reported.get(remoteKey) ?? new Map<string, string[]>();
        for (const [id, list] of Object.entries(heads)) mine.set(id, list);
        sync.reported.set(remoteKey, mine);
        this.#notify(sync.id);
      },
      onBudgetSpent: (documentId, remoteKey) => {
        const keys = sync.overBudget.get(documentId) ?? new Set<string>();
        sync.overBudget.set(documentId, keys.add(remoteKey));
        this.#notify(sync.id);
      },
      onSyncMessage: (documentId) => sync.sawSyncMessage(documentId),
      catchUp: catchUpHooks(sync, {
        maxBytesPerDocument:
          this.#config.adapterLimits?.maxBytesPerDocument ??
          DEFAULT_ADAPTER_LIMITS.maxBytesPerDocument,
        onProgress: () => this.#notify(sync.id),
      }),
    });
    adapter.on("peer-candidate", () => {
      this.#replicate(sync);
      this.#notify(sync.id);
    });
    adapter.on("peer-disconnected", ({ peerId }) => {
      for (const key of sync.reported.keys())
        if (peerIdOfKey(key) === peerId) sync.reported.delete(key);
      this.#notify(sync.id);
    });
    return adapter;
  }

  /** The share config's member test for a community's repo (peer id → roster). */
  isMemberPeerId(communityId: string, peerId: PeerId): boolean {
    const sync = this.#communities.get(communityId as CommunityId);
    if (!sync) return false;
    const link = sync.adapter.links().find((l) => l.peerId === peerId);
    return link !== undefined && sync.mayLink(link.remoteKey);
  }

  /** The share config's "leave it alone" test (communitySync.ts, markQuiet). */
  isQuiet(communityId: string, peerId: PeerId, documentId: string): boolean {
    return this.#communities.get(communityId as CommunityId)?.isQuiet(documentId, peerId) ?? false;
  }

  hasDocument(communityId: string, documentId: string): boolean {
    return this.#communities.get(communityId as CommunityId)?.has(documentId) ?? false;
  }

  async #watchRoster(sync: CommunitySync, created: DocHandle<Roster> | undefined): Promise<void> {
    const { repo } = sync.community;
    const handle = created ?? repo.findWithProgress<Roster>(rosterUrl(sync.id)).handle;
    const recheck = () => {
      if (this.#closed) return;
      if (handle.isReady()) sync.roster = handle;
      sync.adapter.recheckMembers();
      repo.shareConfigChanged();
      this.#notify(sync.id);
    };
    handle.on("change", recheck);
    // A roster that arrives from a peer becomes ready right after "heads-changed" (as an index
    // does: see peerNode.ts).
    handle.on("heads-changed", () => queueMicrotask(recheck));
    // The roster on disk is loaded before the community counts as attached (an invite right
    // after start needs it); one that must come from a peer is not waited for.
    await Promise.race([
      handle.whenReady(["ready", "unavailable", "deleted"]).catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, ROSTER_LOAD_MS).unref()),
    ]);
    if (handle.isReady()) sync.roster = handle;
  }

  #watchIndex(sync: CommunitySync): void {
    const watch = (index: DocHandle<CommunityIndex>) => {
      index.on("change", () => {
        sync.refreshListed();
        if (sync.replicating) this.#replicate(sync);
        this.#notify(sync.id);
      });
    };
    if (sync.community.index) {
      watch(sync.community.index);
      // It may have changed (arrived, even) while attach() waited for the roster.
      sync.refreshListed();
      if (sync.replicating) this.#replicate(sync);
      this.#notify(sync.id);
    } else {
      // A joined community: the index arrives from the inviter (PeerNode takes it then).
      const poll = setInterval(() => {
        if (this.#closed) return clearInterval(poll);
        if (!sync.community.index) return;
        clearInterval(poll);
        sync.refreshListed();
        watch(sync.community.index);
        // Opened once a device is linked (peer-candidate): during a catch-up they arrive whole.
        if (sync.replicating) this.#replicate(sync);
        this.#notify(sync.id);
      }, 100);
      poll.unref();
    }
  }

  /**
   * Opens every listed document, a batch per step, so that each syncs with linked devices. A
   * document a catch-up moved whole between this device and another is the same on both and is
   * left closed (1,000 of them opened at once kept both devices busy for seconds): a window, a
   * change on either side or a difference the status finds (#openDiffering) opens it.
   */
  #replicate(sync: CommunitySync): void {
    sync.replicating = true;
    const todo = [...sync.listed].filter((id) => !sync.opened.has(id) && !sync.caughtUp.has(id));
    if (todo.length === 0) return;
    const step = (from: number) => {
      if (this.#closed) return;
      for (const id of todo.slice(from, from + REPLICATE_BATCH)) {
        if (sync.opened.has(id)) continue;
        const { handle } = sync.community.repo.findWithProgress(`automerge:${id}` as AutomergeUrl);
        sync.opened.set(id, handle);
        handle.on("heads-changed", () => this.#notify(sync.id));
      }
      this.#notify(sync.id);
      if (from + REPLICATE_BATCH < todo.length) setImmediate(() => step(from + REPLICATE_BATCH));
    };
    step(0);
  }

  /**
   * A document left closed after a catch-up that now differs from a linked device is opened, so
   * the repo syncs it. The status is read on every dial tick for such communities, so this never
   * waits for a window to ask.
   */
  #openDiffering(sync: CommunitySync, gaps: readonly SyncGap[]): void {
    for (const gap of gaps) {
      const id = gap.documentId;
      if (gap.reason !== "differs" || sync.opened.has(id) || !sync.caughtUp.has(id)) continue;
      sync.caughtUp.delete(id);
      const { handle } = sync.community.repo.findWithProgress(`automerge:${id}` as AutomergeUrl);
      sync.opened.set(id, handle);
      handle.on("heads-changed", () => this.#notify(sync.id));
    }
  }

  /** Coalesces "something changed" into one event per community every 250 ms. */
  #notify(id: CommunityId): void {
    this.#changed.add(id);
    if (this.#changeTimer) return;
    this.#changeTimer = setTimeout(() => {
      this.#changeTimer = undefined;
      for (const communityId of this.#changed) this.#host.emit("sync:changed", { communityId });
      this.#changed.clear();
    }, 250);
    this.#changeTimer.unref();
  }

  // -------------------------------------------------------------------------------------------
  // Dialling (dialler.ts).

  #dialAll(): void {
    if (this.#closed) return;
    // An invite that lapsed stops being advertised (nothing is sent when the hints are the same).
    this.#discovery?.update();
    for (const sync of this.#communities.values()) {
      this.#dialler.dial(sync);
      if (sync.caughtUp.size > 0 && sync.adapter.links().length > 0) this.status(sync.community);
    }
  }

  /** A host:port typed by a person: dialled for every community until it answers. */
  connect(address: string): Result<null> {
    return this.#dialler.connect(address, this.#communities.values());
  }

  /** Discovery found a device; `tags` says which of our communities it advertises. */
  discovered(deviceKey: string, address: string, inCommunity: (trust: CommunityTrust) => boolean) {
    for (const sync of this.#communities.values()) {
      if (!inCommunity(sync.trust) || !sync.mayLink(deviceKey)) continue;
      sync.trust.rememberAddress(deviceKey, address);
      if (!sync.adapter.isLinked(deviceKey)) this.#dialler.attempt(sync, address, deviceKey);
    }
  }

  #heardHint(hint: string, address: string): void {
    const now = performance.now();
    const known = this.#hintsHeard.get(hint);
    this.#hintsHeard.delete(hint);
    if (this.#hintsHeard.size >= MAX_HINTS_HEARD) {
      const oldest = this.#hintsHeard.keys().next();
      if (!oldest.done) this.#hintsHeard.delete(oldest.value);
    }
    // Newest first, a few kept: a device on the LAN may repeat someone else's hint, and the join
    // tries each address until one proves the secret (invites.ts).
    const fresh = known && now - known.at < HINT_MEMORY_MS ? known.addresses : [];
    const addresses = [address, ...fresh.filter((a) => a !== address)].slice(0, MAX_ADDRESSES);
    this.#hintsHeard.set(hint, { addresses, at: now });
    for (const waiter of this.#hintWaiters) waiter(hint);
  }

  /** Where a device advertising this invite hint listens; waits up to `waitMs` to hear one. */
  #findInviter(hint: string, waitMs: number): Promise<string[]> {
    const known = this.#hintsHeard.get(hint);
    if (known && performance.now() - known.at < HINT_MEMORY_MS)
      return Promise.resolve([...known.addresses]);
    const discovery = this.#discovery;
    if (!discovery) return Promise.resolve([]);
    return new Promise((resolve) => {
      const done = (found: string[]) => {
        clearTimeout(timer);
        this.#hintWaiters.delete(waiter);
        resolve(found);
      };
      const waiter = (heard: string) => {
        const entry = this.#hintsHeard.get(heard);
        if (heard === hint && entry) done([...entry.addresses]);
      };
      const timer = setTimeout(() => done([]), waitMs);
      timer.unref();
      this.#hintWaiters.add(waiter);
      // Ask the LAN now rather than at the next periodic query.
      discovery.requery();
    });
  }

  #trusts(): CommunityTrust[] {
    return [...this.#communities.values()].map((s) => s.trust);
  }

  // -------------------------------------------------------------------------------------------
  // Invites (admission.ts).

  async invite(community: OpenCommunity): Promise<Result<InviteInfo>> {
    const sync = this.#communities.get(community.id);
    if (!sync) return err(ErrorCode.NotFound, CANNOT_SYNC_YET);
    const addresses = this.#listener
      ? (this.#config.advertise ?? this.listening()).slice(0, MAX_ADDRESSES)
      : undefined;
    const made = await this.#admission.invite(sync, addresses);
    // Advertise the new invite's hint at once, so a joiner with only the code finds this device.
    if (made.ok) this.#discovery?.update();
    return made;
  }

  /** Pairs with an inviter, then opens the community; its documents follow by sync. */
  join(args: JoinRequestArgs): Promise<Result<CommunitySummary>> {
    return this.#admission.join(args);
  }

  // -------------------------------------------------------------------------------------------
  // Members.

  members(community: OpenCommunity): Result<MemberInfo[]> {
    const sync = this.#communities.get(community.id);
    if (!sync) return communityNotHere();
    return memberList(sync, this.self);
  }

  removeMember(community: OpenCommunity, deviceKey: string): Result<null> {
    const sync = this.#communities.get(community.id);
    if (!sync?.roster || !sync.rosterDoc())
      return err(ErrorCode.NotFound, "That community's member list is not on this device.");
    if (deviceKey === this.self)
      return err(
        ErrorCode.BadInput,
        "This device cannot remove itself. Ask another member to remove it.",
      );
    let failure: Result<null> | undefined;
    sync.roster.change((d) => {
      const removed = removeMember(
        d,
        asDeviceKey(deviceKey),
        asDeviceKey(this.self),
        this.#host.now(),
      );
      if (!removed.ok) failure = err(removed.error.code, removed.error.message);
    });
    if (failure) return failure;
    sync.trust.forgetDevice(deviceKey);
    // The change listener closes its links; done here too so the caller sees it at once.
    sync.adapter.recheckMembers();
    sync.community.repo.shareConfigChanged();
    this.#notify(sync.id);
    return ok(null);
  }

  // -------------------------------------------------------------------------------------------
  // Status.

  status(community: OpenCommunity): Result<SyncStatus> {
    const sync = this.#communities.get(community.id);
    // A community here that does not sync (yet) is answered as one that is not here.
    if (!sync) return communityNotHere();
    const status = communityStatus(sync, {
      listening: this.listening(),
      discovery: this.#discoveryState,
      discoveryProblem: this.#discoveryProblem,
      maxBytesPerDocument:
        this.#config.adapterLimits?.maxBytesPerDocument ??
        DEFAULT_ADAPTER_LIMITS.maxBytesPerDocument,
    });
    // A gap that lasts is asked about again: a document still arriving is requested anew (a
    // window may have asked for it before the index listed it, and been told "unavailable").
    for (const gap of status.gaps) for (const key of gap.peers) sync.nudge(gap.documentId, key);
    this.#openDiffering(sync, status.gaps);
    return ok(status);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#changeTimer) clearTimeout(this.#changeTimer);
    await this.#discovery?.stop().catch(() => undefined);
    for (const sync of this.#communities.values()) sync.adapter.disconnect();
    await this.#listener?.close();
    await this.#admission.flush();
    await Promise.all([...this.#communities.values()].map((s) => s.trust.flush()));
  }
}
