// An import in progress, written down before its first document is stored: the ids of the documents
// it is about to add. An import lists its documents in the community's index last, so an import
// cut short (the peer killed, the power gone, the disk full) leaves documents that nothing lists:
// invisible, never synced to anyone on purpose, only taking space. On the next start the ids the
// journal names that the index does not list are removed, with a line in the log, and the journal
// with them. Only documents the journal names are ever removed: nothing else in the folder is
// judged an orphan.
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { isDocumentId } from "../../shared/ids.ts";
import { communityDir } from "../communities.ts";
import { readJson, writeJsonAtomic } from "../storage/atomicFile.ts";
import { escapeKeyComponent } from "../storage/fsStorage.ts";

export const IMPORT_JOURNAL = "import-unfinished.json";

type Journal = { version: 1; documents: string[] };

const journalPath = (dataDir: string, communityId: string) =>
  join(communityDir(dataDir, communityId), IMPORT_JOURNAL);

async function readJournal(path: string): Promise<string[]> {
  const journal = (await readJson(path).catch(() => undefined)) as Partial<Journal> | undefined;
  return Array.isArray(journal?.documents) ? journal.documents.filter(isDocumentId) : [];
}

/**
 * Writes the journal of an import about to add `documents`, keeping what an earlier import that
 * failed in this session left in it. Throws what the file system threw.
 */
export async function beginImport(
  dataDir: string,
  communityId: string,
  documents: readonly string[],
): Promise<void> {
  const path = journalPath(dataDir, communityId);
  const earlier = await readJournal(path);
  const journal: Journal = { version: 1, documents: [...new Set([...earlier, ...documents])] };
  await writeJsonAtomic(path, journal);
}

/** The import of `documents` is listed in the index and saved: its ids leave the journal. */
export async function endImport(
  dataDir: string,
  communityId: string,
  documents: readonly string[],
): Promise<void> {
  const path = journalPath(dataDir, communityId);
  const done = new Set(documents);
  const left = (await readJournal(path)).filter((id) => !done.has(id));
  if (left.length === 0) await rm(path, { force: true });
  else await writeJsonAtomic(path, { version: 1, documents: left } satisfies Journal);
}

/**
 * After a start, once the community's index is loaded: removes what an unfinished import left (the
 * documents its journal names that `listed` does not hold) and the journal. Never throws: what
 * cannot be removed now is tried again on the next start. Returns how many documents were removed.
 */
export async function clearUnfinishedImport(
  dataDir: string,
  communityId: string,
  listed: (documentId: string) => boolean,
  log: (line: string) => void = (line) => console.warn(line),
): Promise<number> {
  const path = journalPath(dataDir, communityId);
  let journal: Journal | undefined;
  try {
    journal = (await readJson(path)) as Journal | undefined;
  } catch {
    // A journal cut short while it was written: its import never stored a document.
    await rm(path, { force: true }).catch(() => undefined);
    return 0;
  }
  if (journal === undefined) return 0;
  const ids = Array.isArray(journal.documents) ? journal.documents.filter(isDocumentId) : [];
  const orphans = ids.filter((id) => !listed(id));
  const docs = join(communityDir(dataDir, communityId), "docs");
  const present = new Set(await readdir(docs).catch(() => [] as string[]));
  let removed = 0;
  try {
    for (const id of orphans) {
      const folder = escapeKeyComponent(id);
      if (!present.has(folder)) continue;
      await rm(join(docs, folder), { recursive: true, force: true });
      removed++;
    }
    await rm(path, { force: true });
  } catch (e) {
    log(
      `An unfinished import in community ${communityId} left documents that could not be removed yet (${(e as NodeJS.ErrnoException).code ?? String(e)}); they are tried again on the next start.`,
    );
    return removed;
  }
  if (removed > 0)
    log(
      `An import in community ${communityId} was cut short before it finished (the peer stopped mid-way); the ${removed} document${removed === 1 ? "" : "s"} it had begun to store, which no list showed, ${removed === 1 ? "was" : "were"} removed. Import those files again.`,
    );
  return removed;
}
