// Search follows documents edited on another device: two `meitheal-peer serve` processes paired by
// invite; words typed into a story and a log entry (kept in a volume of its log) through a window
// of A are found by `search:query` on B a moment later, and words removed there are no longer found.
import {
  splice,
  updateText,
  type AutomergeUrl,
  type DocHandle,
  type Repo,
} from "@automerge/automerge-repo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchResult } from "../../shared/contract.ts";
import { addEntryToLog } from "../../shared/logs/write.ts";
import { systemContext } from "../../shared/ops/context.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { LogVolume } from "../../shared/schema/logVolume.ts";
import type { Story } from "../../shared/schema/story.ts";
import { seedLog } from "../helpers/logs.ts";
import { eventually, windowRepo } from "../helpers/peerRpc.ts";
import { listStory } from "../helpers/stories.ts";
import { startLinkedPeers, type LinkedPeers } from "./linkedPeers.ts";

const SHORTLY = 15_000;

let peers: LinkedPeers;
let window: Repo;
let index: DocHandle<CommunityIndex>;

beforeAll(async () => {
  peers = await startLinkedPeers({ communityName: "Search across" });
  window = await windowRepo(peers.a, peers.communityId);
  index = await window.find<CommunityIndex>(`automerge:${peers.communityId}` as AutomergeUrl);
}, 60_000);

afterAll(async () => {
  await window?.shutdown().catch(() => undefined);
  await peers?.stop();
});

/** Polls B's search until `check` holds for the hits of `text`. */
const onB = (text: string, check: (r: SearchResult) => boolean, what: string) =>
  eventually(
    async () => {
      const r = await peers.rpcB.call("search:query", { communityId: peers.communityId, text });
      return check(r) ? r : undefined;
    },
    SHORTLY,
    what,
  );

describe("search across linked devices", () => {
  it("finds on B a word typed into a story on A, and forgets it when it is deleted", async () => {
    // B's index of the community starts before the story exists: it must pick up what arrives.
    const before = await peers.rpcB.call("search:query", {
      communityId: peers.communityId,
      text: "kittiwake",
    });
    expect(before.hits).toEqual([]);

    const story = window.create<Story>();
    listStory(index, story, "Cliff notes");
    const ref = `story/${story.documentId}`;
    await onB("cliff", (r) => r.hits.some((h) => h.ref === ref), "B finds the new story by title");

    story.change((s) => splice(s, ["body"], 0, 0, "A kittiwake nests on the ledge"));
    const found = await onB(
      "kittiwak",
      (r) => r.hits.some((h) => h.ref === ref),
      "B finds the word typed on A",
    );
    const hit = found.hits.find((h) => h.ref === ref)!;
    expect(hit).toMatchObject({ type: "story", title: "Cliff notes", context: null });
    expect(hit.snippet).toContain("kittiwake");

    story.change((s) => splice(s, ["body"], 0, "A kittiwake".length, "A gannet"));
    await onB("kittiwake", (r) => r.hits.length === 0, "the word deleted on A is gone on B");
    await onB("gannet", (r) => r.hits.some((h) => h.ref === ref), "its replacement is found");
  }, 60_000);

  it("finds on B a word typed into a log entry on A, kept in a volume, with its log as context", async () => {
    const ctx = systemContext();
    const { logId, entryIds, volumeIds } = await seedLog(
      { id: peers.communityId, repo: window, index },
      ctx,
      { title: "Shore circle" },
      [
        {
          date: "2024-07-01",
          kind: "gathering",
          by: "k",
          byName: "Aoife",
          happened: "Low tide walk",
        },
      ],
    );
    expect(volumeIds).toHaveLength(1);
    const entryId = entryIds[0]!;
    const ref = `entry/${logId}/${entryId}`;
    await onB("low tide", (r) => r.hits.some((h) => h.ref === ref), "B finds the entry");

    // A second entry, of another quarter, goes into a second volume made on A.
    const target = { repo: window, index, communityId: peers.communityId, logId };
    const later = await addEntryToLog(
      target,
      { date: "2024-10-02", kind: "reflection", by: "k", byName: "Aoife", happened: "Storm watch" },
      ctx,
    );
    expect(later.volumeId).not.toBe(volumeIds[0]);
    const laterRef = `entry/${logId}/${later.entryId}`;
    await onB(
      "storm",
      (r) => r.hits.some((h) => h.ref === laterRef),
      "B finds the new volume's entry",
    );

    const volume = await window.find<LogVolume>(`automerge:${volumeIds[0]}` as AutomergeUrl);
    volume.change((d) =>
      updateText(d, ["entries", entryId, "learned"], "Sea holly grows in the dunes"),
    );
    const found = await onB(
      "holly",
      (r) => r.hits.some((h) => h.ref === ref),
      "B finds the word typed into the entry on A",
    );
    expect(found.hits.find((h) => h.ref === ref)).toMatchObject({
      type: "entry",
      title: "Low tide walk",
      context: "Shore circle",
    });
    // The filters apply on B too.
    await onB("holly", (r) => r.total === 1, "one entry");
    const stories = await peers.rpcB.call("search:query", {
      communityId: peers.communityId,
      text: "holly",
      types: ["story"],
    });
    expect(stories.hits).toEqual([]);
  }, 60_000);
});
