// Who else has this story open, and where their cursor is. Uses automerge-repo's Presence on the
// story's handle: this window's state goes out as ephemeral messages to its peer, which relays them
// to every other peer syncing the story, and so to their windows; nothing is stored. A heartbeat
// every second keeps a quiet window listed; a window that stops (closed, crashed, link lost) is
// dropped after PRESENCE_TTL_MS, or at once when it says goodbye (the page is closed).
import { getCursor, getCursorPosition, type Prop } from "@automerge/automerge";
import { Presence, type DocHandle } from "@automerge/automerge-repo";
import type { Plugin } from "prosemirror-state";
import type { EditorView } from "prosemirror-view";
import { useEffect, useState } from "react";
import { presencePlugin, refreshPresence, type CursorPeer } from "./presencePlugin.ts";
import {
  PRESENCE_CHANNEL,
  PRESENCE_HEARTBEAT_MS,
  PRESENCE_TTL_MS,
  payloadOf,
  readPeers,
  sameSelection,
  samePeers,
  type Me,
  type PresenceSelection,
  type PresenceState,
  type RemotePeer,
} from "./state.ts";

/** What presence needs of the story editor; the editor's `EditorApi` has all of it. */
export type PresenceEditor = {
  view: EditorView;
  selectionAm(): { start: number; end: number } | null;
  amToPm(index: number): number | null;
};

export type StoryPresence = {
  /** The other windows on this story (validated), in a stable order. */
  peers: RemotePeer[];
  /** Pass to the editor (`plugins`); the same array for the life of the component. */
  plugins: Plugin[];
};

/** The story body: the Automerge text the editor shows (renderer/features/stories/editor). */
const BODY: Prop[] = ["body"];
/**
 * When this person's caret is sent: once it has been still for SELECTION_QUIET_MS, and at least every
 * SELECTION_MAX_WAIT_MS while they keep typing. Mapping the caret to Automerge indexes reads the
 * body's spans (milliseconds in a long story); doing it after every keystroke doubled the
 * keypress-to-paint time of a 20,000-word story (npm run bench: story.page.keypressToPaint p95 33 ms
 * → ~16 ms). Others still see the words arrive live; only the caret label trails a typist.
 */
const SELECTION_QUIET_MS = 150;
const SELECTION_MAX_WAIT_MS = 1500;
/** This window's whole state goes out again at most this often when another window (re)appears. */
const REANNOUNCE_MS = 1_000;

export type PresenceTiming = { heartbeatMs: number; peerTtlMs: number };

/**
 * The state behind the hook, outside React: the editor plugin reads it at dispatch time, long after
 * any render, and the Presence it drives lives as long as the story's handle.
 */
export class PresenceSession {
  me: Me;
  editor: PresenceEditor | null = null;
  peers: RemotePeer[] = [];
  readonly plugins: Plugin[];
  #handle: DocHandle<unknown> | null = null;
  #presence: Presence<PresenceState> | null = null;
  #sent: PresenceSelection | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #firstPendingAt: number | undefined;
  #onPeers: (peers: RemotePeer[]) => void;
  readonly #timing: PresenceTiming;

  constructor(
    me: Me,
    onPeers: (peers: RemotePeer[]) => void = () => undefined,
    timing: PresenceTiming = { heartbeatMs: PRESENCE_HEARTBEAT_MS, peerTtlMs: PRESENCE_TTL_MS },
  ) {
    this.me = me;
    this.#onPeers = onPeers;
    this.#timing = timing;
    this.plugins = [
      presencePlugin(() => this.cursorPeers(), {
        amToPm: (index) => this.editor?.amToPm(index) ?? null,
        onViewUpdate: () => this.selectionChanged(),
      }),
    ];
  }

  /** Starts presence on a story's handle; returns the stop function. */
  attach(handle: DocHandle<unknown>): () => void {
    const presence = new Presence<PresenceState>({ handle });
    this.#handle = handle;
    this.#presence = presence;
    this.#sent = null;
    const update = () => this.#setPeers(readPeers(presence.getPeerStates().value));
    // A snapshot comes from a window that has just started, or that had forgotten someone and
    // announced itself: either way it may not know this window. Presence only answers windows it
    // does not know itself, so a window that forgot us (after a stall longer than the TTL) would
    // never hear from us again until our selection moved. Answer with the whole state.
    let reannouncedAt = 0;
    const snapshot = () => {
      update();
      if (Date.now() - reannouncedAt < REANNOUNCE_MS || !presence.running) return;
      reannouncedAt = Date.now();
      presence.broadcast(PRESENCE_CHANNEL, presence.getLocalState()[PRESENCE_CHANNEL]);
    };
    presence.on("snapshot", snapshot);
    presence.on("update", update);
    presence.on("goodbye", update);
    presence.on("pruning", update);
    const start = () =>
      presence.start({
        initialState: { [PRESENCE_CHANNEL]: payloadOf(this.me, null) },
        ...this.#timing,
      });
    start();
    // "pagehide" is the last dependable moment a closing tab runs code: say goodbye so the others
    // drop this window at once instead of after the TTL. A page restored from the back/forward
    // cache comes back with "pageshow".
    const leave = () => presence.stop();
    const back = (e: PageTransitionEvent) => {
      if (!e.persisted) return;
      this.#sent = null;
      start();
      this.selectionChanged();
    };
    const win = typeof window === "undefined" ? undefined : window;
    win?.addEventListener("pagehide", leave);
    win?.addEventListener("pageshow", back);
    // Remote edits can resolve a cursor that arrived before its keystroke: redraw after them —
    // after, because the editor applies the same change from its own listener on this event, and
    // until it has, the editor and the Automerge text disagree about positions.
    let queued = false;
    const onChange = () => {
      if (queued || !this.peers.some((p) => p.selection)) return;
      queued = true;
      queueMicrotask(() => {
        queued = false;
        this.redraw();
      });
    };
    handle.on("change", onChange);
    return () => {
      win?.removeEventListener("pagehide", leave);
      win?.removeEventListener("pageshow", back);
      handle.off("change", onChange);
      clearTimeout(this.#timer);
      this.#timer = undefined;
      presence.stop();
      presence.removeAllListeners();
      if (this.#presence === presence) {
        this.#presence = null;
        this.#handle = null;
      }
      this.#setPeers([]);
    };
  }

  /** The editor arrived: draw the cursors already known, and follow this person's focus. */
  attachEditor(editor: PresenceEditor): () => void {
    this.editor = editor;
    this.redraw();
    this.selectionChanged();
    // Tabbing into the text moves no selection, but from then on this person is in it.
    const dom = editor.view.dom;
    const focused = () => this.selectionChanged();
    dom.addEventListener("focus", focused);
    return () => {
      dom.removeEventListener("focus", focused);
      if (this.editor === editor) this.editor = null;
    };
  }

  /** A new name or colour (profile edited) goes out without restarting. */
  setMe(me: Me): void {
    this.me = me;
    const presence = this.#presence;
    if (!presence?.running) return;
    const local = presence.getLocalState()[PRESENCE_CHANNEL];
    if (local.name === me.name && local.colour === me.colour) return;
    presence.broadcast(PRESENCE_CHANNEL, payloadOf(me, local.selection));
  }

  /** Remote selections as indexes in the document as it is now (cursors first, indexes if not). */
  cursorPeers(): CursorPeer[] {
    const handle = this.#handle;
    const doc = handle?.isReady() ? handle.doc() : null;
    const at = (cursor: string | undefined, index: number) => {
      if (doc && cursor) {
        try {
          return getCursorPosition(doc, BODY, cursor);
        } catch {
          // The sender's keystroke has not arrived yet: its index is the best guess until it does.
        }
      }
      return index;
    };
    return this.peers.map((p) => ({
      peerId: p.peerId,
      name: p.name,
      colour: p.colour,
      selection: p.selection
        ? {
            start: at(p.selection.startCursor, p.selection.start),
            end: at(p.selection.endCursor, p.selection.end),
          }
        : null,
    }));
  }

  redraw(): void {
    const view = this.editor?.view;
    if (view && !view.isDestroyed) refreshPresence(view);
  }

  selectionChanged(): void {
    const now = Date.now();
    this.#firstPendingAt ??= now;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const due = Math.min(now + SELECTION_QUIET_MS, this.#firstPendingAt + SELECTION_MAX_WAIT_MS);
    // Later, not now: the editor is in the middle of an update, and the Automerge text it maps
    // to is written in the same dispatch.
    this.#timer = setTimeout(() => this.#sendSelection(), Math.max(0, due - now));
  }

  #sendSelection(): void {
    this.#timer = undefined;
    this.#firstPendingAt = undefined;
    const presence = this.#presence;
    const editor = this.editor;
    const handle = this.#handle;
    if (!presence?.running || !editor || editor.view.isDestroyed) return;
    // Nobody's caret is shown before they have been in the text: a fresh page's selection sits at
    // the start of the document, where this person is not.
    if (!editor.view.hasFocus() && this.#sent === null) return;
    let next: PresenceSelection | null = null;
    try {
      const am = editor.selectionAm();
      if (am) {
        next = { start: Math.min(am.start, am.end), end: Math.max(am.start, am.end) };
        if (handle?.isReady()) {
          const doc = handle.doc();
          next.startCursor = getCursor(doc, BODY, next.start);
          next.endCursor = getCursor(doc, BODY, next.end);
        }
      }
    } catch {
      next = null;
    }
    if (sameSelection(next, this.#sent)) return;
    this.#sent = next;
    presence.broadcast(PRESENCE_CHANNEL, payloadOf(this.me, next));
  }

  #setPeers(next: RemotePeer[]): void {
    if (samePeers(next, this.peers)) return;
    this.peers = next;
    this.#onPeers(next);
    this.redraw();
  }
}

/**
 * Presence for one open story: `peers` for the avatars, `plugins` for the editor (remote cursors
 * and selections, and this person's selection going out). `editor` is null until the editor is
 * ready (StoryEditor's onReady).
 */
export function useStoryPresence(
  handle: DocHandle<unknown> | null,
  me: Me,
  editor: PresenceEditor | null,
): StoryPresence {
  const [peers, setPeers] = useState<RemotePeer[]>([]);
  // setPeers is stable for the life of the component, so the session can keep it.
  const [session] = useState(() => new PresenceSession(me, setPeers));
  useEffect(() => (handle ? session.attach(handle) : undefined), [session, handle]);
  useEffect(() => (editor ? session.attachEditor(editor) : undefined), [session, editor]);
  const { deviceKey, name, colour } = me;
  useEffect(() => session.setMe({ deviceKey, name, colour }), [session, deviceKey, name, colour]);
  return { peers, plugins: session.plugins };
}
