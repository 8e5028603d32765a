// A sync message lost with a dropped connection must not wedge the document (issue #15). When a
// window's socket dies, what the peer sent into it last is lost, yet the peer's sync state records
// those changes as sent. automerge-repo resets that record in `beginSync`, but a window is never
// announced documents (peer/net/secureAdapter.ts `communityShareConfig`), so after the reconnect
// the window's first message re-adds it through `receiveMessage` and `beginSync` is skipped: the
// stale record stays, the peer never sends the lost changes, and the two exchange the same sync
// message hundreds of times a second (seen in a simulated retreat: 100 % CPU, a laptop whose words
// never left it). Two repos over an in-memory link whose messages can be dropped.
import {
  NetworkAdapter,
  Repo,
  type Message,
  type PeerId,
  type PeerMetadata,
} from "@automerge/automerge-repo";
import { describe, expect, it } from "vitest";

/** One end of an in-memory link; `drop` loses what is sent while set, as a dead socket does. */
class LinkEnd extends NetworkAdapter {
  other?: LinkEnd;
  drop = false;
  sent = 0;
  dropped = 0;
  #ready = false;
  isReady() {
    return this.#ready;
  }
  whenReady() {
    return Promise.resolve();
  }
  connect(peerId: PeerId, peerMetadata?: PeerMetadata) {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata;
    this.#ready = true;
  }
  /** Tells this end the other is there (as a join over a new socket does). */
  join() {
    const other = this.other;
    if (!other?.peerId) throw new Error("the other end has not connected");
    this.emit("peer-candidate", { peerId: other.peerId, peerMetadata: other.peerMetadata ?? {} });
  }
  leave() {
    if (this.other?.peerId) this.emit("peer-disconnected", { peerId: this.other.peerId });
  }
  send(message: Message) {
    this.sent++;
    if (this.drop) {
      this.dropped++;
      return;
    }
    const other = this.other;
    // Delivered a task later, as a socket would.
    setTimeout(() => other?.emit("message", message), 0);
  }
  disconnect() {
    this.#ready = false;
  }
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a sync message lost as a window's connection drops", () => {
  it("is sent again after the window reconnects, and the exchange goes quiet", async () => {
    const peerEnd = new LinkEnd();
    const windowEnd = new LinkEnd();
    peerEnd.other = windowEnd;
    windowEnd.other = peerEnd;
    // The peer as Meitheal's: a window is given what it asks for, never announced documents.
    const peer = new Repo({
      peerId: "peer" as PeerId,
      network: [peerEnd],
      shareConfig: {
        announce: (peerId) => Promise.resolve(!peerId.startsWith("ui-")),
        access: () => Promise.resolve(true),
      },
    });
    const window = new Repo({ peerId: "ui-window" as PeerId, network: [windowEnd] });
    await settle(10);
    peerEnd.join();
    windowEnd.join();

    const handle = peer.create<{ lines: string[] }>({ lines: ["first"] });
    const seen = await window.find<{ lines: string[] }>(handle.url);
    await expect.poll(() => seen.doc().lines).toEqual(["first"]);

    // The peer's next change goes into a socket that is already dead.
    peerEnd.drop = true;
    handle.change((d) => void d.lines.push("lost on the way"));
    // The sync message carrying it is sent (after the repo's debounce) and lost.
    await expect.poll(() => peerEnd.dropped, { timeout: 10_000 }).toBeGreaterThan(0);
    peerEnd.drop = false;
    // Both sides notice, and the window comes back over a new socket, asking.
    peerEnd.leave();
    windowEnd.leave();
    await expect.poll(() => peer.peers.length + window.peers.length).toBe(0);
    peerEnd.join();
    windowEnd.join();
    seen.change((d) => void d.lines.push("typed in the window"));

    await expect
      .poll(() => [...seen.doc().lines].sort(), { timeout: 15_000 })
      .toEqual(["first", "lost on the way", "typed in the window"].sort());
    await expect
      .poll(() => [...handle.doc().lines].sort(), { timeout: 15_000 })
      .toEqual(["first", "lost on the way", "typed in the window"].sort());
    // And then it is quiet: no endless exchange of the same message.
    const before = peerEnd.sent + windowEnd.sent;
    await settle(500);
    expect(peerEnd.sent + windowEnd.sent - before).toBeLessThan(10);
    await Promise.all([peer.shutdown(), window.shutdown()]);
  });
});
