// The one IPC the renderer has: ask for a channel to the peer, get a MessagePort back. Everything
// else travels over those ports, between the page and the peer, without main in the middle.
import { ipcMain, type IpcMainEvent, type MessagePortMain } from "electron";
import {
  isChannelRequest,
  MAX_CHANNEL_ERROR_CHARS,
  type ChannelFailure,
  type ChannelRequest,
} from "../shared/bridge.ts";

/** Channel names; the preload repeats them as literals checked against this type. */
export const IPC = { openChannel: "meitheal:open-channel", port: "meitheal:port" } as const;
export type IpcNames = typeof IPC;

export const MAX_REQUEST_ID_CHARS = 100;

export type ChannelIpcOptions = {
  openChannel: (request: ChannelRequest) => MessagePortMain;
  /** Whether a frame URL is one of our pages; anything else (an iframe, a page navigated elsewhere) gets nothing. */
  isAppPage: (url: string) => boolean;
};

/** A copy holding only the fields the protocol defines, so nothing else reaches the peer. */
const clean = (request: ChannelRequest): ChannelRequest =>
  request.kind === "rpc" ? { kind: "rpc" } : { kind: "sync", communityId: request.communityId };

export function openChannelHandler(options: ChannelIpcOptions) {
  return (event: IpcMainEvent, requestId: unknown, request: unknown): void => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !options.isAppPage(frame.url)) {
      console.warn(
        `Refused a channel request from ${frame?.url ?? "a closed frame"}: not a Meitheal page.`,
      );
      return;
    }
    if (
      typeof requestId !== "string" ||
      requestId.length === 0 ||
      requestId.length > MAX_REQUEST_ID_CHARS
    ) {
      console.warn("Refused a channel request with a bad request id.");
      return;
    }
    if (!isChannelRequest(request)) {
      console.warn("Refused a malformed channel request.");
      return;
    }
    let port: MessagePortMain;
    try {
      port = options.openChannel(clean(request));
    } catch (e) {
      // The peer is down (crashed or restarting): no port now, and the page is told so rather than
      // left waiting; a restart reloads the windows and they ask again.
      console.warn("Could not open a channel to the peer:", e);
      const reason =
        e instanceof Error && e.message ? e.message : "The Meitheal peer is not running.";
      const failure: ChannelFailure = {
        requestId,
        error: reason.slice(0, MAX_CHANNEL_ERROR_CHARS),
      };
      event.sender.postMessage(IPC.port, failure);
      return;
    }
    event.sender.postMessage(IPC.port, { requestId }, [port]);
  };
}

/** Installs the handler; returns a function that removes it. */
export function registerChannelIpc(options: ChannelIpcOptions): () => void {
  const handler = openChannelHandler(options);
  ipcMain.on(IPC.openChannel, handler);
  return () => {
    ipcMain.removeListener(IPC.openChannel, handler);
  };
}
