// The one typed contract between the renderer and the peer. Each call is named `area:verb`, takes
// one argument object and resolves to a Result: errors are values with a code and a readable
// message, never exceptions across the boundary. Documents themselves do not travel here: they sync
// through automerge-repo on a channel of their own per community.
import type { CollectionId, CommunityId, DeviceKey, StoryId } from "./ids.ts";
import type { Result } from "./result.ts";
import type { HarvestLabels } from "./export/harvest.ts";

export type PeerInfo = {
  /** This device's public key (hex); device data, never synced. */
  deviceKey: DeviceKey;
  dataDir: string;
  appVersion: string;
  /** "desktop" inside Electron, "web" when a browser is served by a headless peer. */
  mode: "desktop" | "web";
};

export type Profile = {
  displayName: string;
  colour: string;
  /**
   * Whether the person chose this name (saved a profile or gave a name when joining). While false,
   * the name is only a stand-in: the join screen does not offer it.
   */
  chosen?: boolean;
};

export type CommunitySummary = {
  id: CommunityId;
  /** Null while the index document cannot be read (see `state`). */
  name: string | null;
  purpose: string | null;
  /**
   * ok; damaged (index unreadable or invalid); newer (written by a newer Meitheal); arriving
   * (joined, and its index has not come from another device yet).
   */
  state: "ok" | "damaged" | "newer" | "arriving";
  problems: string[];
  entryCount: number;
};

/** A chunk of stored data that failed verification and was moved aside, not loaded. */
export type StorageWarning = {
  id: string;
  /** The document the chunk belonged to. */
  documentId: string;
  /** The community it belongs to, and that document's title, when the peer knows them. */
  communityId: CommunityId | null;
  title: string | null;
  reason: string;
  quarantinedTo: string;
  at: string;
};

/** A device linked to this one now, for one community. */
export type SyncPeer = {
  deviceKey: DeviceKey;
  /** The member's name on the roster (null when the roster has not arrived yet). */
  name: string | null;
  /** host:port of the other end of the link. */
  address: string;
  /** ISO time the link came up. */
  since: string;
  /** Who dialled: "out" this device, "in" the other. */
  direction: "in" | "out";
};

/** How long a member device whose link ended still counts as missing from "in sync": 2 hours. */
export const RECENTLY_LINKED_MS = 2 * 60 * 60 * 1000;

/** A member device linked a short while ago and not reachable now. */
export type MissingDevice = {
  deviceKey: DeviceKey;
  /** Its roster name. */
  name: string | null;
  /** ISO time its last link ended. */
  lastLinked: string;
};

/** A document that is not yet the same on this device and a linked one. */
export type SyncGap = {
  documentId: string;
  /** Its title in the community index, when it has one. */
  title: string | null;
  /** The linked devices that do not have this device's version of it (or that it lacks theirs). */
  peers: DeviceKey[];
  /** "fetching": not here yet; "differs": here, but heads differ from a peer's. */
  reason: "fetching" | "differs";
};

export type SyncStatus = {
  communityId: CommunityId;
  /** host:port where this device accepts links (empty when LAN sync is off). */
  listening: string[];
  /** mDNS: "on" (advertising and browsing), "off" (not started), "failed" (with why in `problems`). */
  discovery: "on" | "off" | "failed";
  peers: SyncPeer[];
  /** Documents the community lists (index, roster and every entry) and how many are here, loaded. */
  documents: { total: number; here: number };
  /**
   * "alone": no linked peer; "syncing": something differs (see gaps); "in-sync": every document
   * has the same heads here and on every linked peer, as their last sync messages said, and no
   * device in `missing`; "partial": the same with the linked peers, but someone is missing.
   */
  state: "alone" | "syncing" | "in-sync" | "partial";
  /**
   * Member devices linked a short while ago (this session, within RECENTLY_LINKED_MS) and not
   * reachable now, newest first: they may hold changes this device does not have.
   */
  missing: MissingDevice[];
  gaps: SyncGap[];
  problems: string[];
};

/** One device on a community's roster. */
export type MemberInfo = {
  deviceKey: DeviceKey;
  name: string;
  addedBy: DeviceKey;
  addedByName: string | null;
  /** ISO time. */
  addedAt: string;
  removed: { by: DeviceKey; byName: string | null; at: string } | null;
  /** This device. */
  self: boolean;
  /** Linked now. */
  connected: boolean;
};

export type InviteInfo = {
  communityId: CommunityId;
  /** The typed code (Crockford base32, grouped) and the same invite as a URI for a QR code. */
  code: string;
  uri: string;
  /** ISO time after which the code no longer works. */
  expiresAt: string;
  /** Where the joiner will reach this device. */
  addresses: string[];
};

/**
 * A file a call reads: a path on the peer's device (typed, or chosen in the desktop app's dialog,
 * whose peer runs on the same computer), or a file the window uploaded to the peer in browser mode
 * (`POST /files` answers its id; docs/DESIGN.md, "Files").
 */
export type FileSource = { kind: "path"; path: string } | { kind: "upload"; id: string };

/**
 * Where a call writes a file: a path on the peer's device, or a download, which the peer writes in
 * its transfer area and the call's summary names (`download`) for the window to fetch once.
 * `name` is the file name the window suggests; the peer keeps it only for the download's headers.
 */
export type FileTarget = { kind: "path"; path: string } | { kind: "download"; name: string };

/** A file the peer wrote for the window: fetched once with `GET /files/<id>`, within 10 minutes. */
export type DownloadInfo = { id: string; name: string; bytes: number };

/** What `POST /files` answers: the id a FileSource names, the file's name and its size. */
export type UploadInfo = { id: string; name: string; bytes: number };

/** Where browser mode sends uploads (`POST`) and fetches downloads (`GET <path>/<id>`). */
export const FILES_PATH = "/files";

/** The largest upload browser mode takes; a larger file is refused before it is read. */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

/** A path on the peer's device as a FileSource or a FileTarget (the CLI's and the tests' way). */
export const atPath = (path: string) => ({ kind: "path", path }) as const;

export type BundleSummary = {
  /** The bundle's path on the peer's device; null for an upload or a download. */
  path: string | null;
  /** A bundle written as a download: what the window fetches once (GET /files/<id>). */
  download: DownloadInfo | null;
  communityId: CommunityId;
  documents: number;
  bytes: number;
};

/** What search and links can point at: a story, a log entry or a map node. */
export type ItemType = "story" | "entry" | "node";

/** One search result. `ref` is the link string of the item (shared/links/ref.ts). */
export type SearchHit = {
  ref: string;
  type: ItemType;
  /** The story's title, or the entry's / node's own short title (first line of its text). */
  title: string;
  /** Where it lives: the log's or map's title; null for a story. */
  context: string | null;
  /** A short passage around the first match, and the words that matched (for highlighting). */
  snippet: string;
  terms: string[];
  /** Theme ids of the item (stories and entries; nodes have none). */
  themes: string[];
  score: number;
};

export type SearchResult = {
  hits: SearchHit[];
  /** All matches before the limit. */
  total: number;
  /** While the peer is still reading the community's documents for the first time. */
  indexing: { done: number; total: number } | null;
};

/** What a link string points at now, for showing a link or a backlink. */
export type LinkTarget = {
  ref: string;
  type: ItemType;
  title: string;
  context: string | null;
  /** The target is not (or not yet) on this device, or was deleted. */
  missing: boolean;
};

export type ExportFormat = "markdown" | "html" | "epub" | "pdf";
export type PageSize = "a4" | "a5";
export type StoryStatusName = "seed" | "draft" | "ready" | "published";

/** What an export, or a harvest report, wrote. */
export type ExportSummary = {
  /** Where the file went on the peer's device; null for a download. */
  path: string | null;
  /** A file written as a download: what the window fetches once (GET /files/<id>). */
  download: DownloadInfo | null;
  format: ExportFormat;
  stories: number;
  bytes: number;
  /** Stories left out or damaged, links that could not be kept…: each a sentence for people. */
  warnings: string[];
};

/**
 * A backup file: the whole community, its Automerge documents and a manifest with checksums,
 * sealed with the community's key, and perhaps protected (encrypted) by a passphrase.
 */
export type BackupSummary = {
  /** The backup's path on the peer's device; null for an upload or a download. */
  path: string | null;
  /** A backup written as a download: what the window fetches once (GET /files/<id>). */
  download: DownloadInfo | null;
  communityId: CommunityId;
  name: string | null;
  documents: number;
  bytes: number;
  /** ISO time the backup was written. */
  createdAt: string;
  /** Encrypted under a passphrase: without it the file gives nothing away, and nobody can open it. */
  protected: boolean;
};

/** One member's devices (by the name they were added under) that a restore adds or removes. */
export type RosterMember = { name: string; deviceKeys: DeviceKey[] };

/**
 * What restoring a backup would change on a community's member list on this device: for a
 * community new here, every member the backup names; for one already here, what merging its roster
 * adds and takes away. Members' devices may sync with this device, so a restore asks first.
 */
export type RosterChange = { added: RosterMember[]; removed: RosterMember[] };

/**
 * A backup checked, before anything is restored (`backup:inspect`): "locked" when it is protected
 * and no passphrase was given (check again with one), else what it holds.
 */
export type BackupCheck =
  | { state: "locked"; path: string | null; bytes: number }
  | (BackupSummary & {
      state: "checked";
      /**
       * Sealed with the community's key and unchanged since. False for a backup written before
       * backups were sealed: nothing shows whether it was changed, so restoring it is asked first.
       */
      sealed: boolean;
      /** The community is on this device already: restoring merges the backup into it. */
      merges: boolean;
      roster: RosterChange;
    });

/**
 * What the person saw and agreed to before a restore: the devices of the check's `roster` (added
 * and removed) and, for an unsealed backup, restoring it anyway. A restore that would change more
 * than this is refused, and nothing is changed.
 */
export type RestoreConsent = { devices: DeviceKey[]; unsealed: boolean };

/** One story an import would create, as the preview shows it. */
export type ImportCandidate = {
  /**
   * The file (and for a zip, the entry inside it) it comes from; names it in `import:run`. For an
   * upload, the name the file had on the person's computer, never where the peer keeps it.
   */
  source: string;
  title: string;
  status: StoryStatusName;
  themes: string[];
  words: number;
  warnings: string[];
};

export type ImportPreview = {
  candidates: ImportCandidate[];
  /** Files that cannot be imported as they are, a sentence each: the import refuses while one is picked. */
  problems: string[];
  /** What else the import does, a sentence each: the collection an exported index.md makes again. */
  notes: string[];
};

/** Long work in the peer, for a progress bar: export, backup, restore, import, harvest. */
export type TaskProgress = {
  communityId: CommunityId | null;
  task: "export" | "backup" | "restore" | "import" | "harvest";
  done: number;
  total: number;
};

export type Handlers = {
  /** Who this peer is: device key, data folder, version. */
  "peer:info": (args: Record<string, never>) => Promise<Result<PeerInfo>>;
  /** The local profile (display name, colour) of this device. */
  "profile:get": (args: Record<string, never>) => Promise<Result<Profile>>;
  /** Saves the local profile; bad input gives `bad-input` with a message. */
  "profile:set": (args: Profile) => Promise<Result<Profile>>;
  /** Every community on this device, read from their index documents only. */
  "communities:list": (args: Record<string, never>) => Promise<Result<CommunitySummary[]>>;
  /** Creates a community (its index document) and remembers it on this device. */
  "communities:create": (args: {
    name: string;
    purpose?: string;
    themes?: string[];
  }) => Promise<Result<CommunitySummary>>;
  /** Stored chunks that failed verification and were quarantined, newest first. */
  "storage:warnings": (args: Record<string, never>) => Promise<Result<StorageWarning[]>>;
  /** Hides a warning (the quarantined file stays where it is). */
  "storage:dismiss": (args: { id: string }) => Promise<Result<null>>;
  /** Peers linked now, first-sync progress and whether it is safe to leave, for one community. */
  "sync:status": (args: { communityId: CommunityId }) => Promise<Result<SyncStatus>>;
  /** A new one-time invite (10 minutes, single use) to this community. */
  "sync:invite": (args: { communityId: CommunityId }) => Promise<Result<InviteInfo>>;
  /**
   * Joins a community with an invite code or the QR link; resolves once paired (the documents
   * follow). `name` is how others will see this device; `at` a typed host:port of the inviter, for
   * networks where mDNS does not pass (a typed code is otherwise found by its mDNS hint).
   */
  "sync:join": (args: {
    code: string;
    name: string;
    at?: string;
  }) => Promise<Result<CommunitySummary>>;
  /** Links to a device at a typed host:port (when discovery cannot find it). */
  "sync:connect": (args: { address: string }) => Promise<Result<null>>;
  /** Writes the community's documents, encrypted with its key, to a file (e.g. on a USB stick). */
  "sync:writeBundle": (args: {
    communityId: CommunityId;
    target: FileTarget;
  }) => Promise<Result<BundleSummary>>;
  /** Reads a bundle written by a member device and merges it, as a sync would. */
  "sync:readBundle": (args: { source: FileSource }) => Promise<Result<BundleSummary>>;
  /** The community's roster, removed devices included (marked). */
  "members:list": (args: { communityId: CommunityId }) => Promise<Result<MemberInfo[]>>;
  /** Removes a device for good: it is refused from now on and its links close. */
  "members:remove": (args: {
    communityId: CommunityId;
    deviceKey: DeviceKey;
  }) => Promise<Result<null>>;
  /**
   * Full-text search over the community's stories, log entries and map nodes, with prefix and
   * fuzzy matching; `types` and `theme` narrow it. An empty query gives no hits.
   */
  "search:query": (args: {
    communityId: CommunityId;
    text: string;
    types?: ItemType[];
    theme?: string;
    limit?: number;
  }) => Promise<Result<SearchResult>>;
  /** Titles and kinds of link strings, for showing links (unknown ones come back `missing`). */
  "links:describe": (args: {
    communityId: CommunityId;
    refs: string[];
  }) => Promise<Result<LinkTarget[]>>;
  /** Everything that links to `ref` (a story, an entry or a node), as link targets. */
  "links:backlinks": (args: {
    communityId: CommunityId;
    ref: string;
  }) => Promise<Result<LinkTarget[]>>;
  /**
   * Exports a collection to a file (written atomically: nothing half-written is left behind).
   * Only stories whose status is in `statuses` are included (default: ready and published).
   */
  "export:collection": (args: {
    communityId: CommunityId;
    collectionId: CollectionId;
    format: ExportFormat;
    target: FileTarget;
    statuses?: StoryStatusName[];
    pageSize?: PageSize;
  }) => Promise<Result<ExportSummary>>;
  /**
   * Writes a lossless backup of the whole community to a file; with `passphrase` (at least 8
   * characters), encrypted under it (Argon2id), so the file alone lets nobody in.
   */
  "backup:write": (args: {
    communityId: CommunityId;
    target: FileTarget;
    passphrase?: string;
  }) => Promise<Result<BackupSummary>>;
  /**
   * Reads and checks a backup file without changing anything: what it holds, whether it is sealed,
   * and who restoring it would add to (or remove from) the community's member list here.
   */
  "backup:inspect": (args: {
    source: FileSource;
    passphrase?: string;
  }) => Promise<Result<BackupCheck>>;
  /**
   * Restores a backup on this device under the same document ids, so it later merges with peers.
   * A restore that changes the member list, or of an unsealed backup, needs `consent` to what
   * `backup:inspect` showed; without it nothing is changed. A protected backup needs its
   * `passphrase`. An upload restored is used up.
   */
  "backup:restore": (args: {
    source: FileSource;
    passphrase?: string;
    consent?: RestoreConsent;
  }) => Promise<Result<CommunitySummary>>;
  /** Reads Markdown files, folders or zips and says what stories they would become. */
  "import:preview": (args: {
    communityId: CommunityId;
    files: FileSource[];
  }) => Promise<Result<ImportPreview>>;
  /**
   * Creates the stories a preview showed (`sources` picks some of them; default all). Uploads
   * imported are used up: the peer forgets them.
   */
  "import:run": (args: {
    communityId: CommunityId;
    files: FileSource[];
    sources?: string[];
  }) => Promise<Result<{ storyIds: StoryId[] }>>;
  /** A report of a retreat's days: the log entries, stories created or changed, and the maps. */
  "harvest:write": (args: {
    communityId: CommunityId;
    from: string;
    to: string;
    format: "html" | "pdf";
    target: FileTarget;
    pageSize?: PageSize;
    /** The words around what people wrote, in the window's language (default English). */
    labels?: HarvestLabels;
    /** BCP 47 tag of that language, for the page and how days are written. */
    locale?: string;
    /** IANA time zone the days are counted in (default: the peer's). */
    timeZone?: string;
  }) => Promise<Result<ExportSummary>>;
};

export type Method = keyof Handlers;
export type ArgsOf<M extends Method> = Parameters<Handlers[M]>[0];
export type ValueOf<M extends Method> =
  Awaited<ReturnType<Handlers[M]>> extends Result<infer T> ? T : never;

/** Events the peer pushes to the renderer. */
export type PeerEvents = {
  "communities:changed": Record<string, never>;
  "storage:warning": StorageWarning;
  /** Something on the Sync screen of this community changed (peers, progress, members). */
  "sync:changed": { communityId: CommunityId };
  /** A device joined this community with an invite made on this device (the invite dialog says so). */
  "sync:joined": { communityId: CommunityId; deviceKey: DeviceKey; name: string };
  /** The search index of this community changed (a document was edited here or by a peer). */
  "search:changed": { communityId: CommunityId };
  /** Progress of long work (export, backup, restore, import, harvest). */
  "task:progress": TaskProgress;
};
export type EventName = keyof PeerEvents;

/** Every event, forwarded to each window (the check below fails to compile if one is missing). */
export const EVENTS = [
  "communities:changed",
  "storage:warning",
  "sync:changed",
  "sync:joined",
  "search:changed",
  "task:progress",
] as const;
type MissingEvent = Exclude<EventName, (typeof EVENTS)[number]>;
const _allEvents: MissingEvent extends never ? true : never = true;

/**
 * Every method, once: a key missing from (or not in) Handlers fails to compile, so the peer's gate
 * (serveRpc answers only these) cannot drift from the contract.
 */
const METHOD_SET = {
  "peer:info": true,
  "profile:get": true,
  "profile:set": true,
  "communities:list": true,
  "communities:create": true,
  "storage:warnings": true,
  "storage:dismiss": true,
  "sync:status": true,
  "sync:invite": true,
  "sync:join": true,
  "sync:connect": true,
  "sync:writeBundle": true,
  "sync:readBundle": true,
  "members:list": true,
  "members:remove": true,
  "search:query": true,
  "links:describe": true,
  "links:backlinks": true,
  "export:collection": true,
  "backup:write": true,
  "backup:inspect": true,
  "backup:restore": true,
  "import:preview": true,
  "import:run": true,
  "harvest:write": true,
} as const satisfies Record<Method, true>;

export const METHODS: readonly Method[] = Object.keys(METHOD_SET) as Method[];

/** Wire messages on the RPC channel (JSON text). */
export type RpcRequest = { t: "req"; id: number; method: string; args: unknown };
export type RpcResponse = { t: "res"; id: number; result: Result<unknown> };
export type RpcEvent = { t: "evt"; name: string; data: unknown };
