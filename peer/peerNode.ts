// Starting a peer: the sync node that owns a device's data. The same code runs inside the desktop
// app (an Electron utility process) and as the headless `meitheal-peer`.
import * as Automerge from "@automerge/automerge";
import {
  generateAutomergeUrl,
  parseAutomergeUrl,
  type AutomergeUrl,
  type DocHandle,
  type NetworkAdapterInterface,
  type PeerId,
  type Repo,
} from "@automerge/automerge-repo";
import { EventEmitter } from "node:events";
import { join } from "node:path";
import type {
  CommunitySummary,
  Handlers,
  PeerEvents,
  PeerInfo,
  Profile,
  TaskProgress,
} from "../shared/contract.ts";
import {
  asCommunityId,
  asDeviceKey,
  isDocumentId,
  type CommunityId,
  type DeviceKey,
} from "../shared/ids.ts";
import { initCommunity } from "../shared/ops/community.ts";
import { systemContext, type OpContext } from "../shared/ops/context.ts";
import type { EventSource } from "../shared/rpc.ts";
import { communityKind, type CommunityIndex } from "../shared/schema/community.ts";
import { checkCommunityName, checkPurpose, checkThemes } from "../shared/schema/input.ts";
import { ErrorCode, MeithealFailure, err, ok, type Result } from "../shared/result.ts";
import type { BackupHost } from "./backup/backup.ts";
import { sweepRestoreLeftovers } from "./backup/leftovers.ts";
import {
  communityDir,
  openRepo,
  readRegistry,
  summarise,
  writeRegistry,
  type OpenCommunity,
} from "./communities.ts";
import { prepareDataDir } from "./dataDir.ts";
import { headlessChromiumPrinter, type PdfPrinter } from "./export/pdf.ts";
import { allHandlers } from "./handlers/all.ts";
import type { PeerServices } from "./handlers/context.ts";
import { acquireLock } from "./lock.ts";
import { clearUnfinishedImport } from "./import/journal.ts";
import { communityShareConfig } from "./net/secureAdapter.ts";
import { applyPeerSyncTuning } from "./net/syncTuning.ts";
import { loadProfile, saveProfile } from "./profile.ts";
import { SearchHub } from "./search/hub.ts";
import { SEARCH_INDEX_FILE } from "./search/service.ts";
import { foundCommunity } from "./sync/membership.ts";
import { SyncService, type SyncConfig } from "./sync/service.ts";
import { loadOrCreateDeviceKey, type DeviceKeyPair } from "./trust/deviceKey.ts";
import { StorageWarnings } from "./warnings.ts";
import { Transfers } from "./files/transfers.ts";
import { SyncLoopGuard } from "./sync/loopGuard.ts";

export const APP_VERSION = "0.1.0";
const INDEX_LOAD_TIMEOUT_MS = 15_000;

export type PeerOptions = {
  dataDir: string;
  mode?: PeerInfo["mode"];
  ctx?: OpContext;
  /** LAN sync (listener, invites, dialling); off when absent. */
  sync?: SyncConfig;
  /** Prints HTML to PDF (Electron's printToPDF in the desktop app); a headless Chromium otherwise. */
  printPdf?: PdfPrinter;
  /**
   * Only reads the data folder (the CLI's export and lists): nothing in it is created, tidied or
   * saved, and a folder this account cannot write is opened without a lock (lock.ts).
   */
  readOnly?: boolean;
};

export class PeerNode implements PeerServices {
  readonly #events = new EventEmitter();
  /** The guard each attached window adapter was wrapped in (attachSync), to detach it. */
  readonly #guards = new WeakMap<NetworkAdapterInterface, SyncLoopGuard>();
  readonly #communities = new Map<CommunityId, OpenCommunity>();
  #profile: Profile;
  #closed = false;
  #readOnly = false;
  #sync: SyncService | undefined;
  #printPdf: PdfPrinter = headlessChromiumPrinter();
  readonly appVersion = APP_VERSION;
  /** Search and links, per community (started on first use there). */
  readonly search = new SearchHub({
    changed: (communityId) => this.#emit("search:changed", { communityId }),
    // Read only: nothing is written, the index included.
    indexFile: (communityId) =>
      this.#readOnly ? undefined : join(communityDir(this.dataDir, communityId), SEARCH_INDEX_FILE),
  });
  /** Stored chunks that failed their check and were quarantined. */
  readonly warnings: StorageWarnings;
  /** Uploads from a browser window and downloads written for it (files/transfers.ts). */
  readonly transfers: Transfers;
  /** The contract's handlers, by area (handlers/): what windows call through serveRpc. */
  readonly handlers: Handlers = allHandlers(this);
  /** Serialises read-modify-write of communities.json, so concurrent creates cannot drop each other. */
  #registryQueue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dataDir: string,
    readonly device: DeviceKeyPair,
    readonly mode: PeerInfo["mode"],
    readonly ctx: OpContext,
    profile: Profile,
    private readonly releaseLock: () => Promise<void>,
  ) {
    this.#profile = profile;
    this.#events.setMaxListeners(100);
    this.warnings = new StorageWarnings(
      dataDir,
      (id) => this.#communities.get(id),
      (warning) => this.#emit("storage:warning", warning),
    );
    this.transfers = new Transfers(dataDir);
  }

  /** Opens (creating if needed) the data folder and every community in it. Throws MeithealFailure with a readable message. */
  static async start(options: PeerOptions): Promise<PeerNode> {
    // Before any Repo opens a document: the throttle is fixed when a document's synchroniser is built.
    applyPeerSyncTuning();
    const readOnly = options.readOnly === true;
    const dataDir = await prepareDataDir(options.dataDir, undefined, readOnly);
    const release = await acquireLock(dataDir, readOnly);
    try {
      // A read-only open (export, listing) changes nothing, leftovers included.
      if (!readOnly) await sweepRestoreLeftovers(dataDir);
      const device = await loadOrCreateDeviceKey(dataDir);
      const profile = await loadProfile(dataDir, device.publicKey);
      const node = new PeerNode(
        dataDir,
        device,
        options.mode ?? "web",
        options.ctx ?? systemContext(),
        profile,
        release,
      );
      if (options.printPdf) node.#printPdf = options.printPdf;
      node.#readOnly = readOnly;
      await node.warnings.load();
      if (!readOnly) await node.transfers.start();
      let registry;
      try {
        registry = await readRegistry(dataDir);
      } catch (e) {
        throw new MeithealFailure(
          ErrorCode.DataFolder,
          `The list of communities in ${dataDir} is damaged (${(e as Error).message}). It was left untouched. Restore communities.json from a backup or move it aside.`,
        );
      }
      await Promise.all(registry.communities.map((c) => node.#open(asCommunityId(c.id))));
      if (options.sync) {
        try {
          await node.#startSync(options.sync);
        } catch (e) {
          await node.close();
          throw e;
        }
      }
      return node;
    } catch (e) {
      await release(); // idempotent: close() may have released it already
      throw e;
    }
  }

  /** The automerge-repo peer id of this device: derived from its key, never chosen by a remote. */
  get peerId(): PeerId {
    return `device-${this.device.publicKey.slice(0, 32)}` as PeerId;
  }

  async #startSync(config: SyncConfig): Promise<void> {
    const sync = new SyncService(
      {
        dataDir: this.dataDir,
        device: this.device,
        displayName: () => this.#profile.displayName,
        now: () => this.ctx.now(),
        community: (id) => this.community(id),
        communityIds: () => this.communityIds(),
        joinCommunity: (id) => this.joinCommunity(id),
        emit: (name, data) => this.#emit(name, data),
        adoptName: async (name) => {
          if (this.#profile.chosen) return;
          // Best effort: the join itself succeeded; the person can still set the name later.
          await this.saveProfile({ ...this.#profile, displayName: name });
        },
      },
      config,
    );
    this.#sync = sync;
    try {
      await sync.start();
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      throw new MeithealFailure(
        ErrorCode.Unavailable,
        `Sync could not listen on ${config.listen.host}:${config.listen.port} (${why}). Another program may be using that port: choose another, or start without LAN sync.`,
      );
    }
    for (const community of this.#communities.values()) await sync.attach(community);
  }

  get deviceKey(): DeviceKey {
    return asDeviceKey(this.device.publicKey);
  }

  /** The local profile (display name, colour) of this device. */
  get profile(): Profile {
    return this.#profile;
  }

  /** Checks and saves the profile; the one in use changes only once it is saved. */
  async saveProfile(value: Profile): Promise<Result<Profile>> {
    const saved = await saveProfile(this.dataDir, value);
    if (saved.ok) this.#profile = saved.value;
    return saved;
  }

  /** Progress of long work (export, backup, restore, import, harvest), for the windows. */
  progress(p: TaskProgress): void {
    this.#emit("task:progress", p);
  }

  /** How this peer prints HTML to PDF (exports, harvest reports). */
  get printPdf(): PdfPrinter {
    return this.#printPdf;
  }

  /** The LAN sync service, when it runs. */
  get sync(): SyncService | undefined {
    return this.#sync;
  }

  #openRepo(id: CommunityId) {
    // Only roster members' devices (and this device's own windows) may read a community's
    // documents; the sync service answers, and with sync off no device is a member.
    const shareConfig = communityShareConfig({
      isMemberPeerId: (peerId) => this.#sync?.isMemberPeerId(id, peerId) ?? false,
      hasDocument: (docId) => this.#sync?.hasDocument(id, docId) ?? false,
      quiet: (peerId, docId) => this.#sync?.isQuiet(id, peerId, docId) ?? false,
    });
    return openRepo(this.dataDir, id, this.peerId, (w) => this.warnings.add(id, w), shareConfig);
  }

  community(id: string): OpenCommunity | undefined {
    return this.#communities.get(id as CommunityId);
  }

  communityIds(): CommunityId[] {
    return [...this.#communities.keys()];
  }

  /**
   * Connects a local UI (or a test) to one community's repo. Resolves once the adapter is connected:
   * automerge-repo connects an added adapter only after its own metadata promise settles, and a
   * socket handed over before then is never heard.
   */
  async attachSync(id: string, adapter: NetworkAdapterInterface): Promise<boolean> {
    const community = this.community(id);
    if (!community) return false;
    const connected = new Promise<void>((resolve) => {
      const connect = adapter.connect.bind(adapter);
      adapter.connect = (peerId, metadata) => {
        connect(peerId, metadata);
        resolve();
      };
    });
    // Behind a guard: a window's exchange that goes round without progress is reset, not left to
    // starve the peer (sync/loopGuard.ts).
    const guard = new SyncLoopGuard(adapter);
    this.#guards.set(adapter, guard);
    community.repo.networkSubsystem.addNetworkAdapter(guard);
    await connected;
    return true;
  }

  detachSync(id: string, adapter: NetworkAdapterInterface): void {
    const guard = this.#guards.get(adapter);
    if (!guard) return;
    this.#guards.delete(adapter);
    this.community(id)?.repo.networkSubsystem.removeNetworkAdapter(guard);
  }

  readonly on: EventSource = (name, listener) => {
    const wrapped = listener as (data: unknown) => void;
    this.#events.on(name, wrapped);
    return () => this.#events.off(name, wrapped);
  };

  #emit<E extends keyof PeerEvents>(name: E, data: PeerEvents[E]) {
    this.#events.emit(name, data);
  }

  async #open(id: CommunityId): Promise<OpenCommunity> {
    const { repo, storage } = this.#openRepo(id);
    const community: OpenCommunity = { id, repo, storage, index: undefined, loadError: undefined };
    this.#communities.set(id, community);
    try {
      const handle = await withTimeout(
        repo.find<CommunityIndex>(`automerge:${id}` as AutomergeUrl),
        INDEX_LOAD_TIMEOUT_MS,
      );
      community.index = handle;
      this.#watchIndex(handle);
      this.#migrateIndex(handle);
      if (!this.#readOnly)
        await clearUnfinishedImport(this.dataDir, id, (docId) =>
          Boolean(handle.doc()?.entries[docId]),
        );
    } catch (e) {
      community.loadError = `The index of community ${id} could not be loaded from ${this.dataDir} (${(e as Error).message}). Any damaged data was moved to the quarantine folder; nothing was deleted.`;
      // Nothing of it stored at all, and nothing quarantined: joined, and still on its way.
      const stored = await storage.loadRange([id]).catch(() => [undefined]);
      const quarantined = this.warnings.quarantined(id);
      community.arriving = stored.length === 0 && !quarantined;
      // A community joined by id whose index had not arrived before a restart: a linked peer may send it.
      this.#indexFromPeers(community);
    }
    // Leftover temp files only cost disk space, and the sweep walks every folder: it must not
    // hold up the list (npm run bench: 120–400 ms of a 450 ms cold start at 1,000 documents).
    if (!this.#readOnly) void storage.sweepTempFiles().catch(() => undefined);
    return community;
  }

  /**
   * Adds a community known only by its id, with an empty repo: its index (and then its documents)
   * arrive from a linked member device (after an invite: sync/service.ts). Joining a community
   * that is already here changes nothing.
   */
  async joinCommunity(id: string): Promise<Result<CommunitySummary>> {
    if (!isDocumentId(id))
      return err(
        ErrorCode.BadInput,
        `"${String(id)}" is not a community id (meitheal-peer communities lists them).`,
      );
    const existing = this.community(id);
    if (existing) return ok(summarise(existing));
    const cid = asCommunityId(id);
    const { repo, storage } = this.#openRepo(cid);
    const community: OpenCommunity = {
      id: cid,
      repo,
      storage,
      index: undefined,
      loadError: `Waiting for the index of community ${cid} from a linked peer.`,
      arriving: true,
    };
    this.#communities.set(cid, community);
    this.#indexFromPeers(community);
    const saved = await this.#remember(cid);
    if (!saved.ok) return saved;
    await this.#sync?.attach(community);
    this.#emit("communities:changed", {});
    return ok(summarise(community));
  }

  /** Takes a community's index as soon as any connected peer sends it; no deadline. */
  #indexFromPeers(community: OpenCommunity) {
    // A handle automerge-repo declared unavailable still becomes ready when a peer that connects
    // later sends the document; it marks itself ready right after its "heads-changed" event, in
    // the same synchronous step, so the check runs a microtask later. (whenReady() would time out
    // and log every two minutes while no link is up.)
    const { handle } = community.repo.findWithProgress<CommunityIndex>(
      `automerge:${community.id}` as AutomergeUrl,
    );
    const take = () => {
      if (!handle.isReady() || this.#closed || community.index) return;
      handle.off("heads-changed", later);
      community.index = handle;
      community.loadError = undefined;
      community.arriving = false;
      this.#watchIndex(handle);
      this.#migrateIndex(handle);
      this.#emit("communities:changed", {});
    };
    const later = () => queueMicrotask(take);
    handle.on("heads-changed", later);
    later();
  }

  #migrateIndex(handle: DocHandle<CommunityIndex>) {
    const read = communityKind.read(handle.doc());
    if (read.state === "needs-migration") handle.change((d) => void communityKind.migrate(d));
  }

  #watchIndex(handle: DocHandle<CommunityIndex>) {
    let last = JSON.stringify(summaryKey(handle));
    handle.on("change", () => {
      const next = JSON.stringify(summaryKey(handle));
      if (next !== last) {
        last = next;
        this.#emit("communities:changed", {});
      }
    });
  }

  listCommunities(): CommunitySummary[] {
    return [...this.#communities.values()]
      .map(summarise)
      .sort((a, b) => (a.name ?? "").localeCompare(b.name ?? "") || a.id.localeCompare(b.id));
  }

  async createCommunity(args: {
    name: unknown;
    purpose?: unknown;
    themes?: unknown;
  }): Promise<Result<CommunitySummary>> {
    const name = checkCommunityName(args.name);
    if (!name.ok) return name;
    const purpose = checkPurpose(args.purpose);
    if (!purpose.ok) return purpose;
    const themes = checkThemes(args.themes);
    if (!themes.ok) return themes;
    // The index document is built first, so its id (the community id) is known before the
    // community's own storage folder is created.
    const docId = parseAutomergeUrl(generateAutomergeUrl()).documentId;
    const id = asCommunityId(docId);
    const initial = Automerge.change(Automerge.init<Record<string, unknown>>(), (d) =>
      initCommunity(
        d,
        { name: name.value, purpose: purpose.value, themes: themes.value },
        this.ctx,
      ),
    );
    const { repo, storage } = this.#openRepo(id);
    const handle = repo.import<CommunityIndex>(Automerge.save(initial), { docId });
    await repo.flush();
    const community: OpenCommunity = { id, repo, storage, index: handle, loadError: undefined };
    // Its key and roster (this device the founder) exist from the start, with sync on or off.
    try {
      await foundCommunity({
        dataDir: this.dataDir,
        community,
        deviceKey: this.device.publicKey,
        name: this.#profile.displayName,
        now: this.ctx.now(),
      });
    } catch (e) {
      return err(
        ErrorCode.Storage,
        `The community's key could not be saved in ${this.dataDir} (${(e as Error).message}). Check the data folder is writable and try again.`,
      );
    }
    this.#communities.set(id, community);
    this.#watchIndex(handle);
    const saved = await this.#remember(id);
    if (!saved.ok) return saved;
    await this.#sync?.attach(community);
    this.#emit("communities:changed", {});
    return ok(summarise(community));
  }

  /**
   * Opens a community whose folder a restore has just put in place (backup/backup.ts), then lists
   * it, like createCommunity and joinCommunity. If it cannot be listed it is closed again, so the
   * restore can take its folder away.
   */
  async #adopt(id: CommunityId): Promise<Result<CommunitySummary>> {
    const community = await this.#open(id);
    const saved = await this.#remember(id);
    if (!saved.ok) {
      this.#communities.delete(id);
      await community.storage.close();
      return saved;
    }
    await this.#sync?.attach(community);
    this.#emit("communities:changed", {});
    return ok(summarise(community));
  }

  /** What backup and restore use of this peer. */
  backupHost(): BackupHost {
    return {
      dataDir: this.dataDir,
      deviceKey: this.device.publicKey,
      appVersion: APP_VERSION,
      now: () => this.ctx.now(),
      community: (id) => this.community(id),
      adopt: (id) => this.#adopt(id),
      progress: (p) => this.progress(p),
    };
  }

  /** Adds a community to this device's list (communities.json). */
  async #remember(id: CommunityId): Promise<Result<null>> {
    const addedAt = new Date(this.ctx.now()).toISOString();
    const update = this.#registryQueue.then(async () => {
      const registry = await readRegistry(this.dataDir);
      registry.communities.push({ id, addedAt });
      await writeRegistry(this.dataDir, registry);
    });
    this.#registryQueue = update.catch(() => undefined);
    try {
      await update;
      return ok(null);
    } catch (e) {
      return err(
        ErrorCode.Storage,
        `The community was added but could not be saved in this device's list (${(e as Error).message}). Check the data folder is writable and try again.`,
      );
    }
  }

  /** Waits until every change made so far is on disk, in every community. */
  async flush(): Promise<void> {
    await Promise.all([...this.#communities.values()].map((c) => flushReady(c.repo)));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.transfers.close();
    try {
      // Before the repos close: the index's last write flushes the documents it read first.
      await this.search.close();
      await this.#sync?.close();
      // Repo.shutdown() flushes every cached handle and throws on one that never became ready (an
      // index whose chunks were all quarantined), which would skip the other saves and leave the
      // data folder locked. Disconnect, then flush only what is loaded.
      const results = await Promise.allSettled(
        [...this.#communities.values()].map(async (c) => {
          for (const adapter of c.repo.networkSubsystem.adapters) adapter.disconnect();
          // Read only: nothing was meant to change, and nothing is written.
          if (!this.#readOnly) await flushReady(c.repo);
          await c.storage.close();
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed)
        throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    } finally {
      this.#events.removeAllListeners();
      await this.releaseLock();
    }
  }
}

/** Saves every loaded document of a repo; handles that are unavailable or still loading hold nothing to save. */
const flushReady = (repo: Repo): Promise<void> =>
  repo.flush(
    Object.values(repo.handles)
      .filter((h) => h.isReady())
      .map((h) => h.documentId),
  );

const summaryKey = (handle: DocHandle<CommunityIndex>) => {
  const d = handle.doc() as Partial<CommunityIndex> | undefined;
  return [d?.name, d?.purpose, d?.version, d?.entries ? Object.keys(d.entries).length : 0];
};

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export const startPeer = (options: PeerOptions) => PeerNode.start(options);
