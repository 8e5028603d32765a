// Strangers on the same network against a served peer (docs/DESIGN.md, "Trust and access"): a
// device with no key of the community, on another address, that holds and re-opens hundreds of
// sockets, or completes the handshake with its own key and sends most of a huge frame. Members
// must still get through, and the peer must stay small. A, B and D are `meitheal-peer serve`
// processes on 127.0.0.1; the strangers dial from other addresses of 127/8 (Linux routes all of
// it to the loopback), as other devices on the Wi-Fi would.
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommunityId } from "../../shared/ids.ts";
import {
  makeDevice,
  rawNoiseDial,
  residentKiB,
  sleep,
  socketFlood,
  writePartialFrame,
} from "../helpers/hostile.ts";
import { connectRpc, eventually, type PeerRpc } from "../helpers/peerRpc.ts";
import { servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { pair } from "../sync/linkedPeers.ts";

const served: ServedPeer[] = [];
const rpcs: PeerRpc[] = [];
const dirs: string[] = [];

let a: ServedPeer;
let b: ServedPeer;
let rpcA: PeerRpc;
let rpcD: PeerRpc;
let dirB: string;
let X: CommunityId;
let bKey: string;
let dKey: string;

async function start(dir: string): Promise<[ServedPeer, PeerRpc]> {
  const peer = await servePeer(dir);
  served.push(peer);
  const rpc = await connectRpc(peer);
  rpcs.push(rpc);
  return [peer, rpc];
}

/** A's links in X now: remote device key → since (ISO). */
async function linksOfA(): Promise<Map<string, string>> {
  const status = await rpcA.call("sync:status", { communityId: X });
  return new Map(status.peers.map((p) => [p.deviceKey as string, p.since]));
}

beforeAll(async () => {
  for (const prefix of ["a", "b", "d"])
    dirs.push(await makeTempDir(`meitheal-strangers-${prefix}-`));
  dirB = dirs[1]!;
  // Settled one by one, so a peer that did start is stopped by afterAll even if another failed.
  const started = await Promise.allSettled(dirs.map((dir) => start(dir)));
  for (const s of started) if (s.status === "rejected") throw s.reason;
  const [[peerA, first], [peerB, rpcB], [, third]] = started.map(
    (s) => (s as PromiseFulfilledResult<[ServedPeer, PeerRpc]>).value,
  ) as [[ServedPeer, PeerRpc], [ServedPeer, PeerRpc], [ServedPeer, PeerRpc]];
  [a, b, rpcA, rpcD] = [peerA, peerB, first, third];
  expect(a.syncAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  bKey = (await rpcB.call("peer:info", {})).deviceKey;
  dKey = (await rpcD.call("peer:info", {})).deviceKey;
  X = (await rpcA.call("communities:create", { name: "Harbour watch" })).id;
  await pair(rpcA, rpcB, X);
}, 60_000);

afterAll(async () => {
  for (const rpc of rpcs) rpc.close();
  await Promise.all(served.map((p) => p.stop()));
  await Promise.all(dirs.map((dir) => removeDir(dir)));
});

describe("strangers on the network against a served peer", () => {
  it("one address holding and re-opening 500 sockets for 30 s: a restarted member and a new device both link within 5 s", async () => {
    const FLOOD_MS = 30_000;
    const before = (await linksOfA()).get(bKey);
    expect(before).toBeDefined();
    const flood = socketFlood(a.syncAddress ?? "", { count: 500, localAddress: "127.0.0.2" });
    const floodStart = Date.now();
    let relinkMs: number;
    let joinMs: number;
    try {
      await sleep(2_000);
      expect(flood.stats().connected).toBeGreaterThan(100);

      // B restarts (a laptop that slept, an app restarted): its new process dials A.
      await b.stop();
      b = (await start(dirB))[0];
      const upAt = Date.now();
      await eventually(
        async () => {
          const since = (await linksOfA()).get(bKey);
          return since !== undefined && since !== before ? true : undefined;
        },
        5_000,
        "the restarted member B linked to A again",
      );
      relinkMs = Date.now() - upAt;

      // A new device joins with an invite from A, and links.
      const invite = await rpcA.call("sync:invite", { communityId: X });
      const joinAt = Date.now();
      await rpcD.call("sync:join", { code: invite.uri, name: "Dara" });
      await eventually(
        async () => ((await linksOfA()).has(dKey) ? true : undefined),
        Math.max(0, 5_000 - (Date.now() - joinAt)),
        "the new device D linked to A",
      );
      joinMs = Date.now() - joinAt;

      // The rest of the 30 s: A keeps answering, and both links stay.
      await sleep(Math.max(0, FLOOD_MS - (Date.now() - floodStart)));
      const links = await linksOfA();
      expect(links.has(bKey) && links.has(dKey)).toBe(true);
    } finally {
      await flood.stop();
    }
    const stats = flood.stats();
    console.log(
      `stranger at 127.0.0.2, 500 sockets for ${((Date.now() - floodStart) / 1000).toFixed(1)} s: ${stats.opened} opened, ${stats.connected} connected, at most ${stats.maxOpen} open at once; B re-linked ${relinkMs} ms after its restart, D joined and linked in ${joinMs} ms`,
    );
    // The flood was real: far more sockets than A's slots, re-opened all along.
    expect(stats.opened).toBeGreaterThan(1_000);
    expect(relinkMs).toBeLessThan(5_000);
    expect(joinMs).toBeLessThan(5_000);
  }, 90_000);

  it("64 strangers each sending most of an 8 MiB frame: the peer grows by less than 50 MB", async () => {
    const FRAME = 8 * 1024 * 1024;
    const SENT = 6 * 1024 * 1024;
    const linksBefore = [...(await linksOfA()).keys()].sort();
    expect(linksBefore).toContain(bKey);
    const rssBefore = await residentKiB(a.child.pid);
    expect(rssBefore).toBeDefined();
    let peak = rssBefore ?? 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, (await residentKiB(a.child.pid)) ?? 0);
        await sleep(25);
      }
    })();
    const held: { socket: Socket; closed: () => boolean }[] = [];
    let handshakes = 0;
    let bytesWritten = 0;
    try {
      // Eight at a time, each stranger with its own key and address.
      for (let batch = 0; batch < 8; batch++) {
        await Promise.all(
          Array.from({ length: 8 }, async (_, i) => {
            const n = batch * 8 + i;
            const dial = await rawNoiseDial(a.syncAddress ?? "", makeDevice(), `127.0.1.${n + 1}`);
            if (!dial) return;
            handshakes++;
            held.push(dial);
            bytesWritten += await writePartialFrame(dial.socket, FRAME, SENT);
          }),
        );
      }
      await sleep(1_000);
    } finally {
      sampling = false;
      await sampler;
      for (const { socket } of held) socket.destroy();
    }
    const growthMB = (peak - (rssBefore ?? 0)) / 1024;
    console.log(
      `64 strangers: ${handshakes} handshakes done, ${(bytesWritten / 2 ** 20).toFixed(0)} MiB written; A's RSS ${rssBefore} KiB, peak ${peak} KiB (+${growthMB.toFixed(1)} MB)`,
    );
    expect(growthMB).toBeLessThan(50);
    // A is still up and its members still linked.
    expect(a.child.exitCode).toBeNull();
    expect([...(await linksOfA()).keys()].sort()).toEqual(linksBefore);
  }, 90_000);
});
