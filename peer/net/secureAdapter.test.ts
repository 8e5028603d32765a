import {
  generateAutomergeUrl,
  parseAutomergeUrl,
  type DocumentId,
  type PeerId,
} from "@automerge/automerge-repo";
import { describe, expect, it } from "vitest";
import { encodeFrame, encodeHello } from "./messages.ts";
import { SecureNetworkAdapter, communityShareConfig, peerIdOfKey } from "./secureAdapter.ts";
import type { SecureConnection } from "./transport.ts";

const KEY = "ab".repeat(32);

describe("peerIdOfKey", () => {
  it("is PeerNode's own derivation: device- and the first 32 hex characters", () => {
    expect(peerIdOfKey(KEY)).toBe(`device-${KEY.slice(0, 32)}`);
    expect(peerIdOfKey(KEY.toUpperCase())).toBe(`device-${KEY.slice(0, 32)}`);
  });
});

describe("communityShareConfig", () => {
  const member = peerIdOfKey(KEY);
  const doc = "2j6eFCj1uMhnWVdFGQmRLMs8J8qt" as DocumentId;
  const other = "4NMNnkMhL8jXrdJ9jamS58PAVdXu" as DocumentId;

  it("grants members and local UI windows, refuses everyone else, and announce never exceeds access", async () => {
    const config = communityShareConfig({ isMemberPeerId: (p) => p === member });
    for (const [peer, allowed, announced] of [
      [member, true, true],
      // A window gets what it asks for; documents are not pushed into it.
      ["ui-window-1", true, false],
      [peerIdOfKey("cd".repeat(32)), false, false],
      ["server-1", false, false],
    ] as const) {
      expect(await config.access(peer as PeerId, doc), peer).toBe(allowed);
      expect(await config.announce(peer as PeerId, doc), peer).toBe(announced);
    }
  });

  it("limits access to the community's own documents when told which they are", async () => {
    const config = communityShareConfig({
      isMemberPeerId: (p) => p === member,
      hasDocument: (id) => id === doc,
    });
    expect(await config.access(member, doc)).toBe(true);
    expect(await config.access(member, other)).toBe(false);
    expect(await config.announce(member, other)).toBe(false);
  });
});

describe("SecureNetworkAdapter rate limit", () => {
  it("slows a fast peer down and still hands every message on, in order", async () => {
    const doc = parseAutomergeUrl(generateAutomergeUrl()).documentId;
    const self = "device-self" as PeerId;
    let deliver: ((bytes: Uint8Array) => void) | undefined;
    const connection: SecureConnection = {
      remoteKey: KEY,
      isInitiator: false,
      remoteAddress: "127.0.0.1:1",
      closed: false,
      send: () => true,
      onMessage: (handler) => void (deliver = handler),
      onClose: () => undefined,
      pause: () => undefined,
      resume: () => undefined,
      markAccepted: () => undefined,
      close: () => undefined,
    };
    // One message a token, 50 tokens a second, a burst of one: the hello spends the first.
    const adapter = new SecureNetworkAdapter({
      communityId: doc,
      isMember: () => true,
      limits: { messagesPerSecond: 50, messageBurst: 1, readyTimeoutMs: 0 },
    });
    const received: number[] = [];
    adapter.on("message", (m) => received.push((m as { data: Uint8Array }).data[0] ?? -1));
    adapter.connect(self, {});
    adapter.addConnection(connection);
    deliver?.(encodeHello({ community: doc, isEphemeral: true }));
    for (let i = 0; i < 5; i++)
      deliver?.(
        encodeFrame({
          type: "sync",
          senderId: peerIdOfKey(KEY),
          targetId: self,
          documentId: doc,
          data: new Uint8Array([i]),
        }),
      );
    const deadline = Date.now() + 3_000;
    while (received.length < 5 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toEqual([0, 1, 2, 3, 4]);
    adapter.disconnect();
  });
});
