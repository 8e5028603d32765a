// What the story page writes: each action changes the story and keeps the index entry (what lists
// show) in step, and records who edited.
import { getActorId } from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo";
import { updateEntry } from "../../../shared/ops/community.ts";
import { systemContext } from "../../../shared/ops/context.ts";
import {
  chooseValue,
  renameStory,
  setStatus,
  setSummary,
  setThemes,
  touchContributor,
  type Author,
} from "../../../shared/ops/story.ts";
import type { CommunityIndex, StoryStatus } from "../../../shared/schema/community.ts";
import type { Story } from "../../../shared/schema/story.ts";
import type { EditorApi } from "./editor/api.ts";

export type Me = { deviceKey: string; name: string; colour: string };

/** What a side panel of the story page works on (comments, versions). */
export type StoryPanelProps = {
  handle: DocHandle<Story>;
  story: Story;
  /** This device's person: who writes a comment or saves a version. */
  author: Me;
  /** The story's editor once built: its passages, for what a panel points at. */
  editor?: EditorApi | null;
};

export function storyActions(
  handle: DocHandle<Story>,
  index: DocHandle<CommunityIndex>,
  storyId: string,
  me: Me,
) {
  const author = (): Author => ({ ...me, actorId: getActorId(handle.doc()) });
  const withIndex = (fn: (d: Story, ctx: ReturnType<typeof systemContext>) => void) => {
    const ctx = systemContext();
    const before = Object.keys(handle.doc().contributors ?? {}).length;
    handle.change((d) => {
      touchContributor(d, author(), ctx);
      fn(d, ctx);
    });
    const story = handle.doc();
    const newcomer =
      Object.keys(story.contributors).length !== before ||
      index.doc().entries[storyId]?.contributors?.[me.deviceKey] !== me.name;
    index.change((d) =>
      updateEntry(
        d,
        storyId,
        {
          title: story.title,
          status: story.status,
          themes: Object.keys(story.themes),
          ...(newcomer ? { contributors: { [me.deviceKey]: me.name } } : {}),
        },
        ctx,
      ),
    );
  };
  return {
    rename: (title: string) => withIndex((d, ctx) => renameStory(d, title, ctx)),
    setSummary: (summary: string) => withIndex((d, ctx) => setSummary(d, summary, ctx)),
    setStatus: (status: StoryStatus) => withIndex((d, ctx) => setStatus(d, status, ctx)),
    setThemes: (ids: string[]) => withIndex((d, ctx) => setThemes(d, ids, ctx)),
    choose: (field: "title" | "summary" | "status", value: string) =>
      withIndex((d, ctx) => chooseValue(d, field, value, ctx)),
    /** After edits to the body: records the contributor and moves the list's "updated". */
    touched: () => withIndex((d, ctx) => void (d.updatedAt = ctx.now())),
  };
}
export type StoryActions = ReturnType<typeof storyActions>;
