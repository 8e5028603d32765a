// Placeholder until the maps feature lands (being written now).
import type { Repo } from "@automerge/automerge-repo";
import type { CommunityIndex } from "../../../shared/schema/community.ts";
import type { DocView } from "../../repo.ts";

export type IndexView = Extract<DocView<CommunityIndex>, { status: "ok" }>;

export function MapsSection(_props: {
  repo: Repo;
  index: IndexView;
  communityId: string;
  mapId: string | null;
  focus: string | null;
}) {
  return null;
}
