// The community's inquiry maps, from the index (no map is opened to draw the list), and a form to
// start a new one.
import { useMemo } from "react";
import { addEntry, listEntries } from "../../../shared/ops/community.ts";
import { systemContext } from "../../../shared/ops/context.ts";
import { initMap } from "../../../shared/ops/map.ts";
import type { InquiryMap } from "../../../shared/schema/map.ts";
import { useCommunity, type Community } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { navigate } from "../../route.ts";
import { EntryCards, NewTitleField, useNewTitle } from "../../ui/DocList.tsx";
import { EmptyState, PageHeading } from "../../ui/kit.tsx";

/** Creates a map document and lists it in the index; returns the new map's id. */
export function createMap({ id: communityId, repo, index }: Community, title: string): string {
  const ctx = systemContext();
  const handle = repo.create<InquiryMap>();
  handle.change((d) => initMap(d, { communityId, title }, ctx));
  const now = ctx.now();
  index.handle.change((d) =>
    addEntry(d, handle.documentId, { kind: "map", title, createdAt: now, updatedAt: now }),
  );
  return handle.documentId;
}

export function MapsList() {
  const community = useCommunity();
  const { id: communityId, index } = community;
  const maps = useMemo(() => listEntries(index.doc, "map"), [index.doc]);
  const { title, setTitle, error, submit } = useNewTitle((checked) => {
    // No need to clear the title: opening the new map replaces this list.
    const id = createMap(community, checked);
    navigate({ page: "community", communityId, section: "maps", docId: id });
  });

  return (
    <>
      <PageHeading>{t("maps.title")}</PageHeading>
      <form className="inline-form" onSubmit={submit} noValidate aria-label={t("maps.new")}>
        <NewTitleField label={t("maps.newTitle")} value={title} onChange={setTitle} error={error} />
        <button type="submit" className="primary">
          {t("maps.create")}
        </button>
      </form>
      {maps.length === 0 ? (
        <EmptyState title={t("maps.empty.title")}>{t("maps.empty.body")}</EmptyState>
      ) : (
        <EntryCards entries={maps} section="maps" label={t("maps.count", { count: maps.length })} />
      )}
    </>
  );
}
