import {
  NetworkAdapter,
  Repo,
  type Message,
  type PeerId,
  type PeerMetadata,
} from "@automerge/automerge-repo";
import { describe, expect, it } from "vitest";
import { SyncLoopGuard } from "./loopGuard.ts";

/** An adapter the test drives: what it emits is what a link would deliver. */
class Scripted extends NetworkAdapter {
  sent: Message[] = [];
  isReady() {
    return true;
  }
  whenReady() {
    return Promise.resolve();
  }
  connect(peerId: PeerId, peerMetadata?: PeerMetadata) {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata;
  }
  send(message: Message) {
    this.sent.push(message);
  }
  disconnect() {}
}

const P = "ui-window" as PeerId;
const sync = (data: Uint8Array, documentId = "doc1"): Message => ({
  type: "sync",
  senderId: P,
  targetId: "peer" as PeerId,
  documentId: documentId as Message["documentId"],
  data,
});

function guarded(now = () => 0) {
  const inner = new Scripted();
  const lines: string[] = [];
  const guard = new SyncLoopGuard(inner, {
    repeats: 30,
    windowMs: 10_000,
    log: (l) => lines.push(l),
    now,
  });
  const events: string[] = [];
  guard.on("peer-candidate", (e) => events.push(`candidate ${e.peerId}`));
  guard.on("peer-disconnected", (e) => events.push(`disconnected ${e.peerId}`));
  let messages = 0;
  guard.on("message", () => messages++);
  inner.emit("peer-candidate", { peerId: P, peerMetadata: { isEphemeral: true } });
  events.length = 0;
  return { inner, guard, lines, events, messages: () => messages };
}

describe("SyncLoopGuard", () => {
  it("resets a peer that sends the same sync message 30 times, once, says so, and passes every message on", () => {
    const { inner, guard, lines, events, messages } = guarded();
    for (let i = 0; i < 30; i++) inner.emit("message", sync(new Uint8Array([1, 2, 3])));
    expect(events).toEqual([`disconnected ${P}`, `candidate ${P}`]);
    expect(guard.resets).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("doc1");
    expect(lines[0]).toContain("without progress");
    expect(messages()).toBe(30);
    // The count starts again: 29 more are not yet a loop.
    for (let i = 0; i < 29; i++) inner.emit("message", sync(new Uint8Array([1, 2, 3])));
    expect(guard.resets).toBe(1);
  });

  it("leaves an exchange that changes alone, and counts per document", () => {
    const { inner, guard } = guarded();
    for (let i = 0; i < 200; i++) inner.emit("message", sync(new Uint8Array([i % 2, 7])));
    // Two documents, alternating: each sees its own run of 20 identical messages.
    for (let i = 0; i < 40; i++)
      inner.emit("message", sync(new Uint8Array([9]), i % 2 === 0 ? "docA" : "docB"));
    expect(guard.resets).toBe(0);
  });

  it("does not count repeats spread over more than the window, nor large messages", () => {
    let now = 0;
    const { inner, guard } = guarded(() => now);
    for (let i = 0; i < 60; i++) {
      now += 400; // 30 repeats take 12 s: slower than any loop
      inner.emit("message", sync(new Uint8Array([4, 4])));
    }
    const large = new Uint8Array(100 * 1024).fill(1);
    for (let i = 0; i < 60; i++) inner.emit("message", sync(large));
    expect(guard.resets).toBe(0);
  });

  it("passes connect, send and readiness through to the link", () => {
    const { inner, guard } = guarded();
    guard.connect("peer" as PeerId, { isEphemeral: false });
    expect(inner.peerId).toBe("peer");
    const out = sync(new Uint8Array([5]));
    guard.send(out);
    expect(inner.sent).toEqual([out]);
    expect(guard.isReady()).toBe(true);
  });

  it("leaves two repos syncing through it with no reset, and still in step after a reset", async () => {
    // Two repos joined by a pair of scripted links, the peer's side behind a guard.
    const peerLink = new Scripted();
    const windowLink = new Scripted();
    const guard = new SyncLoopGuard(peerLink, { repeats: 30, log: () => undefined });
    const deliver = (from: Scripted, to: Scripted) => {
      from.send = (m) => void setTimeout(() => to.emit("message", m), 0);
    };
    deliver(peerLink, windowLink);
    deliver(windowLink, peerLink);
    const peer = new Repo({ peerId: "peer" as PeerId, network: [guard] });
    const window = new Repo({ peerId: P, network: [windowLink] });
    await new Promise((r) => setTimeout(r, 10));
    peerLink.emit("peer-candidate", { peerId: P, peerMetadata: {} });
    windowLink.emit("peer-candidate", { peerId: "peer" as PeerId, peerMetadata: {} });
    const handle = window.create<{ n: number[] }>({ n: [] });
    const there = await peer.find<{ n: number[] }>(handle.url);
    for (let i = 0; i < 50; i++) handle.change((d) => void d.n.push(i));
    await expect.poll(() => there.doc().n.length).toBe(50);
    expect(guard.resets).toBe(0);
    // A window that replays one message 30 times (a broken client) is reset, and sync goes on.
    const replay = sync(new Uint8Array(0));
    let last: Message | undefined;
    const sendOriginal = windowLink.send.bind(windowLink);
    windowLink.send = (m) => {
      last = m;
      sendOriginal(m);
    };
    handle.change((d) => void d.n.push(50));
    await expect.poll(() => there.doc().n.length).toBe(51);
    for (let i = 0; i < 30; i++) peerLink.emit("message", { ...(last ?? replay) });
    expect(guard.resets).toBe(1);
    handle.change((d) => void d.n.push(51));
    await expect.poll(() => there.doc().n.length).toBe(52);
    await Promise.all([peer.shutdown(), window.shutdown()]);
  });
});
