// How the desktop app hands the renderer its channels to the peer. The renderer asks the preload
// for a channel; Electron's main process makes a MessageChannel, gives one end to the peer's utility
// process and the other, through the preload, to the page (window.postMessage with the port).
// Browser mode needs none of this: it opens WebSockets to the headless peer.

export type ChannelRequest = { kind: "rpc" } | { kind: "sync"; communityId: string };

/** What the preload exposes as `window.meitheal` (contextBridge). */
export type DesktopBridge = {
  /** Asks for a channel; the port arrives as a window "message" event carrying a PortDelivery. */
  openChannel(requestId: string, request: ChannelRequest): void;
  readonly platform: string;
};

/** The data of the window message that carries a port to the page (the port is event.ports[0]). */
export type PortDelivery = { source: "meitheal-preload"; type: "channel"; requestId: string };

/** From Electron main to the peer's utility process (the port is the message's ports[0]). */
export type PeerChannelMessage = { type: "channel"; request: ChannelRequest };

export const isPortDelivery = (data: unknown): data is PortDelivery =>
  typeof data === "object" &&
  data !== null &&
  (data as PortDelivery).source === "meitheal-preload" &&
  (data as PortDelivery).type === "channel" &&
  typeof (data as PortDelivery).requestId === "string";

export const isChannelRequest = (value: unknown): value is ChannelRequest => {
  if (typeof value !== "object" || value === null) return false;
  const r = value as { kind?: unknown; communityId?: unknown };
  return (
    r.kind === "rpc" ||
    (r.kind === "sync" && typeof r.communityId === "string" && r.communityId.length < 200)
  );
};
