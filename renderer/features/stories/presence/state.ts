// What a window tells the others about the person in it while a story is open: who (device key,
// name, colour) and where their selection is. It travels as automerge-repo ephemeral messages
// (Presence), through the local peer to the other peers, and is never stored (docs/DESIGN.md: presence
// is neither document nor device data). Anything may arrive over the network, so every remote
// state is read through `readPeer` before it is drawn.
import { defaultColour } from "../../../../shared/palette.ts";

/** A selection in the story's Automerge text. */
export type PresenceSelection = {
  /** Automerge text indexes, as the sender's editor reported them (`selectionAm()`). */
  start: number;
  end: number;
  /**
   * Automerge cursors for the same two places. A cursor names a character, not a count, so the
   * receiver finds the right place even when it has text the sender had not seen yet, or when the
   * selection arrives before the keystroke that moved it (ephemeral messages are not throttled;
   * sync messages are).
   */
  startCursor?: string;
  endCursor?: string;
};

/** What one window says about itself. */
export type PresencePayload = {
  v: 1;
  deviceKey: string;
  name: string;
  colour: string;
  selection: PresenceSelection | null;
};

/**
 * The state as automerge-repo's Presence holds it: everything in one channel, so that every message
 * carries the whole of it. Presence merges a channel update into what it knows of a peer, and
 * starts from nothing for a peer it has forgotten (pruned after a stall longer than the TTL); with
 * one channel, any later message from that window brings it back whole, name and colour included.
 */
export type PresenceState = { [PRESENCE_CHANNEL]: PresencePayload };
export const PRESENCE_CHANNEL = "p";

export type Me = { deviceKey: string; name: string; colour: string };

/** Another window on this story, as read (validated) from its last message. */
export type RemotePeer = {
  /** The automerge-repo peer id of the window: one per window, even for the same person. */
  peerId: string;
  deviceKey: string;
  name: string;
  colour: string;
  selection: PresenceSelection | null;
};

/** Heartbeats keep a quiet window listed; one that stops sending is dropped after the TTL. */
export const PRESENCE_HEARTBEAT_MS = 1_000;
/**
 * 3 s: a window that vanishes without saying goodbye (a killed tab, a laptop lid, a lost link) is
 * gone from the others' screens within TTL + one pruning pass (every heartbeat) = 4 s. Three missed
 * heartbeats in a row are needed first, so a busy tab or a hidden one (whose timers Chromium slows
 * to once a second) does not flicker.
 */
export const PRESENCE_TTL_MS = 3_000;

const MAX_NAME = 80;
const MAX_INDEX = 100_000_000;
const MAX_CURSOR = 256;

export const payloadOf = (me: Me, selection: PresenceSelection | null): PresencePayload => ({
  v: 1,
  deviceKey: me.deviceKey,
  name: me.name,
  colour: me.colour,
  selection,
});

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const isIndex = (v: unknown): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= MAX_INDEX;

const cursorOf = (v: unknown): string | undefined =>
  typeof v === "string" && v.length > 0 && v.length <= MAX_CURSOR ? v : undefined;

export function readSelection(value: unknown): PresenceSelection | null {
  if (!isRecord(value) || !isIndex(value.start) || !isIndex(value.end)) return null;
  const selection: PresenceSelection = {
    start: Math.min(value.start, value.end),
    end: Math.max(value.start, value.end),
  };
  const startCursor = cursorOf(value.startCursor);
  const endCursor = cursorOf(value.endCursor);
  // Cursors travel with the order of the indexes they were made from.
  if (startCursor && endCursor) {
    selection.startCursor = value.start <= value.end ? startCursor : endCursor;
    selection.endCursor = value.start <= value.end ? endCursor : startCursor;
  }
  return selection;
}

/**
 * The id another device's window speaks under: `ui-<the first 32 hex of its device key>-<window>`.
 * The peer accepts such ids only from the device they name (peer/net/secureAdapter.ts windowIdOf).
 */
const BOUND_WINDOW = /^ui-([0-9a-f]{32})-./;

/**
 * A remote state as something safe to draw, or null when it is not a presence state at all, or
 * when it claims a device key other than the one its window's id is bound to: a member's window
 * cannot show itself as another person's device.
 */
export function readPeer(peerId: string, value: unknown): RemotePeer | null {
  if (!isRecord(value) || value.v !== 1) return null;
  const deviceKey = value.deviceKey;
  if (typeof deviceKey !== "string" || !/^[0-9a-f]{16,128}$/i.test(deviceKey)) return null;
  const bound = BOUND_WINDOW.exec(peerId)?.[1];
  if (bound !== undefined && !deviceKey.toLowerCase().startsWith(bound)) return null;
  const rawName = typeof value.name === "string" ? value.name.replace(/\s+/g, " ").trim() : "";
  const name = [...rawName].slice(0, MAX_NAME).join("") || "?";
  const colour =
    typeof value.colour === "string" && /^#[0-9a-f]{6}$/i.test(value.colour)
      ? value.colour
      : defaultColour(deviceKey);
  return { peerId, deviceKey, name, colour, selection: readSelection(value.selection) };
}

/** Every valid remote window, in a stable order (by name, then peer id). */
export function readPeers(states: Record<string, { value: unknown }>): RemotePeer[] {
  const peers: RemotePeer[] = [];
  for (const [peerId, state] of Object.entries(states)) {
    const peer = readPeer(
      peerId,
      isRecord(state.value) ? state.value[PRESENCE_CHANNEL] : undefined,
    );
    if (peer) peers.push(peer);
  }
  return peers.sort((a, b) => a.name.localeCompare(b.name) || a.peerId.localeCompare(b.peerId));
}

/**
 * The people to show as avatars: one per device (someone with the story open in two windows is one
 * person), and not this device, which is shown first as "You".
 */
export function peopleOf(peers: readonly RemotePeer[], myDeviceKey: string): RemotePeer[] {
  const byDevice = new Map<string, RemotePeer>();
  for (const peer of peers) {
    if (peer.deviceKey === myDeviceKey || byDevice.has(peer.deviceKey)) continue;
    byDevice.set(peer.deviceKey, peer);
  }
  return [...byDevice.values()];
}

/** One or two letters for an avatar: first letters of the first and last words. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = [...(words[0] ?? "?")][0] ?? "?";
  const last = words.length > 1 ? ([...(words[words.length - 1] ?? "")][0] ?? "") : "";
  return (first + last).toLocaleUpperCase();
}

export const samePeers = (a: readonly RemotePeer[], b: readonly RemotePeer[]): boolean =>
  a.length === b.length &&
  a.every((p, i) => {
    const q = b[i];
    return (
      q !== undefined &&
      p.peerId === q.peerId &&
      p.deviceKey === q.deviceKey &&
      p.name === q.name &&
      p.colour === q.colour &&
      sameSelection(p.selection, q.selection)
    );
  });

export const sameSelection = (a: PresenceSelection | null, b: PresenceSelection | null): boolean =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.start === b.start &&
    a.end === b.end &&
    a.startCursor === b.startCursor &&
    a.endCursor === b.endCursor);
