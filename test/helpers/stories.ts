// A story made and listed the way the app's window makes one: the document initialised, then an
// entry for it in the community index. For tests that drive documents without a browser.
import type { DocHandle } from "@automerge/automerge-repo";
import { addEntry } from "../../shared/ops/community.ts";
import { systemContext, type OpContext } from "../../shared/ops/context.ts";
import { initStory } from "../../shared/ops/story.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";

export function listStory(
  index: DocHandle<CommunityIndex>,
  story: DocHandle<Story>,
  title: string,
  ctx: OpContext = systemContext(),
): void {
  story.change((s) => initStory(s, { communityId: index.documentId, title }, ctx));
  index.change((i) =>
    addEntry(i, story.documentId, {
      kind: "story",
      title,
      status: "seed",
      createdAt: ctx.now(),
      updatedAt: ctx.now(),
    }),
  );
}
