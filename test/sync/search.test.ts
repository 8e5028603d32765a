// Search follows documents edited on another device: two `meitheal-peer serve` processes paired by
// invite; words typed into a story and a log entry through a window of A are found by
// `search:query` on B a moment later, and words removed there are no longer found.
import {
  splice,
  updateText,
  type AutomergeUrl,
  type DocHandle,
  type Repo,
} from "@automerge/automerge-repo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchResult } from "../../shared/contract.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { addLogEntry, initLog } from "../../shared/ops/log.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Log } from "../../shared/schema/log.ts";
import type { Story } from "../../shared/schema/story.ts";
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

  it("finds on B a word typed into a log entry on A, with its log as context", async () => {
    const ctx = systemContext();
    const log = window.create<Log>();
    let entryId = "";
    log.change((d) => {
      initLog(
        d,
        {
          communityId: peers.communityId,
          title: "Shore circle",
        },
        ctx,
      );
      entryId = addLogEntry(
        d,
        {
          date: "2024-07-01",
          kind: "gathering",
          by: "k",
          byName: "Aoife",
          happened: "Low tide walk",
        },
        ctx,
      );
    });
    index.change((d) =>
      addEntry(d, log.documentId, {
        kind: "log",
        title: "Shore circle",
        createdAt: ctx.now(),
        updatedAt: ctx.now(),
      }),
    );
    const ref = `entry/${log.documentId}/${entryId}`;
    await onB("low tide", (r) => r.hits.some((h) => h.ref === ref), "B finds the entry");

    log.change((d) =>
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
