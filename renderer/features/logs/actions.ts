// Writes to a practice log from the UI. Each one also moves the log's "updated" in the community
// index, so the list of logs stays right; typing moves it at most every TOUCH_EVERY_MS (one index
// change per keystroke would sync a change of the index to every device on every key).
import type { DocHandle, Repo } from "@automerge/automerge-repo";
import { addEntry, updateEntry } from "../../../shared/ops/community.ts";
import { systemContext, type OpContext } from "../../../shared/ops/context.ts";
import {
  addEntryLink,
  addLogEntry,
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
  type NewEntry,
} from "../../../shared/ops/log.ts";
import type { CommunityIndex } from "../../../shared/schema/community.ts";
import type {
  EntryKindName,
  EntryTextField,
  Log,
  Participant,
} from "../../../shared/schema/log.ts";

const TOUCH_EVERY_MS = 20_000;

/** Creates a log document and lists it in the index; returns the new log's id. */
export function createLog(
  repo: Repo,
  index: DocHandle<CommunityIndex>,
  communityId: string,
  title: string,
  description: string,
): string {
  const ctx = systemContext();
  const handle = repo.create<Log>();
  handle.change((d) => initLog(d, { communityId, title, description }, ctx));
  const now = ctx.now();
  index.change((d) =>
    addEntry(d, handle.documentId, { kind: "log", title, createdAt: now, updatedAt: now }),
  );
  return handle.documentId;
}

export type LogActions = ReturnType<typeof logActions>;

export function logActions(
  handle: DocHandle<Log>,
  index: DocHandle<CommunityIndex>,
  logId: string,
  ctx: OpContext = systemContext(),
) {
  let lastTouch = 0;
  const touchIndex = (patch: { title?: string } = {}) => {
    lastTouch = ctx.now();
    index.change((d) => updateEntry(d, logId, patch, ctx));
  };
  /** A structural write: the index follows at once. */
  const write = (fn: (d: Log) => void) => {
    handle.change(fn);
    touchIndex();
  };
  /** A keystroke: the index follows at most every TOUCH_EVERY_MS. */
  const type = (fn: (d: Log) => void) => {
    handle.change(fn);
    if (ctx.now() - lastTouch >= TOUCH_EVERY_MS) touchIndex();
  };
  return {
    rename(title: string) {
      handle.change((d) => renameLog(d, title, ctx));
      touchIndex({ title });
    },
    setDescription: (text: string) => type((d) => setLogDescription(d, text, ctx)),
    addEntry(args: NewEntry): string {
      let id = "";
      write((d) => {
        id = addLogEntry(d, args, ctx);
      });
      return id;
    },
    setText: (id: string, field: EntryTextField, text: string) =>
      type((d) => setEntryText(d, id, field, text, ctx)),
    setDate: (id: string, date: string) => write((d) => setEntryDate(d, id, date, ctx)),
    setKind: (id: string, kind: EntryKindName) => write((d) => setEntryKind(d, id, kind, ctx)),
    addParticipant: (id: string, p: Participant) =>
      write((d) => void addParticipant(d, id, p, ctx)),
    removeParticipant: (id: string, pid: string) =>
      write((d) => removeParticipant(d, id, pid, ctx)),
    setThemes: (id: string, themes: readonly string[]) =>
      write((d) => setEntryThemes(d, id, themes, ctx)),
    addLink: (id: string, ref: string) => write((d) => addEntryLink(d, id, ref, ctx)),
    removeLink: (id: string, ref: string) => write((d) => removeEntryLink(d, id, ref, ctx)),
    remove: (id: string) => write((d) => deleteLogEntry(d, id, ctx)),
    restore: (id: string) => write((d) => restoreLogEntry(d, id, ctx)),
  };
}
