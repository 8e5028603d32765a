// The "Collections" section: the community's collections, or one collection.
import { CollectionPage } from "./CollectionPage.tsx";
import { CollectionsList } from "./CollectionsList.tsx";

export function CollectionsSection({ collectionId }: { collectionId: string | null }) {
  return collectionId ? (
    <CollectionPage key={collectionId} collectionId={collectionId} />
  ) : (
    <CollectionsList />
  );
}
