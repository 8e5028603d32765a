// The community's inquiry maps, from the index (no map is opened to draw the list), and a form to
// start a new one.
import { useMemo } from "react";
import { listEntries } from "../../../shared/ops/community.ts";
import { initMap } from "../../../shared/ops/map.ts";
import type { InquiryMap } from "../../../shared/schema/map.ts";
import { useCommunity, type Community } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { createDoc, openNewDoc } from "../../newDoc.ts";
import { EntryCards, ListHeading, NewDocForm } from "../../ui/DocList.tsx";

/** Creates a map document and lists it in the index; returns the new map's id. */
export const createMap = (community: Community, title: string): string =>
  createDoc<InquiryMap>(community, { kind: "map", title }, (d, ctx) =>
    initMap(d, { communityId: community.id, title }, ctx),
  );

export function MapsList() {
  const community = useCommunity();
  const maps = useMemo(() => listEntries(community.index.doc, "map"), [community.index.doc]);

  return (
    <>
      <ListHeading title={t("maps.title")} />
      <NewDocForm
        label={t("maps.new")}
        titleLabel={t("maps.newTitle")}
        submitLabel={t("maps.create")}
        onCreate={(title) => {
          openNewDoc(community.id, "maps", createMap(community, title));
        }}
      />
      <EntryCards
        entries={maps}
        section="maps"
        label={t("maps.count", { count: maps.length })}
        empty={{ title: t("maps.empty.title"), body: t("maps.empty.body") }}
      />
    </>
  );
}
