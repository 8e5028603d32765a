import { Repo, type DocHandle, type PeerId } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { MessageChannel } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import {
  LIVE_SYNC_THROTTLE_MS,
  STOCK_SYNC_THROTTLE_MS,
  applyPeerSyncTuning,
  effectiveSyncThrottle,
  resetSyncThrottle,
  setSyncThrottle,
} from "./syncTuning.ts";

afterEach(() => resetSyncThrottle());

function pair() {
  const channel = new MessageChannel();
  const a = new Repo({
    network: [new MessageChannelNetworkAdapter(channel.port1)],
    isEphemeral: true,
    peerId: "a" as PeerId,
  });
  const b = new Repo({
    network: [new MessageChannelNetworkAdapter(channel.port2)],
    isEphemeral: true,
    peerId: "b" as PeerId,
  });
  return {
    a,
    b,
    async close() {
      await a.shutdown();
      await b.shutdown();
      channel.port1.close();
    },
  };
}

const until = async (ok: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe("sync throttle", () => {
  it("is automerge-repo's 100 ms until set, and what was set afterwards", () => {
    expect(effectiveSyncThrottle()).toBe(STOCK_SYNC_THROTTLE_MS);
    expect(setSyncThrottle(25)).toBe(true);
    expect(effectiveSyncThrottle()).toBe(25);
    expect(setSyncThrottle(40)).toBe(true);
    expect(effectiveSyncThrottle()).toBe(40);
    resetSyncThrottle();
    expect(effectiveSyncThrottle()).toBe(STOCK_SYNC_THROTTLE_MS);
    expect(() => setSyncThrottle(-1)).toThrow(RangeError);
  });

  it("takes the peer's value, or the environment's for benchmarks", () => {
    expect(applyPeerSyncTuning({})).toBe(LIVE_SYNC_THROTTLE_MS);
    expect(applyPeerSyncTuning({ MEITHEAL_SYNC_THROTTLE_MS: "100" })).toBe(100);
    expect(effectiveSyncThrottle()).toBe(100);
    expect(applyPeerSyncTuning({ MEITHEAL_SYNC_THROTTLE_MS: "soon" })).toBe(LIVE_SYNC_THROTTLE_MS);
  });

  it("still syncs, and a change right after another leaves sooner than the stock 100 ms", async () => {
    // Measured as the time the second of two changes 30 ms apart takes to arrive: the stock
    // throttle holds it until 100 ms after the first was sent.
    const delay = async () => {
      const linked = pair();
      const { a, b } = linked;
      try {
        const ha: DocHandle<{ n: number }> = a.create({ n: 0 });
        const hb = await b.find<{ n: number }>(ha.url);
        await until(() => hb.doc().n === 0);
        await new Promise((r) => setTimeout(r, 150));
        ha.change((d) => void (d.n = 1));
        await until(() => hb.doc().n === 1);
        // B's acknowledgement comes back at once, and A answers it at once with whatever it has:
        // a change made before that answer rides along unthrottled. Wait it out.
        await new Promise((r) => setTimeout(r, 30));
        const t0 = performance.now();
        ha.change((d) => void (d.n = 2));
        await until(() => hb.doc().n === 2);
        return performance.now() - t0;
      } finally {
        await linked.close();
      }
    };
    const stock = await delay();
    setSyncThrottle(0);
    const tuned = await delay();
    expect(stock).toBeGreaterThan(40);
    expect(tuned).toBeLessThan(stock);
  });
});
