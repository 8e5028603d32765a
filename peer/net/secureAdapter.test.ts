import type { DocumentId, PeerId } from "@automerge/automerge-repo";
import { describe, expect, it } from "vitest";
import { communityShareConfig, peerIdOfKey } from "./secureAdapter.ts";

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
