// Data folders shared by several benchmarks. Built lazily (only if a selected benchmark needs one)
// and once per run, because building the 1,000-story community costs more than measuring it.
import type { DocHandle } from "@automerge/automerge-repo";
import { PeerNode } from "../../peer/peerNode.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { initStory } from "../../shared/ops/story.ts";
import type { IndexEntry } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { afterAllBenches, once, quick } from "./registry.ts";

export type CommunityFixture = {
  dataDir: string;
  communityId: string;
  storyIds: string[];
};

/** 1,000 stories; 100 in a quick run (registry.ts). */
const stories = () => (quick() ? 100 : 1000);
const BATCH = 100;

const TITLE_WORDS = ["river", "kitchen", "harvest", "circle", "bridge", "garden", "lantern", "commons", "thread", "meadow"];
const titleOf = (i: number) =>
  `Story ${i + 1}: the ${TITLE_WORDS[i % TITLE_WORDS.length] ?? "story"} of the ${TITLE_WORDS[(i * 7 + 3) % TITLE_WORDS.length] ?? "day"}`;

/**
 * A data folder with one community whose index lists 1,000 stories and whose repo holds the 1,000
 * story documents too (1,001 documents). The index gets its entries in 10 changes of 100, each
 * flushed, so it has the history and the chunk layout (snapshot + incrementals) of a community that
 * grew over time rather than one change that no real community would have.
 */
export const communityWith1000Stories = once(async (): Promise<CommunityFixture> => {
  const started = performance.now();
  const dataDir = await makeTempDir("meitheal-bench-");
  afterAllBenches(() => removeDir(dataDir));
  const ctx = systemContext();
  const node = await PeerNode.start({ dataDir });
  try {
    const created = await node.createCommunity({ name: "Bench community", purpose: "A thousand stories, to time a cold start." });
    if (!created.ok) throw new Error(`createCommunity failed: ${created.error.message}`);
    const communityId = created.value.id;
    const community = node.community(communityId);
    const index = community?.index;
    if (!community || !index) throw new Error("the new community has no index handle");
    const storyIds: string[] = [];
    for (let start = 0; start < stories(); start += BATCH) {
      const batch: { id: string; entry: IndexEntry }[] = [];
      for (let i = start; i < Math.min(stories(), start + BATCH); i++) {
        const title = titleOf(i);
        // As the UI creates a story (renderer/features/stories/StoriesList.tsx): create, then init.
        const handle: DocHandle<Story> = community.repo.create<Story>();
        handle.change((d) => initStory(d, { communityId, title }, ctx));
        const now = ctx.now();
        batch.push({ id: handle.documentId, entry: { kind: "story", title, status: "seed", createdAt: now, updatedAt: now } });
        storyIds.push(handle.documentId);
      }
      index.change((d) => {
        for (const { id, entry } of batch) addEntry(d, id, entry);
      });
      // Flushed per batch so each batch lands as its own chunk, as it would over days of use.
      await node.flush();
    }
    // On stderr, beside run.ts's progress lines: setup is not a benchmark, but a slow one explains a slow run.
    process.stderr.write(`  built ${stories() + 1} documents in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return { dataDir, communityId, storyIds };
  } finally {
    await node.close();
  }
});
