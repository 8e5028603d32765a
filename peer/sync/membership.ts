// A community's members: its roster document and this device's private trust record. Both are made
// when a community is founded here; a device that joins gets the trust record from the invite and
// the roster by sync.
import * as Automerge from "@automerge/automerge";
import {
  interpretAsDocumentId,
  type AutomergeUrl,
  type DocHandle,
  type DocumentId,
} from "@automerge/automerge-repo";
import { createHash } from "node:crypto";
import { asDeviceKey } from "../../shared/ids.ts";
import { QUARTER, type CommunityIndex } from "../../shared/schema/community.ts";
import type { Roster } from "../../shared/schema/roster.ts";
import { rosterKind } from "../../shared/schema/roster.ts";
import type { OpenCommunity } from "../communities.ts";
import { createRoster, isMember, isRemoved } from "../trust/roster.ts";
import { CommunityTrust, newCommunityKey } from "./trust.ts";

/**
 * The roster's document id, derived from the community id: a joining device knows where its
 * roster is before the index arrives, and no schema change was needed to point at it. Only the
 * founding device ever creates it; everyone else receives it.
 */
export function rosterDocumentId(communityId: string): DocumentId {
  // Asked for every listed document each time the status is drawn: derived once per community.
  let id = rosterIds.get(communityId);
  if (id === undefined) {
    const digest = createHash("sha256").update(`meitheal/roster/v1/${communityId}`).digest();
    const bytes = Uint8Array.from(digest.subarray(0, 16));
    id = interpretAsDocumentId(bytes as Parameters<typeof interpretAsDocumentId>[0]);
    if (rosterIds.size >= 1_000) rosterIds.clear();
    rosterIds.set(communityId, id);
  }
  return id;
}

const rosterIds = new Map<string, DocumentId>();

export const rosterUrl = (communityId: string) =>
  `automerge:${rosterDocumentId(communityId)}` as AutomergeUrl;

/**
 * Makes this device the founder: a new community key and a roster with this device on it. Used for
 * a community created here and for one created before rosters existed (its only device).
 */
export async function foundCommunity(options: {
  dataDir: string;
  community: OpenCommunity;
  deviceKey: string;
  name: string;
  now: number;
}): Promise<{ trust: CommunityTrust; roster: DocHandle<Roster> }> {
  const { community } = options;
  const trust = await CommunityTrust.create(options.dataDir, community.id, {
    communityKey: newCommunityKey(),
    bootstrap: [],
  });
  const docId = rosterDocumentId(community.id);
  const initial = Automerge.from<Roster>(
    createRoster(
      community.id,
      { deviceKey: asDeviceKey(options.deviceKey), name: options.name },
      options.now,
    ),
  );
  const roster = community.repo.import<Roster>(Automerge.save(initial), { docId });
  await community.repo.flush([docId]);
  return { trust, roster };
}

/** The index's entries as read now (empty while it has not arrived). */
export function indexEntries(
  community: OpenCommunity,
  fallback?: DocHandle<unknown>,
): Partial<CommunityIndex>["entries"] {
  const index = community.index ?? fallback;
  if (!index?.isReady()) return undefined;
  const entries = (index.doc() as Partial<CommunityIndex> | undefined)?.entries;
  return entries && typeof entries === "object" ? entries : undefined;
}

/** The documents a community lists: its index, its roster and every entry. */
export function listedDocuments(community: OpenCommunity, fallback?: DocHandle<unknown>): string[] {
  return [
    community.id,
    rosterDocumentId(community.id),
    ...Object.keys(indexEntries(community, fallback) ?? {}),
  ];
}

/** A listed document's name for people: its title, or what the index and roster are. */
export function documentTitle(
  communityId: string,
  entries: Partial<CommunityIndex>["entries"],
  id: string,
): string | null {
  if (id === communityId) return "Community index";
  if (id === rosterDocumentId(communityId)) return "Members";
  const entry = entries?.[id] as { kind?: unknown; title?: unknown } | undefined;
  if (entry?.kind === "log-volume") return volumeTitle(entries, entry);
  const title = entry?.title;
  return typeof title === "string" ? title : null;
}

/** How long a log's title may be in a volume's name: the quarters after it must stay in view. */
const LOG_TITLE_MAX = 60;

/**
 * A log volume has no title of its own (schema/logVolume.ts): it is named after its log, as the
 * index gives it, and its quarters, "Morning circle — entries, 2024-Q1–2024-Q3". The entry is read
 * as it is in the index, unvalidated, so every part is checked.
 */
function volumeTitle(entries: Partial<CommunityIndex>["entries"], entry: object): string {
  const { log, periods } = entry as { log?: unknown; periods?: unknown };
  const listed =
    typeof log === "string" ? (entries?.[log] as { title?: unknown } | undefined) : undefined;
  let title = typeof listed?.title === "string" ? listed.title.trim() : "";
  if (title === "") title = "Practice log";
  else if (title.length > LOG_TITLE_MAX) title = `${title.slice(0, LOG_TITLE_MAX - 1).trimEnd()}…`;
  const quarters =
    typeof periods === "object" && periods !== null
      ? Object.keys(periods)
          .filter((q) => QUARTER.test(q))
          .sort()
      : [];
  if (quarters.length === 0) return `${title} — entries`;
  const [oldest, newest] = [quarters[0]!, quarters.at(-1)!];
  return `${title} — entries, ${oldest === newest ? oldest : `${oldest}–${newest}`}`;
}

/** The roster as read now: undefined while it has not arrived or does not validate. */
export function readRoster(handle: DocHandle<Roster> | undefined): Roster | undefined {
  if (!handle?.isReady()) return undefined;
  // Asked on every message (the share config), so validated once per version of the document:
  // each change gives a new document object.
  const doc = handle.doc();
  if (validated.has(doc)) return validated.get(doc);
  const read = rosterKind.read(doc);
  const roster = read.state === "ok" ? read.doc : undefined;
  validated.set(doc, roster);
  return roster;
}

const validated = new WeakMap<object, Roster | undefined>();

/**
 * Whether a device may sync this community: on the roster and never removed. Before the roster
 * has arrived, only the devices the invite named (the inviter) are trusted.
 */
export function mayLink(
  roster: Roster | undefined,
  trust: CommunityTrust | undefined,
  deviceKey: string,
): boolean {
  if (roster) {
    if (isRemoved(roster, deviceKey)) return false;
    if (isMember(roster, deviceKey)) return true;
  }
  return trust?.isBootstrap(deviceKey) ?? false;
}
