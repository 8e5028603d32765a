import { useMemo, useState } from "react";
import {
  entryContributors,
  filterEntries,
  listEntries,
  sortedThemes,
  SORTS,
  type EntryFilter,
} from "../../../shared/ops/community.ts";
import { indexEntryConflicts } from "../../../shared/ops/conflicts.ts";
import { initStory } from "../../../shared/ops/story.ts";
import {
  TEMPLATE_IDS,
  TEMPLATES,
  applyTemplate,
  type TemplateId,
} from "../../../shared/richtext/templates.ts";
import { STORY_STATUSES } from "../../../shared/schema/community.ts";
import type { Story } from "../../../shared/schema/story.ts";
import { useCommunity, type Community } from "../../communityContext.tsx";
import { t, timeAgo, type MessageKey } from "../../i18n/index.ts";
import { createDoc, openNewDoc } from "../../newDoc.ts";
import { href, navigate } from "../../route.ts";
import { ListHeading, NewDocForm } from "../../ui/DocList.tsx";
import { FilterOptions, Options, picked, type FilterSelect } from "../../ui/fields.tsx";
import { ConflictBadge } from "../../ui/Conflict.tsx";
import { DialogButton, EmptyState, Field } from "../../ui/kit.tsx";
import { ImportDialog } from "../transfer/ImportDialog.tsx";

/** Creates a story document and lists it in the index; returns the new story's id. */
export const createStory = (
  community: Community,
  title: string,
  templateId: TemplateId = "blank",
): string =>
  createDoc<Story>(community, { kind: "story", title, status: "seed" }, (d, ctx) => {
    initStory(d, { communityId: community.id, title, template: templateId }, ctx);
    applyTemplate(d, templateId);
  });

export function StoriesList() {
  const community = useCommunity();
  const { id: communityId, index } = community;
  const all = useMemo(() => listEntries(index.doc, "story"), [index.doc]);
  const [filter, setFilter] = useState<EntryFilter>({ sort: "updated" });
  const stories = useMemo(() => filterEntries(all, filter), [all, filter]);
  const themes = sortedThemes(index.doc);
  // From the index as Automerge holds it (the read copy keeps one value of each field): a title or
  // status two devices changed apart holds both there, since each device updated the entry.
  const conflicted = useMemo(() => {
    const raw = index.handle.doc()?.entries ?? {};
    return new Set(all.filter((e) => indexEntryConflicts(raw[e.id]).length > 0).map((e) => e.id));
  }, [all, index.handle]);
  const people = useMemo(() => entryContributors(all), [all]);
  const filtered = Boolean(filter.status || filter.theme || filter.contributor);
  const [template, setTemplate] = useState<TemplateId>("blank");
  const any = t("stories.filter.any");
  const filters: FilterSelect<"status" | "theme" | "contributor">[] = [
    {
      key: "status",
      label: t("stories.filter.status"),
      any,
      options: STORY_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })),
    },
    {
      key: "theme",
      label: t("stories.filter.theme"),
      any,
      options: themes.map((th) => ({ value: th.id, label: th.label })),
    },
    {
      key: "contributor",
      label: t("stories.filter.contributor"),
      any: t("stories.filter.anyone"),
      options: people.map((p) => ({ value: p.key, label: p.name })),
    },
  ];

  return (
    <>
      <ListHeading
        title={t("stories.title")}
        action={
          <DialogButton label={t("import.open")}>
            {(close) => <ImportDialog onClose={close} />}
          </DialogButton>
        }
      />
      <NewDocForm
        label={t("stories.new")}
        titleLabel={t("stories.newTitle")}
        submitLabel={t("stories.create")}
        onCreate={(title) =>
          // Like every kind, a new story opens at once, its title ready to change.
          openNewDoc(communityId, "stories", createStory(community, title, template))
        }
      >
        <Field
          label={t("stories.template")}
          hint={t(TEMPLATES[template].descriptionKey as MessageKey)}
        >
          {({ id, describedBy }) => (
            <select
              id={id}
              value={template}
              aria-describedby={describedBy}
              onChange={(e) => setTemplate(picked(TEMPLATE_IDS, e.target.value))}
            >
              <Options of={TEMPLATE_IDS} label={(tid) => t(TEMPLATES[tid].nameKey as MessageKey)} />
            </select>
          )}
        </Field>
      </NewDocForm>
      {all.length > 0 && (
        <div className="filters" role="group" aria-label={t("stories.filters")}>
          {filters.map((f) => (
            <label key={f.key}>
              {f.label}
              <select
                value={filter[f.key] ?? ""}
                onChange={(e) => setFilter({ ...filter, [f.key]: e.target.value || undefined })}
              >
                <FilterOptions filter={f} />
              </select>
            </label>
          ))}
          <label>
            {t("stories.sort")}
            <select
              value={filter.sort ?? "updated"}
              onChange={(e) => setFilter({ ...filter, sort: picked(SORTS, e.target.value) })}
            >
              <Options of={SORTS} label={(s) => t(`stories.sort.${s}`)} />
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
              <span className="card-main">
                <a
                  href={href({ page: "community", communityId, section: "stories", docId: s.id })}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate({ page: "community", communityId, section: "stories", docId: s.id });
                  }}
                >
                  <span className="card-title">{s.title}</span>
                </a>
                <ConflictBadge on={conflicted.has(s.id)} />
              </span>
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
