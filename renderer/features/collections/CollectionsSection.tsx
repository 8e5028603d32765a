// The "Collections" section: the community's collections, or one collection.
import type { Repo } from "@automerge/automerge-repo";
import type { IndexView } from "../logs/LogsSection.tsx";
import { CollectionPage } from "./CollectionPage.tsx";
import { CollectionsList } from "./CollectionsList.tsx";

export function CollectionsSection({
  repo,
  index,
  communityId,
  collectionId,
}: {
  repo: Repo;
  index: IndexView;
  communityId: string;
  collectionId: string | null;
}) {
  return collectionId ? (
    <CollectionPage
      key={collectionId}
      repo={repo}
      index={index}
      communityId={communityId}
      collectionId={collectionId}
    />
  ) : (
    <CollectionsList repo={repo} index={index} communityId={communityId} />
  );
}
