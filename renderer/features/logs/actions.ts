// Writes to a practice log from the UI. Each one also moves the log's "updated" in the community
// index, so the list of logs stays right; typing moves it at most every TOUCH_EVERY_MS (one index
// change per keystroke would sync a change of the index to every device on every key).
import type { DocHandle, Repo } from "@automerge/automerge-repo";
import { updateEntry } from "../../../shared/ops/community.ts";
import { systemContext, type OpContext } from "../../../shared/ops/context.ts";
import {
  addEntryLink,
  addParticipant,
  deleteLogEntry,
  initLog,
  removeEntryLink,
  removeParticipant,
  renameLog,
  restoreLogEntry,
  setEntryDate,
  setEntryKind,
  setEntryText,
  setEntryThemes,
  setLogDescription,
  type EntryHolder,
  type NewEntry,
} from "../../../shared/ops/log.ts";
import { coverQuarter, quarterOf } from "../../../shared/ops/logVolumes.ts";
import { addEntryToLog } from "../../../shared/logs/write.ts";
import type { CommunityIndex } from "../../../shared/schema/community.ts";
import type { Community } from "../../communityContext.tsx";
import { createDoc } from "../../newDoc.ts";
import type {
  EntryKindName,
  EntryTextField,
  Log,
  Participant,
} from "../../../shared/schema/log.ts";
import type { LogVolume } from "../../../shared/schema/logVolume.ts";

const TOUCH_EVERY_MS = 20_000;
/**
 * When this window last moved each log's "updated": kept here, not in the actions, which are made
 * again whenever the log's entries change.
 */
const lastTouched = new Map<string, number>();

/** Creates a log document and lists it in the index; returns the new log's id. */
export const createLog = (community: Community, title: string, description: string): string =>
  createDoc<Log>(community, { kind: "log", title }, (d, ctx) =>
    initLog(d, { communityId: community.id, title, description }, ctx),
  );

export type LogActions = ReturnType<typeof logActions>;

/** Where the actions find things: the log's entries are in the log and in its volumes. */
export type LogPlace = {
  repo: Repo;
  index: DocHandle<CommunityIndex>;
  communityId: string;
  log: DocHandle<Log>;
  /** The open document holding an entry (the log, or one of its volumes). */
  holderOf: (entryId: string) => DocHandle<EntryHolder> | undefined;
  /** An open volume, by id. */
  volume: (volumeId: string) => DocHandle<LogVolume> | undefined;
};

export function logActions(place: LogPlace, ctx: OpContext = systemContext()) {
  const { index, log } = place;
  const logId = log.documentId;
  const touchIndex = (patch: { title?: string } = {}) => {
    lastTouched.set(logId, ctx.now());
    index.change((d) => updateEntry(d, logId, patch, ctx));
  };
  /** A structural write to an entry: the index follows at once. */
  const write = (id: string, fn: (d: EntryHolder) => void) => {
    const holder = place.holderOf(id);
    if (!holder) return;
    holder.change(fn);
    touchIndex();
  };
  /** A keystroke: the index follows at most every TOUCH_EVERY_MS. */
  const type = <T>(handle: DocHandle<T> | undefined, fn: (d: T) => void) => {
    if (!handle) return;
    handle.change(fn);
    if (ctx.now() - (lastTouched.get(logId) ?? 0) >= TOUCH_EVERY_MS) touchIndex();
  };
  return {
    rename(title: string) {
      log.change((d) => renameLog(d, title, ctx));
      touchIndex({ title });
    },
    setDescription: (text: string) => type(log, (d) => setLogDescription(d, text, ctx)),
    /** Adds an entry to the volume of its date's quarter (made when missing); resolves with its id. */
    async addEntry(args: NewEntry): Promise<string> {
      const at = await addEntryToLog(
        { repo: place.repo, index, communityId: place.communityId, logId },
        args,
        ctx,
        place.volume,
      );
      touchIndex();
      return at.entryId;
    },
    setText: (id: string, field: EntryTextField, text: string) =>
      type(place.holderOf(id), (d) => setEntryText(d, id, field, text, ctx)),
    setDate(id: string, date: string) {
      write(id, (d) => setEntryDate(d, id, date, ctx));
      // The entry stays in its volume; the index learns the volume now holds that quarter too, so
      // a window drawing the timeline waits for it before drawing the quarter.
      const holder = place.holderOf(id);
      if (holder && holder.documentId !== logId)
        index.change((d) => coverQuarter(d, holder.documentId, quarterOf(date)));
    },
    setKind: (id: string, kind: EntryKindName) => write(id, (d) => setEntryKind(d, id, kind, ctx)),
    addParticipant: (id: string, p: Participant) =>
      write(id, (d) => void addParticipant(d, id, p, ctx)),
    removeParticipant: (id: string, pid: string) =>
      write(id, (d) => removeParticipant(d, id, pid, ctx)),
    setThemes: (id: string, themes: readonly string[]) =>
      write(id, (d) => setEntryThemes(d, id, themes, ctx)),
    addLink: (id: string, ref: string) => write(id, (d) => addEntryLink(d, id, ref, ctx)),
    removeLink: (id: string, ref: string) => write(id, (d) => removeEntryLink(d, id, ref, ctx)),
    remove: (id: string) => write(id, (d) => deleteLogEntry(d, id, ctx)),
    restore: (id: string) => write(id, (d) => restoreLogEntry(d, id, ctx)),
  };
}
