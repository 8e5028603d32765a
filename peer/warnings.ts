// Storage warnings: chunks of stored data that failed verification and were moved to quarantine
// (storage/fsStorage.ts), one per quarantined file, named after their document, as the window
// lists them; and the ones the person hid (dismissed-warnings.json), which stay hidden after a
// restart. The quarantined files themselves are never touched here.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { StorageWarning } from "../shared/contract.ts";
import { asCommunityId, type CommunityId } from "../shared/ids.ts";
import { ErrorCode, err, ok, type Result } from "../shared/result.ts";
import { quarantineDir, type OpenCommunity } from "./communities.ts";
import { readJson, writeJsonAtomic } from "./storage/atomicFile.ts";
import type { QuarantineWarning } from "./storage/fsStorage.ts";
import { documentTitle } from "./sync/membership.ts";

const DISMISSED_FILE = "dismissed-warnings.json";

const warningId = (w: QuarantineWarning) =>
  createHash("sha256").update(w.quarantinedTo).digest("hex").slice(0, 16);

export class StorageWarnings {
  readonly #warnings = new Map<string, StorageWarning>();
  #dismissed = new Set<string>();

  constructor(
    private readonly dataDir: string,
    /** The community a warning belongs to, for its title; undefined while it is not open. */
    private readonly community: (id: CommunityId) => OpenCommunity | undefined,
    private readonly emit: (warning: StorageWarning) => void,
  ) {}

  /** Reads what earlier runs quarantined (each community's quarantine log) and what was hidden. */
  async load(): Promise<void> {
    const dismissed = await readJson(join(this.dataDir, DISMISSED_FILE)).catch(() => undefined);
    if (Array.isArray(dismissed))
      this.#dismissed = new Set(dismissed.filter((x): x is string => typeof x === "string"));
    const root = join(this.dataDir, "quarantine");
    const folders = await readdir(root).catch(() => [] as string[]);
    for (const folder of folders) {
      const text = await readFile(
        join(quarantineDir(this.dataDir, folder), "quarantine.jsonl"),
        "utf8",
      ).catch(() => "");
      for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        try {
          const w = JSON.parse(line) as QuarantineWarning;
          if (typeof w.quarantinedTo === "string" && typeof w.documentId === "string")
            this.add(asCommunityId(folder), w);
        } catch {
          // A torn last line of the log: the file it names is still in the quarantine folder.
        }
      }
    }
  }

  /** A chunk of the community's was just quarantined (or was in an earlier run). */
  add(communityId: CommunityId, w: QuarantineWarning): void {
    const warning = this.#toWarning(communityId, w);
    if (this.#dismissed.has(warning.id) || this.#warnings.has(warning.id)) return;
    this.#warnings.set(warning.id, warning);
    this.emit(warning);
  }

  /** Whether anything of this document is in quarantine. */
  quarantined(documentId: string): boolean {
    return [...this.#warnings.values()].some((w) => w.documentId === documentId);
  }

  /** Newest first. */
  list(): StorageWarning[] {
    return [...this.#warnings.values()].sort((a, b) => b.at.localeCompare(a.at));
  }

  /** Hides a warning, for good once that is saved; the quarantined file stays where it is. */
  async dismiss(id: string): Promise<Result<null>> {
    if (!this.#warnings.delete(id))
      return err(ErrorCode.NotFound, "That warning is no longer listed.");
    this.#dismissed.add(id);
    try {
      await writeJsonAtomic(join(this.dataDir, DISMISSED_FILE), [...this.#dismissed]);
    } catch (e) {
      return err(
        ErrorCode.Storage,
        `The warning was hidden for now but will show again after a restart (${(e as Error).message}).`,
      );
    }
    return ok(null);
  }

  #toWarning(communityId: CommunityId, w: QuarantineWarning): StorageWarning {
    const index = this.community(communityId)?.index?.doc();
    // A log volume has no title of its own: documentTitle names it after its log and quarters.
    const title =
      w.documentId === communityId
        ? typeof index?.name === "string"
          ? index.name
          : "Community index"
        : documentTitle(communityId, index?.entries, w.documentId);
    return {
      id: warningId(w),
      documentId: w.documentId,
      communityId,
      title,
      reason: w.reason,
      quarantinedTo: w.quarantinedTo,
      at: w.at,
    };
  }
}
