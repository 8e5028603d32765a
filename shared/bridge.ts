// How the desktop app hands the renderer its channels to the peer. The renderer asks the preload
// for a channel; Electron's main process makes a MessageChannel, gives one end to the peer's utility
// process and the other, through the preload, to the page (window.postMessage with the port).
// Browser mode needs none of this: it opens WebSockets to the headless peer.

export type ChannelRequest = { kind: "rpc" } | { kind: "sync"; communityId: string };

/** What the preload exposes as `window.meitheal` (contextBridge). */
export type DesktopBridge = {
  /**
   * Asks for a channel; the port arrives as a window "message" event carrying a PortDelivery (or,
   * while the peer is down, a PortDelivery saying why there is none).
   */
  openChannel(requestId: string, request: ChannelRequest): void;
  readonly platform: string;
  /**
   * Shows the system file dialog (main's `dialog`, parented to the window): the paths chosen, or
   * null when the person cancelled. Optional: a bridge of an older preload has none.
   */
  chooseFiles?(request: ChooseFilesRequest): Promise<string[] | null>;
};

/** What a file dialog is for: it decides the dialog's filters and wording (electron/files.ts). */
export const FILE_PURPOSES = ["import", "backup", "bundle", "export", "harvest", "map"] as const;
export type FilePurpose = (typeof FILE_PURPOSES)[number];

/** A request for the system file dialog, checked in main (isChooseFilesRequest). */
export type ChooseFilesRequest = {
  mode: "open" | "save";
  purpose: FilePurpose;
  /** Open: several files may be chosen. */
  multiple?: boolean;
  /** Save: the file name the dialog suggests. */
  defaultName?: string;
  /** Save: the extensions offered, without dots ("epub"); the purpose's own when absent. */
  extensions?: string[];
};

/** The IPC channel main answers file dialog requests on. */
export const CHOOSE_FILES_CHANNEL = "meitheal:choose-files";

/** The longest suggested name, and the most extensions, a window may ask for. */
export const MAX_DEFAULT_NAME_CHARS = 255;
const MAX_EXTENSIONS = 10;

export const isChooseFilesRequest = (value: unknown): value is ChooseFilesRequest => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  const known = new Set(["mode", "purpose", "multiple", "defaultName", "extensions"]);
  if (Object.keys(r).some((k) => !known.has(k))) return false;
  if (r.mode !== "open" && r.mode !== "save") return false;
  if (!(FILE_PURPOSES as readonly unknown[]).includes(r.purpose)) return false;
  if (r.multiple !== undefined && typeof r.multiple !== "boolean") return false;
  if (
    r.defaultName !== undefined &&
    (typeof r.defaultName !== "string" ||
      r.defaultName.length > MAX_DEFAULT_NAME_CHARS ||
      // eslint-disable-next-line no-control-regex
      /[/\\\u0000]/.test(r.defaultName))
  )
    return false;
  return (
    r.extensions === undefined ||
    (Array.isArray(r.extensions) &&
      r.extensions.length <= MAX_EXTENSIONS &&
      r.extensions.every((e) => typeof e === "string" && /^[a-z0-9-]{1,20}$/.test(e)))
  );
};

/** The data of the window message that carries a port to the page (the port is event.ports[0]). */
export type PortDelivery =
  | { source: "meitheal-preload"; type: "channel"; requestId: string }
  /** No port: main could not open the channel (the peer is not running); `error` says why. */
  | { source: "meitheal-preload"; type: "channel-failed"; requestId: string; error: string };

/** What main answers a channel request with when it has no port to give. */
export type ChannelFailure = { requestId: string; error: string };

/** Longer reasons are cut: a reason is a sentence for a person, never a payload. */
export const MAX_CHANNEL_ERROR_CHARS = 500;

/** From Electron main to the peer's utility process (the port is the message's ports[0]). */
export type PeerChannelMessage = { type: "channel"; request: ChannelRequest };

export const isPortDelivery = (data: unknown): data is PortDelivery => {
  if (typeof data !== "object" || data === null) return false;
  const d = data as { source?: unknown; type?: unknown; requestId?: unknown; error?: unknown };
  if (d.source !== "meitheal-preload" || typeof d.requestId !== "string") return false;
  if (d.type === "channel") return true;
  return (
    d.type === "channel-failed" &&
    typeof d.error === "string" &&
    d.error.length <= MAX_CHANNEL_ERROR_CHARS
  );
};

export const isChannelRequest = (value: unknown): value is ChannelRequest => {
  if (typeof value !== "object" || value === null) return false;
  const r = value as { kind?: unknown; communityId?: unknown };
  return (
    r.kind === "rpc" ||
    (r.kind === "sync" && typeof r.communityId === "string" && r.communityId.length < 200)
  );
};
