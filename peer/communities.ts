// The communities on this device. Each has its own automerge-repo Repo on its own storage folder,
// so documents of one community can never be served through another's connections. The list of
// communities is device data (communities.json); their names live in their index documents.
import { Repo, type DocHandle, type PeerId, type RepoConfig } from "@automerge/automerge-repo";
import { join } from "node:path";
import type { CommunitySummary } from "../shared/contract.ts";
import { isDocumentId, type CommunityId } from "../shared/ids.ts";
import { ErrorCode, err, type Result } from "../shared/result.ts";
import { communityKind, type CommunityIndex } from "../shared/schema/community.ts";
import { readJson, writeJsonAtomic } from "./storage/atomicFile.ts";
import { SafeFsStorageAdapter, type QuarantineWarning } from "./storage/fsStorage.ts";

type ShareConfig = NonNullable<RepoConfig["shareConfig"]>;

export const REGISTRY_FILE = "communities.json";

type Registry = { version: 1; communities: { id: string; addedAt: string }[] };

export type OpenCommunity = {
  id: CommunityId;
  repo: Repo;
  storage: SafeFsStorageAdapter;
  /** Undefined when the index could not be loaded at all (its chunks quarantined or missing). */
  index: DocHandle<CommunityIndex> | undefined;
  loadError: string | undefined;
  /** Joined, and nothing of its index is on this device yet: it is on its way, not damaged. */
  arriving?: boolean;
};

/** What every call naming a community that is not here answers (handlers/context.ts). */
export const COMMUNITY_NOT_HERE = "That community is not on this device.";

/** The not-found error for a community id; `hint` says what to do, where a caller knows. */
export const communityNotHere = (hint?: string): Result<never> =>
  err(ErrorCode.NotFound, hint ? `${COMMUNITY_NOT_HERE} ${hint}` : COMMUNITY_NOT_HERE);

export const communityDir = (dataDir: string, id: string) => join(dataDir, "communities", id);
export const quarantineDir = (dataDir: string, id: string) => join(dataDir, "quarantine", id);

export async function readRegistry(dataDir: string): Promise<Registry> {
  const raw = await readJson(join(dataDir, REGISTRY_FILE));
  if (raw === undefined) return { version: 1, communities: [] };
  const r = raw as Partial<Registry>;
  if (r.version !== 1 || !Array.isArray(r.communities)) {
    throw new Error(`${REGISTRY_FILE} is not a list of communities`);
  }
  // A repeated id would open two Repos on one storage folder; keep the first.
  const seen = new Set<string>();
  return {
    version: 1,
    communities: r.communities.filter((c): c is { id: string; addedAt: string } => {
      if (
        typeof c?.id !== "string" ||
        !isDocumentId(c.id) ||
        typeof c.addedAt !== "string" ||
        seen.has(c.id)
      )
        return false;
      seen.add(c.id);
      return true;
    }),
  };
}

export const writeRegistry = (dataDir: string, registry: Registry) =>
  writeJsonAtomic(join(dataDir, REGISTRY_FILE), registry);

export function openRepo(
  dataDir: string,
  id: string,
  peerId: PeerId,
  onQuarantine: (w: QuarantineWarning) => void,
  shareConfig?: ShareConfig,
): { repo: Repo; storage: SafeFsStorageAdapter } {
  const storage = new SafeFsStorageAdapter({
    dir: join(communityDir(dataDir, id), "docs"),
    quarantineDir: quarantineDir(dataDir, id),
    onQuarantine,
  });
  const repo = new Repo({
    storage,
    network: [],
    peerId,
    isEphemeral: false,
    ...(shareConfig ? { shareConfig } : {}),
  });
  return { repo, storage };
}

export function summarise(community: OpenCommunity): CommunitySummary {
  const base = { id: community.id, name: null, purpose: null, entryCount: 0 };
  if (!community.index && community.arriving) return { ...base, state: "arriving", problems: [] };
  if (!community.index) {
    return {
      ...base,
      state: "damaged",
      problems: [community.loadError ?? "The community's index document could not be loaded."],
    };
  }
  const read = communityKind.read(community.index.doc());
  switch (read.state) {
    case "ok":
      return {
        ...base,
        name: read.doc.name,
        purpose: read.doc.purpose,
        state: "ok",
        problems: [...read.problems],
        // What people made: a log's volumes are part of the log, not things of their own.
        entryCount: Object.values(read.doc.entries).filter((e) => e.kind !== "log-volume").length,
      };
    case "newer":
      return {
        ...base,
        state: "newer",
        problems: [
          `This community was last changed by a newer version of Meitheal (format ${read.version}). Update Meitheal to open it; nothing here was changed.`,
        ],
      };
    case "needs-migration":
      return {
        ...base,
        state: "damaged",
        problems: [
          `The community index is in an old format (${read.from}) that could not be upgraded.`,
        ],
      };
    case "damaged":
      return { ...base, state: "damaged", problems: [...read.problems] };
  }
}
