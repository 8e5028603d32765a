// Starting a document of the open community: made in the community's repo and listed in its index
// at once, so every list shows it (stories, logs, maps and collections all start this way).
import { addEntry } from "../shared/ops/community.ts";
import { systemContext, type OpContext } from "../shared/ops/context.ts";
import type { IndexEntry } from "../shared/schema/community.ts";
import type { Community } from "./communityContext.tsx";

/** Makes the document (`init` fills it in), lists it in the index, and returns its id. */
export function createDoc<T>(
  { repo, index }: Community,
  entry: Omit<IndexEntry, "createdAt" | "updatedAt">,
  init: (doc: T, ctx: OpContext) => void,
): string {
  const ctx = systemContext();
  const handle = repo.create<T>();
  handle.change((d) => init(d, ctx));
  const now = ctx.now();
  index.handle.change((d) =>
    addEntry(d, handle.documentId, { ...entry, createdAt: now, updatedAt: now }),
  );
  return handle.documentId;
}
