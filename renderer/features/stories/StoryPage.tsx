// One story: its details, the co-written text, and (beside it) comments and versions.
import type { Repo } from "@automerge/automerge-repo";
import { useMemo } from "react";
import type { CommunityIndex } from "../../../shared/schema/community.ts";
import { storyKind } from "../../../shared/schema/story.ts";
import { t, timeAgo } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { useDoc, type DocView } from "../../repo.ts";
import { href } from "../../route.ts";
import { Notice, PageHeading } from "../../ui/kit.tsx";
import { storyActions } from "./actions.ts";
import { StoryMeta } from "./StoryMeta.tsx";

type IndexView = Extract<DocView<CommunityIndex>, { status: "ok" }>;

export function StoryPage({
  repo,
  index,
  communityId,
  storyId,
}: {
  repo: Repo;
  index: IndexView;
  communityId: string;
  storyId: string;
}) {
  const story = useDoc(repo, storyId, storyKind);
  const { info, profile } = usePeer();
  const me = useMemo(
    () => ({ deviceKey: info.deviceKey, name: profile.displayName, colour: profile.colour }),
    [info.deviceKey, profile],
  );
  const storyHandle = story.status === "ok" ? story.handle : null;
  const actions = useMemo(
    () => (storyHandle ? storyActions(storyHandle, index.handle, storyId, me) : null),
    [storyHandle, index.handle, storyId, me],
  );

  const back = (
    <p>
      <a href={href({ page: "community", communityId, section: "stories", docId: null })}>
        ← {t("story.back")}
      </a>
    </p>
  );
  if (story.status === "loading")
    return (
      <>
        {back}
        <p role="status">{t("common.loading")}</p>
      </>
    );
  if (story.status === "unavailable")
    return (
      <>
        {back}
        <Notice tone="info" title={t("story.unavailable")} />
      </>
    );
  if (story.status === "newer")
    return (
      <>
        {back}
        <Notice tone="error" title={t("story.newer")} />
      </>
    );
  if (story.status === "damaged") {
    return (
      <>
        {back}
        <PageHeading>{index.doc.entries[storyId]?.title ?? storyId}</PageHeading>
        <Notice tone="error" title={t("story.damaged.title")}>
          <p>{t("story.damaged.body")}</p>
          <ul>
            {story.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Notice>
        <label className="raw">
          {t("story.damaged.raw")}
          <textarea readOnly rows={12} value={story.raw} />
        </label>
      </>
    );
  }
  return (
    <article className="story">
      {back}
      <PageHeading>{story.doc.title}</PageHeading>
      <p className="meta">
        {t("common.created", { when: timeAgo(story.doc.createdAt) })} ·{" "}
        {t("common.updated", { when: timeAgo(story.doc.updatedAt) })}
      </p>
      {actions && (
        <StoryMeta handle={story.handle} story={story.doc} index={index.doc} actions={actions} />
      )}
      <p className="lede">{t("story.editorSoon")}</p>
    </article>
  );
}
