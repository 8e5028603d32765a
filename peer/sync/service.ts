// LAN sync for every community on this device (DESIGN.md, "Trust and access"):
// - one TCP port per device: Noise (secret-stream) links, routed to a community by the dialler's
//   hello (communityRouter), and the invite handshake on the same port (told apart by its first
//   8 bytes);
// - per community, one SecureNetworkAdapter on its Repo: the roster decides who may link, the index
//   decides which documents exist (anything else is refused, never relayed, never stored);
// - dialling: member devices at the addresses an invite, discovery or a person gave, with backoff;
// - replication: once a device is linked, every document the index lists is opened, so it syncs;
// - status: peers here now, first-sync progress, and "in sync — safe to leave" from the heads each
//   linked device last reported (status.ts).
import type { AutomergeUrl, DocHandle, PeerId } from "@automerge/automerge-repo";
import { networkInterfaces } from "node:os";
import type { Socket } from "node:net";
import type {
  CommunitySummary,
  InviteInfo,
  MemberInfo,
  PeerEvents,
  SyncStatus,
} from "../../shared/contract.ts";
import { asDeviceKey, type CommunityId, type DeviceKey } from "../../shared/ids.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Roster } from "../../shared/schema/roster.ts";
import type { OpenCommunity } from "../communities.ts";
import { DEFAULT_ADAPTER_LIMITS, type AdapterLimits, type TransportLimits } from "../net/limits.ts";
import { SecureNetworkAdapter, communityRouter, peerIdOfKey } from "../net/secureAdapter.ts";
import {
  connectSecure,
  keyPairFromDevice,
  listenSecure,
  type SecureKeyPair,
  type SecureListener,
} from "../net/transport.ts";
import type { BonjourLike } from "../net/bonjour.ts";
import { startDiscovery, type Discovery } from "../net/discovery.ts";
import { communityTag } from "../net/discoveryRecord.ts";
import type { DeviceKeyPair } from "../trust/deviceKey.ts";
import { decodeInvite, MAX_ADDRESSES } from "../trust/inviteCode.ts";
import { InviteBook } from "../trust/inviteBook.ts";
import {
  isInvitePreamble,
  joinWithInvite,
  noiseKeyPairFromDevice,
  serveInvite,
  type RosterEntry,
} from "../trust/invites.ts";
import { addMember, isMember, listMembers, removeMember } from "../trust/roster.ts";
import {
  documentTitle,
  foundCommunity,
  indexEntries,
  listedDocuments,
  mayLink,
  readRoster,
  rosterUrl,
} from "./membership.ts";
import { findGaps, sameHeads, syncState, type DocFacts } from "./status.ts";
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
};

/** Invite sockets served at once; more get "busy" (each lasts at most the handshake timeout). */
const MAX_INVITE_SOCKETS = 8;
const MAX_RETRY_MS = 10_000;
const ROSTER_LOAD_MS = 5_000;
/** A document still differing from a linked device after this long gets a fresh sync round. */
const NUDGE_AFTER_MS = 1_500;
const DIAL_TICK_MS = 1_000;
/** Documents opened per step of replication, so a 1,000-document community never stalls the peer. */
const REPLICATE_BATCH = 50;

type Backoff = { next: number; delay: number; busy: boolean };

class CommunitySync {
  readonly adapter: SecureNetworkAdapter;
  roster: DocHandle<Roster> | undefined;
  /** Ids the index lists (plus the index and the roster): the documents this community has. */
  listed = new Set<string>();
  replicating = false;
  readonly opened = new Map<string, DocHandle<unknown>>();
  /** Documents whose byte budget a device spent this session, by document id → device keys. */
  readonly overBudget = new Map<string, Set<string>>();
  /** What linked devices answered to heads queries: device key → document → heads. */
  readonly reported = new Map<string, Map<string, string[]>>();
  /** "document|device" → when it was first (or last nudged) seen differing. */
  readonly differing = new Map<string, number>();

  constructor(
    readonly community: OpenCommunity,
    readonly trust: CommunityTrust,
    adapter: (sync: CommunitySync) => SecureNetworkAdapter,
  ) {
    this.adapter = adapter(this);
    this.refreshListed();
  }

  get id(): CommunityId {
    return this.community.id;
  }

  /**
   * Whether this community has a document: listed in its index (or is its index or roster). Any
   * other id is refused both ways: never stored when pushed, never asked of members. A document a
   * window asks for before its index entry has arrived is fetched once it is listed (see #nudge).
   */
  has(id: string): boolean {
    return this.listed.has(id);
  }

  rosterDoc(): Roster | undefined {
    return readRoster(this.roster);
  }

  mayLink(deviceKey: string): boolean {
    return mayLink(this.rosterDoc(), this.trust, deviceKey);
  }

  refreshListed(): void {
    this.listed = new Set(listedDocuments(this.community));
  }

  titleOf(id: string): string | null {
    return documentTitle(this.id, indexEntries(this.community), id);
  }
}

export class SyncService {
  readonly #host: SyncHost;
  readonly #config: SyncConfig;
  readonly #keyPair: SecureKeyPair;
  readonly #communities = new Map<CommunityId, CommunitySync>();
  readonly #backoff = new Map<string, Backoff>();
  /** Typed or configured addresses, dialled for every community until a member answers. */
  readonly #manual = new Set<string>();
  /** The device key that answered at an address (typed or configured). */
  readonly #keyAt = new Map<string, string>();
  #listener: SecureListener | undefined;
  #book: InviteBook | undefined;
  #inviteSockets = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #discovery: Discovery | undefined;
  #discoveryState: SyncStatus["discovery"] = "off";
  #discoveryProblem: string | undefined;
  readonly #changed = new Set<CommunityId>();
  #changeTimer: NodeJS.Timeout | undefined;

  constructor(host: SyncHost, config: SyncConfig) {
    this.#host = host;
    this.#config = config;
    this.#keyPair = keyPairFromDevice(host.device);
    for (const address of config.connect ?? []) this.#manual.add(address);
  }

  get self(): string {
    return this.#host.device.publicKey;
  }

  /** Starts listening and dialling. Throws a readable error when the port cannot be opened. */
  async start(): Promise<void> {
    this.#book = await InviteBook.open(this.#host.dataDir);
    const router = communityRouter((id) => this.#communities.get(id as CommunityId)?.adapter);
    const listen = (port: number) =>
      listenSecure({
        keyPair: this.#keyPair,
        host: this.#config.listen.host,
        port,
        onConnection: router,
        ...(this.#config.transportLimits ? { limits: this.#config.transportLimits } : {}),
        claim: { bytes: 8, take: (first, socket) => this.#maybeInvite(first, socket) },
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
        onPeer: (peer) => {
          // Hearing anyone means it works (again): an earlier error was passing.
          this.#discoveryState = "on";
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
    community.repo.networkSubsystem.addNetworkAdapter(sync.adapter);
    // Dial at once: a device that just joined has only its inviter to learn the roster from.
    this.#dial(sync);
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
    // A roster that arrives from a peer becomes ready right after "heads-changed" (see main.ts).
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
        this.#replicate(sync);
        this.#notify(sync.id);
      }, 100);
      poll.unref();
    }
  }

  /** Opens every listed document, a batch per step, so that each syncs with linked devices. */
  #replicate(sync: CommunitySync): void {
    sync.replicating = true;
    const todo = [...sync.listed].filter((id) => !sync.opened.has(id));
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
  // Dialling.

  #dialAll(): void {
    if (this.#closed) return;
    for (const sync of this.#communities.values()) this.#dial(sync);
  }

  #dial(sync: CommunitySync): void {
    for (const [key, addresses] of sync.trust.knownAddresses()) {
      if (key === this.self || !sync.mayLink(key) || sync.adapter.isLinked(key)) continue;
      const address = addresses[0];
      if (address) this.#attempt(sync, address, key);
    }
    for (const address of this.#manual) {
      // Once a device answered there, the known-address loop above dials it with its key.
      const key = this.#keyAt.get(address);
      if (key === undefined || (key !== this.self && sync.mayLink(key) && !this.#knows(sync, key)))
        this.#attempt(sync, address, undefined);
    }
  }

  #knows(sync: CommunitySync, key: string): boolean {
    return sync.trust.knownAddresses().some(([k]) => k === key);
  }

  #attempt(sync: CommunitySync, address: string, key: string | undefined): void {
    const slot = `${sync.id}|${address}|${key ?? "?"}`;
    const now = Date.now();
    const backoff = this.#backoff.get(slot) ?? {
      next: 0,
      delay: this.#config.retryMs ?? 1_000,
      busy: false,
    };
    this.#backoff.set(slot, backoff);
    if (backoff.busy || now < backoff.next) return;
    const parsed = parseAddress(address);
    if (!parsed.ok) return;
    backoff.busy = true;
    connectSecure({
      keyPair: this.#keyPair,
      host: parsed.value.host,
      port: parsed.value.port,
      ...(key === undefined ? {} : { expectedRemoteKey: key }),
      ...(this.#config.transportLimits ? { limits: this.#config.transportLimits } : {}),
    })
      .then((connection) => {
        if (this.#closed) return connection.close();
        const remote = connection.remoteKey;
        this.#keyAt.set(address, remote);
        if (remote === this.self || sync.adapter.isLinked(remote) || !sync.mayLink(remote)) {
          // Ourselves, already linked the other way, or not a member of this community.
          connection.close();
          backoff.next = Date.now() + backoff.delay;
          backoff.delay = Math.min(backoff.delay * 2, MAX_RETRY_MS);
          return;
        }
        sync.adapter.addConnection(connection);
        sync.trust.rememberAddress(remote, address);
        backoff.delay = this.#config.retryMs ?? 1_000;
        backoff.next = Date.now() + backoff.delay;
      })
      .catch(() => {
        backoff.next = Date.now() + backoff.delay;
        backoff.delay = Math.min(backoff.delay * 2, MAX_RETRY_MS);
      })
      .finally(() => {
        backoff.busy = false;
      });
  }

  /** A host:port typed by a person: dialled for every community until it answers. */
  connect(address: string): Result<null> {
    const parsed = parseAddress(address);
    if (!parsed.ok) return parsed;
    const normal = `${parsed.value.host}:${parsed.value.port}`;
    this.#manual.add(normal);
    for (const sync of this.#communities.values()) {
      this.#backoff.delete(`${sync.id}|${normal}|?`);
      this.#attempt(sync, normal, undefined);
    }
    return ok(null);
  }

  /** Discovery found a device; `tags` says which of our communities it advertises. */
  discovered(deviceKey: string, address: string, inCommunity: (trust: CommunityTrust) => boolean) {
    for (const sync of this.#communities.values()) {
      if (!inCommunity(sync.trust) || !sync.mayLink(deviceKey)) continue;
      sync.trust.rememberAddress(deviceKey, address);
      if (!sync.adapter.isLinked(deviceKey)) this.#attempt(sync, address, deviceKey);
    }
  }

  #trusts(): CommunityTrust[] {
    return [...this.#communities.values()].map((s) => s.trust);
  }

  // -------------------------------------------------------------------------------------------
  // Invites.

  #maybeInvite(first: Buffer, socket: Socket): boolean {
    if (!isInvitePreamble(first)) return false;
    const book = this.#book;
    if (!book || this.#inviteSockets >= MAX_INVITE_SOCKETS) {
      socket.destroy();
      return true;
    }
    this.#inviteSockets++;
    void serveInvite(
      socket,
      {
        book,
        keyPair: noiseKeyPairFromDevice(this.#host.device),
        onJoin: (request) => Promise.resolve(this.#admit(request)),
        communityKey: (id) => this.#communities.get(id)?.trust.communityKeyHex,
      },
      first,
    )
      .then((outcome) => {
        if (outcome.type !== "joined") return;
        const invite = book.list().find((i) => i.inviteId === outcome.inviteId);
        if (invite) this.#notify(invite.communityId);
      })
      .catch(() => undefined)
      .finally(() => this.#inviteSockets--);
    return true;
  }

  /** The inviter adds the joiner to the roster: only after the handshake proved secret and key. */
  #admit(request: { communityId: CommunityId; deviceKey: DeviceKey; name: string }): RosterEntry {
    const sync = this.#communities.get(request.communityId);
    const roster = sync?.roster;
    if (!sync || !roster || !sync.rosterDoc())
      throw new Error("this device does not have the community's member list yet");
    const at = this.#host.now();
    let failure: string | undefined;
    roster.change((d) => {
      const added = addMember(d, {
        deviceKey: request.deviceKey,
        name: request.name || "Unnamed device",
        addedBy: asDeviceKey(this.self),
        at,
      });
      if (!added.ok) failure = added.error.message;
    });
    if (failure) throw new Error(failure);
    const member = sync.rosterDoc()?.members[request.deviceKey];
    return {
      deviceKey: request.deviceKey,
      name: member?.name ?? request.name,
      addedBy: asDeviceKey(member?.addedBy ?? this.self),
      addedAt: member?.addedAt ?? at,
    };
  }

  async invite(communityId: string): Promise<Result<InviteInfo>> {
    const sync = this.#communities.get(communityId as CommunityId);
    if (!sync)
      return err(ErrorCode.NotFound, "That community is not on this device, or it cannot sync.");
    if (!sync.rosterDoc())
      return err(
        ErrorCode.Unavailable,
        "This device does not have the community's member list yet. Link to another member first, then invite.",
      );
    if (!this.#book || !this.#listener)
      return err(ErrorCode.Unavailable, "Sync is not running on this device, so it cannot invite.");
    const addresses = (this.#config.advertise ?? this.listening()).slice(0, MAX_ADDRESSES);
    const created = await this.#book.create({
      communityId: sync.id,
      inviterKey: asDeviceKey(this.self),
      addresses,
    });
    return ok({
      communityId: sync.id,
      code: created.code,
      uri: created.uri,
      expiresAt: new Date(created.invite.expiresAt * 1000).toISOString(),
      addresses: [...created.invite.addresses],
    });
  }

  /** Pairs with an inviter, then opens the community; its documents follow by sync. */
  async join(code: string): Promise<Result<CommunitySummary>> {
    const decoded = decodeInvite(String(code), Math.floor(this.#host.now() / 1000));
    if (!decoded.ok) return decoded;
    const invite = decoded.value;
    // A community here whose member list does not name this device was restored from a backup
    // (backup/backup.ts): it joins again to be added, and its documents merge by sync, same ids.
    const restored = this.#communities.get(invite.communityId);
    const roster = restored?.rosterDoc();
    if (
      this.#host.community(invite.communityId) &&
      !(restored && roster && !isMember(roster, this.self))
    )
      return err(ErrorCode.BadInput, "This device is already in that community.");
    const welcome = await joinWithInvite({
      invite,
      keyPair: noiseKeyPairFromDevice(this.#host.device),
      name: this.#host.displayName(),
      nowSeconds: () => Math.floor(this.#host.now() / 1000),
    });
    if (!welcome.ok) return welcome;
    if (!welcome.value.communityKey)
      return err(
        ErrorCode.Unavailable,
        "The inviting device did not send the community's key. Update Meitheal on both devices and make a new invite.",
      );
    if (restored) {
      if (welcome.value.communityKey !== restored.trust.communityKeyHex)
        return err(
          ErrorCode.BadInput,
          "The inviting device holds a different key for this community than the one restored here, so they are not the same community. Nothing was changed.",
        );
      await restored.trust.trustInviter(invite.inviterKey, invite.addresses);
      this.#dial(restored);
      return this.#host.joinCommunity(invite.communityId);
    }
    await CommunityTrust.create(this.#host.dataDir, invite.communityId, {
      communityKey: welcome.value.communityKey,
      bootstrap: [invite.inviterKey],
      addresses: { [invite.inviterKey]: [...invite.addresses] },
    });
    return this.#host.joinCommunity(invite.communityId);
  }

  // -------------------------------------------------------------------------------------------
  // Members.

  members(communityId: string): Result<MemberInfo[]> {
    const sync = this.#communities.get(communityId as CommunityId);
    if (!sync) return err(ErrorCode.NotFound, "That community is not on this device.");
    const roster = sync.rosterDoc();
    if (!roster)
      return err(
        ErrorCode.Unavailable,
        "The member list has not arrived yet. It comes with the first sync.",
      );
    const names = new Map(Object.entries(roster.members).map(([k, m]) => [k, m.name]));
    return ok(
      listMembers(roster, { includeRemoved: true }).map((m) => ({
        deviceKey: m.deviceKey,
        name: m.name,
        addedBy: asDeviceKey(m.addedBy),
        addedByName: names.get(m.addedBy) ?? null,
        addedAt: new Date(m.addedAt).toISOString(),
        removed: m.removed
          ? {
              by: m.removed.by,
              byName: names.get(m.removed.by) ?? null,
              at: new Date(m.removed.at).toISOString(),
            }
          : null,
        self: m.deviceKey === this.self,
        connected: sync.adapter.isLinked(m.deviceKey),
      })),
    );
  }

  removeMember(communityId: string, deviceKey: string): Result<null> {
    const sync = this.#communities.get(communityId as CommunityId);
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

  status(communityId: string): Result<SyncStatus> {
    const sync = this.#communities.get(communityId as CommunityId);
    if (!sync) return err(ErrorCode.NotFound, "That community is not on this device.");
    const roster = sync.rosterDoc();
    const links = sync.adapter.links();
    const linked = links.map((l) => asDeviceKey(l.remoteKey));
    const storageOf = new Map(links.map((l) => [l.remoteKey, l.storageId]));
    const docs: DocFacts[] = [];
    let here = 0;
    const entries = indexEntries(sync.community);
    const titleOf = (id: string) => documentTitle(sync.id, entries, id);
    for (const id of sync.listed) {
      const handle = sync.opened.get(id) ?? sync.community.repo.handles[id as never];
      const ready = handle?.isReady() === true;
      if (ready) here++;
      docs.push({
        id,
        title: titleOf(id),
        heads: ready ? headsOf(handle) : undefined,
        theirs: (key) => {
          // The newer of two reports: the sync messages it sent, or its answer to our query.
          const storageId = storageOf.get(key);
          const fromSync =
            storageId === undefined ? undefined : handle?.getSyncInfo(storageId)?.lastHeads;
          const answered = sync.reported.get(key)?.get(id);
          const mine = ready ? headsOf(handle) : undefined;
          if (mine && answered && sameHeads(answered, mine)) return answered;
          return fromSync ?? answered;
        },
      });
    }
    const gaps = links.length === 0 ? [] : findGaps(docs, linked);
    // A gap that lasts is asked about again: a document still arriving is requested anew (a
    // window may have asked for it before the index listed it, and been told "unavailable").
    for (const gap of gaps) for (const key of gap.peers) this.#nudge(sync, gap.documentId, key);
    const problems: string[] = [];
    if (!roster) problems.push("The member list has not arrived yet.");
    for (const [documentId, keys] of sync.overBudget) {
      const who = [...keys].map((k) => roster?.members[k]?.name ?? `device ${k.slice(0, 8)}`);
      const title = sync.titleOf(documentId) ?? documentId;
      problems.push(
        `${who.join(", ")} sent more changes to “${title}” than one link may carry (${Math.round((this.#config.adapterLimits?.maxBytesPerDocument ?? DEFAULT_ADAPTER_LIMITS.maxBytesPerDocument) / 1024 / 1024)} MB). What arrived is kept; further changes to it from that device are refused until it links again. If this keeps happening, that device may be faulty.`,
      );
    }
    if (this.#discoveryState === "failed" && this.#discoveryProblem)
      problems.push(
        `Finding devices on the network automatically does not work here (${this.#discoveryProblem}). Type the other device's address instead.`,
      );
    return ok({
      communityId: sync.id,
      listening: this.listening(),
      discovery: this.#discoveryState,
      peers: links.map((l) => ({
        deviceKey: asDeviceKey(l.remoteKey),
        name: roster?.members[l.remoteKey]?.name ?? null,
        address: l.remoteAddress,
        since: new Date(l.since).toISOString(),
        direction: l.direction,
      })),
      documents: { total: sync.listed.size, here },
      state: syncState(links.length, gaps),
      gaps,
      problems,
    });
  }

  /**
   * Asks a linked device again where a document stands, when what it last reported differs from
   * here for a while. automerge-repo records a device's heads from the sync messages it sends;
   * when two devices receive the same change from a third at once, neither may send the other a
   * message afterwards, and each keeps an old record of the other although both are the same.
   * Restarting sync with that device (a message with our heads) makes it answer with its own.
   */
  #nudge(sync: CommunitySync, documentId: string, remoteKey: string): void {
    const slot = `${documentId}|${remoteKey}`;
    const now = Date.now();
    const first = sync.differing.get(slot);
    if (first === undefined) return void sync.differing.set(slot, now);
    if (now - first < NUDGE_AFTER_MS) return;
    sync.differing.set(slot, now);
    const synchronizer = (
      sync.community.repo.synchronizer as unknown as {
        docSynchronizers?: Record<string, { beginSync?: (peers: PeerId[]) => Promise<void> }>;
      }
    ).docSynchronizers?.[documentId];
    // And ask it outright where it stands: its answer settles a record that is only stale.
    sync.adapter.queryHeads(remoteKey, [documentId]);
    if (typeof synchronizer?.beginSync !== "function") return;
    synchronizer.beginSync([peerIdOfKey(remoteKey)]).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#changeTimer) clearTimeout(this.#changeTimer);
    await this.#discovery?.stop().catch(() => undefined);
    for (const sync of this.#communities.values()) sync.adapter.disconnect();
    await this.#listener?.close();
    await this.#book?.flush();
    await Promise.all([...this.#communities.values()].map((s) => s.trust.flush()));
  }
}

/**
 * A handle's heads, encoded once per version of its document (each change makes a new document
 * object): the Sync screen asks for every document's heads about once a second, and encoding them
 * hashes each head twice.
 */
const encodedHeads = new WeakMap<object, readonly string[]>();
function headsOf(handle: DocHandle<unknown>): readonly string[] {
  const doc = handle.doc() as object;
  let heads = encodedHeads.get(doc);
  if (!heads) {
    heads = handle.heads();
    encodedHeads.set(doc, heads);
  }
  return heads;
}

/** host:port (IPv6 in brackets), as typed. */
export function parseAddress(text: string): Result<{ host: string; port: number }> {
  const trimmed = String(text).trim();
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(trimmed);
  const port = Number(match?.[2]);
  if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65535)
    return err(
      ErrorCode.BadInput,
      `"${trimmed.slice(0, 80)}" is not an address. Type the other device's address as host:port, e.g. 192.168.1.20:47800 (its Sync screen shows it).`,
    );
  const host = match[1].startsWith("[") ? match[1].slice(1, -1) : match[1];
  return ok({ host, port });
}
