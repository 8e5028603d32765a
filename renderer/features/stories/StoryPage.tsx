import type { Repo } from "@automerge/automerge-repo";
import { useState, type FormEvent } from "react";
import { updateEntry } from "../../../shared/ops/community.ts";
import { systemContext } from "../../../shared/ops/context.ts";
import { renameStory, setStatus } from "../../../shared/ops/story.ts";
import {
  STORY_STATUSES,
  type CommunityIndex,
  type StoryStatus,
} from "../../../shared/schema/community.ts";
import { checkTitle } from "../../../shared/schema/input.ts";
import { storyKind } from "../../../shared/schema/story.ts";
import { t, timeAgo } from "../../i18n/index.ts";
import { useDoc, type DocView } from "../../repo.ts";
import { href } from "../../route.ts";
import { Field, Notice, PageHeading } from "../../ui/kit.tsx";

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
    <>
      {back}
      <PageHeading>{story.doc.title}</PageHeading>
      <RenameForm
        key={story.doc.title}
        current={story.doc.title}
        onRename={(title) => {
          const ctx = systemContext();
          story.handle.change((d) => renameStory(d, title, ctx));
          index.handle.change((d) => updateEntry(d, storyId, { title }, ctx));
        }}
      />
      <Field label={t("story.status")}>
        {({ id }) => (
          <select
            id={id}
            value={story.doc.status}
            onChange={(e) => {
              const status = e.target.value as StoryStatus;
              const ctx = systemContext();
              story.handle.change((d) => setStatus(d, status, ctx));
              index.handle.change((d) => updateEntry(d, storyId, { status }, ctx));
            }}
          >
            {STORY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <p className="meta">
        {t("common.created", { when: timeAgo(story.doc.createdAt) })} ·{" "}
        {t("common.updated", { when: timeAgo(story.doc.updatedAt) })}
      </p>
      <p className="lede">{t("story.editorSoon")}</p>
    </>
  );
}

function RenameForm({ current, onRename }: { current: string; onRename: (title: string) => void }) {
  const [title, setTitle] = useState(current);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkTitle(title);
    if (!checked.ok) {
      setError(checked.error.message);
      return;
    }
    setError(null);
    onRename(checked.value);
  };
  return (
    <form className="inline-form" onSubmit={submit} noValidate aria-label={t("story.rename")}>
      <Field label={t("story.titleLabel")} error={error}>
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            autoComplete="off"
          />
        )}
      </Field>
      <button type="submit" disabled={title === current}>
        {t("story.rename")}
      </button>
    </form>
  );
}
