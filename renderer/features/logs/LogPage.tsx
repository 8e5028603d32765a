// One practice log: its title and description, a form for a new entry, the filters, the timeline
// (newest first, by month) and, beside it, the open entry's editor. The open entry is the route's
// `focus`, so a link, a search result or a reload opens the same entry; opening a row is following
// its link.
import type { DocHandle } from "@automerge/automerge-repo";
import {
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type FormEvent,
  type ReactNode,
} from "react";
import { sortedThemes } from "../../../shared/ops/community.ts";
import {
  filterLogEntries,
  logParticipants,
  timelineRows,
  type LogFilter,
} from "../../../shared/ops/log.ts";
import { logVolumes, type VolumeInfo } from "../../../shared/ops/logVolumes.ts";
import { checkTitle } from "../../../shared/schema/input.ts";
import {
  DAY,
  ENTRY_KINDS,
  logKind,
  type EntryKindName,
  type Log,
} from "../../../shared/schema/log.ts";
import { useCommunity } from "../../communityContext.tsx";
import { t, timeAgo } from "../../i18n/index.ts";
import { useTitleFocus } from "../../newDoc.ts";
import { usePeer } from "../../peerContext.ts";
import { logEntryConflicts } from "../../../shared/ops/conflicts.ts";
import { ProblemsNotice, useDocPage } from "../../ui/DocStates.tsx";
import { href, navigate } from "../../route.ts";
import { CoTextArea } from "../../ui/CoTextArea.tsx";
import { FilterOptions, Options, picked, TextField, type FilterSelect } from "../../ui/fields.tsx";
import { Field, Notice, PageHeading } from "../../ui/kit.tsx";
import { TextForm } from "../../ui/TextForm.tsx";
import { logActions, type LogActions } from "./actions.ts";
import { EntryEditor, type EditorFocus } from "./EntryEditor.tsx";
import { formatDayLong, formatQuarter, today } from "./format.ts";
import { Timeline } from "./Timeline.tsx";
import { useLogEntries, type LogEntries } from "./useLogEntries.ts";

export const entriesLabel = (count: number): string =>
  count === 1 ? t("logs.entries.one") : t("logs.entries.many", { count });

export function LogPage({ logId, focus }: { logId: string; focus: string | null }) {
  const { repo, index } = useCommunity();
  const { view, back, unusable } = useDocPage("logs", logId, logKind);
  // The index changes often (every write touches the log's "updated"); the volumes list only when
  // a volume is made or covers a new quarter: keep one array while it reads the same.
  const volumesKey = JSON.stringify(logVolumes(index.doc, logId));
  const volumes = useMemo(() => JSON.parse(volumesKey) as VolumeInfo[], [volumesKey]);
  const inline = useMemo(
    () => (view.status === "ok" ? { handle: view.handle, entries: view.doc.entries } : null),
    [view],
  );
  // Volumes load from the index's list at once, alongside the log's own document.
  const held = useLogEntries(repo, logId, inline, volumes);
  if (view.status !== "ok") return unusable;
  return (
    <LogView
      held={held}
      back={back}
      handle={view.handle}
      log={view.doc}
      problems={view.problems}
      logId={logId}
      focus={focus}
    />
  );
}

const kindLabel = (kind: EntryKindName) => t(`logs.kind.${kind}`);
const isFiltered = (f: LogFilter) => Boolean(f.kind || f.theme || f.participant || f.from || f.to);

function LogView({
  held,
  back,
  handle,
  log,
  problems,
  logId,
  focus,
}: {
  held: LogEntries;
  back: ReactNode;
  handle: DocHandle<Log>;
  log: Log;
  problems: readonly string[];
  logId: string;
  focus: string | null;
}) {
  const { id: communityId, repo, index } = useCommunity();
  const actions = useMemo(
    () =>
      logActions({
        repo,
        index: index.handle,
        communityId,
        log: handle,
        holderOf: held.holderOf,
        volume: held.volume,
      }),
    [repo, index.handle, communityId, handle, held.holderOf, held.volume],
  );
  const entries = held.entries;
  const loading = held.pending !== null;
  const allProblems = useMemo(() => [...problems, ...held.problems], [problems, held.problems]);
  const [addError, setAddError] = useState<string | null>(null);
  const [filter, setFilter] = useState<LogFilter>({});
  const shown = useMemo(() => filterLogEntries(entries, filter), [entries, filter]);
  const rows = useMemo(() => timelineRows(shown), [shown]);
  // Read from the documents as Automerge holds them (the read copies keep one value of a field);
  // an entry unchanged keeps its object, so only a changed one is asked again.
  const conflicts = useMemo(
    () =>
      new Set(
        entries
          .filter((e) => logEntryConflicts(held.holderOf(e.id)?.doc()?.entries?.[e.id]).length > 0)
          .map((e) => e.id),
      ),
    [entries, held],
  );
  const people = useMemo(() => logParticipants(entries), [entries]);
  const themes = useMemo(() => sortedThemes(index.doc), [index.doc]);
  const themeLabels = useMemo(() => new Map(themes.map((th) => [th.id, th.label])), [themes]);
  const [deleted, setDeleted] = useState<{ id: string; date: string } | null>(null);
  const [editorFocus, setEditorFocus] = useState<EditorFocus>("heading");
  // The row to give focus back to (after closing the editor).
  const [returnTo, setReturnTo] = useState<{ id: string } | null>(null);
  const undoRef = useRef<HTMLButtonElement>(null);
  const openFromTimeline = useCallback(() => setEditorFocus("heading"), []);

  const route = (entryId: string | null) => ({
    page: "community" as const,
    communityId,
    section: "logs" as const,
    docId: logId,
    focus: entryId,
  });
  const open = focus ? held.byId.get(focus)?.entry : undefined;

  // An entry pointed at from elsewhere is shown even if the filters would hide it.
  const [seenFocus, setSeenFocus] = useState<string | null>(null);
  if (focus !== seenFocus) {
    setSeenFocus(focus);
    if (focus && open?.deletedAt === null && !shown.some((e) => e.id === focus)) setFilter({});
  }

  useEffect(() => {
    if (deleted) undoRef.current?.focus();
  }, [deleted]);

  const close = () => {
    if (focus) setReturnTo({ id: focus });
    navigate(route(null));
  };

  const onDelete = (id: string) => {
    const date = held.byId.get(id)?.entry.date ?? "";
    actions.remove(id);
    setDeleted({ id, date });
    navigate(route(null));
  };

  const undo = () => {
    if (!deleted) return;
    actions.restore(deleted.id);
    setDeleted(null);
    setEditorFocus("heading");
    navigate(route(deleted.id));
  };

  return (
    <article className="log-page">
      {back}
      <PageHeading>{log.title}</PageHeading>
      <p className="meta">
        {loading
          ? t("logs.entries.soFar", { count: entries.length })
          : entriesLabel(entries.length)}{" "}
        · {t("common.created", { when: timeAgo(log.createdAt) })} ·{" "}
        {/* Entries are written to volumes; the index keeps when the log was last written to. */}
        {t("common.updated", {
          when: timeAgo(Math.max(log.updatedAt, index.doc.entries[logId]?.updatedAt ?? 0)),
        })}
      </p>
      <ProblemsNotice
        problems={allProblems}
        title={t("logs.problems", { count: allProblems.length })}
        body={t("logs.problemsBody")}
      />
      {held.missing.length > 0 && (
        <Notice tone="info" title={t("logs.missing.title")}>
          <p>
            {t("logs.missing.body", {
              quarters: held.missing.map(formatQuarter).join(", "),
            })}
          </p>
        </Notice>
      )}
      {addError && (
        <Notice tone="error" title={t("logs.addFailed.title")}>
          <p>{t("logs.addFailed.body", { reason: addError })}</p>
        </Notice>
      )}
      <LogDetails logId={logId} log={log} actions={actions} />
      <div className={`log-layout${focus ? " has-editor" : ""}`}>
        <section className="log-main" aria-labelledby="log-timeline-title">
          <NewEntryForm
            onAdd={(args) =>
              actions.addEntry(args).then(
                (id) => {
                  setAddError(null);
                  setFilter({});
                  setDeleted(null);
                  setEditorFocus("happened");
                  navigate(route(id));
                },
                (e: unknown) => setAddError(e instanceof Error ? e.message : String(e)),
              )
            }
          />
          <h2 id="log-timeline-title">{t("logs.timeline")}</h2>
          {deleted && (
            <div className="notice notice-info log-undo" role="status">
              <span>
                {t("logs.deleted", { date: deleted.date ? formatDayLong(deleted.date) : "" })}
              </span>
              <button ref={undoRef} type="button" onClick={undo}>
                {t("logs.undo")}
              </button>
              <button type="button" onClick={() => setDeleted(null)}>
                {t("common.dismiss")}
              </button>
            </div>
          )}
          {entries.length === 0 && loading ? (
            <p className="empty-inline" role="status">
              {t("logs.loadingEntries")}
            </p>
          ) : entries.length === 0 ? (
            <p className="empty-inline">{t("logs.noEntries")}</p>
          ) : (
            <>
              <Filters
                filter={filter}
                setFilter={setFilter}
                themes={themes}
                people={people}
                shown={shown.length}
                total={entries.length}
                loading={loading}
              />
              {shown.length === 0 && !loading ? (
                <div className="empty-inline" role="status">
                  <p>{t("logs.filter.none")}</p>
                  <button type="button" onClick={() => setFilter({})}>
                    {t("logs.filter.clear")}
                  </button>
                </div>
              ) : (
                <Timeline
                  rows={rows}
                  themeLabels={themeLabels}
                  openId={focus}
                  returnTo={returnTo}
                  entryHref={(id) => href(route(id))}
                  onOpen={openFromTimeline}
                  conflicts={conflicts}
                  footer={
                    loading ? (
                      <p className="timeline-loading meta" role="status">
                        {t("logs.loadingOlder", {
                          done: held.progress.done,
                          total: held.progress.total,
                        })}
                      </p>
                    ) : null
                  }
                />
              )}
            </>
          )}
        </section>
        {focus && (
          <aside className="log-side" aria-label={t("logs.entry.panel")}>
            {!open && loading ? (
              <p className="empty-inline" role="status">
                {t("logs.loadingEntry")}
              </p>
            ) : open && open.deletedAt === null ? (
              <EntryEditor
                key={focus}
                entryId={focus}
                entry={open}
                raw={held.holderOf(focus)?.doc()?.entries?.[focus]}
                actions={actions}
                logId={logId}
                themes={themes}
                initialFocus={editorFocus}
                onClose={close}
                onDelete={() => onDelete(focus)}
              />
            ) : (
              <GoneEntry
                deleted={open !== undefined}
                onRestore={() => {
                  actions.restore(focus);
                  setDeleted(null);
                }}
                onClose={close}
              />
            )}
          </aside>
        )}
      </div>
    </article>
  );
}

/** The open entry is not there: deleted (restorable), or never arrived / never existed. */
function GoneEntry({
  deleted,
  onRestore,
  onClose,
}: {
  deleted: boolean;
  onRestore: () => void;
  onClose: () => void;
}) {
  return (
    <Notice tone="info" title={deleted ? t("logs.entry.wasDeleted") : t("logs.entry.missing")}>
      <p>{deleted ? t("logs.entry.wasDeletedBody") : t("logs.entry.missingBody")}</p>
      <div className="actions">
        {deleted && (
          <button type="button" onClick={onRestore}>
            {t("logs.entry.restore")}
          </button>
        )}
        <button type="button" onClick={onClose}>
          {t("common.close")}
        </button>
      </div>
    </Notice>
  );
}

function LogDetails({ logId, log, actions }: { logId: string; log: Log; actions: LogActions }) {
  const titleRef = useTitleFocus<HTMLInputElement>(logId);
  return (
    <>
      <Field label={t("logs.description")} className="log-description">
        {({ id }) => (
          <CoTextArea
            id={id}
            rows={2}
            value={log.description}
            onText={actions.setDescription}
            placeholder={t("logs.descriptionPlaceholder")}
          />
        )}
      </Field>
      <details className="log-rename">
        <summary>{t("logs.renameOpen")}</summary>
        <TextForm
          label={t("logs.titleLabel")}
          current={log.title}
          check={checkTitle}
          submitLabel={t("logs.rename")}
          onSubmit={(title) => actions.rename(title)}
          inputRef={titleRef}
        />
      </details>
    </>
  );
}

function NewEntryForm({
  onAdd,
}: {
  onAdd: (args: { date: string; kind: EntryKindName; by: string; byName: string }) => Promise<void>;
}) {
  const { info, profile } = usePeer();
  const [date, setDate] = useState(() => today());
  const [kind, setKind] = useState<EntryKindName>("gathering");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!DAY.test(date)) return setError(t("logs.dateInvalid"));
    setError(null);
    setBusy(true);
    void onAdd({ date, kind, by: info.deviceKey, byName: profile.displayName }).finally(() =>
      setBusy(false),
    );
  };
  return (
    <form
      className="inline-form log-new"
      onSubmit={submit}
      noValidate
      aria-label={t("logs.newEntry")}
    >
      <TextField
        label={t("logs.entry.date")}
        error={error}
        type="date"
        value={date}
        required
        onChange={setDate}
      />
      <Field label={t("logs.entry.kind")}>
        {({ id }) => (
          <select
            id={id}
            value={kind}
            onChange={(e) => setKind(picked(ENTRY_KINDS, e.target.value))}
          >
            <Options of={ENTRY_KINDS} label={kindLabel} />
          </select>
        )}
      </Field>
      <button type="submit" className="primary">
        {t("logs.newEntry")}
      </button>
    </form>
  );
}

function Filters({
  filter,
  setFilter,
  themes,
  people,
  shown,
  total,
  loading,
}: {
  filter: LogFilter;
  setFilter: (f: LogFilter) => void;
  themes: { id: string; label: string }[];
  people: { key: string; name: string; guest: boolean }[];
  shown: number;
  total: number;
  /** Older volumes are still arriving: counts are "so far". */
  loading: boolean;
}) {
  const any = t("logs.filter.any");
  const selects: FilterSelect<"kind" | "theme" | "participant">[] = [
    {
      key: "kind",
      label: t("logs.filter.kind"),
      any,
      options: ENTRY_KINDS.map((k) => ({ value: k, label: kindLabel(k) })),
    },
    {
      key: "theme",
      label: t("logs.filter.theme"),
      any,
      options: themes.map((th) => ({ value: th.id, label: th.label })),
    },
    {
      key: "participant",
      label: t("logs.filter.participant"),
      any: t("logs.filter.anyone"),
      options: people.map((p) => ({
        value: p.key,
        label: p.guest ? t("logs.participant.guest", { name: p.name }) : p.name,
      })),
    },
  ];
  const set = (patch: Partial<LogFilter>) => {
    const next: LogFilter = { ...filter, ...patch };
    // An emptied control means "any": drop the key rather than filter on "".
    for (const key of Object.keys(next) as (keyof LogFilter)[]) if (!next[key]) delete next[key];
    setFilter(next);
  };
  return (
    <div className="log-filters">
      <div className="filters" role="group" aria-label={t("logs.filters")}>
        {selects.map((f) => (
          <Filter key={f.key} label={f.label}>
            {(id) => (
              <select
                id={id}
                value={filter[f.key] ?? ""}
                onChange={(e) =>
                  set(
                    f.key === "kind"
                      ? { kind: ENTRY_KINDS.find((k) => k === e.target.value) }
                      : { [f.key]: e.target.value },
                  )
                }
              >
                <FilterOptions filter={f} />
              </select>
            )}
          </Filter>
        ))}
        {(["from", "to"] as const).map((end) => (
          <Filter key={end} label={t(`logs.filter.${end}`)}>
            {(id) => (
              <input
                id={id}
                type="date"
                value={filter[end] ?? ""}
                // A range never turns inside out: each end is bounded by the other.
                {...(end === "from" ? { max: filter.to } : { min: filter.from })}
                onChange={(e) => set({ [end]: e.target.value })}
              />
            )}
          </Filter>
        ))}
        {isFiltered(filter) && (
          <button type="button" onClick={() => setFilter({})}>
            {t("logs.filter.clear")}
          </button>
        )}
      </div>
      <p className="meta log-count" role="status">
        {loading
          ? t("logs.filter.showingSoFar", { shown, total })
          : shown === total
            ? entriesLabel(total)
            : t("logs.filter.showing", { shown, total: entriesLabel(total) })}
      </p>
    </div>
  );
}

/** One control of the timeline's filters, under its label. */
function Filter({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="filter">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}
