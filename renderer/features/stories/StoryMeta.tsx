// Title, summary, status, themes and contributors of a story. A field that two devices set while
// they were apart shows both values, who set each, and lets anyone choose one.
import type { DocHandle } from "@automerge/automerge-repo";
import { sortedThemes } from "../../../shared/ops/community.ts";
import { fieldConflicts } from "../../../shared/ops/conflicts.ts";
import {
  STORY_STATUSES,
  type CommunityIndex,
  type StoryStatus,
} from "../../../shared/schema/community.ts";
import { checkName, checkTitle } from "../../../shared/schema/input.ts";
import type { Story } from "../../../shared/schema/story.ts";
import { t } from "../../i18n/index.ts";
import { useTitleFocus } from "../../newDoc.ts";
import { ConflictNotice } from "../../ui/Conflict.tsx";
import { Options, picked } from "../../ui/fields.tsx";
import { Field } from "../../ui/kit.tsx";
import { TextForm } from "../../ui/TextForm.tsx";
import { ThemePicker } from "../../ui/ThemePicker.tsx";
import type { StoryActions } from "./actions.ts";

const SUMMARY_LIMIT = 1000;

export function StoryMeta({
  handle,
  story,
  index,
  actions,
}: {
  handle: DocHandle<Story>;
  story: Story;
  index: CommunityIndex;
  actions: StoryActions;
}) {
  const raw = handle.doc();
  const titleRef = useTitleFocus<HTMLInputElement>(handle.documentId);
  const themes = sortedThemes(index);
  const contributors = Object.entries(story.contributors).sort(
    ([, a], [, b]) => a.firstAt - b.firstAt,
  );
  return (
    <section className="story-meta" aria-label={t("story.details")}>
      <TextForm
        key={`title:${story.title}`}
        label={t("story.titleLabel")}
        current={story.title}
        check={checkTitle}
        submitLabel={t("story.rename")}
        onSubmit={actions.rename}
        inputRef={titleRef}
      />
      <ConflictNotice
        proposed={fieldConflicts(raw, "title")}
        label={(v) => v}
        onChoose={(v) => actions.choose("title", v)}
      />
      <TextForm
        key={`summary:${story.summary}`}
        label={t("story.summary")}
        hint={t("story.summaryHint")}
        current={story.summary}
        multiline
        allowEmpty
        check={(v) =>
          v.trim() === ""
            ? { ok: true as const, value: "" }
            : checkName(v, "summary", SUMMARY_LIMIT)
        }
        submitLabel={t("common.save")}
        onSubmit={actions.setSummary}
      />
      <ConflictNotice
        proposed={fieldConflicts(raw, "summary")}
        label={(v) => v}
        onChoose={(v) => actions.choose("summary", v)}
      />
      <Field label={t("story.status")}>
        {({ id }) => (
          <select
            id={id}
            value={story.status}
            onChange={(e) => actions.setStatus(picked(STORY_STATUSES, e.target.value))}
          >
            <Options of={STORY_STATUSES} label={(s) => t(`status.${s}`)} />
          </select>
        )}
      </Field>
      <ConflictNotice
        proposed={fieldConflicts(raw, "status")}
        label={(v) =>
          (STORY_STATUSES as readonly string[]).includes(v) ? t(`status.${v as StoryStatus}`) : v
        }
        onChoose={(v) => actions.choose("status", v)}
      />
      {themes.length > 0 && (
        <ThemePicker
          legend={t("story.themes")}
          hint={t("story.themesHint")}
          themes={themes}
          chosen={story.themes}
          onChange={actions.setThemes}
        />
      )}
      <div className="contributors">
        <h2 className="small-heading">{t("story.contributors")}</h2>
        {contributors.length === 0 ? (
          <p className="meta">{t("story.noContributors")}</p>
        ) : (
          <ul className="people">
            {contributors.map(([key, c]) => (
              <li key={key}>
                <span className="dot" style={{ background: c.colour }} aria-hidden="true" />
                {c.name}
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
