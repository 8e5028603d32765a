// What the backup tests share: a community with stories made in-process, the documents of a
// community read back with their full history, and a before/after picture of a data folder.
import * as Automerge from "@automerge/automerge";
import { splice, type AutomergeUrl, type DocHandle } from "@automerge/automerge-repo";
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from "fflate";
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import {
  MANIFEST_ENTRY,
  SEAL_ENTRY,
  TRUST_ENTRY,
  type BackupManifest,
} from "../../peer/backup/format.ts";
import { sealOf } from "../../peer/backup/seal.ts";
import { devicesOf } from "../../peer/backup/roster.ts";
import type { PeerNode } from "../../peer/peerNode.ts";
import { atPath, type BackupCheck, type RestoreConsent } from "../../shared/contract.ts";
import { listedDocuments, rosterDocumentId } from "../../peer/sync/membership.ts";
import type { Result } from "../../shared/result.ts";
import type { Roster } from "../../shared/schema/roster.ts";
import type { Story } from "../../shared/schema/story.ts";
import { listStory } from "../helpers/stories.ts";

export const value = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

/** A community with `stories` stories, each edited a few times, so documents have a history. */
export async function seedCommunity(node: PeerNode, name: string, stories: number) {
  const created = value(await node.createCommunity({ name, purpose: "Kept safe" }));
  const community = node.community(created.id);
  if (!community?.index) throw new Error("no index");
  const ids: string[] = [];
  for (let i = 0; i < stories; i++) {
    const story = community.repo.create<Story>();
    listStory(community.index, story, `Story ${i + 1}`);
    for (let edit = 0; edit < 3; edit++)
      story.change((s) => splice(s, ["body"], s.body.length, 0, `Edit ${edit} of story ${i}. `));
    ids.push(story.documentId);
  }
  await node.flush();
  return { communityId: created.id, storyIds: ids };
}

export type DocPicture = { heads: string[]; changes: string[] };

/** Every listed document of a community: heads and the hashes of every change, in order. */
export async function documentsOf(
  node: PeerNode,
  communityId: string,
): Promise<Map<string, DocPicture>> {
  const community = node.community(communityId);
  if (!community) throw new Error(`no community ${communityId}`);
  const out = new Map<string, DocPicture>();
  for (const id of listedDocuments(community).sort()) {
    const handle: DocHandle<unknown> = await community.repo.find(`automerge:${id}` as AutomergeUrl);
    const doc = handle.doc();
    out.set(id, {
      heads: [...Automerge.getHeads(doc)].sort(),
      changes: Automerge.getAllChanges(doc).map((c) => Automerge.decodeChange(c).hash ?? ""),
    });
  }
  return out;
}

export const entryIds = (node: PeerNode, communityId: string): string[] =>
  Object.keys(node.community(communityId)?.index?.doc()?.entries ?? {}).sort();

/** Every file under `dir` with its bytes (base64) and every folder: a before/after picture. */
export async function picture(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of (await readdir(dir, { recursive: true })).sort()) {
    // The lock file is the running peer's own, rewritten as it likes.
    if (rel === "peer.lock") continue;
    const path = join(dir, rel);
    out[rel] = (await stat(path)).isDirectory()
      ? "<dir>"
      : (await readFile(path)).toString("base64");
  }
  return out;
}

export const expectErr = <T>(r: Result<T>, code: string, message: RegExp) => {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error.code).toBe(code);
  expect(r.error.message).toMatch(message);
};

/** Seals a backup's manifest again with the backup's own key, as anyone holding the file could. */
export function reseal(files: Record<string, Uint8Array>): void {
  const { communityKey } = JSON.parse(strFromU8(files[TRUST_ENTRY]!)) as { communityKey: string };
  const seal = Buffer.from(sealOf(files[MANIFEST_ENTRY]!, communityKey)).toString("hex");
  files[SEAL_ENTRY] = strToU8(JSON.stringify({ kind: "meitheal/backup-seal", version: 1, seal }));
}

/** A backup's files changed by `edit`, zipped again with the manifest first, as a backup is. */
export function editBackup(
  backup: Uint8Array,
  edit: (files: Record<string, Uint8Array>) => void,
): Uint8Array {
  const files: Record<string, Uint8Array> = unzipSync(backup);
  edit(files);
  // One time for every header: fflate reads the clock for each one it writes, and a local header
  // whose time differs from its directory record's is refused (zipEntries.ts).
  const stored = { level: 0, mtime: Date.UTC(2025, 5, 1) } as const;
  const ordered: Zippable = { [MANIFEST_ENTRY]: [files[MANIFEST_ENTRY]!, stored] };
  for (const [name, data] of Object.entries(files))
    if (name !== MANIFEST_ENTRY) ordered[name] = [data, stored];
  return zipSync(ordered);
}

/**
 * A sealed backup as an older Meitheal wrote it, before seals: format 1, no seal.json. (Also what
 * someone who strips the seal makes: the restore then says it is not sealed, and asks.)
 */
export const asUnsealed = (backup: Uint8Array): Uint8Array =>
  editBackup(backup, (files) => {
    delete files[SEAL_ENTRY];
    const manifest = JSON.parse(strFromU8(files[MANIFEST_ENTRY]!)) as Record<string, unknown>;
    files[MANIFEST_ENTRY] = strToU8(`${JSON.stringify({ ...manifest, version: 1 }, null, 2)}\n`);
  });

/** A check that found the file open (not locked by a passphrase); throws otherwise. */
export function checked(check: BackupCheck): Extract<BackupCheck, { state: "checked" }> {
  if (check.state !== "checked") throw new Error("expected a checked backup, got a locked one");
  return check;
}

/** Consent to exactly what a check showed: a person who read it and agreed. */
export const consentTo = (check: BackupCheck): RestoreConsent => ({
  devices: devicesOf(checked(check).roster),
  unsealed: !checked(check).sealed,
});

/** The consent a person gives after checking the backup at `path` on `node`. */
export async function consentFor(node: PeerNode, path: string): Promise<RestoreConsent> {
  return consentTo(value(await node.handlers["backup:inspect"]({ source: atPath(path) })));
}

/**
 * The forgery: the backup's roster given one more member (a device key and a name), the
 * manifest's length, checksum and heads for it recomputed, everything else as it was. With
 * `resealed`, also sealed again with the key the file holds, as anyone holding the file could.
 */
export function withExtraMember(
  backup: Uint8Array,
  communityId: string,
  member: { deviceKey: string; name: string },
  { resealed = false } = {},
): Uint8Array {
  return editBackup(backup, (files) => {
    const manifest = JSON.parse(strFromU8(files[MANIFEST_ENTRY]!)) as BackupManifest;
    const listed = manifest.documents.find((d) => d.id === rosterDocumentId(communityId))!;
    const roster = Automerge.change(Automerge.load<Roster>(files[listed.path]!), (r) => {
      const founder = Object.keys(r.members)[0]!;
      r.members[member.deviceKey] = { name: member.name, addedBy: founder, addedAt: Date.now() };
    });
    const bytes = Automerge.save(roster);
    files[listed.path] = bytes;
    listed.bytes = bytes.byteLength;
    listed.sha256 = createHash("sha256").update(bytes).digest("hex");
    listed.heads = Automerge.getHeads(roster);
    files[MANIFEST_ENTRY] = strToU8(`${JSON.stringify(manifest, null, 2)}\n`);
    if (resealed) reseal(files);
  });
}
