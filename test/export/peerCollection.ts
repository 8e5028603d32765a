// A community with stories and a collection, made in a real data folder through a PeerNode the way
// the app makes them: each story created with initStory and listed with addEntry (kind "story"),
// the collection created with initCollection, its stories added in order, listed as "collection".
import * as Automerge from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo";
import { PeerNode } from "../../peer/peerNode.ts";
import { addEntry, sortedThemes } from "../../shared/ops/community.ts";
import {
  addCredit,
  addStory,
  initCollection,
  setIntroduction,
} from "../../shared/ops/collection.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { initStory, setStatus, setThemes } from "../../shared/ops/story.ts";
import type { Collection } from "../../shared/schema/collection.ts";
import type { StoryStatus } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import { fixtureSpans, sentence, type FixtureBlock } from "./fixtures.ts";
import { asCollectionId, type CollectionId, type CommunityId } from "../../shared/ids.ts";

export type PeerStory = { title: string; status: StoryStatus; body: FixtureBlock[] };

export type PeerCollection = {
  dataDir: string;
  communityId: CommunityId;
  communityName: string;
  collectionId: CollectionId;
  collectionTitle: string;
  storyIds: string[];
};

/** About `words` words of story: a heading, then paragraphs of 100 words with a quote and a list. */
export function storyBody(seed: number, words = 2_000): FixtureBlock[] {
  const body: FixtureBlock[] = [{ type: "heading", level: 2, text: sentence(seed, 5) }];
  const paragraphs = Math.max(1, Math.round(words / 100));
  for (let p = 0; p < paragraphs; p++) {
    if (p === 2) body.push({ type: "quote", text: sentence(seed * 7 + p, 20) });
    if (p === 4)
      body.push(
        { type: "bullet", text: sentence(seed + p, 8) },
        { type: "bullet", text: sentence(seed + p + 1, 8) },
      );
    body.push(
      p === 1
        ? {
            type: "rich",
            runs: [
              { text: sentence(seed * 13 + p, 40) + " " },
              { text: "what we learned", strong: true },
              { text: " and " },
              { text: "the web page", href: "https://example.org/retreat" },
              { text: ` ${sentence(seed * 17 + p, 55)}` },
            ],
          }
        : { type: "paragraph", text: sentence(seed * 11 + p, 100) },
    );
  }
  return body;
}

/**
 * Makes the community and collection in `dataDir` (a peer is started and closed here) and returns
 * their ids. Stories are listed in the collection in the order given.
 */
export async function makePeerCollection(
  dataDir: string,
  stories: readonly PeerStory[],
  options: { communityName?: string; collectionTitle?: string } = {},
): Promise<PeerCollection> {
  const node = await PeerNode.start({ dataDir });
  try {
    const communityName = options.communityName ?? "Cois Farraige";
    const collectionTitle = options.collectionTitle ?? "Harvest of the Shore";
    const created = await node.createCommunity({ name: communityName });
    if (!created.ok) throw new Error(created.error.message);
    const communityId = created.value.id;
    const community = node.community(communityId);
    const index = community?.index;
    if (!community || !index) throw new Error("the new community has no index");
    const ctx = systemContext();
    const themeIds = sortedThemes(index.doc()).map((t) => t.id);
    const storyIds: string[] = [];
    stories.forEach((s, i) => {
      const handle: DocHandle<Story> = community.repo.create<Story>();
      handle.change((d) => initStory(d, { communityId, title: s.title }, ctx));
      handle.change((d) => {
        setStatus(d, s.status, ctx);
        setThemes(d, themeIds.slice(i % 2, (i % 2) + 2), ctx);
        d.contributors["0".repeat(64)] = {
          name: i % 2 === 0 ? "Aoife Ní Bhriain" : "Brian",
          colour: "#0b6e4f",
          firstAt: 1_000,
          lastAt: 2_000,
        };
        Automerge.updateSpans(d, ["body"], fixtureSpans(s.body));
      });
      const now = ctx.now();
      index.change((d) =>
        addEntry(d, handle.documentId, {
          kind: "story",
          title: s.title,
          status: s.status,
          createdAt: now,
          updatedAt: now,
        }),
      );
      storyIds.push(handle.documentId);
    });
    const collection: DocHandle<Collection> = community.repo.create<Collection>();
    collection.change((d) => {
      initCollection(
        d,
        { communityId, title: collectionTitle, subtitle: "Stories from a retreat" },
        ctx,
      );
      setIntroduction(
        d,
        [
          { type: "heading", level: 1, text: "Why we gathered" },
          { type: "paragraph", text: sentence(999, 30) },
        ],
        ctx,
      );
      addCredit(d, { name: "Aoife Ní Bhriain", role: "editor" }, ctx);
      for (const id of storyIds) addStory(d, id, ctx);
    });
    const now = ctx.now();
    index.change((d) =>
      addEntry(d, collection.documentId, {
        kind: "collection",
        title: collectionTitle,
        createdAt: now,
        updatedAt: now,
      }),
    );
    await node.flush();
    return {
      dataDir,
      communityId,
      communityName,
      collectionId: asCollectionId(collection.documentId),
      collectionTitle,
      storyIds,
    };
  } finally {
    await node.close();
  }
}
