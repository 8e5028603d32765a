// Talks to a served peer from Node the way a window does: the RPC contract over /ws/rpc and a
// window's own Repo over /ws/sync/<community>, both with the peer's token.
import { Repo, type PeerId } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { randomUUID } from "node:crypto";
import { WebSocket } from "ws";
import type { ArgsOf, Method, ValueOf } from "../../shared/contract.ts";
import { RpcClient } from "../../shared/rpc.ts";
import type { ServedPeer } from "./servePeer.ts";

export type PeerRpc = {
  /** Calls a method and returns its value; throws with the peer's message on an error result. */
  call<M extends Method>(method: M, args: ArgsOf<M>): Promise<ValueOf<M>>;
  raw: RpcClient;
  close(): void;
};

export async function connectRpc(peer: Pick<ServedPeer, "origin" | "token">): Promise<PeerRpc> {
  const ws = new WebSocket(`${peer.origin.replace("http", "ws")}/ws/rpc?token=${peer.token}`, {
    headers: { origin: peer.origin },
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const rpc = new RpcClient({
    send: (text) => ws.send(text),
    onMessage: (listener) => ws.on("message", (data: Buffer) => listener(data.toString("utf8"))),
    onClose: (listener) => ws.on("close", listener),
  });
  return {
    raw: rpc,
    async call(method, args) {
      const result = await rpc.call(method, args);
      if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
      return result.value;
    },
    close: () => ws.close(),
  };
}

/** A storage-less Repo attached to one community of a served peer, as a window attaches. */
export async function windowRepo(
  peer: Pick<ServedPeer, "origin" | "token">,
  communityId: string,
): Promise<Repo> {
  const url = `${peer.origin.replace("http", "ws")}/ws/sync/${communityId}?token=${peer.token}`;
  const repo = new Repo({
    network: [new WebSocketClientAdapter(url)],
    isEphemeral: true,
    peerId: `ui-${randomUUID()}` as PeerId,
  });
  for (let i = 0; i < 400 && repo.peers.length === 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 25));
  if (repo.peers.length === 0) throw new Error("the window repo did not connect to the peer");
  return repo;
}

/** Polls until `check` returns a value other than undefined, or throws after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
