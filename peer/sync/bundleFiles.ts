// The offline bundle as the Sync screen and the CLI use it: every document a community lists,
// encrypted with the community key (bundle/format.ts), written to a path such as a USB stick, and
// read and merged on another member device exactly as sync would merge it.
import * as Automerge from "@automerge/automerge";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import type { BundleSummary } from "../../shared/contract.ts";
import { asCommunityId } from "../../shared/ids.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import type { OpenCommunity } from "../communities.ts";
import { mergeBundle } from "./bundle/merge.ts";
import { peekBundle, readBundle } from "./bundle/read.ts";
import { writeBundle } from "./bundle/write.ts";
import { listedDocuments } from "./membership.ts";
import { CommunityTrust } from "./trust.ts";

const LOAD_MS = 10_000;

/** A path typed by a person: "~/…" is the home folder; anything else must be absolute. */
export function resolveBundlePath(text: string): Result<string> {
  const trimmed = String(text).trim();
  if (trimmed === "")
    return err(
      ErrorCode.BadInput,
      "Type where the bundle goes, e.g. /media/usb/retreat.meitheal-sync.",
    );
  const path =
    trimmed === "~" || trimmed.startsWith("~/") ? join(homedir(), trimmed.slice(1)) : trimmed;
  if (!isAbsolute(path))
    return err(
      ErrorCode.BadInput,
      `"${trimmed.slice(0, 120)}" is not a full path. Give the whole path, e.g. /media/usb/retreat.meitheal-sync.`,
    );
  return ok(path);
}

const keyOf = async (dataDir: string, communityId: string): Promise<Result<CommunityTrust>> => {
  try {
    const trust = await CommunityTrust.load(dataDir, communityId);
    return trust
      ? ok(trust)
      : err(
          ErrorCode.Unavailable,
          "This device has no key for that community yet (it was made before keys existed). Start Meitheal with LAN sync on once, then try again.",
        );
  } catch (e) {
    return err(ErrorCode.DataFolder, (e as Error).message);
  }
};

export async function exportBundle(
  community: OpenCommunity,
  dataDir: string,
  pathText: string,
): Promise<Result<BundleSummary>> {
  const path = resolveBundlePath(pathText);
  if (!path.ok) return path;
  const trust = await keyOf(dataDir, community.id);
  if (!trust.ok) return trust;
  const documents = new Map<string, Uint8Array>();
  for (const id of listedDocuments(community)) {
    try {
      const handle = await Promise.race([
        community.repo.find(`automerge:${id}` as AutomergeUrl),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("not here")), LOAD_MS).unref(),
        ),
      ]);
      documents.set(id, Automerge.save(handle.doc()));
    } catch {
      // Not on this device (never arrived): the bundle carries what this device has.
    }
  }
  const written = await writeBundle(
    path.value,
    { communityId: community.id, documents },
    trust.value.communityKey,
  );
  if (!written.ok) return written;
  return ok({
    path: path.value,
    download: null,
    communityId: community.id,
    documents: written.value.documents,
    bytes: written.value.bytes,
  });
}

export async function importBundle(
  communityOf: (id: string) => OpenCommunity | undefined,
  dataDir: string,
  pathText: string,
): Promise<Result<BundleSummary>> {
  const path = resolveBundlePath(pathText);
  if (!path.ok) return path;
  const header = await peekBundle(path.value);
  if (!header.ok) return header;
  const community = communityOf(header.value.communityId);
  if (!community)
    return err(
      ErrorCode.NotFound,
      "This bundle belongs to a community this device is not in. Join that community with an invite first, then read the bundle.",
    );
  const trust = await keyOf(dataDir, community.id);
  if (!trust.ok) return trust;
  const contents = await readBundle(path.value, trust.value.communityKey, {
    expectCommunityId: community.id,
  });
  if (!contents.ok) return contents;
  // Listed documents only, asked one by one: the bundle's own index (merged first) may list new ones.
  const report = await mergeBundle(community.repo, contents.value, (id) =>
    listedDocuments(community).includes(id),
  );
  if (report.problems.length > 0 && report.merged + report.added === 0)
    return err(ErrorCode.Damaged, report.problems.join(" "));
  return ok({
    path: path.value,
    download: null,
    communityId: asCommunityId(community.id),
    documents: report.merged + report.added,
    bytes: 0,
  });
}
