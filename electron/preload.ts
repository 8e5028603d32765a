// The preload: the page's only door to Electron. It asks main for channels to the peer and hands
// the ports to the page; it holds no logic, so there is nothing here for a page to abuse.
import { contextBridge, ipcRenderer } from "electron";
import {
  MAX_CHANNEL_ERROR_CHARS,
  type ChannelRequest,
  type ChooseFilesRequest,
  type DesktopBridge,
  type PortDelivery,
} from "../shared/bridge.ts";
import type { IpcNames } from "./ipc.ts";

// Literals, not an import: ipc.ts belongs to main and must not be bundled into a sandboxed preload.
const IPC: IpcNames = { openChannel: "meitheal:open-channel", port: "meitheal:port" };
// The same for the file dialog's channel (CHOOSE_FILES_CHANNEL, answered by files.ts in main).
const CHOOSE_FILES = "meitheal:choose-files";

// The one DOM global this file uses; the Node-side tsconfig has no DOM types on purpose.
declare const window: {
  postMessage(message: unknown, targetOrigin: string, transfer?: readonly unknown[]): void;
};

const bridge: DesktopBridge = {
  openChannel(requestId: string, request: ChannelRequest): void {
    ipcRenderer.send(IPC.openChannel, requestId, request);
  },
  platform: process.platform,
  // Main checks the request and shows the dialog; the answer is paths, or null when cancelled.
  async chooseFiles(request: ChooseFilesRequest): Promise<string[] | null> {
    const answer: unknown = await ipcRenderer.invoke(CHOOSE_FILES, request);
    return Array.isArray(answer) && answer.every((p) => typeof p === "string") ? answer : null;
  },
};

ipcRenderer.on(IPC.port, (event, data: unknown) => {
  const { requestId, error } =
    typeof data === "object" && data !== null
      ? (data as { requestId?: unknown; error?: unknown })
      : {};
  if (typeof requestId !== "string") return;
  // No port: main says why (the peer is down), and the page stops waiting for one.
  if (typeof error === "string") {
    window.postMessage(
      {
        source: "meitheal-preload",
        type: "channel-failed",
        requestId,
        error: error.slice(0, MAX_CHANNEL_ERROR_CHARS),
      } satisfies PortDelivery,
      "*",
    );
    return;
  }
  // Ports cannot cross contextBridge; window.postMessage is how a port reaches the main world.
  window.postMessage(
    { source: "meitheal-preload", type: "channel", requestId } satisfies PortDelivery,
    "*",
    event.ports,
  );
});

contextBridge.exposeInMainWorld("meitheal", bridge);
