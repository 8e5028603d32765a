// Every collection of the community, from the index (no collection is opened to draw the list), and
// the form that starts a new one.
import type { Repo } from "@automerge/automerge-repo";
import { useId, useMemo, useState, type FormEvent } from "react";
import { listEntries } from "../../../shared/ops/community.ts";
import { checkTitle } from "../../../shared/schema/input.ts";
import { t, timeAgo } from "../../i18n/index.ts";
import { href, navigate } from "../../route.ts";
import { EmptyState, Field, PageHeading } from "../../ui/kit.tsx";
import type { IndexView } from "../logs/LogsSection.tsx";
import { createCollection } from "./actions.ts";

export function CollectionsList({
  repo,
  index,
  communityId,
}: {
  repo: Repo;
  index: IndexView;
  communityId: string;
}) {
  const collections = useMemo(() => listEntries(index.doc, "collection"), [index.doc]);
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const listId = useId();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkTitle(title);
    if (!checked.ok) return setError(checked.error.message);
    setError(null);
    const id = createCollection(repo, index.handle, communityId, checked.value);
    // Straight into the new collection: choosing its stories is what comes next.
    navigate({ page: "community", communityId, section: "collections", docId: id });
  };

  return (
    <>
      <PageHeading>{t("collections.title")}</PageHeading>
      <p className="lede">{t("collections.lede")}</p>
      <form className="inline-form" onSubmit={submit} noValidate aria-label={t("collections.new")}>
        <Field label={t("collections.newTitle")} hint={t("collections.newTitleHint")} error={error}>
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
        <button type="submit" className="primary">
          {t("collections.create")}
        </button>
      </form>
      {collections.length === 0 ? (
        <EmptyState title={t("collections.empty.title")}>{t("collections.empty.body")}</EmptyState>
      ) : (
        <>
          <h2 id={listId}>
            {collections.length === 1
              ? t("collections.count.one")
              : t("collections.count.many", { count: collections.length })}
          </h2>
          <ul className="cards collection-cards" aria-labelledby={listId}>
            {collections.map((c) => (
              <li key={c.id} className="card">
                <a
                  href={href({
                    page: "community",
                    communityId,
                    section: "collections",
                    docId: c.id,
                  })}
                >
                  <span className="card-title">{c.title}</span>
                </a>
                <span className="meta">{t("common.updated", { when: timeAgo(c.updatedAt) })}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
