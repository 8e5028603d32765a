// The renderer's link to its peer. In the desktop app the preload hands us MessagePorts; in a
// browser served by a headless peer we open loopback WebSockets carrying the page's token.
import type { NetworkAdapterInterface } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { BrowserWebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { BEACON_PATH } from "../shared/beacon.ts";
import { isPortDelivery, type ChannelRequest, type DesktopBridge } from "../shared/bridge.ts";
import { RpcClient, type TextPort } from "../shared/rpc.ts";
import { t } from "./i18n/index.ts";

export type PeerConnection = {
  rpc: RpcClient;
  /** A fresh network adapter to the peer's repo of one community. */
  syncAdapter(communityId: string): Promise<NetworkAdapterInterface>;
  /**
   * Browser mode: hands a leaving page's last changes (shared/beacon.ts) to the browser, which
   * delivers them after the page is gone; false when the browser would not take them. Absent in
   * the desktop app, whose MessagePorts deliver what was posted before the window closed.
   */
  sendLastWords?(communityId: string, body: Uint8Array<ArrayBuffer>): boolean;
  onLost(listener: () => void): void;
};

declare global {
  interface Window {
    meitheal?: DesktopBridge;
  }
}

const TOKEN_KEY = "meitheal.token";

/** How long the desktop app's main process may take to hand over a channel (it is immediate). */
export const PORT_TIMEOUT_MS = 10_000;

/** The connection could not be made; the message says why and what to do, for a person. */
export class ConnectFailure extends Error {
  override name = "ConnectFailure";
}

/** Takes the token from the address (#token=…) into session storage and out of the address bar. */
export function readToken(): string | null {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, "", window.location.pathname + window.location.search);
    return match[1];
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/**
 * A channel to the peer from the desktop app's preload. Rejects with a ConnectFailure when main
 * says the peer is down, or says nothing in PORT_TIMEOUT_MS: the window must never wait for ever.
 */
export function desktopPort(
  bridge: DesktopBridge,
  request: ChannelRequest,
  timeoutMs = PORT_TIMEOUT_MS,
): Promise<MessagePort> {
  const requestId = crypto.randomUUID();
  return new Promise((resolve, reject) => {
    const done = () => {
      window.clearTimeout(timer);
      window.removeEventListener("message", onMessage);
    };
    const onMessage = (event: MessageEvent) => {
      if (
        event.source !== window ||
        !isPortDelivery(event.data) ||
        event.data.requestId !== requestId
      )
        return;
      if (event.data.type === "channel-failed") {
        done();
        reject(new ConnectFailure(t("app.peerDown", { reason: event.data.error })));
        return;
      }
      const port = event.ports[0];
      if (!port) return;
      done();
      resolve(port);
    };
    const timer = window.setTimeout(() => {
      done();
      reject(new ConnectFailure(t("app.peerSilent", { seconds: Math.round(timeoutMs / 1000) })));
    }, timeoutMs);
    window.addEventListener("message", onMessage);
    bridge.openChannel(requestId, request);
  });
}

const portText = (port: MessagePort, lost: () => void): TextPort => {
  port.start();
  return {
    send: (text) => port.postMessage(text),
    onMessage: (listener) =>
      port.addEventListener("message", (e) => typeof e.data === "string" && listener(e.data)),
    onClose: (listener) => {
      port.addEventListener("close", () => {
        listener();
        lost();
      });
    },
  };
};

const socketText = (socket: WebSocket, lost: () => void): TextPort => ({
  send: (text) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
  },
  onMessage: (listener) =>
    socket.addEventListener("message", (e) => typeof e.data === "string" && listener(e.data)),
  onClose: (listener) =>
    socket.addEventListener("close", () => {
      listener();
      lost();
    }),
});

export async function connectToPeer(token: string | null): Promise<PeerConnection> {
  const lostListeners = new Set<() => void>();
  const lost = () => lostListeners.forEach((l) => l());
  const onLost = (l: () => void) => void lostListeners.add(l);
  const bridge = window.meitheal;
  if (bridge) {
    const rpcPort = await desktopPort(bridge, { kind: "rpc" });
    return {
      rpc: new RpcClient(portText(rpcPort, lost)),
      syncAdapter: async (communityId) =>
        new MessageChannelNetworkAdapter(await desktopPort(bridge, { kind: "sync", communityId })),
      onLost,
    };
  }
  if (!token) throw new Error("no-token");
  const base = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}`;
  const socket = new WebSocket(`${base}/ws/rpc?token=${encodeURIComponent(token)}`);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error("connect-failed")), { once: true });
  });
  return {
    rpc: new RpcClient(socketText(socket, lost)),
    syncAdapter: (communityId) =>
      Promise.resolve(
        new BrowserWebSocketClientAdapter(
          `${base}/ws/sync/${encodeURIComponent(communityId)}?token=${encodeURIComponent(token)}`,
        ),
      ),
    // A beacon cannot set headers: the token goes in the query, as the WebSockets take it.
    sendLastWords: (communityId, body) =>
      navigator.sendBeacon(
        `${BEACON_PATH}/${encodeURIComponent(communityId)}?token=${encodeURIComponent(token)}`,
        body,
      ),
    onLost,
  };
}
