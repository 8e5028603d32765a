// The one typed contract between the renderer and the peer. Each call is named `area:verb`, takes
// one argument object and resolves to a Result: errors are values with a code and a readable
// message, never exceptions across the boundary. Documents themselves do not travel here: they sync
// through automerge-repo on a channel of their own per community.
import type { CommunityId, DeviceKey } from "./ids.ts";
import type { Result } from "./result.ts";

export type PeerInfo = {
  /** This device's public key (hex); device data, never synced. */
  deviceKey: DeviceKey;
  dataDir: string;
  appVersion: string;
  /** "desktop" inside Electron, "web" when a browser is served by a headless peer. */
  mode: "desktop" | "web";
};

export type Profile = { displayName: string; colour: string };

export type CommunitySummary = {
  id: CommunityId;
  /** Null while the index document cannot be read (see `state`). */
  name: string | null;
  purpose: string | null;
  /** ok; damaged (index unreadable or invalid); newer (written by a newer Meitheal). */
  state: "ok" | "damaged" | "newer";
  problems: string[];
  entryCount: number;
};

/** A chunk of stored data that failed verification and was moved aside, not loaded. */
export type StorageWarning = {
  id: string;
  /** The document the chunk belonged to. */
  documentId: string;
  /** The community it belongs to, and that document's title, when the peer knows them. */
  communityId: CommunityId | null;
  title: string | null;
  reason: string;
  quarantinedTo: string;
  at: string;
};

export type Handlers = {
  /** Who this peer is: device key, data folder, version. */
  "peer:info": (args: Record<string, never>) => Promise<Result<PeerInfo>>;
  /** The local profile (display name, colour) of this device. */
  "profile:get": (args: Record<string, never>) => Promise<Result<Profile>>;
  /** Saves the local profile; bad input gives `bad-input` with a message. */
  "profile:set": (args: Profile) => Promise<Result<Profile>>;
  /** Every community on this device, read from their index documents only. */
  "communities:list": (args: Record<string, never>) => Promise<Result<CommunitySummary[]>>;
  /** Creates a community (its index document) and remembers it on this device. */
  "communities:create": (args: {
    name: string;
    purpose?: string;
    themes?: string[];
  }) => Promise<Result<CommunitySummary>>;
  /** Stored chunks that failed verification and were quarantined, newest first. */
  "storage:warnings": (args: Record<string, never>) => Promise<Result<StorageWarning[]>>;
  /** Hides a warning (the quarantined file stays where it is). */
  "storage:dismiss": (args: { id: string }) => Promise<Result<null>>;
};

export type Method = keyof Handlers;
export type ArgsOf<M extends Method> = Parameters<Handlers[M]>[0];
export type ValueOf<M extends Method> =
  Awaited<ReturnType<Handlers[M]>> extends Result<infer T> ? T : never;

/** Events the peer pushes to the renderer. */
export type PeerEvents = {
  "communities:changed": Record<string, never>;
  "storage:warning": StorageWarning;
};
export type EventName = keyof PeerEvents;

export const METHODS: readonly Method[] = [
  "peer:info",
  "profile:get",
  "profile:set",
  "communities:list",
  "communities:create",
  "storage:warnings",
  "storage:dismiss",
];

/** Wire messages on the RPC channel (JSON text). */
export type RpcRequest = { t: "req"; id: number; method: string; args: unknown };
export type RpcResponse = { t: "res"; id: number; result: Result<unknown> };
export type RpcEvent = { t: "evt"; name: string; data: unknown };
