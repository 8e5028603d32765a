// Placeholder until the collections feature lands (being written now).
import type { Repo } from "@automerge/automerge-repo";
import type { IndexView } from "../logs/LogsSection.tsx";

export function CollectionsSection(_props: {
  repo: Repo;
  index: IndexView;
  communityId: string;
  collectionId: string | null;
}) {
  return null;
}
