// The backup file: a whole community, losslessly, in one zip a person can keep on a stick.
//
//   manifest.json                 first entry, so a file can be recognised from its first bytes
//   seal.json                     the manifest's seal: a MAC under a key only members hold (seal.ts)
//   trust.json                    the community key and where member devices were last reached
//   documents/<documentId>.automerge   Automerge.save of each document: every change, its history
//
// manifest.json names the format and version, the community (id, name), when and by which version
// of Meitheal it was written, and per document its id, kind, byte length, SHA-256 and heads; the
// same for trust.json. Reading checks all of it — every byte of the zip (zipEntries.ts: nothing
// appended, every header and CRC as written), the seal, every length, every checksum, every
// document loads with Automerge and has the heads the manifest says, the manifest's name and kinds
// are those of the index it holds — before anything may be restored. A backup may also be protected by a passphrase: then this whole zip is encrypted inside
// another file (protect.ts).
//
// Versions: 1 had no seal; 2 is sealed. A version 1 backup is still read (a backup a person made
// must stay restorable), marked `sealed: false`, and a restore of it asks first (backup.ts): nothing
// shows whether it was changed since it was written.
//
// Why this shape:
// - Automerge's own save format (not JSON of the content) is what makes the backup lossless: a
//   restored document is the same document, with every change and its actors, so it merges with
//   the copies on other devices instead of duplicating them.
// - The community key is in the backup because a community cannot be used on a new laptop without
//   it (offline bundles and discovery depend on it): a backup must be kept as safe as the laptop.
//   This device's private key is never in it; a restored device gets its own key and is invited.
// - Checksums alone let anyone edit a document and recompute them: the seal is what says a member
//   wrote the file. It is checked before any document is loaded, so a forged file costs little.
// - Entries are stored, not compressed: Automerge already compresses its columns, and storing keeps
//   writing and reading 1,000 documents fast. The zip is read by zipEntries.ts, not a general
//   reader: a general reader skips what it does not need, so bytes added or changed there passed.
import * as Automerge from "@automerge/automerge";
import { isValidDocumentId } from "@automerge/automerge-repo";
import { strFromU8 } from "fflate";
import { createHash } from "node:crypto";
import { z } from "zod";
import { zipFiles } from "../../shared/export/zip.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { communityKind } from "../../shared/schema/community.ts";
import { rosterDocumentId } from "../sync/membership.ts";
import { isProtected } from "./protect.ts";
import { sealMatches, sealOf } from "./seal.ts";
import { readZipEntries } from "./zipEntries.ts";

export const BACKUP_EXTENSION = ".meitheal-backup";
export const BACKUP_FORMAT = "meitheal/backup";
export const BACKUP_VERSION = 2;
/** The last version without a seal: still read, and restored only when the person agrees. */
export const UNSEALED_VERSION = 1;
/** A file larger than this is refused before it is read (the whole file is held in memory). */
export const MAX_BACKUP_BYTES = 1024 ** 3;
export const MAX_BACKUP_DOCUMENTS = 100_000;
export const MANIFEST_ENTRY = "manifest.json";
export const TRUST_ENTRY = "trust.json";
export const SEAL_ENTRY = "seal.json";
/** Said wherever a backup is written or restored: it holds the community's key. */
export const KEEP_SAFE =
  "This backup holds the community's key: whoever has the file can read everything in it and join the community, so keep it as safe as this laptop and give it to no one outside the community, or protect it with a passphrase.";
/** Said of a backup protected by a passphrase. */
export const KEEP_PASSPHRASE =
  "This backup is protected by a passphrase: without it nobody can open the file, you included. Keep the passphrase somewhere apart from the file.";

export const documentEntry = (id: string) => `documents/${id}.automerge`;

export const NOT_A_BACKUP =
  "This file is not a Meitheal backup. Check that you chose the .meitheal-backup file you meant.";
/** Said of every backup refused: it is read and checked whole before anything is written. */
export const NOTHING_CHANGED = "Nothing was restored, and nothing on this device was changed.";
const DAMAGED =
  "The backup is damaged or incomplete (perhaps it was cut short while copying, or changed afterwards)";
export const NOT_AUTHENTIC =
  "This backup is not authentic: it was changed after a member of the community wrote it, or it was made by someone outside the community (its seal does not match what it holds). Nothing was restored, and nothing on this device was changed. Use another copy of the backup, or ask a member of the community to write a new one.";
const damaged = <T>(why: string): Result<T> =>
  err(
    ErrorCode.Damaged,
    `${DAMAGED}: ${why}. ${NOTHING_CHANGED} Use another copy of the backup, or write a new one.`,
  );

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const documentId = z.string().refine((s): boolean => isValidDocumentId(s), "not a document id");
const entryInfo = z.object({
  path: z.string().max(300),
  bytes: z.number().int().min(0),
  sha256: hex64,
});

const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.union([z.literal(UNSEALED_VERSION), z.literal(BACKUP_VERSION)]),
  communityId: documentId,
  name: z.string().max(1000).nullable(),
  createdAt: z.iso.datetime(),
  appVersion: z.string().max(40),
  notice: z.string().max(1000),
  documents: z
    .array(
      entryInfo.extend({
        id: documentId,
        /** "index", "roster", or the index entry's kind (story, log, map, collection…). */
        kind: z.string().max(40),
        heads: z.array(z.string().max(128)).max(10_000),
      }),
    )
    .min(1)
    .max(MAX_BACKUP_DOCUMENTS),
  /** Listed documents this device did not have when the backup was written. */
  missing: z.array(documentId).max(MAX_BACKUP_DOCUMENTS),
  trust: entryInfo,
});
export type BackupManifest = z.infer<typeof manifestSchema>;

const trustSchema = z.object({
  kind: z.literal("meitheal/backup-trust"),
  version: z.literal(1),
  communityKey: hex64,
  addresses: z.record(hex64, z.array(z.string().max(300)).max(6)),
});
export type BackupTrust = Omit<z.infer<typeof trustSchema>, "kind" | "version">;

const sealSchema = z.object({
  kind: z.literal("meitheal/backup-seal"),
  version: z.literal(1),
  /** keyed BLAKE2b-256 of manifest.json's bytes (seal.ts). */
  seal: hex64,
});

export type BackupDocument = { id: string; kind: string; bytes: Uint8Array; heads: string[] };

export type BackupContents = {
  communityId: string;
  name: string | null;
  createdAt: string;
  appVersion: string;
  documents: BackupDocument[];
  missing: string[];
  trust: BackupTrust;
};

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const sameHeads = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** The backup file's bytes. Deterministic for the same contents. */
export function encodeBackup(contents: BackupContents): Uint8Array {
  const trustBytes = new TextEncoder().encode(
    `${JSON.stringify({ kind: "meitheal/backup-trust", version: 1, ...contents.trust }, null, 2)}\n`,
  );
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    communityId: contents.communityId,
    name: contents.name,
    createdAt: contents.createdAt,
    appVersion: contents.appVersion,
    notice: KEEP_SAFE,
    documents: contents.documents.map((d) => ({
      id: d.id,
      kind: d.kind,
      path: documentEntry(d.id),
      bytes: d.bytes.byteLength,
      sha256: sha256(d.bytes),
      heads: [...d.heads],
    })),
    missing: [...contents.missing],
    trust: { path: TRUST_ENTRY, bytes: trustBytes.byteLength, sha256: sha256(trustBytes) },
  };
  const manifestBytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
  const seal = {
    kind: "meitheal/backup-seal",
    version: 1,
    seal: Buffer.from(sealOf(manifestBytes, contents.trust.communityKey)).toString("hex"),
  } satisfies z.infer<typeof sealSchema>;
  return zipFiles(
    [
      { path: MANIFEST_ENTRY, data: manifestBytes, store: true },
      { path: SEAL_ENTRY, data: `${JSON.stringify(seal, null, 2)}\n`, store: true },
      { path: TRUST_ENTRY, data: trustBytes, store: true },
      ...contents.documents.map((d) => ({ path: documentEntry(d.id), data: d.bytes, store: true })),
    ],
    Date.parse(contents.createdAt) || 0,
  );
}

/**
 * Whether the first bytes of a file are a zip whose first entry is manifest.json, or a protected
 * backup's (protect.ts): enough to tell a backup from any other file (a 200 MB video, another zip)
 * without reading the rest of it.
 */
export const HEAD_BYTES = 30 + MANIFEST_ENTRY.length;
export function looksLikeBackup(head: Uint8Array): boolean {
  if (isProtected(head)) return true;
  if (head.byteLength < HEAD_BYTES) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (view.getUint32(0, true) !== 0x04034b50) return false;
  const nameLength = view.getUint16(26, true);
  if (nameLength !== MANIFEST_ENTRY.length) return false;
  return strFromU8(head.subarray(30, 30 + nameLength)) === MANIFEST_ENTRY;
}

export type DecodedBackup = {
  manifest: BackupManifest;
  /** Sealed by a holder of the community key; false for a version 1 backup (it had no seal). */
  sealed: boolean;
  /** In the manifest's order, the index first. */
  documents: BackupDocument[];
  trust: BackupTrust;
};

/** Reads and checks everything in a backup zip's bytes (not protected); changes nothing anywhere. */
export function decodeBackup(bytes: Uint8Array): Result<DecodedBackup> {
  const head = bytes.subarray(0, HEAD_BYTES);
  if (isProtected(head) || !looksLikeBackup(head)) return err(ErrorCode.BadInput, NOT_A_BACKUP);
  // Every byte first: what the checksums and the seal do not cover must be exactly as written.
  const zip = readZipEntries(bytes);
  if ("why" in zip) return damaged(`the zip cannot be read (${zip.why})`);
  const files = zip.files;
  const manifestBytes = files.get(MANIFEST_ENTRY);
  if (!manifestBytes) return damaged("its manifest is missing");
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(manifestBytes));
  } catch {
    return damaged("its manifest is not readable");
  }
  const named = raw as { format?: unknown; version?: unknown } | null;
  if (named?.format !== BACKUP_FORMAT) return err(ErrorCode.BadInput, NOT_A_BACKUP);
  if (typeof named.version === "number" && named.version > BACKUP_VERSION)
    return err(
      ErrorCode.NewerVersion,
      `This backup was written by a newer version of Meitheal (backup format ${named.version}). Update Meitheal on this device to restore it; nothing was changed.`,
    );
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success)
    return damaged(
      `its manifest is not as expected (${parsed.error.issues[0]?.path.join(".") || "format"})`,
    );
  const manifest = parsed.data;

  // The key first, then the seal it makes: a forged file is refused before any document loads.
  const trustBytes = files.get(manifest.trust.path);
  if (!trustBytes) return damaged("the community's key is missing");
  if (
    trustBytes.byteLength !== manifest.trust.bytes ||
    sha256(trustBytes) !== manifest.trust.sha256
  )
    return damaged("the community's key does not match its checksum");
  let trust: z.infer<typeof trustSchema>;
  try {
    const t = trustSchema.safeParse(JSON.parse(new TextDecoder().decode(trustBytes)));
    if (!t.success) return damaged("the community's key is not as expected");
    trust = t.data;
  } catch {
    return damaged("the community's key is not readable");
  }
  const sealed = manifest.version !== UNSEALED_VERSION;
  if (sealed && !sealHolds(files.get(SEAL_ENTRY), manifestBytes, trust.communityKey))
    return err(ErrorCode.Damaged, NOT_AUTHENTIC);

  let index: Automerge.Doc<unknown> | undefined;
  const expected = new Set([MANIFEST_ENTRY, manifest.trust.path, ...(sealed ? [SEAL_ENTRY] : [])]);
  const seen = new Set<string>();
  const documents: BackupDocument[] = [];
  for (const entry of manifest.documents) {
    if (seen.has(entry.id)) return damaged(`document ${entry.id} is listed twice`);
    seen.add(entry.id);
    if (entry.path !== documentEntry(entry.id))
      return damaged(`document ${entry.id} is stored under an unexpected name`);
    expected.add(entry.path);
    const data = files.get(entry.path);
    if (!data) return damaged(`document ${entry.id} is missing`);
    if (data.byteLength !== entry.bytes)
      return damaged(
        `document ${entry.id} has ${data.byteLength} bytes where the manifest says ${entry.bytes}`,
      );
    if (sha256(data) !== entry.sha256)
      return damaged(`document ${entry.id} does not match its checksum`);
    let doc: Automerge.Doc<unknown>;
    try {
      doc = Automerge.load<unknown>(data);
      if (entry.id === manifest.communityId) index = doc;
    } catch (e) {
      return damaged(`document ${entry.id} cannot be loaded (${(e as Error).message})`);
    }
    if (!sameHeads(Automerge.getHeads(doc), entry.heads))
      return damaged(`document ${entry.id} does not hold the history the manifest names`);
    documents.push({ id: entry.id, kind: entry.kind, bytes: data, heads: entry.heads });
  }
  if (!index) return damaged("the community's index document is missing");
  const described = describedFields(manifest, seen, index);
  if (described !== undefined) return damaged(described);
  const extra = [...files.keys()].find((name) => !expected.has(name));
  if (extra !== undefined)
    return damaged(`it holds a file its manifest does not list (${extra.slice(0, 80)})`);

  // The index first: a restore that merges sees the backup's entries before the entries' documents.
  documents.sort((a, b) =>
    a.id === manifest.communityId ? -1 : b.id === manifest.communityId ? 1 : 0,
  );
  return ok({
    manifest,
    sealed,
    documents,
    trust: { communityKey: trust.communityKey, addresses: trust.addresses },
  });
}

/**
 * What the backup's own index says of it: the community's name, and each document's kind.
 * Exported for the writer, so the manifest it writes says exactly what the reader checks.
 */
export function describedBy(index: unknown, communityId: string) {
  const read = communityKind.read(index);
  const raw = (index as { entries?: unknown } | undefined)?.entries;
  const entries = raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
  const roster = rosterDocumentId(communityId);
  return {
    name: read.state === "ok" ? read.doc.name : null,
    /** The kind the manifest gives a document; undefined for one the community does not list. */
    kindOf(id: string): string | undefined {
      if (id === communityId) return "index";
      if (id === roster) return "roster";
      if (!Object.prototype.hasOwnProperty.call(entries, id)) return undefined;
      const kind = (entries[id] as { kind?: unknown } | null)?.kind;
      return typeof kind === "string" ? kind : "unknown";
    },
  };
}

const quoted = (name: string | null) => (name === null ? "no name" : `"${name.slice(0, 200)}"`);

/**
 * Why the manifest's own fields disagree with what the backup holds; undefined when they agree.
 * The seal covers every byte of a sealed manifest, but whoever holds the key (anyone with an
 * unprotected backup) can seal an edited one again, and a backup from before seals has none: the
 * fields that describe the contents must also be the contents' own, so a check never shows one
 * community's name and restores another. (createdAt, appVersion and notice say nothing the
 * contents can confirm: the seal is all that covers them.)
 */
function describedFields(
  manifest: BackupManifest,
  present: ReadonlySet<string>,
  index: Automerge.Doc<unknown>,
): string | undefined {
  const described = describedBy(index, manifest.communityId);
  if (described.name !== manifest.name)
    return `its manifest names the community ${quoted(manifest.name)}, but the community it holds is called ${quoted(described.name)}`;
  for (const entry of manifest.documents) {
    const kind = described.kindOf(entry.id);
    if (kind === undefined)
      return `it holds document ${entry.id}, which the community's index does not list`;
    if (kind !== entry.kind)
      return `its manifest calls document ${entry.id} a ${entry.kind.slice(0, 40)}, but the community's index lists it as a ${kind.slice(0, 40)}`;
  }
  const missing = new Set<string>();
  for (const id of manifest.missing) {
    if (present.has(id)) return `its manifest lists document ${id} as missing, and it is there`;
    if (missing.has(id)) return `its manifest lists document ${id} as missing twice`;
    if (described.kindOf(id) === undefined)
      return `its manifest lists document ${id} as missing, but the community's index does not list it`;
    missing.add(id);
  }
  return undefined;
}

/** Whether the seal entry is there, well formed, and seals these manifest bytes under the key. */
function sealHolds(
  entry: Uint8Array | undefined,
  manifestBytes: Uint8Array,
  communityKeyHex: string,
): boolean {
  if (!entry) return false;
  try {
    const parsed = sealSchema.safeParse(JSON.parse(new TextDecoder().decode(entry)));
    return (
      parsed.success &&
      sealMatches(manifestBytes, communityKeyHex, Buffer.from(parsed.data.seal, "hex"))
    );
  } catch {
    return false;
  }
}
