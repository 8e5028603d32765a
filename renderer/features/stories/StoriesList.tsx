import { useMemo, useState, type FormEvent } from "react";
import {
  addEntry,
  entryContributors,
  filterEntries,
  listEntries,
  sortedThemes,
  SORTS,
  type EntryFilter,
  type EntrySort,
} from "../../../shared/ops/community.ts";
import { systemContext } from "../../../shared/ops/context.ts";
import { initStory } from "../../../shared/ops/story.ts";
import {
  TEMPLATE_IDS,
  TEMPLATES,
  applyTemplate,
  type TemplateId,
} from "../../../shared/richtext/templates.ts";
import { STORY_STATUSES } from "../../../shared/schema/community.ts";
import { checkTitle } from "../../../shared/schema/input.ts";
import type { Story } from "../../../shared/schema/story.ts";
import { useCommunity, type Community } from "../../communityContext.tsx";
import { t, timeAgo, type MessageKey } from "../../i18n/index.ts";
import { href, navigate } from "../../route.ts";
import { EmptyState, Field, PageHeading } from "../../ui/kit.tsx";
import { ImportDialog } from "../transfer/ImportDialog.tsx";

/** Creates a story document and lists it in the index; returns the new story's id. */
export function createStory(
  { id: communityId, repo, index }: Community,
  title: string,
  templateId: TemplateId = "blank",
): string {
  const ctx = systemContext();
  const handle = repo.create<Story>();
  handle.change((d) => {
    initStory(d, { communityId, title, template: templateId }, ctx);
    applyTemplate(d, templateId);
  });
  const now = ctx.now();
  index.handle.change((d) =>
    addEntry(d, handle.documentId, {
      kind: "story",
      title,
      status: "seed",
      createdAt: now,
      updatedAt: now,
    }),
  );
  return handle.documentId;
}

export function StoriesList() {
  const community = useCommunity();
  const { id: communityId, index } = community;
  const all = useMemo(() => listEntries(index.doc, "story"), [index.doc]);
  const [filter, setFilter] = useState<EntryFilter>({ sort: "updated" });
  const stories = useMemo(() => filterEntries(all, filter), [all, filter]);
  const themes = sortedThemes(index.doc);
  const people = useMemo(() => entryContributors(all), [all]);
  const filtered = Boolean(filter.status || filter.theme || filter.contributor);
  const [title, setTitle] = useState("");
  const [template, setTemplate] = useState<TemplateId>("blank");
  const [error, setError] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkTitle(title);
    if (!checked.ok) {
      setError(checked.error.message);
      return;
    }
    setError(null);
    setTitle("");
    createStory(community, checked.value, template);
  };

  return (
    <>
      <div className="heading-row">
        <PageHeading>{t("stories.title")}</PageHeading>
        <button type="button" onClick={() => setImporting(true)} aria-haspopup="dialog">
          {t("import.open")}
        </button>
      </div>
      {importing && <ImportDialog onClose={() => setImporting(false)} />}
      <form className="inline-form" onSubmit={submit} noValidate aria-label={t("stories.new")}>
        <Field label={t("stories.newTitle")} error={error}>
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
        <Field
          label={t("stories.template")}
          hint={t(TEMPLATES[template].descriptionKey as MessageKey)}
        >
          {({ id, describedBy }) => (
            <select
              id={id}
              value={template}
              aria-describedby={describedBy}
              onChange={(e) => setTemplate(e.target.value as TemplateId)}
            >
              {TEMPLATE_IDS.map((tid) => (
                <option key={tid} value={tid}>
                  {t(TEMPLATES[tid].nameKey as MessageKey)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="primary">
          {t("stories.create")}
        </button>
      </form>
      {all.length > 0 && (
        <div className="filters" role="group" aria-label={t("stories.filters")}>
          <label>
            {t("stories.filter.status")}
            <select
              value={filter.status ?? ""}
              onChange={(e) => setFilter({ ...filter, status: e.target.value || undefined })}
            >
              <option value="">{t("stories.filter.any")}</option>
              {STORY_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("stories.filter.theme")}
            <select
              value={filter.theme ?? ""}
              onChange={(e) => setFilter({ ...filter, theme: e.target.value || undefined })}
            >
              <option value="">{t("stories.filter.any")}</option>
              {themes.map((th) => (
                <option key={th.id} value={th.id}>
                  {th.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("stories.filter.contributor")}
            <select
              value={filter.contributor ?? ""}
              onChange={(e) => setFilter({ ...filter, contributor: e.target.value || undefined })}
            >
              <option value="">{t("stories.filter.anyone")}</option>
              {people.map((p) => (
                <option key={p.key} value={p.key}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("stories.sort")}
            <select
              value={filter.sort ?? "updated"}
              onChange={(e) => setFilter({ ...filter, sort: e.target.value as EntrySort })}
            >
              {SORTS.map((s) => (
                <option key={s} value={s}>
                  {t(`stories.sort.${s}`)}
                </option>
              ))}
            </select>
          </label>
          {filtered && (
            <button type="button" onClick={() => setFilter({ sort: filter.sort })}>
              {t("stories.filter.clear")}
            </button>
          )}
        </div>
      )}
      {all.length === 0 ? (
        <EmptyState title={t("stories.empty.title")}>{t("stories.empty.body")}</EmptyState>
      ) : stories.length === 0 ? (
        <p className="meta" role="status">
          {t("stories.filter.none")}
        </p>
      ) : (
        <ul className="cards" aria-label={t("stories.count", { count: stories.length })}>
          {stories.map((s) => (
            <li key={s.id} className="card">
              <a
                href={href({ page: "community", communityId, section: "stories", docId: s.id })}
                onClick={(e) => {
                  e.preventDefault();
                  navigate({ page: "community", communityId, section: "stories", docId: s.id });
                }}
              >
                <span className="card-title">{s.title}</span>
              </a>
              <span className={`status status-${s.status ?? "seed"}`}>
                {t(`status.${s.status ?? "seed"}`)}
              </span>
              <span className="meta">
                {t("common.updated", { when: timeAgo(s.updatedAt) })}
                {s.contributors && Object.keys(s.contributors).length > 0 && (
                  <span className="card-people"> · {Object.values(s.contributors).join(", ")}</span>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
