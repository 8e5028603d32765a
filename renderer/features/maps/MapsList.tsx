// The community's inquiry maps, from the index (no map is opened to draw the list), and a form to
// start a new one.
import type { Repo } from "@automerge/automerge-repo";
import { useMemo, useState, type FormEvent } from "react";
import { addEntry, listEntries } from "../../../shared/ops/community.ts";
import { systemContext } from "../../../shared/ops/context.ts";
import { initMap } from "../../../shared/ops/map.ts";
import { checkTitle } from "../../../shared/schema/input.ts";
import type { InquiryMap } from "../../../shared/schema/map.ts";
import { t, timeAgo } from "../../i18n/index.ts";
import { href, navigate } from "../../route.ts";
import { EmptyState, Field, PageHeading } from "../../ui/kit.tsx";
import type { IndexView } from "./MapsSection.tsx";

/** Creates a map document and lists it in the index; returns the new map's id. */
export function createMap(
  repo: Repo,
  index: IndexView,
  communityId: string,
  title: string,
): string {
  const ctx = systemContext();
  const handle = repo.create<InquiryMap>();
  handle.change((d) => initMap(d, { communityId, title }, ctx));
  const now = ctx.now();
  index.handle.change((d) =>
    addEntry(d, handle.documentId, { kind: "map", title, createdAt: now, updatedAt: now }),
  );
  return handle.documentId;
}

export function MapsList({
  repo,
  index,
  communityId,
}: {
  repo: Repo;
  index: IndexView;
  communityId: string;
}) {
  const maps = useMemo(() => listEntries(index.doc, "map"), [index.doc]);
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkTitle(title);
    if (!checked.ok) {
      setError(checked.error.message);
      return;
    }
    setError(null);
    setTitle("");
    const id = createMap(repo, index, communityId, checked.value);
    navigate({ page: "community", communityId, section: "maps", docId: id });
  };

  return (
    <>
      <PageHeading>{t("maps.title")}</PageHeading>
      <form className="inline-form" onSubmit={submit} noValidate aria-label={t("maps.new")}>
        <Field label={t("maps.newTitle")} error={error}>
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
          {t("maps.create")}
        </button>
      </form>
      {maps.length === 0 ? (
        <EmptyState title={t("maps.empty.title")}>{t("maps.empty.body")}</EmptyState>
      ) : (
        <ul className="cards" aria-label={t("maps.count", { count: maps.length })}>
          {maps.map((m) => (
            <li key={m.id} className="card">
              <a href={href({ page: "community", communityId, section: "maps", docId: m.id })}>
                <span className="card-title">{m.title}</span>
              </a>
              <span className="meta">{t("common.updated", { when: timeAgo(m.updatedAt) })}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
