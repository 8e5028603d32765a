// Writing, checking and restoring a community's backup (format.ts) on this device.
//
// Restore, in short: the file is read and every part of it checked first; only then is anything
// written. A community new to this device is built in a staging folder inside the data folder and
// moved into place with one rename, then added to the device's list; any failure removes what was
// staged, so the data folder is as before. A community already here gets the backup merged into
// it, document by document, exactly as sync would merge it (Automerge merges lose nothing), under
// the same ids — never a second copy.
//
// A restored device has a new device key, so it is not on the community's member list: it syncs
// again once a member invites it (sync/service.ts: joining a community that is already here, as
// a restored one is, pairs and then syncs the documents it already has).
//
// Who a restore lets in is asked first (roster.ts): checking a backup says what restoring it would
// change on the community's member list here, and whether it is sealed (format.ts); a restore that
// would change the list, or of an unsealed backup, goes ahead only with the person's consent to
// exactly that, given after they saw it. Otherwise nothing is written.
import * as Automerge from "@automerge/automerge";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type {
  BackupCheck,
  BackupSummary,
  CommunitySummary,
  RestoreConsent,
  RosterChange,
  TaskProgress,
} from "../../shared/contract.ts";
import { asCommunityId, type CommunityId } from "../../shared/ids.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { communityDir, summarise, type OpenCommunity } from "../communities.ts";
import { fsyncDir, writeFileAtomic } from "../storage/atomicFile.ts";
import { SafeFsStorageAdapter } from "../storage/fsStorage.ts";
import { mergeBundle } from "../sync/bundle/merge.ts";
import { listedDocuments } from "../sync/membership.ts";
import { CommunityTrust } from "../sync/trust.ts";
import { isMember } from "../trust/roster.ts";
import { RESTORING_MARKER, STAGING_PREFIX } from "./leftovers.ts";
import { rosterChange, rosterHere, rosterOfBackup, withoutConsent } from "./roster.ts";
import { backupTarget, readBackupFile, resolveBackupPath, writeBackupFile } from "./files.ts";
import {
  decodeBackup,
  describedBy,
  encodeBackup,
  type BackupDocument,
  type DecodedBackup,
} from "./format.ts";
import {
  checkPassphrase,
  hashFailed,
  isProtected,
  NEEDS_PASSPHRASE,
  protect,
  unprotect,
} from "./protect.ts";

/** What the backup code needs of the peer (PeerNode in peerNode.ts). */
export type BackupHost = {
  dataDir: string;
  deviceKey: string;
  appVersion: string;
  now(): number;
  community(id: string): OpenCommunity | undefined;
  /** Opens a community whose folder was just put in place, lists it and starts its sync. */
  adopt(id: CommunityId): Promise<Result<CommunitySummary>>;
  progress(p: TaskProgress): void;
};

export type RestoreOutcome = {
  /** The backup's path (null when it was an upload, which the peer does not show). */
  path: string | null;
  community: CommunitySummary;
  /** "restored": new on this device; "merged": it was here, and the backup was merged into it. */
  outcome: "restored" | "merged";
  documents: number;
  /** Merged only: documents that gained changes from the backup. */
  changed: number;
  /** Whether this device is on the community's member list (if not, a member must invite it). */
  member: boolean;
  createdAt: string;
  /** What the restore changed on the member list here (the person agreed to it). */
  roster: RosterChange;
  sealed: boolean;
  protected: boolean;
};

const OTHER_KEY =
  "This backup carries a different key for this community than this device holds, so it is not a copy of the community here. Nothing was changed.";

const LOAD_MS = 10_000;
const BATCH = 32;
/** Progress events at most this often (documents), plus the first and the last. */
const PROGRESS_STEP = 25;

const progressOf = (
  host: BackupHost,
  communityId: CommunityId | null,
  task: TaskProgress["task"],
  total: number,
) => {
  let last = -1;
  return (done: number) => {
    if (done === total || done === 0 || done - last >= PROGRESS_STEP) {
      last = done;
      host.progress({ communityId, task, done, total });
    }
  };
};

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("not here")), ms).unref()),
  ]);

// ---------------------------------------------------------------------------------------------
// Writing

/** Writes the community's backup to `path`; with `passphrase`, protected by it (protect.ts). */
export async function writeBackup(
  host: BackupHost,
  community: OpenCommunity,
  args: { path: string; passphrase?: unknown },
): Promise<Result<BackupSummary>> {
  if (!community.index)
    return err(
      ErrorCode.Unavailable,
      "This community's index is not on this device (it is still arriving, or damaged), so there is nothing whole to back up yet.",
    );
  const typed = resolveBackupPath(args.path, "write");
  if (!typed.ok) return typed;
  const passphrase = args.passphrase === undefined ? undefined : checkPassphrase(args.passphrase);
  if (passphrase && !passphrase.ok) return passphrase;
  let trust: CommunityTrust | undefined;
  try {
    trust = await CommunityTrust.load(host.dataDir, community.id);
  } catch (e) {
    return err(ErrorCode.DataFolder, (e as Error).message);
  }
  if (!trust)
    return err(
      ErrorCode.Unavailable,
      "This device has no key for that community yet (it was made before keys existed). Start Meitheal with LAN sync on once, then back it up.",
    );
  const createdAt = new Date(host.now()).toISOString();
  const path = await backupTarget(typed.value, summarise(community).name, createdAt);

  const ids = listedDocuments(community);
  const progress = progressOf(host, community.id, "backup", ids.length);
  progress(0);
  const loadedDocs: { id: string; doc: Automerge.Doc<unknown> }[] = [];
  const missing: string[] = [];
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH);
    const loaded = await Promise.allSettled(
      batch.map((id) =>
        withTimeout(community.repo.find<unknown>(`automerge:${id}` as AutomergeUrl), LOAD_MS),
      ),
    );
    loaded.forEach((r, i) => {
      const id = batch[i] as string;
      if (r.status === "rejected") {
        // Listed but never arrived here (or quarantined): the backup holds what this device has.
        missing.push(id);
        return;
      }
      loadedDocs.push({ id, doc: r.value.doc() });
    });
    progress(Math.min(ids.length, start + BATCH));
  }
  // The name and kinds as the index saved in this backup has them (not as it was a moment
  // before): a reader checks the manifest against that index (format.ts).
  const index = loadedDocs.find((d) => d.id === community.id)?.doc;
  const described = index ? describedBy(index, community.id) : undefined;
  const name = described ? described.name : summarise(community).name;
  const documents: BackupDocument[] = loadedDocs.map(({ id, doc }) => ({
    id,
    kind: described?.kindOf(id) ?? "unknown",
    bytes: Automerge.save(doc),
    heads: Automerge.getHeads(doc),
  }));
  const zip = encodeBackup({
    communityId: community.id,
    name,
    createdAt,
    appVersion: host.appVersion,
    documents,
    missing,
    trust: {
      communityKey: trust.communityKeyHex,
      addresses: Object.fromEntries(trust.knownAddresses()),
    },
  });
  let bytes = zip;
  if (passphrase)
    try {
      bytes = await protect(zip, passphrase.value);
    } catch (e) {
      return err(ErrorCode.Internal, hashFailed(e));
    }
  const written = await writeBackupFile(path, bytes);
  if (!written.ok) return written;
  return ok({
    path,
    download: null,
    communityId: community.id,
    name,
    documents: documents.length,
    bytes: bytes.byteLength,
    createdAt,
    protected: passphrase !== undefined,
  });
}

// ---------------------------------------------------------------------------------------------
// Checking

/** A backup file read: locked (protected, and no passphrase given), or read and checked whole. */
export type ReadBackup =
  | { locked: true; path: string; bytes: number }
  | { locked: false; path: string; bytes: number; protected: boolean; backup: DecodedBackup };

/** Reads and checks a backup file, opening a protected one with `passphrase`; changes nothing. */
export async function readBackup(
  pathText: unknown,
  passphrase?: unknown,
): Promise<Result<ReadBackup>> {
  const path = resolveBackupPath(pathText, "read");
  if (!path.ok) return path;
  const file = await readBackupFile(path.value);
  if (!file.ok) return file;
  const bytes = file.value.byteLength;
  const locked = isProtected(file.value);
  if (locked && (passphrase === undefined || passphrase === ""))
    return ok({ locked: true, path: path.value, bytes });
  const zip = locked ? await unprotect(file.value, passphrase) : ok(file.value);
  if (!zip.ok) return zip;
  const backup = decodeBackup(zip.value);
  if (!backup.ok) return backup;
  return ok({ locked: false, path: path.value, bytes, protected: locked, backup: backup.value });
}

type Checked = Extract<BackupCheck, { state: "checked" }>;

/**
 * What a backup holds, whether it is sealed, and what restoring it on this device would change on
 * the community's member list; changes nothing. Without a host (restore --check, no data folder)
 * the member list is compared with none: everyone the backup names.
 */
export async function checkBackup(
  host: BackupHost | undefined,
  pathText: unknown,
  passphrase?: unknown,
): Promise<Result<BackupCheck>> {
  const read = await readBackup(pathText, passphrase);
  if (!read.ok) return read;
  if (read.value.locked)
    return ok({ state: "locked", path: read.value.path, bytes: read.value.bytes });
  return checkRead(host, read.value);
}

/** checkBackup of a file already read and checked whole (readBackup). */
export async function checkRead(
  host: BackupHost | undefined,
  read: Extract<ReadBackup, { locked: false }>,
): Promise<Result<Checked>> {
  const { manifest } = read.backup;
  const incoming = rosterOfBackup(read.backup);
  if (!incoming.ok) return incoming;
  const community = host?.community(manifest.communityId);
  if (host && community) {
    let trust: CommunityTrust | undefined;
    try {
      trust = await CommunityTrust.load(host.dataDir, community.id);
    } catch (e) {
      return err(ErrorCode.DataFolder, (e as Error).message);
    }
    if (trust && trust.communityKeyHex !== read.backup.trust.communityKey)
      return err(ErrorCode.BadInput, OTHER_KEY);
  }
  const here = community ? await rosterHere(community) : undefined;
  return ok({
    state: "checked",
    path: read.path,
    download: null,
    communityId: asCommunityId(manifest.communityId),
    name: manifest.name,
    documents: manifest.documents.length,
    bytes: read.bytes,
    createdAt: manifest.createdAt,
    protected: read.protected,
    sealed: read.backup.sealed,
    merges: community !== undefined,
    roster: rosterChange(here, incoming.value),
  });
}

// ---------------------------------------------------------------------------------------------
// Restoring

/** One restore at a time per data folder: two at once could both find a community new. */
const queues = new Map<string, Promise<unknown>>();

/** What a restore is given besides the file: its passphrase, and the person's consent. */
export type RestoreOptions = { passphrase?: unknown; consent?: RestoreConsent | undefined };

export function restoreBackup(
  host: BackupHost,
  pathText: unknown,
  options: RestoreOptions = {},
): Promise<Result<RestoreOutcome>> {
  const previous = queues.get(host.dataDir) ?? Promise.resolve();
  const run = previous.then(() => restoreNow(host, pathText, options));
  const settled = run.catch(() => undefined);
  queues.set(host.dataDir, settled);
  void settled.then(() => {
    if (queues.get(host.dataDir) === settled) queues.delete(host.dataDir);
  });
  return run;
}

async function restoreNow(
  host: BackupHost,
  pathText: unknown,
  { passphrase, consent }: RestoreOptions,
): Promise<Result<RestoreOutcome>> {
  const read = await readBackup(pathText, passphrase);
  if (!read.ok) return read;
  if (read.value.locked) return err(ErrorCode.BadInput, NEEDS_PASSPHRASE);
  const opened = read.value;
  const { backup, path } = opened;
  // Worked out again here, inside the queue: the file or the member list may have changed since
  // the person saw the check, and they agreed to what they saw, not to whatever is there now.
  const check = await checkRead(host, opened);
  if (!check.ok) return check;
  const refusal = withoutConsent(check.value.roster, backup.sealed, check.value.merges, consent);
  if (refusal !== undefined)
    return err(
      ErrorCode.BadInput,
      `${refusal} Nothing was restored: this needs your agreement. Check the backup again to see it, then restore it if you agree.`,
    );
  const id = asCommunityId(backup.manifest.communityId);
  const member = onRoster(backup, host.deviceKey);
  const existing = host.community(id);
  const done = (
    community: CommunitySummary,
    outcome: RestoreOutcome["outcome"],
    changed: number,
  ): Result<RestoreOutcome> =>
    ok({
      path,
      community,
      outcome,
      documents: backup.documents.length,
      changed,
      member,
      createdAt: backup.manifest.createdAt,
      roster: check.value.roster,
      sealed: backup.sealed,
      protected: opened.protected,
    });
  if (existing) {
    const merged = await mergeInto(host, existing, backup);
    return merged.ok ? done(summarise(existing), "merged", merged.value) : merged;
  }
  const placed = await placeCommunity(host, id, backup);
  if (!placed.ok) return placed;
  const adopted = await host.adopt(id);
  if (!adopted.ok) {
    await rm(communityDir(host.dataDir, id), { recursive: true, force: true }).catch(
      () => undefined,
    );
    await placed.value.undo();
    return adopted;
  }
  await placed.value.listed();
  return done(adopted.value, "restored", 0);
}

function onRoster(backup: DecodedBackup, deviceKey: string): boolean {
  const roster = rosterOfBackup(backup);
  return roster.ok && roster.value !== undefined && isMember(roster.value, deviceKey);
}

/** The key automerge-repo itself stores a document's snapshot under ([id, "snapshot", hash of heads]). */
const snapshotKey = (doc: BackupDocument) => {
  const hash = createHash("sha256")
    .update(Buffer.concat(doc.heads.map((h) => Buffer.from(h, "utf8"))))
    .digest("hex");
  return [doc.id, "snapshot", hash];
};

/**
 * Builds the community's folder (documents and key) in a staging folder in the data folder and
 * renames it into place. On failure nothing is left; on success `undo` takes it away again.
 */
async function placeCommunity(
  host: BackupHost,
  id: CommunityId,
  backup: DecodedBackup,
): Promise<Result<{ undo: () => Promise<void>; listed: () => Promise<void> }>> {
  const target = communityDir(host.dataDir, id);
  if (
    await stat(target).then(
      () => true,
      () => false,
    )
  )
    return err(
      ErrorCode.DataFolder,
      `A folder for this community is already in the data folder (${target}), but the community is not in this device's list. Nothing was changed. Move that folder out of the data folder, then restore again.`,
    );
  const parent = dirname(target);
  const parentExisted = await stat(parent).then(
    () => true,
    () => false,
  );
  const staging = join(host.dataDir, `${STAGING_PREFIX}${randomBytes(6).toString("hex")}`);
  const staged = communityDir(staging, id);
  const undoParent = async () => {
    if (!parentExisted) await rmdir(parent).catch(() => undefined);
  };
  const progress = progressOf(host, id, "restore", backup.documents.length);
  let storage: SafeFsStorageAdapter | undefined;
  try {
    storage = new SafeFsStorageAdapter({
      dir: join(staged, "docs"),
      quarantineDir: join(staging, "quarantine"),
    });
    progress(0);
    for (let start = 0; start < backup.documents.length; start += BATCH) {
      const batch = backup.documents.slice(start, start + BATCH);
      await Promise.all(batch.map((doc) => storage!.save(snapshotKey(doc), doc.bytes)));
      progress(Math.min(backup.documents.length, start + BATCH));
    }
    await storage.close();
    await CommunityTrust.create(staging, id, {
      communityKey: backup.trust.communityKey,
      // Nobody is trusted before the roster decides: the roster is restored with the documents.
      bootstrap: [],
      addresses: backup.trust.addresses,
    });
    // Moved into place with the folder: until the community is on the device's list, a stop
    // leaves a marked folder that the next start removes (leftovers.ts).
    await writeFileAtomic(
      join(staged, RESTORING_MARKER),
      `${new Date(host.now()).toISOString()}\n`,
    );
    await mkdir(parent, { recursive: true, mode: 0o700 });
    await rename(staged, target);
    await fsyncDir(parent);
  } catch (e) {
    await storage?.close().catch(() => undefined);
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    await undoParent();
    return err(
      ErrorCode.Storage,
      `The community could not be restored into ${host.dataDir} (${(e as Error).message}). Nothing was changed. Check the disk has space and the data folder is writable, then try again.`,
    );
  }
  await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  const listed = async () => {
    // Best effort: a marker left in a listed community is removed at the next start.
    await rm(join(target, RESTORING_MARKER), { force: true })
      .then(() => fsyncDir(target))
      .catch(() => undefined);
  };
  return ok({ undo: undoParent, listed });
}

/**
 * Merges the backup into a community that is already here, as sync would. Checked first: the key
 * must be this community's (a backup carrying another key is not a copy of it).
 */
async function mergeInto(
  host: BackupHost,
  community: OpenCommunity,
  backup: DecodedBackup,
): Promise<Result<number>> {
  let trust: CommunityTrust | undefined;
  try {
    trust = await CommunityTrust.load(host.dataDir, community.id);
  } catch (e) {
    return err(ErrorCode.DataFolder, (e as Error).message);
  }
  if (trust && trust.communityKeyHex !== backup.trust.communityKey)
    return err(ErrorCode.BadInput, OTHER_KEY);
  if (!trust) {
    try {
      await CommunityTrust.create(host.dataDir, community.id, {
        communityKey: backup.trust.communityKey,
        bootstrap: [],
        addresses: backup.trust.addresses,
      });
    } catch (e) {
      return err(
        ErrorCode.Storage,
        `The community's key could not be saved (${(e as Error).message}). Nothing was changed.`,
      );
    }
  }
  const progress = progressOf(host, community.id, "restore", backup.documents.length);
  progress(0);
  // Every document already loaded once in decodeBackup, so what remains can only fail on a disk
  // error; a document merged before such an error is merged as if it had arrived by sync.
  const report = await mergeBundle(
    community.repo,
    {
      communityId: community.id,
      documents: new Map(backup.documents.map((d) => [d.id, d.bytes])),
    },
    () => true,
  );
  progress(backup.documents.length);
  if (report.problems.length > 0)
    return err(
      ErrorCode.Storage,
      `${report.problems.length} document(s) of the backup could not be merged: ${report.problems[0]} Try the restore again; what was merged is kept, as if it had arrived by sync.`,
    );
  return ok(report.changed);
}
