// `search.afterRestart1000.ms`: the search benchmark's community (1,000 stories and 5,000 log
// entries in volumes, search.bench.ts), a peer started on it that builds its index and closes
// (writing the index to the community's folder), then a peer started again: timed from the start
// until a query answers with the hits it gave before the restart.
import { availableParallelism, loadavg } from "node:os";
import * as A from "@automerge/automerge";
import { PeerNode } from "../../peer/peerNode.ts";
import type { CommunityId } from "../../shared/ids.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { initStory } from "../../shared/ops/story.ts";
import type { Story } from "../../shared/schema/story.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { quick, round, type Bench } from "./registry.ts";
import { buildSearchCommunity } from "./search.bench.ts";

const QUICK_STORIES = 40;

/** --quick: a few stories, enough to go through a restart (search.bench.ts's fixture is fixed at 1,000). */
async function buildSmallCommunity(
  dataDir: string,
): Promise<{ communityId: CommunityId; vocab: string[] }> {
  const node = await PeerNode.start({ dataDir });
  try {
    const created = await node.createCommunity({ name: "Search restart" });
    if (!created.ok) throw new Error(created.error.message);
    const communityId = created.value.id;
    const community = node.community(communityId)!;
    const ctx = systemContext();
    for (let i = 0; i < QUICK_STORIES; i++) {
      const handle = community.repo.create<Story>();
      const title = `Story ${i} of the harbour`;
      handle.change((d) => {
        initStory(d, { communityId, title }, ctx);
        A.updateText(d, ["body"], `Tide ${i % 5 === 0 ? "lantern" : "bread"} and seed`);
      });
      community.index!.change((d) =>
        addEntry(d, handle.documentId, { kind: "story", title, status: "draft", createdAt: 1, updatedAt: 1 }),
      );
    }
    await node.flush();
    return { communityId, vocab: ["lantern"] };
  } finally {
    await node.close();
  }
}

type Answer = { refs: string; total: number };

/** Asks until the index is ready (or, with `expected`, until it answers that), timed from `t0`. */
async function answer(
  node: PeerNode,
  communityId: CommunityId,
  text: string,
  expected?: Answer,
): Promise<Answer> {
  for (;;) {
    const r = await node.handlers["search:query"]({ communityId, text });
    if (!r.ok) throw new Error(r.error.message);
    const got = { refs: r.value.hits.map((h) => h.ref).join(" "), total: r.value.total };
    if (expected ? got.refs === expected.refs && got.total === expected.total : r.value.indexing === null)
      return got;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const benches: Bench[] = [
  {
    name: "search.afterRestart1000.ms",
    unit: "ms",
    goal: "< 1000 ms",
    async run() {
      const dataDir = await makeTempDir("meitheal-bench-search-restart-");
      try {
        const { communityId, vocab } = quick()
          ? await buildSmallCommunity(dataDir)
          : await buildSearchCommunity(dataDir);
        // A word with a fair number of hits, from the fixture's vocabulary.
        const text = vocab[Math.min(40, vocab.length - 1)]!;
        let node = await PeerNode.start({ dataDir });
        let t = performance.now();
        const expected = await answer(node, communityId, text);
        const buildMs = performance.now() - t;
        await node.close();
        if (expected.total === 0) throw new Error(`"${text}" finds nothing in the fixture`);

        t = performance.now();
        node = await PeerNode.start({ dataDir });
        try {
          await answer(node, communityId, text, expected);
          const ms = performance.now() - t;
          const community = node.community(communityId)!;
          const stats = node.search.service(community)!.stats;
          return {
            value: ms,
            note: `a peer started on the community and its saved index until "${text}" gives its ${expected.total} hits again; ${stats.documentsRestored} documents kept from the file, ${stats.documentsRead} read; the first build before the restart took ${round(buildMs)} ms; load average ${round(loadavg()[0] ?? 0)} on ${availableParallelism()} cores`,
          };
        } finally {
          await node.close();
        }
      } finally {
        await removeDir(dataDir);
      }
    },
  },
];
