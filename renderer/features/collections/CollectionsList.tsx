// Every collection of the community, from the index (no collection is opened to draw the list), and
// the form that starts a new one.
import { useMemo } from "react";
import { listEntries } from "../../../shared/ops/community.ts";
import { useCommunity } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { openNewDoc } from "../../newDoc.ts";
import { EntryCards, ListHeading, NewDocForm } from "../../ui/DocList.tsx";
import { createCollection } from "./actions.ts";

export function CollectionsList() {
  const community = useCommunity();
  const collections = useMemo(
    () => listEntries(community.index.doc, "collection"),
    [community.index.doc],
  );

  return (
    <>
      <ListHeading title={t("collections.title")} />
      <p className="lede">{t("collections.lede")}</p>
      <NewDocForm
        label={t("collections.new")}
        titleLabel={t("collections.newTitle")}
        titleHint={t("collections.newTitleHint")}
        submitLabel={t("collections.create")}
        onCreate={(title) => {
          // Straight into the new collection: choosing its stories is what comes next.
          openNewDoc(community.id, "collections", createCollection(community, title));
        }}
      />
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
        empty={{ title: t("collections.empty.title"), body: t("collections.empty.body") }}
      />
    </>
  );
}
