// A log's entries in the window: the log's own (written before logs had volumes) and those of its
// volumes, which the index lists (shared/schema/logVolume.ts). The newest volume is asked for
// first and drawn as soon as it is here; older ones follow behind it, so the first rows of a long
// log never wait for the rest (npm run bench: log.timeline5000.ms). Every volume is read through its validator; one that is damaged,
// names another log, or has not reached this device is reported, and the rest stays usable.
import type { AutomergeUrl, DocHandle, Repo } from "@automerge/automerge-repo";
import { useEffect, useMemo, useState } from "react";
import { liveEntriesIn, type EntryHolder, type HeldLogEntry } from "../../../shared/ops/log.ts";
import { isSettledDate, pendingQuarter, type VolumeInfo } from "../../../shared/ops/logVolumes.ts";
import type { Log, LogEntry } from "../../../shared/schema/log.ts";
import { logVolumeKind, type LogVolume } from "../../../shared/schema/logVolume.ts";
import { read } from "../../repo.ts";

/** Volumes asked for at once after the first: enough to keep the peer busy, not the window. */
const CONCURRENT = 8;
/**
 * How often a volume that was not here is asked for again: it may reach this laptop's peer from
 * another laptop at any time, and the peer does not push documents into windows unasked.
 */
const RETRY_MS = 5_000;

/**
 * The last timeline listed, for the log on screen: typing in an entry lists the log again, and
 * its order is reused when no entry came, went or changed date (shared/ops/log.ts).
 */
const lastListed = new Map<string, HeldLogEntry[]>();

export type VolumeState =
  | { status: "loading" }
  | { status: "ok"; handle: DocHandle<LogVolume>; doc: LogVolume; problems: readonly string[] }
  | { status: "unavailable" }
  | { status: "unusable"; problems: readonly string[] };

export type LogEntries = {
  /** Live entries in timeline order, only those whose place is final (see pendingQuarter). */
  entries: HeldLogEntry[];
  /** Every entry read so far by id, deleted ones too, with the document holding it. */
  byId: ReadonlyMap<string, { entry: LogEntry; holder: string }>;
  /** The open document holding an entry: the log itself, or a volume. */
  holderOf: (entryId: string) => DocHandle<EntryHolder> | undefined;
  /** An open volume, by id. */
  volume: (volumeId: string) => DocHandle<LogVolume> | undefined;
  /** Volumes read (or given up on) and listed. */
  progress: { done: number; total: number };
  /** Null once every volume is read: the quarter below which the timeline is still arriving. */
  pending: string | null;
  /** Quarters of volumes that have not reached this device (newest first). */
  missing: string[];
  /** What could not be read, for the problems notice. */
  problems: string[];
};

/**
 * Loads a log's volumes into a window's repo, the newest alone first, then CONCURRENT at a time, and
 * follows each one's changes until closed. A volume that was not here is asked for again every
 * few seconds and whenever the link to the peer comes back.
 */
class VolumeLoader {
  readonly #repo: Repo;
  readonly #logId: string;
  /** `arrived`: the volume was just read for the first time (else: it changed). */
  readonly #onState: (id: string, state: VolumeState, arrived: boolean) => void;
  readonly #known = new Map<string, VolumeState["status"]>();
  readonly #offs: (() => void)[] = [];
  readonly #queue: string[] = [];
  #running = 0;
  #firstDrawn = false;
  #closed = false;
  readonly #retry = () => {
    for (const [id, status] of this.#known) if (status === "unavailable") this.#enqueue(id);
  };
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    repo: Repo,
    logId: string,
    onState: (id: string, state: VolumeState, arrived: boolean) => void,
  ) {
    this.#repo = repo;
    this.#logId = logId;
    this.#onState = onState;
    repo.networkSubsystem.on("peer", this.#retry);
    this.#timer = setInterval(this.#retry, RETRY_MS);
  }

  /** Volumes to load, in the order to load them; ones already loading or loaded are skipped. */
  want(ids: readonly string[]): void {
    for (const id of ids) if (!this.#known.has(id)) this.#enqueue(id);
  }

  close(): void {
    this.#closed = true;
    this.#repo.networkSubsystem.off("peer", this.#retry);
    clearInterval(this.#timer);
    for (const off of this.#offs.splice(0)) off();
  }

  #enqueue(id: string): void {
    this.#known.set(id, "loading");
    this.#queue.push(id);
    this.#pump();
  }

  #pump(): void {
    // Until the newest volume is drawn, nothing else: it is what the person sees first, and
    // loading older volumes meanwhile would only delay that frame.
    const limit = this.#firstDrawn ? CONCURRENT : 1;
    while (!this.#closed && this.#running < limit && this.#queue.length > 0) {
      const id = this.#queue.shift()!;
      this.#running++;
      void this.#load(id).finally(() => {
        this.#running--;
        if (this.#firstDrawn) return this.#pump();
        // After the frame that draws it (the batch above flushes on the next frame).
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            this.#firstDrawn = true;
            this.#pump();
          }),
        );
      });
    }
  }

  #set(id: string, state: VolumeState, arrived = true): void {
    if (this.#closed) return;
    this.#known.set(id, state.status);
    this.#onState(id, state, arrived);
  }

  async #load(id: string): Promise<void> {
    let handle: DocHandle<LogVolume>;
    try {
      handle = await this.#repo.find<LogVolume>(`automerge:${id}` as AutomergeUrl);
    } catch {
      return this.#set(id, { status: "unavailable" });
    }
    if (this.#closed) return;
    const update = () => this.#set(id, this.#read(id, handle), false);
    handle.on("change", update);
    this.#offs.push(() => handle.off("change", update));
    this.#set(id, this.#read(id, handle), true);
  }

  #read(id: string, handle: DocHandle<LogVolume>): VolumeState {
    const view = read(logVolumeKind, handle);
    switch (view.status) {
      case "ok":
        return view.doc.logId === this.#logId
          ? { status: "ok", handle, doc: view.doc, problems: view.problems }
          : { status: "unusable", problems: [`volume ${id}: belongs to another log`] };
      case "damaged":
        return { status: "unusable", problems: view.problems.map((p) => `volume ${id}: ${p}`) };
      case "newer":
        return {
          status: "unusable",
          problems: [`volume ${id}: written by a newer Meitheal (version ${view.version})`],
        };
      default:
        return { status: "unavailable" };
    }
  }
}

/**
 * The entries of log `logId`: its volumes start loading at once, from the index's list, without
 * waiting for the log's own document (`inline`: its handle and the entries it holds itself, null
 * while it is arriving).
 */
export function useLogEntries(
  repo: Repo,
  logId: string,
  inline: { handle: DocHandle<Log>; entries: Record<string, LogEntry> } | null,
  volumes: readonly VolumeInfo[],
): LogEntries {
  const [states, setStates] = useState<ReadonlyMap<string, VolumeState>>(new Map());
  // The ids in load order, as one string. When the list changes (a volume made here or by
  // someone else), a new loader starts: volumes already here come from the repo at once, and what
  // was read stays on screen meanwhile.
  const ids = volumes.map((v) => v.id).join(",");
  useEffect(() => {
    // Volumes arriving together are drawn together: one update per frame, not one per volume
    // (each update lists the whole timeline again).
    let batch = new Map<string, VolumeState>();
    let frame = 0;
    const flush = () => {
      frame = 0;
      const updates = batch;
      batch = new Map();
      setStates((prev) => {
        const next = new Map(prev);
        for (const [id, state] of updates) next.set(id, state);
        return next;
      });
    };
    const loader = new VolumeLoader(repo, logId, (id, state, arrived) => {
      batch.set(id, state);
      // An edit (here or from a peer) is drawn at once: a checkbox or a field drawn a frame late
      // would show the old value for that frame.
      if (!arrived) {
        cancelAnimationFrame(frame);
        return flush();
      }
      frame ||= requestAnimationFrame(flush);
    });
    if (ids !== "") loader.want(ids.split(","));
    return () => {
      cancelAnimationFrame(frame);
      loader.close();
    };
  }, [repo, logId, ids]);

  return useMemo(() => {
    const holders: { id: string; entries: Record<string, LogEntry> }[] = inline
      ? [{ id: logId, entries: inline.entries }]
      : [];
    const handles = new Map<string, DocHandle<LogVolume>>();
    const problems: string[] = [];
    const missing: string[] = [];
    let done = 0;
    for (const v of [...volumes].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const state = states.get(v.id) ?? { status: "loading" };
      if (state.status !== "loading") done++;
      if (state.status === "ok") {
        holders.push({ id: v.id, entries: state.doc.entries });
        handles.set(v.id, state.handle);
        problems.push(...state.problems);
      } else if (state.status === "unusable") problems.push(...state.problems);
      else if (state.status === "unavailable") missing.push(v.periods[0]!);
    }
    const settled = (id: string) => (states.get(id)?.status ?? "loading") !== "loading";
    const pending = pendingQuarter(volumes, settled);
    const byId = new Map<string, { entry: LogEntry; holder: string }>();
    for (const h of holders)
      for (const [id, entry] of Object.entries(h.entries))
        if (!byId.has(id)) byId.set(id, { entry, holder: h.id });
    const all = liveEntriesIn(holders, lastListed.get(logId));
    lastListed.clear();
    lastListed.set(logId, all);
    return {
      entries: all.filter((e) => isSettledDate(e.date, pending)),
      byId,
      holderOf: (entryId: string): DocHandle<EntryHolder> | undefined => {
        const at = byId.get(entryId)?.holder;
        return at === logId ? inline?.handle : at ? handles.get(at) : undefined;
      },
      volume: (id: string) => handles.get(id),
      progress: { done, total: volumes.length },
      pending,
      missing: missing.sort().reverse(),
      problems,
    };
  }, [states, volumes, inline, logId]);
}
