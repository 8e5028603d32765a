// Every collection of the community, from the index (no collection is opened to draw the list), and
// the form that starts a new one.
import { useMemo } from "react";
import { listEntries } from "../../../shared/ops/community.ts";
import { useCommunity } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { navigate } from "../../route.ts";
import { EntryCards, NewTitleField, useNewTitle } from "../../ui/DocList.tsx";
import { EmptyState, PageHeading } from "../../ui/kit.tsx";
import { createCollection } from "./actions.ts";

export function CollectionsList() {
  const community = useCommunity();
  const { id: communityId, index } = community;
  const collections = useMemo(() => listEntries(index.doc, "collection"), [index.doc]);
  const { title, setTitle, error, submit } = useNewTitle((checked) => {
    const id = createCollection(community, checked);
    // Straight into the new collection: choosing its stories is what comes next.
    navigate({ page: "community", communityId, section: "collections", docId: id });
  });

  return (
    <>
      <PageHeading>{t("collections.title")}</PageHeading>
      <p className="lede">{t("collections.lede")}</p>
      <form className="inline-form" onSubmit={submit} noValidate aria-label={t("collections.new")}>
        <NewTitleField
          label={t("collections.newTitle")}
          hint={t("collections.newTitleHint")}
          value={title}
          onChange={setTitle}
          error={error}
        />
        <button type="submit" className="primary">
          {t("collections.create")}
        </button>
      </form>
      {collections.length === 0 ? (
        <EmptyState title={t("collections.empty.title")}>{t("collections.empty.body")}</EmptyState>
      ) : (
        <EntryCards
          entries={collections}
          section="collections"
          label={
            collections.length === 1
              ? t("collections.count.one")
              : t("collections.count.many", { count: collections.length })
          }
          showLabel
          className="cards collection-cards"
        />
      )}
    </>
  );
}
