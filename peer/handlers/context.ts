// What the contract's handlers use of the peer that owns them (PeerNode, peerNode.ts), and the two
// guards most of them share: a call that names a community gets it opened once here, or the one
// not-found answer; a call that needs LAN sync gets the sync service, or the one sync-off answer.
import type { CommunitySummary, PeerInfo, Profile, TaskProgress } from "../../shared/contract.ts";
import type { DeviceKey } from "../../shared/ids.ts";
import type { OpContext } from "../../shared/ops/context.ts";
import { ErrorCode, err, type Result } from "../../shared/result.ts";
import type { BackupHost } from "../backup/backup.ts";
import { communityNotHere, type OpenCommunity } from "../communities.ts";
import type { PdfPrinter } from "../export/pdf.ts";
import type { Transfers } from "../files/transfers.ts";
import type { SearchHub } from "../search/hub.ts";
import type { SyncService } from "../sync/service.ts";
import type { StorageWarnings } from "../warnings.ts";

export type PeerServices = {
  readonly dataDir: string;
  readonly appVersion: string;
  readonly deviceKey: DeviceKey;
  readonly mode: PeerInfo["mode"];
  readonly ctx: OpContext;
  /** How this peer prints HTML to PDF (exports, harvest reports). */
  readonly printPdf: PdfPrinter;
  /** The LAN sync service, when it runs. */
  readonly sync: SyncService | undefined;
  readonly search: SearchHub;
  readonly warnings: StorageWarnings;
  /** Files a browser window uploaded, and downloads written for it (files/transfers.ts). */
  readonly transfers: Transfers;
  readonly profile: Profile;
  saveProfile(value: Profile): Promise<Result<Profile>>;
  community(id: string): OpenCommunity | undefined;
  listCommunities(): CommunitySummary[];
  createCommunity(args: {
    name: unknown;
    purpose?: unknown;
    themes?: unknown;
  }): Promise<Result<CommunitySummary>>;
  backupHost(): BackupHost;
  progress(p: TaskProgress): void;
};

export const SYNC_OFF =
  "LAN sync is off on this device (the peer was started without it). Restart Meitheal with sync on to invite, join or link devices.";

type Handler<A, T> = (args: A) => Promise<Result<T>>;

/**
 * A handler of a call naming a community by `communityId`, given that community open; a community
 * not on this device is answered here, with `hint` added to the one not-found message.
 */
export const withCommunity =
  <A extends { communityId: string }, T>(
    services: Pick<PeerServices, "community">,
    handler: (community: OpenCommunity, args: A) => Promise<Result<T>>,
    hint?: string,
  ): Handler<A, T> =>
  (args) => {
    // Read as unknown: the window is trusted, but a bug there must get an answer, not a throw.
    const id: unknown = (args as Partial<A> | undefined)?.communityId;
    const community = typeof id === "string" ? services.community(id) : undefined;
    return community ? handler(community, args) : Promise.resolve(communityNotHere(hint));
  };

/** A handler made with the running sync service; with LAN sync off, the call is answered here. */
export const withSync =
  <A, T>(
    services: Pick<PeerServices, "sync">,
    make: (sync: SyncService) => Handler<A, T>,
  ): Handler<A, T> =>
  (args) => {
    const sync = services.sync;
    return sync ? make(sync)(args) : Promise.resolve(err(ErrorCode.Unavailable, SYNC_OFF));
  };
