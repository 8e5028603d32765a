// A window whose socket drops again and again while another writes keeps in step with the peer it
// is attached to, and the exchange goes quiet afterwards (issue #15). Against `meitheal-peer serve`
// as users run it: the stock WebSocket server adapter drops a window that misses one ping, which
// happens under load, and what the peer sent into the dying socket is lost. Before the patch to
// automerge-repo (patches/README.md), such a loss wedged the document: the peer never resent the
// lost changes and the window asked for them hundreds of times a second.
import { Repo, type DocHandle, type PeerId } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { randomUUID } from "node:crypto";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCommunity } from "../helpers/seed.ts";
import { servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

type Lines = { lines: string[] };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a window reconnecting while another writes", () => {
  let dataDir: string;
  let peer: ServedPeer | undefined;
  let communityId: string;
  const repos: Repo[] = [];

  beforeAll(async () => {
    dataDir = await makeTempDir("meitheal-window-reconnect-");
    const seed = await seedCommunity("Reconnect circle", { dataDir });
    communityId = seed.communityId;
    await seed.close();
    peer = await servePeer(dataDir, ["--no-lan"]);
  });
  afterAll(async () => {
    await Promise.all(repos.map((r) => r.shutdown()));
    await peer?.stop();
    await removeDir(dataDir);
  });

  /** A window as the page makes it, with its adapter, retrying a dropped socket after 100 ms. */
  async function openWindow(): Promise<{ repo: Repo; adapter: WebSocketClientAdapter }> {
    const url = `${peer!.origin.replace("http", "ws")}/ws/sync/${communityId}?token=${peer!.token}`;
    const adapter = new WebSocketClientAdapter(url, 100);
    const repo = new Repo({
      network: [adapter],
      isEphemeral: true,
      peerId: `ui-${randomUUID()}` as PeerId,
    });
    repos.push(repo);
    await expect.poll(() => repo.peers.length, { timeout: 10_000 }).toBeGreaterThan(0);
    return { repo, adapter };
  }

  it("ends with every line on both windows, and then the exchange is quiet", async () => {
    const writer = await openWindow();
    const dropped = await openWindow();
    const mine: DocHandle<Lines> = writer.repo.create<Lines>({ lines: [] });
    const theirs = await dropped.repo.find<Lines>(mine.url);

    const typed: string[] = [];
    const writing = (async () => {
      for (let i = 0; i < 250; i++) {
        const line = `writer ${i}`;
        mine.change((d) => void d.lines.push(line));
        typed.push(line);
        await pause(10);
      }
    })();
    // The other window's socket dies six times while the lines arrive; each time it comes back and
    // adds a line of its own.
    for (let i = 0; i < 6; i++) {
      await pause(250);
      // A socket still connecting cannot be terminated (ws throws): wait until it is open.
      await expect
        .poll(() => dropped.adapter.socket?.readyState, { timeout: 10_000 })
        .toBe(WebSocket.OPEN);
      dropped.adapter.socket?.terminate();
      await expect.poll(() => dropped.repo.peers.length, { timeout: 10_000 }).toBeGreaterThan(0);
      const line = `dropped ${i}`;
      theirs.change((d) => void d.lines.push(line));
      typed.push(line);
    }
    await writing;

    const sorted = (lines: readonly string[]) => [...lines].sort();
    await expect.poll(() => sorted(theirs.doc().lines), { timeout: 20_000 }).toEqual(sorted(typed));
    await expect.poll(() => sorted(mine.doc().lines), { timeout: 20_000 }).toEqual(sorted(typed));

    // Quiet: in a second with nothing typed, the dropped window hears a handful of messages at
    // most (the wedged exchange was hundreds a second).
    let heard = 0;
    const count = () => void heard++;
    dropped.adapter.on("message", count);
    await pause(1_000);
    dropped.adapter.off("message", count);
    expect(heard).toBeLessThan(20);
    // Healed by the patch, not by the peer's loop guard (peer/sync/loopGuard.ts), which would say so.
    expect(peer!.output()).not.toContain("without progress");
  });
});
