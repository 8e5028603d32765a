// The loopback development link (peer/net/devLink.ts): two peers with their own data folders, B
// joins A's community by id, documents flow both ways, presence (ephemeral messages) crosses the
// link between two windows, and nothing without the secret — or from another address — attaches.
import {
  Presence,
  Repo,
  type AutomergeUrl,
  type DocHandle,
  type NetworkAdapterInterface,
  type PeerId,
} from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { spawn } from "node:child_process";
import { request } from "node:http";
import { MessageChannel } from "node:worker_threads";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  LOOPBACK_ONLY,
  connectDevLink,
  listenDevLink,
  newLinkSecret,
  parseLoopbackAddress,
  planDevLink,
  type DevLinkConnection,
  type DevLinkListener,
} from "../../peer/net/devLink.ts";
import { PeerNode } from "../../peer/main.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { initStory } from "../../shared/ops/story.ts";
import type { Result } from "../../shared/result.ts";
import type { Story } from "../../shared/schema/story.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

const value = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

async function until<T>(
  read: () => T | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** As the UI creates a story (renderer/features/stories/StoriesList.tsx). */
function createStory(node: PeerNode, communityId: string, title: string): string {
  const community = node.community(communityId)!;
  const ctx = systemContext();
  const handle = community.repo.create<Story>();
  handle.change((d) => initStory(d, { communityId, title }, ctx));
  const now = ctx.now();
  community.index!.change((d) =>
    addEntry(d, handle.documentId, {
      kind: "story",
      title,
      status: "seed",
      createdAt: now,
      updatedAt: now,
    }),
  );
  return handle.documentId;
}

const entries = (node: PeerNode, communityId: string) =>
  node.community(communityId)?.index?.doc().entries ?? {};

/** A storage-less repo attached to a peer, as a window of the app is. */
async function openWindow(node: PeerNode, communityId: string, name: string) {
  const channel = new MessageChannel();
  const repo = new Repo({
    network: [new MessageChannelNetworkAdapter(channel.port1)],
    isEphemeral: true,
    peerId: `ui-${name}` as PeerId,
  });
  const peerSide = new MessageChannelNetworkAdapter(channel.port2) as NetworkAdapterInterface;
  await node.attachSync(communityId, peerSide);
  await until(() => repo.peers.length > 0, `${name} to reach its peer`);
  return {
    repo,
    async close() {
      node.detachSync(communityId, peerSide);
      await repo.shutdown();
      channel.port1.close();
    },
  };
}

describe("loopback development link", () => {
  let dirA: string;
  let dirB: string;
  const nodes: PeerNode[] = [];
  const closers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    dirA = await makeTempDir("meitheal-link-a-");
    dirB = await makeTempDir("meitheal-link-b-");
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    for (const node of nodes.splice(0)) await node.close();
    // PeerNode.close() does not wait for automerge-repo's throttled sync-state saves (100 ms); one
    // landing in a removed folder would be an unhandled rejection.
    await new Promise((r) => setTimeout(r, 300));
    await removeDir(dirA);
    await removeDir(dirB);
  });

  const start = async (dataDir: string) => {
    const node = await PeerNode.start({ dataDir, mode: "web" });
    nodes.push(node);
    return node;
  };
  const listen = async (node: PeerNode, secret: string): Promise<DevLinkListener> => {
    const listener = await listenDevLink(node, { port: 0, secret });
    closers.push(() => listener.close());
    return listener;
  };
  const connect = async (
    node: PeerNode,
    port: number,
    secret: string,
    join: string[],
  ): Promise<DevLinkConnection> => {
    const connection = value(
      await connectDevLink(node, { address: { host: "127.0.0.1", port }, secret, join }),
    );
    closers.push(() => connection.close());
    return connection;
  };

  async function linkedPair() {
    const a = await start(dirA);
    const b = await start(dirB);
    const community = value(await a.createCommunity({ name: "Galway hub", purpose: "Linked." }));
    const secret = newLinkSecret();
    const listener = await listen(a, secret);
    const connection = await connect(b, listener.port, secret, [community.id]);
    return { a, b, id: community.id, secret, listener, connection };
  }

  it("B joins A's community by id; stories made on either side reach the other", async () => {
    const { a, b, id, connection } = await linkedPair();
    expect(connection.communities).toEqual([id]);
    // The index arrives from A: B lists the community by its name.
    await until(
      () => b.listCommunities().find((c) => c.id === id && c.state === "ok"),
      "B to receive the index",
    );
    expect(b.listCommunities().map((c) => c.name)).toEqual(["Galway hub"]);

    const fromA = createStory(a, id, "The river clean-up");
    await until(() => entries(b, id)[fromA], "A's story in B's index");
    const storyOnB = await b.community(id)!.repo.find<Story>(`automerge:${fromA}` as AutomergeUrl);
    await until(() => storyOnB.doc().title === "The river clean-up", "A's story body on B");

    const fromB = createStory(b, id, "Learning to host a circle");
    await until(() => entries(a, id)[fromB], "B's story in A's index");
    const storyOnA = await a.community(id)!.repo.find<Story>(`automerge:${fromB}` as AutomergeUrl);
    await until(() => storyOnA.doc().title === "Learning to host a circle", "B's story on A");

    // B keeps what it joined: after a restart (no link) it opens the community from its own disk.
    await b.flush();
    await connection.close();
    await b.close();
    nodes.splice(nodes.indexOf(b), 1);
    const again = await start(dirB);
    const list = again.listCommunities();
    expect(list.map((c) => [c.name, c.state, c.entryCount])).toEqual([["Galway hub", "ok", 2]]);
  });

  it("relays presence (ephemeral messages) between windows on the two peers, and forgets a window that goes", async () => {
    const { a, b, id } = await linkedPair();
    await until(() => b.community(id)?.index, "B's index");
    const storyId = createStory(a, id, "Co-written");
    await until(() => entries(b, id)[storyId], "the story on B");

    const w1 = await openWindow(a, id, "one");
    const w2 = await openWindow(b, id, "two");
    closers.push(
      () => w1.close(),
      () => w2.close(),
    );
    const url = `automerge:${storyId}` as AutomergeUrl;
    const h1: DocHandle<Story> = await w1.repo.find<Story>(url);
    const h2: DocHandle<Story> = await w2.repo.find<Story>(url);

    type State = { name: string; selection: { start: number; end: number } | null };
    const p1 = new Presence<State>({ handle: h1 });
    const p2 = new Presence<State>({ handle: h2 });
    const timing = { heartbeatMs: 200, peerTtlMs: 800 };
    p1.start({ initialState: { name: "Aoife", selection: null }, ...timing });
    p2.start({ initialState: { name: "Brian", selection: null }, ...timing });

    const seen = (p: Presence<State>, peer: string) => p.getPeerStates().value[peer as PeerId];
    await until(() => seen(p2, "ui-one")?.value.name === "Aoife", "window two to see Aoife");
    await until(() => seen(p1, "ui-two")?.value.name === "Brian", "window one to see Brian");
    // The sender is the window, not the peer that relayed it: presence is per person, end to end.
    expect(Object.keys(p2.getPeerStates().value)).toEqual(["ui-one"]);

    p1.broadcast("selection", { start: 3, end: 7 });
    await until(
      () => seen(p2, "ui-one")?.value.selection?.end === 7,
      "a selection to cross the link",
    );

    // A window that vanishes without a goodbye (closed laptop lid, killed tab) is pruned by TTL.
    const gone = Date.now();
    // Stopping the heartbeats without the goodbye message: take the window off the network first.
    await w1.close();
    p1.stop();
    await until(() => !seen(p2, "ui-one"), "Aoife to disappear", 5_000);
    expect(Date.now() - gone).toBeLessThan(timing.peerTtlMs + 3 * timing.heartbeatMs + 500);
    p2.stop();
  });

  it("refuses a wrong or missing secret, a browser page, and any address but loopback", async () => {
    const a = await start(dirA);
    const b = await start(dirB);
    const community = value(await a.createCommunity({ name: "Private" }));
    const secret = newLinkSecret();
    const listener = await listen(a, secret);

    const wrong = await connectDevLink(b, {
      address: { host: "127.0.0.1", port: listener.port },
      secret: newLinkSecret(),
      join: [community.id],
    });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.error.message).toContain("refused the link secret");
    expect(b.communityIds()).toEqual([]); // nothing was joined

    const socketStatus = (path: string, headers: Record<string, string> = {}) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${listener.port}${path}`, { headers });
        ws.on("open", () => {
          ws.close();
          resolve("open");
        });
        ws.on("unexpected-response", (_req, res) => resolve(String(res.statusCode)));
        ws.on("error", () => resolve("error"));
      });
    const sync = `/link/v1/sync/${community.id}`;
    expect(await socketStatus(sync)).toBe("401");
    expect(await socketStatus(`${sync}?secret=${newLinkSecret()}`)).toBe("401");
    expect(await socketStatus(`${sync}?secret=${secret.slice(0, -1)}`)).toBe("401");
    // A web page (it always sends Origin) is refused even with the secret.
    expect(await socketStatus(`${sync}?secret=${secret}`, { origin: "http://evil.example" })).toBe(
      "403",
    );
    expect(await socketStatus(`${sync}?secret=${secret}`)).toBe("open");

    const httpStatus = (headers: Record<string, string>) =>
      new Promise<number | undefined>((resolve) => {
        const req = request(
          { host: "127.0.0.1", port: listener.port, path: "/link/v1/communities", headers },
          (res) => {
            res.resume();
            resolve(res.statusCode);
          },
        );
        req.on("error", () => resolve(undefined));
        req.end();
      });
    expect(await httpStatus({})).toBe(401);
    expect(await httpStatus({ "x-meitheal-link-secret": secret })).toBe(200);

    for (const address of [
      "192.168.1.20:7777",
      "10.0.0.1:80",
      "example.org:7777",
      "[::1]:7777",
      "0.0.0.0:7777",
    ]) {
      const parsed = parseLoopbackAddress(address);
      expect(parsed.ok, address).toBe(false);
      if (!parsed.ok) expect(parsed.error.message).toContain(LOOPBACK_ONLY);
    }
    expect(value(parseLoopbackAddress("localhost:7777"))).toEqual({
      host: "127.0.0.1",
      port: 7777,
    });
    expect(planDevLink({ "link-connect": "127.0.0.1:7777", "link-secret": "short" }).ok).toBe(
      false,
    );
    expect(planDevLink({ "link-connect": "127.0.0.1:7777" }).ok).toBe(false);
  });

  it("two meitheal-peer serve processes link from the command line and keep what they synced", async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", "peer/cli.ts", ...args], {
          cwd: REPO_ROOT,
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        child.on("exit", (code) => resolve({ code, out }));
      });

    const refused = await run([
      "serve",
      "--data",
      dirB,
      "--link-connect",
      "192.168.1.20:7777",
      "--link-secret",
      newLinkSecret(),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.out).toContain(LOOPBACK_ONLY);

    const created = await run(["create-community", "Retreat", "--json", "--data", dirA]);
    const id = (JSON.parse(created.out) as { id: string }).id;
    const secret = newLinkSecret();
    const peers: ServedPeer[] = [];
    try {
      const a = await servePeer(dirA, ["--link-listen", "0", "--link-secret", secret]);
      peers.push(a);
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(a.output())?.[1];
      expect(port).toBeDefined();

      const wrong = await run([
        "serve",
        "--port",
        "0",
        "--data",
        dirB,
        "--link-connect",
        `127.0.0.1:${port}`,
        "--link-secret",
        newLinkSecret(),
        "--join",
        id,
      ]);
      expect(wrong.code).toBe(1);
      expect(wrong.out).toContain("refused the link secret");

      const b = await servePeer(dirB, [
        "--link-connect",
        `127.0.0.1:${port}`,
        "--link-secret",
        secret,
        "--join",
        id,
      ]);
      peers.push(b);
      expect(b.output()).toContain(`syncing ${id}`);
      // B saves the index it received; give the sync and the save a moment, then stop cleanly.
      await new Promise((r) => setTimeout(r, 1500));
      expect(await b.stop()).toBe(0);
      peers.pop();
      const listed = await run(["communities", "--json", "--data", dirB]);
      const list = JSON.parse(listed.out) as { id: string; name: string; state: string }[];
      expect(list.map((c) => [c.id, c.name, c.state])).toEqual([[id, "Retreat", "ok"]]);
    } finally {
      for (const p of peers) await p.stop();
    }
  });
});
