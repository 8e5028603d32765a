// What a leaving window puts in its beacon (lastWords): only what the peer is not known to have,
// of documents it is known to hold, most recently changed first within the browser's quota.
import * as A from "@automerge/automerge";
import { Repo, type DocHandle, type PeerId } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { afterEach, describe, expect, it } from "vitest";
import { BEACON_QUOTA_BYTES, decodeBeacon } from "../shared/beacon.ts";
import { lastWords, watchPeer } from "./repo.ts";

type Note = { text: string };
const repos: Repo[] = [];

afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.shutdown()));
});

/** A peer and a window linked as the window's repo is, the window following its peer. */
async function linked() {
  const channel = new MessageChannel();
  const peer = new Repo({
    network: [new MessageChannelNetworkAdapter(channel.port1)],
    peerId: "device-peer" as PeerId,
  });
  const window = new Repo({
    network: [new MessageChannelNetworkAdapter(channel.port2)],
    isEphemeral: true,
    peerId: "ui-window" as PeerId,
  });
  repos.push(peer, window);
  const known = watchPeer(window);
  await expect.poll(() => window.peers.length).toBeGreaterThan(0);
  return { peer, window, known };
}

/** A document made on the peer and opened by the window, once both sides agree on it. */
async function shared(peer: Repo, window: Repo, text: string) {
  const onPeer = peer.create<Note>({ text });
  const inWindow: DocHandle<Note> = await window.find<Note>(onPeer.url);
  await expect.poll(() => inWindow.doc().text).toBe(text);
  return { onPeer, inWindow };
}

const settled = (known: ReturnType<typeof watchPeer>, handle: DocHandle<Note>) =>
  expect
    .poll(() => known.shared.get(handle.documentId)?.join())
    .toBe(A.getHeads(handle.doc()).join());

describe("a leaving window's last words", () => {
  it("are nothing once the peer has everything, and the unsent change once typed", async () => {
    const { peer, window, known } = await linked();
    const { onPeer, inWindow } = await shared(peer, window, "first");
    await settled(known, inWindow);
    expect(lastWords(window, known)).toBeUndefined();

    inWindow.change((d) => void (d.text = "first and last"));
    const body = lastWords(window, known);
    const decoded = body ? decodeBeacon(body) : undefined;
    expect(decoded?.ok).toBe(true);
    if (!decoded?.ok) return;
    expect(decoded.records.map((r) => r.documentId)).toEqual([inWindow.documentId]);
    // What the peer gets from it alone (here the peer's copy before the socket's reached it).
    const applied = A.loadIncremental(A.clone(onPeer.doc()), decoded.records[0]!.changes);
    expect(applied.text).toBe("first and last");
  });

  it("never name a document the peer is not known to hold", async () => {
    const { window, known } = await linked();
    const mine = window.create<Note>({ text: "made in the window" });
    mine.change((d) => void (d.text = "and changed"));
    expect(lastWords(window, known)).toBeUndefined();
  });

  it("put the most recently changed documents first when they do not all fit", async () => {
    const { peer, window, known } = await linked();
    const older = await shared(peer, window, "older");
    const newer = await shared(peer, window, "newer");
    await settled(known, older.inWindow);
    await settled(known, newer.inWindow);
    // Each change is over half the quota (random text barely compresses).
    const big = () =>
      Array.from({ length: 40_000 }, () =>
        String.fromCharCode(97 + Math.floor(Math.random() * 26)),
      ).join("");
    older.inWindow.change((d) => void (d.text = big()));
    newer.inWindow.change((d) => void (d.text = big()));
    const body = lastWords(window, known);
    expect(body!.byteLength).toBeLessThanOrEqual(BEACON_QUOTA_BYTES);
    const decoded = decodeBeacon(body!);
    expect(decoded.ok && decoded.records.map((r) => r.documentId)).toEqual([
      newer.inWindow.documentId,
    ]);
  });
});
