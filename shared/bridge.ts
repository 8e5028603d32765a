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
