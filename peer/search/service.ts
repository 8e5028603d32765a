// Search and the link graph of one community, kept in the peer. It follows the community index
// (which documents exist and of what kind), reads each listed story, log, log volume and map through
// its kind's validator, and keeps a MiniSearch index of their items and a map of who links to what.
// A volume's entries are entries of its log (their refs name the log), titled in context by the
// title the index gives that log.
//
// Updates are incremental: when a document changes (here, in a window, or from a linked device)
// only that document is read again, a moment later, and only its items whose words changed are
// replaced in the index. Editing a 20,000-word story never re-indexes anything else, and editing one
// entry of a 500-entry log re-indexes that entry alone (and reads only the volume holding it).
//
// Kept on disk (`search-index.json` in the community's folder, given by the hub): the MiniSearch
// index and each document's items, written a while after changes and at close. On start the file
// is loaded and only documents whose stored chunk files changed since it was written are read
// again (a chunk is named by its content's hash, so any change saved by this peer, a sync or
// another process gives a new name); the others are not even loaded until something opens them.
// A file of another version or that does not read is ignored and the index built as at first.
import type { AutomergeUrl, DocHandle, DocumentId, Repo } from "@automerge/automerge-repo";
import MiniSearch, { type Options, type SearchResult as MiniResult } from "minisearch";
import { readFile } from "node:fs/promises";
import type { ItemType, LinkTarget, SearchHit, SearchResult } from "../../shared/contract.ts";
import { isDocumentId, type CommunityId } from "../../shared/ids.ts";
import { parseRef } from "../../shared/links/ref.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import {
  extractDocument,
  extractVolume,
  isSearchableKind,
  type SearchableKind,
  type SearchItem,
  type VolumeListing,
} from "../../shared/search/extract.ts";
import { writeFileAtomic } from "../storage/atomicFile.ts";
import { foldTerm, foldText, snippet } from "./snippet.ts";

/** What the service needs of an open community; `index` is read again each time (it may arrive later). */
export type SearchSource = {
  readonly id: CommunityId;
  readonly repo: Repo;
  readonly index: DocHandle<CommunityIndex> | undefined;
  /** Where the documents are stored; without it the index is not kept on disk. */
  readonly storage?: DocumentStamps;
};

/** A cheap sign of a stored document's state: different whenever a change to it was saved. */
export type DocumentStamps = { documentStampSync(documentId: string): string };

export type SearchTuning = {
  /** Quiet time after a change before the document is read again. */
  debounceMs: number;
  /** Longest a document waits while changes keep coming (someone typing without a pause). */
  maxWaitMs: number;
  /** Documents read at once during a first read (keeps the event loop answering meanwhile). */
  concurrency: number;
  /** A document that neither loads nor is declared unavailable by then counts as read (and is read when it arrives). */
  readTimeoutMs: number;
  /** `onChanged` runs at most once per this many ms. */
  notifyMs: number;
  /** How often to look for an index that has not arrived yet (a joined community). */
  indexPollMs: number;
  /** Quiet time after the index changed before it is written to disk. */
  saveDelayMs: number;
  /** Longest the file waits while changes keep coming. */
  saveMaxWaitMs: number;
};

export const DEFAULT_TUNING: SearchTuning = {
  debounceMs: 150,
  maxWaitMs: 1000,
  concurrency: 16,
  readTimeoutMs: 20_000,
  notifyMs: 250,
  indexPollMs: 200,
  saveDelayMs: 5_000,
  saveMaxWaitMs: 60_000,
};

/** The file a community's search index is kept in, in the community's folder. */
export const SEARCH_INDEX_FILE = "search-index.json";
/**
 * Bump when what a file holds would no longer match what this code builds (extract.ts's items,
 * the index options): an older file is then ignored and the index built again.
 */
export const SEARCH_INDEX_VERSION = 1;

/** One document in the file: its listing, the stamp of its chunks when its items were read, its items. */
type SavedDoc = {
  kind: Listing["kind"];
  volume?: VolumeListing;
  /** Absent when its items may not match what is stored (read again on start). */
  stamp?: string;
  items: SearchItem[];
};

type SavedIndex = {
  version: typeof SEARCH_INDEX_VERSION;
  docs: Record<string, SavedDoc>;
  mini: Parameters<typeof MiniSearch.loadJS>[0];
};

export type Query = {
  text: string;
  types?: readonly ItemType[];
  theme?: string;
  limit?: number;
};

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
/** A query longer than this is cut: every word costs a fuzzy walk of the index. */
export const MAX_QUERY_LENGTH = 200;
/** Refs described in one call. */
export const MAX_REFS = 1000;

/** What the index lists a document as; a volume comes with its log and that log's title. */
type Listing =
  | { readonly kind: SearchableKind }
  | { readonly kind: "log-volume"; readonly volume: VolumeListing };

/** One listed document the service follows. */
type Tracked = {
  readonly id: string;
  readonly kind: Listing["kind"];
  /** A volume's log and its title in the index; the title is updated when the log is renamed. */
  volume: VolumeListing | undefined;
  /**
   * Undefined for a document kept from the file and unchanged on disk: it is not loaded until
   * something else opens it (then it is read once and followed).
   */
  handle: DocHandle<unknown> | undefined;
  /** For a document kept from the file: the stamp its items were read at. */
  stamp: string | undefined;
  /** The refs of the items it gave last time it was read. */
  refs: Set<string>;
  /** The document object last read: Automerge documents are immutable, so the same object means no change. */
  lastDoc: unknown;
  /** Set when it does not read as its kind (damaged, newer, another kind). */
  unreadable: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** When the oldest change not yet read arrived. */
  firstChangeAt: number | undefined;
  off: () => void;
};

/** The text field MiniSearch indexes and snippets are cut from: a story's summary, then its body. */
const searchText = (item: SearchItem): string =>
  item.summary.trim() === "" ? item.text : `${item.summary}\n${item.text}`;

/** What the index holds of an item: when this is unchanged, the index entry needs no update. */
const indexKey = (item: SearchItem): string =>
  `${item.title}\u0000${item.context ?? ""}\u0000${item.summary}\u0000${item.text}`;

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

const TYPE_ORDER: Record<ItemType, number> = { story: 0, entry: 1, node: 2 };

const PREFIX_MIN = 2;
const FUZZY_MIN = 4;

const INDEX_OPTIONS: Options<SearchItem> = {
  idField: "ref",
  fields: ["title", "text", "context"],
  // Nothing stored: hits are built from the service's own item map.
  storeFields: [],
  // Asked for the id field too.
  extractField: (item, field) => {
    if (field === "text") return searchText(item);
    if (field === "context") return item.context ?? "";
    return field === "title" ? item.title : item.ref;
  },
  processTerm: foldTerm,
  searchOptions: {
    // Prefix and typo matching for every word long enough for them to mean something: a single
    // letter would expand to most of the vocabulary, and a one-letter slip in a three-letter word
    // is another word (npm run bench: the slowest queries were exactly these).
    prefix: (term) => term.length >= PREFIX_MIN,
    fuzzy: (term) => (term.length >= FUZZY_MIN ? 0.2 : false),
    boost: { title: 3, context: 0.5 },
    combineWith: "AND",
  },
};

const newIndex = () => new MiniSearch<SearchItem>(INDEX_OPTIONS);

export class CommunitySearch {
  readonly #source: SearchSource;
  readonly #onChanged: () => void;
  readonly #tuning: SearchTuning;
  #mini = newIndex();
  /** ref → item, for every item in the index. */
  readonly #items = new Map<string, SearchItem>();
  readonly #keys = new Map<string, string>();
  /** target ref → refs of the items linking to it. */
  readonly #incoming = new Map<string, Set<string>>();
  readonly #docs = new Map<string, Tracked>();
  /** Folded text of each item, made when a hit first needs a snippet; dropped with the item. */
  readonly #folded = new WeakMap<SearchItem, string>();
  readonly #queue: Tracked[] = [];
  #inFlight = 0;
  #reading: { done: number; total: number } | null = null;
  #idle: (() => void)[] = [];
  #started = false;
  #closed = false;
  #watching: DocHandle<CommunityIndex> | undefined;
  #notifyTimer: ReturnType<typeof setTimeout> | undefined;
  #pollTimer: ReturnType<typeof setInterval> | undefined;
  readonly #offs: (() => void)[] = [];
  readonly #indexFile: string | undefined;
  /** Documents from the file, until the first look at the community index says which still count. */
  #restored: Map<string, SavedDoc> | undefined;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** Something the file does not hold yet. */
  #dirty = false;
  #firstUnsavedAt: number | undefined;
  #saving: Promise<void> = Promise.resolve();
  #finalSave: Promise<void> = Promise.resolve();
  /** What the service has done, for tests and benchmarks: documents read, items (re-)indexed. */
  readonly stats = { documentsRead: 0, itemsIndexed: 0, documentsRestored: 0, saves: 0 };

  /** `indexFile`: where to keep the index (needs `source.storage`); none: built anew each time. */
  constructor(
    source: SearchSource,
    onChanged: () => void,
    tuning: Partial<SearchTuning> = {},
    indexFile?: string,
  ) {
    this.#source = source;
    this.#onChanged = onChanged;
    this.#tuning = { ...DEFAULT_TUNING, ...tuning };
    this.#indexFile = source.storage ? indexFile : undefined;
  }

  /** Starts following the community index; safe to call again. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    if (this.#indexFile === undefined) return this.#follow();
    // Searching waits for the file (a moment), not for the documents; meanwhile it says it is
    // reading as many documents as a first build would.
    const listed = Object.values(this.#entries() ?? {}).filter((entry) => {
      const kind = (entry as { kind?: unknown } | null)?.kind;
      return isSearchableKind(kind) || kind === "log-volume";
    }).length;
    this.#reading = { done: 0, total: listed };
    void this.#restore(this.#indexFile).finally(() => {
      // Counted again for the documents actually read.
      this.#reading = null;
      this.#follow();
    });
  }

  #follow(): void {
    if (this.#closed) return;
    if (this.#source.index) {
      this.#watchIndex(this.#source.index);
      return;
    }
    // A joined community whose index has not arrived: the peer takes it when it comes.
    this.#pollTimer = setInterval(() => {
      const index = this.#source.index;
      if (!index || this.#closed) return;
      clearInterval(this.#pollTimer);
      this.#pollTimer = undefined;
      this.#watchIndex(index);
    }, this.#tuning.indexPollMs);
    this.#pollTimer.unref?.();
  }

  /** Progress of reading documents not read yet (the first read, or many arriving at once). */
  get indexing(): { done: number; total: number } | null {
    return this.#reading ? { ...this.#reading } : null;
  }

  /** Resolves once no document is waiting for its first read. */
  idle(): Promise<void> {
    if (this.#started && this.#watching && !this.#reading) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** How many items the index holds (tests and benchmarks). */
  get size(): number {
    return this.#items.size;
  }

  query(query: Query): SearchResult {
    const indexing = this.indexing;
    const text = query.text.trim().slice(0, MAX_QUERY_LENGTH);
    if (text === "") return { hits: [], total: 0, indexing };
    const types = query.types && query.types.length > 0 ? new Set(query.types) : null;
    const theme = query.theme || null;
    const limit = Math.max(1, Math.min(MAX_LIMIT, Math.floor(query.limit ?? DEFAULT_LIMIT)));
    const filter = (result: MiniResult) => {
      const item = this.#items.get(result.id as string);
      return (
        item !== undefined &&
        (types === null || types.has(item.type)) &&
        (theme === null || item.themes.includes(theme))
      );
    };
    const results = this.#mini.search(text, { filter });
    const hits: SearchHit[] = [];
    for (const result of results.slice(0, limit)) {
      const item = this.#items.get(result.id as string);
      if (item) hits.push(this.#hit(item, result));
    }
    return { hits, total: results.length, indexing };
  }

  #hit(item: SearchItem, result: MiniResult): SearchHit {
    const text = searchText(item);
    let folded = this.#folded.get(item);
    if (folded === undefined) {
      folded = foldText(text);
      this.#folded.set(item, folded);
    }
    return {
      ref: item.ref,
      type: item.type,
      title: item.title,
      context: item.context,
      snippet: snippet(text, result.terms, undefined, folded),
      terms: result.terms,
      themes: item.themes,
      score: result.score,
    };
  }

  /** What each ref points at now, in the order asked; unknown or deleted ones are `missing`. */
  describe(refs: readonly string[]): LinkTarget[] {
    return refs.slice(0, MAX_REFS).map((ref) => {
      const item = this.#items.get(ref);
      return item ? target(item) : this.#missing(ref);
    });
  }

  /** The items that link to `ref` (never itself), stories first, then by title. */
  backlinks(ref: string): LinkTarget[] {
    const sources = [...(this.#incoming.get(ref) ?? [])]
      .filter((source) => source !== ref)
      .map((source) => this.#items.get(source))
      .filter((item): item is SearchItem => item !== undefined);
    return sources
      .sort(
        (a, b) =>
          TYPE_ORDER[a.type] - TYPE_ORDER[b.type] ||
          a.title.localeCompare(b.title) ||
          a.ref.localeCompare(b.ref),
      )
      .map(target);
  }

  /** A ref nothing here answers to: what the index still says about its document, if anything. */
  #missing(ref: string): LinkTarget {
    const parsed = parseRef(ref);
    const type: ItemType = parsed
      ? parsed.type
      : ref.startsWith("entry/")
        ? "entry"
        : ref.startsWith("node/")
          ? "node"
          : "story";
    const listed = parsed ? this.#entries()?.[parsed.docId]?.title : undefined;
    const title = typeof listed === "string" ? listed : null;
    return {
      ref,
      type,
      title: type === "story" ? (title ?? "") : "",
      context: type === "story" ? null : title,
      missing: true,
    };
  }

  /** Stops following changes; what changed since the file was last written is written once more (see `closed`). */
  close(): void {
    if (this.#closed) return;
    const unsaved = this.#saveTimer !== undefined;
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    // Written if anything changed since the last write, unless closed while still reading (that
    // file would only list what was read so far as up to date: fine, but not worth the wait).
    if (unsaved || (this.#dirty && !this.#reading)) this.#finalSave = this.#save();
    this.#closed = true;
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    if (this.#notifyTimer) clearTimeout(this.#notifyTimer);
    for (const off of this.#offs.splice(0)) off();
    for (const tracked of this.#docs.values()) {
      tracked.off();
      if (tracked.timer) clearTimeout(tracked.timer);
    }
    this.#queue.length = 0;
    for (const resolve of this.#idle.splice(0)) resolve();
    // The last write reads the tracked documents synchronously after a flush: cleared after it.
    void this.#finalSave.finally(() => this.#docs.clear());
  }

  /** Resolves once the last write of the index (at close) is done; never rejects. */
  closed(): Promise<void> {
    return this.#finalSave;
  }

  // ---- Kept on disk ----

  /** Loads the file into the index; a missing, foreign or broken file leaves the index empty. */
  async #restore(file: string): Promise<void> {
    let saved: SavedIndex;
    try {
      const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<SavedIndex> | null;
      if (
        parsed?.version !== SEARCH_INDEX_VERSION ||
        typeof parsed.docs !== "object" ||
        !parsed.mini
      )
        return;
      saved = parsed as SavedIndex;
      if (this.#closed) return;
      const mini = MiniSearch.loadJS<SearchItem>(saved.mini, INDEX_OPTIONS);
      const items = new Map<string, SearchItem>();
      const docs = new Map<string, SavedDoc>();
      for (const [id, doc] of Object.entries(saved.docs)) {
        if (!isDocumentId(id) || !Array.isArray(doc?.items)) throw new Error("bad document");
        for (const item of doc.items) {
          if (typeof item?.ref !== "string" || !mini.has(item.ref)) throw new Error("bad item");
          items.set(item.ref, item);
        }
        docs.set(id, doc);
      }
      if (items.size !== mini.documentCount) throw new Error("items and index differ");
      this.#mini = mini;
      for (const item of items.values()) {
        this.#items.set(item.ref, item);
        this.#keys.set(item.ref, indexKey(item));
        this.#setLinks(item.ref, [], item.links);
      }
      this.#restored = docs;
    } catch {
      // Missing or unreadable: built from the documents, as the first time. Whatever was loaded
      // is thrown away whole.
      this.#mini = newIndex();
      this.#items.clear();
      this.#keys.clear();
      this.#incoming.clear();
      this.#restored = undefined;
    }
  }

  /** Writes the index to disk a while after it changed (quiet time, or at the latest saveMaxWaitMs). */
  #scheduleSave(): void {
    this.#dirty = true;
    if (this.#indexFile === undefined || this.#closed || this.#reading) return;
    const now = Date.now();
    this.#firstUnsavedAt ??= now;
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    const waited = now - this.#firstUnsavedAt;
    const delay = Math.max(
      0,
      Math.min(this.#tuning.saveDelayMs, this.#tuning.saveMaxWaitMs - waited),
    );
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      void this.#save();
    }, delay);
    this.#saveTimer.unref?.();
  }

  /** One write at a time; a failed write is only a slower next start, never an error to show. */
  #save(): Promise<void> {
    this.#firstUnsavedAt = undefined;
    this.#dirty = false;
    this.#saving = this.#saving.then(() => this.#write().catch(() => undefined));
    return this.#saving;
  }

  async #write(): Promise<void> {
    const file = this.#indexFile;
    const storage = this.#source.storage;
    if (file === undefined || !storage) return;
    const ready = [...this.#docs.values()]
      .filter((t) => t.handle?.isReady())
      .map((t) => t.handle!.documentId);
    // What is on disk must be what was read for a stamp to mean "these items".
    await this.#source.repo.flush(ready);
    const docs: Record<string, SavedDoc> = {};
    for (const tracked of this.#docs.values()) {
      let stamp = tracked.stamp;
      const { handle } = tracked;
      if (handle) {
        let current: unknown;
        try {
          current = handle.isReady() ? handle.doc() : undefined;
        } catch {
          current = undefined;
        }
        // The same document object as last read means the same content (a pending re-read would
        // find nothing new).
        const upToDate =
          current !== undefined && current === tracked.lastDoc && !tracked.unreadable;
        stamp = upToDate ? storage.documentStampSync(tracked.id) || undefined : undefined;
      }
      const items: SearchItem[] = [];
      for (const ref of tracked.refs) {
        const item = this.#items.get(ref);
        if (item) items.push(item);
      }
      docs[tracked.id] = {
        kind: tracked.kind,
        ...(tracked.volume ? { volume: tracked.volume } : {}),
        ...(stamp ? { stamp } : {}),
        items,
      };
    }
    const saved: SavedIndex = { version: SEARCH_INDEX_VERSION, docs, mini: this.#mini.toJSON() };
    await writeFileAtomic(file, JSON.stringify(saved));
    this.stats.saves++;
  }

  // ---- Following the index ----

  #entries(): Partial<CommunityIndex>["entries"] {
    const index = this.#source.index;
    if (!index?.isReady()) return undefined;
    const entries = (index.doc() as Partial<CommunityIndex> | undefined)?.entries;
    return entries && typeof entries === "object" ? entries : undefined;
  }

  #watchIndex(index: DocHandle<CommunityIndex>): void {
    this.#watching = index;
    const onChange = () => this.#reconcile();
    index.on("change", onChange);
    this.#offs.push(() => index.off("change", onChange));
    this.#reconcile();
    this.#settleIfIdle();
  }

  /**
   * Follows what the index lists now: new documents are read, removed ones leave the index, and the
   * volumes of a log renamed in the index are read again for their entries' new context.
   */
  #reconcile(): void {
    if (this.#closed) return;
    const listed = this.#entries();
    // Kept from the file until the index can say which documents still count.
    if (!listed && this.#restored) return;
    const entries = listed ?? {};
    const wanted = new Map<string, Listing>();
    // Each entry is only trusted for its id and kind (and a volume's log) here; the document itself
    // is validated when read.
    for (const [id, entry] of Object.entries(entries)) {
      if (!isDocumentId(id)) continue;
      const listed = entry as { kind?: unknown; log?: unknown } | null;
      const kind = listed?.kind;
      if (isSearchableKind(kind)) wanted.set(id, { kind });
      else if (kind === "log-volume") {
        const volume = volumeListing(entries, listed?.log);
        if (volume) wanted.set(id, { kind, volume });
      }
    }
    for (const tracked of [...this.#docs.values()]) {
      const listing = wanted.get(tracked.id);
      if (
        listing?.kind !== tracked.kind ||
        (listing.kind === "log-volume" && listing.volume.log !== tracked.volume?.log)
      ) {
        this.#untrack(tracked);
        continue;
      }
      if (listing.kind === "log-volume" && listing.volume.logTitle !== tracked.volume?.logTitle) {
        tracked.volume = listing.volume;
        // The document did not change, its context did: read it again even so (after a quiet
        // moment, as for an edit: a title is typed a key at a time).
        tracked.lastDoc = undefined;
        this.#schedule(tracked);
      }
    }
    const restored = this.#restored;
    this.#restored = undefined;
    for (const [id, listing] of wanted)
      if (!this.#docs.has(id)) this.#track(id, listing, restored?.get(id));
    // Items of documents no longer listed (or listed as something else) leave the index.
    if (restored) {
      for (const [id, doc] of restored) {
        const tracked = this.#docs.get(id);
        const kept = new Set(tracked?.refs ?? []);
        for (const item of doc.items) {
          if (kept.has(item.ref)) continue;
          this.#remove(item.ref);
          this.#dirty = true;
        }
      }
      if (this.#dirty) this.#scheduleSave();
    }
  }

  /** Follows a listed document; `saved` is what the file held of it, if anything. */
  #track(id: string, listing: Listing, saved?: SavedDoc): void {
    const volume = listing.kind === "log-volume" ? listing.volume : undefined;
    // Its items as the file has them, if they are of the document as listed now.
    const same =
      saved !== undefined &&
      saved.kind === listing.kind &&
      saved.volume?.log === volume?.log &&
      saved.volume?.logTitle === volume?.logTitle;
    const tracked: Tracked = {
      id,
      kind: listing.kind,
      volume,
      handle: undefined,
      stamp: undefined,
      refs: same ? new Set(saved.items.map((item) => item.ref)) : new Set(),
      lastDoc: undefined,
      unreadable: false,
      timer: undefined,
      firstChangeAt: undefined,
      off: () => undefined,
    };
    if (same && saved.stamp !== undefined && !this.#source.repo.handles[id as DocumentId]) {
      let stamp: string;
      try {
        stamp = this.#source.storage?.documentStampSync(id) ?? "";
      } catch {
        stamp = "";
      }
      if (stamp === saved.stamp) {
        // Unchanged since it was read: its items stand, and it is read again only once something
        // else loads it (a window opens it, a linked device sends a change).
        tracked.stamp = stamp;
        this.#docs.set(id, tracked);
        this.#watchLoads();
        this.stats.documentsRestored++;
        return;
      }
    }
    // Kept items (if any) are replaced when it is read: the index answers meanwhile.
    if (!this.#attach(tracked)) return;
    this.#docs.set(id, tracked);
    this.#reading = {
      done: this.#reading?.done ?? 0,
      total: (this.#reading?.total ?? 0) + 1,
    };
    this.#queue.push(tracked);
    this.#pump();
  }

  /** Finds the document's handle and follows its changes; false for an id automerge-repo refuses. */
  #attach(tracked: Tracked): boolean {
    let handle: DocHandle<unknown>;
    try {
      handle = this.#source.repo.findWithProgress<unknown>(
        `automerge:${tracked.id}` as AutomergeUrl,
      ).handle;
    } catch {
      return false; // nothing to read
    }
    tracked.handle = handle;
    tracked.stamp = undefined;
    // Local edits, edits from windows and from linked devices, and a document arriving for the
    // first time all come as "change" (a document arriving turns ready just after: the delayed read
    // finds it ready).
    const onChange = () => this.#schedule(tracked);
    handle.on("change", onChange);
    tracked.off = () => handle.off("change", onChange);
    return true;
  }

  #loadsWatched = false;

  /**
   * A document kept from the file is followed again once the repo loads it for anyone: from then
   * on its changes come as they do for every other document.
   */
  #watchLoads(): void {
    if (this.#loadsWatched) return;
    this.#loadsWatched = true;
    const { repo } = this.#source;
    const onMetrics = (event: { type: string; documentId?: DocumentId }) => {
      if (event.type !== "doc-loaded" || event.documentId === undefined) return;
      const tracked = this.#docs.get(event.documentId);
      if (!tracked || tracked.handle || this.#closed) return;
      if (!this.#attach(tracked)) return;
      const handle = tracked.handle!;
      void handle
        .whenReady(["ready"])
        .then(() => {
          if (this.#docs.get(tracked.id) === tracked) this.#read(tracked);
        })
        .catch(() => undefined);
    };
    repo.on("doc-metrics", onMetrics);
    this.#offs.push(() => repo.off("doc-metrics", onMetrics));
  }

  #untrack(tracked: Tracked): void {
    tracked.off();
    if (tracked.timer) clearTimeout(tracked.timer);
    this.#docs.delete(tracked.id);
    if (tracked.refs.size > 0) {
      this.#apply(tracked, []);
    }
  }

  // ---- Reading documents ----

  /** Runs first reads, a few at a time. */
  #pump(): void {
    while (!this.#closed && this.#inFlight < this.#tuning.concurrency && this.#queue.length > 0) {
      const tracked = this.#queue.shift()!;
      this.#inFlight++;
      void this.#firstRead(tracked).finally(() => {
        this.#inFlight--;
        if (this.#reading) this.#reading.done++;
        this.#notify();
        this.#pump();
        this.#settleIfIdle();
      });
    }
  }

  async #firstRead(tracked: Tracked): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      tracked.handle?.whenReady(["ready", "unavailable", "deleted"]).catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, this.#tuning.readTimeoutMs);
        timer.unref?.();
      }),
    ]);
    clearTimeout(timer);
    if (this.#closed || this.#docs.get(tracked.id) !== tracked) return;
    this.#read(tracked);
  }

  #settleIfIdle(): void {
    if (this.#closed || this.#inFlight > 0 || this.#queue.length > 0 || !this.#watching) return;
    if (this.#reading) {
      this.#reading = null;
      this.#notify();
      if (this.#dirty) this.#scheduleSave();
    }
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Reads a changed document again after a quiet moment, or at the latest after maxWaitMs. */
  #schedule(tracked: Tracked): void {
    if (this.#closed) return;
    if (!tracked.handle && !this.#attach(tracked)) return;
    const now = Date.now();
    tracked.firstChangeAt ??= now;
    if (tracked.timer) clearTimeout(tracked.timer);
    const waited = now - tracked.firstChangeAt;
    const delay = Math.max(0, Math.min(this.#tuning.debounceMs, this.#tuning.maxWaitMs - waited));
    tracked.timer = setTimeout(() => {
      tracked.timer = undefined;
      tracked.firstChangeAt = undefined;
      if (this.#docs.get(tracked.id) === tracked) this.#read(tracked);
    }, delay);
    tracked.timer.unref?.();
  }

  #read(tracked: Tracked): void {
    const { handle } = tracked;
    if (!handle?.isReady()) return;
    let doc: unknown;
    try {
      doc = handle.doc();
    } catch {
      return;
    }
    if (doc === tracked.lastDoc) return;
    tracked.lastDoc = doc;
    this.stats.documentsRead++;
    // Its stamp in the file changes even when its items do not.
    this.#dirty = true;
    // Neither ever throws; a document that does not read as its kind gives no items.
    const items =
      tracked.kind === "log-volume"
        ? extractVolume(doc as never, tracked.volume!)
        : extractDocument(tracked.kind, tracked.id, doc as never);
    tracked.unreadable = items === null;
    this.#apply(tracked, items ?? []);
  }

  /** Replaces a document's items in the index and the link graph, touching only what changed. */
  #apply(tracked: Tracked, items: readonly SearchItem[]): void {
    const next = new Map<string, SearchItem>();
    for (const item of items) next.set(item.ref, item);
    let changed = false;
    for (const ref of tracked.refs) {
      if (next.has(ref)) continue;
      this.#remove(ref);
      changed = true;
    }
    for (const [ref, item] of next) {
      const old = this.#items.get(ref);
      const key = indexKey(item);
      if (!old) {
        this.#mini.add(item);
        this.stats.itemsIndexed++;
        changed = true;
      } else if (this.#keys.get(ref) !== key) {
        this.#mini.replace(item);
        this.stats.itemsIndexed++;
        changed = true;
      } else if (!sameList(old.themes, item.themes) || !sameList(old.links, item.links)) {
        changed = true;
      } else {
        continue; // nothing anyone can see changed: keep the old item (and its cached folding)
      }
      this.#setLinks(ref, old?.links ?? [], item.links);
      this.#items.set(ref, item);
      this.#keys.set(ref, key);
    }
    tracked.refs = new Set(next.keys());
    if (changed) this.#notify();
    if (this.#dirty) this.#scheduleSave();
  }

  #remove(ref: string): void {
    if (this.#mini.has(ref)) this.#mini.discard(ref);
    const old = this.#items.get(ref);
    if (old) this.#setLinks(ref, old.links, []);
    this.#items.delete(ref);
    this.#keys.delete(ref);
  }

  #setLinks(source: string, before: readonly string[], after: readonly string[]): void {
    if (sameList(before, after)) return;
    for (const to of before) {
      const set = this.#incoming.get(to);
      set?.delete(source);
      if (set?.size === 0) this.#incoming.delete(to);
    }
    for (const to of after) {
      const set = this.#incoming.get(to) ?? new Set<string>();
      set.add(source);
      this.#incoming.set(to, set);
    }
  }

  /** Tells the peer the index changed, at most once per notifyMs. */
  #notify(): void {
    if (this.#closed || this.#notifyTimer) return;
    this.#notifyTimer = setTimeout(() => {
      this.#notifyTimer = undefined;
      if (!this.#closed) this.#onChanged();
    }, this.#tuning.notifyMs);
    this.#notifyTimer.unref?.();
  }
}

/**
 * A volume's listing: the log its index entry names, if the index lists that log, with the title
 * the index gives it. A volume of a log no longer listed (deleted) is not followed: its entries
 * are no more found than the log's own.
 */
function volumeListing(
  entries: NonNullable<Partial<CommunityIndex>["entries"]>,
  log: unknown,
): VolumeListing | undefined {
  if (typeof log !== "string" || !isDocumentId(log)) return undefined;
  const listed = entries[log] as { kind?: unknown; title?: unknown } | null | undefined;
  if (listed?.kind !== "log") return undefined;
  return { log, logTitle: typeof listed.title === "string" ? listed.title.trim() : "" };
}

const target = (item: SearchItem): LinkTarget => ({
  ref: item.ref,
  type: item.type,
  title: item.title,
  context: item.context,
  missing: false,
});
