// The "Inquiry maps" section: the community's maps, or one map.
import type { Repo } from "@automerge/automerge-repo";
import type { CommunityIndex } from "../../../shared/schema/community.ts";
import type { DocView } from "../../repo.ts";
import { MapPage } from "./MapPage.tsx";
import { MapsList } from "./MapsList.tsx";

export type IndexView = Extract<DocView<CommunityIndex>, { status: "ok" }>;

export function MapsSection({
  repo,
  index,
  communityId,
  mapId,
  focus,
}: {
  repo: Repo;
  index: IndexView;
  communityId: string;
  mapId: string | null;
  /** A node's id: the map opens with it selected and in the middle. */
  focus: string | null;
}) {
  return mapId ? (
    <MapPage
      key={mapId}
      repo={repo}
      index={index}
      communityId={communityId}
      mapId={mapId}
      focus={focus}
    />
  ) : (
    <MapsList repo={repo} index={index} communityId={communityId} />
  );
}
