// Every practice log of the community, from the index (no log is opened to draw the list), and the
// form that starts a new one.
import type { Repo } from "@automerge/automerge-repo";
import { useId, useMemo, useState, type FormEvent } from "react";
import { listEntries } from "../../../shared/ops/community.ts";
import { checkTitle } from "../../../shared/schema/input.ts";
import { t, timeAgo } from "../../i18n/index.ts";
import { href, navigate } from "../../route.ts";
import { EmptyState, Field, PageHeading } from "../../ui/kit.tsx";
import { HarvestDialog } from "../transfer/HarvestDialog.tsx";
import { createLog } from "./actions.ts";
import type { IndexView } from "./LogsSection.tsx";

const DESCRIPTION_LIMIT = 4000;

export function LogsList({
  repo,
  index,
  communityId,
}: {
  repo: Repo;
  index: IndexView;
  communityId: string;
}) {
  const logs = useMemo(() => listEntries(index.doc, "log"), [index.doc]);
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [harvesting, setHarvesting] = useState(false);
  const listId = useId();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkTitle(title);
    if (!checked.ok) {
      setError(checked.error.message);
      return;
    }
    setError(null);
    const id = createLog(repo, index.handle, communityId, checked.value, description.trim());
    // Straight into the new log: adding its first entry is what comes next.
    navigate({ page: "community", communityId, section: "logs", docId: id });
  };

  return (
    <>
      <div className="heading-row">
        <PageHeading>{t("logs.title")}</PageHeading>
        <button type="button" onClick={() => setHarvesting(true)} aria-haspopup="dialog">
          {t("harvest.open")}
        </button>
      </div>
      {harvesting && (
        <HarvestDialog
          communityId={communityId}
          communityName={index.doc.name}
          onClose={() => setHarvesting(false)}
        />
      )}
      <p className="lede">{t("logs.lede")}</p>
      <form className="log-create" onSubmit={submit} noValidate aria-label={t("logs.new")}>
        <Field label={t("logs.newTitle")} hint={t("logs.newTitleHint")} error={error}>
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
        <Field label={t("logs.newDescription")} hint={t("logs.newDescriptionHint")}>
          {({ id, describedBy }) => (
            <textarea
              id={id}
              rows={2}
              maxLength={DESCRIPTION_LIMIT}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              aria-describedby={describedBy}
            />
          )}
        </Field>
        <button type="submit" className="primary">
          {t("logs.create")}
        </button>
      </form>
      {logs.length === 0 ? (
        <EmptyState title={t("logs.empty.title")}>{t("logs.empty.body")}</EmptyState>
      ) : (
        <>
          <h2 id={listId}>
            {logs.length === 1 ? t("logs.count.one") : t("logs.count.many", { count: logs.length })}
          </h2>
          <ul className="cards log-cards" aria-labelledby={listId}>
            {logs.map((log) => (
              <li key={log.id} className="card">
                <a href={href({ page: "community", communityId, section: "logs", docId: log.id })}>
                  <span className="card-title">{log.title}</span>
                </a>
                <span className="meta">
                  {t("common.updated", { when: timeAgo(log.updatedAt) })}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
