// Title, summary, status, themes and contributors of a story. A field that two people set at the
// same moment shows every proposed value, by whom, and lets anyone pick one.
import type { DocHandle } from "@automerge/automerge-repo";
import { useId, useState, type FormEvent } from "react";
import { sortedThemes } from "../../../shared/ops/community.ts";
import { fieldConflicts, type ProposedValue } from "../../../shared/ops/conflicts.ts";
import {
  STORY_STATUSES,
  type CommunityIndex,
  type StoryStatus,
} from "../../../shared/schema/community.ts";
import { checkName, checkTitle } from "../../../shared/schema/input.ts";
import type { Story } from "../../../shared/schema/story.ts";
import { t } from "../../i18n/index.ts";
import { Field } from "../../ui/kit.tsx";
import type { StoryActions } from "./actions.ts";

const SUMMARY_LIMIT = 1000;

export function ConflictNotice({
  proposed,
  label,
  onChoose,
}: {
  proposed: ProposedValue[];
  label: (value: string) => string;
  onChoose: (value: string) => void;
}) {
  if (proposed.length === 0) return null;
  return (
    <div className="conflict" role="status">
      <p>{t("conflict.intro")}</p>
      <ul>
        {proposed.map((p) => (
          <li key={p.value}>
            <span className="conflict-value">“{label(p.value)}”</span>{" "}
            <span className="meta">
              {p.name ? t("conflict.by", { name: p.name }) : t("conflict.byUnknown")}
              {p.shown ? ` · ${t("conflict.shown")}` : ""}
            </span>{" "}
            <button type="button" onClick={() => onChoose(p.value)}>
              {t("conflict.choose")}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

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
  const themes = sortedThemes(index);
  const themeGroup = useId();
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
            onChange={(e) => actions.setStatus(e.target.value as StoryStatus)}
          >
            {STORY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
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
        <fieldset className="theme-picker" aria-describedby={`${themeGroup}-hint`}>
          <legend>{t("story.themes")}</legend>
          <p className="hint" id={`${themeGroup}-hint`}>
            {t("story.themesHint")}
          </p>
          {themes.map((theme) => (
            <label key={theme.id} className="chip">
              <input
                type="checkbox"
                checked={story.themes[theme.id] === true}
                onChange={(e) => {
                  const next = new Set(Object.keys(story.themes));
                  if (e.target.checked) next.add(theme.id);
                  else next.delete(theme.id);
                  actions.setThemes([...next]);
                }}
              />
              <span>{theme.label}</span>
            </label>
          ))}
        </fieldset>
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

function TextForm({
  label,
  hint,
  current,
  multiline,
  allowEmpty,
  check,
  submitLabel,
  onSubmit,
}: {
  label: string;
  hint?: string;
  current: string;
  multiline?: boolean;
  allowEmpty?: boolean;
  check: (value: string) => { ok: true; value: string } | { ok: false; error: { message: string } };
  submitLabel: string;
  onSubmit: (value: string) => void;
}) {
  const [value, setValue] = useState(current);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = check(value);
    if (!checked.ok) return setError(checked.error.message);
    setError(null);
    if (checked.value !== current || allowEmpty) onSubmit(checked.value);
  };
  return (
    <form className="inline-form" onSubmit={submit} noValidate>
      <Field label={label} hint={hint} error={error}>
        {({ id, describedBy, invalid }) =>
          multiline ? (
            <textarea
              id={id}
              rows={2}
              value={value}
              onChange={(e) => setValue(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
            />
          ) : (
            <input
              id={id}
              value={value}
              onChange={(e) => setValue(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              autoComplete="off"
            />
          )
        }
      </Field>
      <button type="submit" disabled={value === current}>
        {submitLabel}
      </button>
    </form>
  );
}
