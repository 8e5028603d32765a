import { describe, expect, it } from "vitest";
import {
  initials,
  peopleOf,
  readPeer,
  readPeers,
  readSelection,
  type RemotePeer,
} from "./state.ts";

const KEY_A = "a".repeat(64);
const KEY_B = "b".repeat(64);

describe("presence state from the network", () => {
  it("reads a well-formed state", () => {
    expect(
      readPeer("ui-1", {
        v: 1,
        deviceKey: KEY_A,
        name: "  Aoife   Ní Bhriain ",
        colour: "#1f6f5c",
        selection: { start: 3, end: 9, startCursor: "1@ab", endCursor: "7@ab" },
      }),
    ).toEqual({
      peerId: "ui-1",
      deviceKey: KEY_A,
      name: "Aoife Ní Bhriain",
      colour: "#1f6f5c",
      selection: { start: 3, end: 9, startCursor: "1@ab", endCursor: "7@ab" },
    });
  });

  it("refuses a window of one device claiming another device's key", () => {
    const fromA = `ui-${KEY_A.slice(0, 32)}-window1`;
    expect(readPeer(fromA, { v: 1, deviceKey: KEY_A, name: "Aoife" })?.deviceKey).toBe(KEY_A);
    expect(readPeer(fromA, { v: 1, deviceKey: KEY_B, name: "Brian" })).toBeNull();
    // This device's own windows (unbound ids) are read as they say.
    expect(
      readPeer("ui-0b9e6c1e-5d1f-4f5e-9d7a-1c2b3a4d5e6f", { v: 1, deviceKey: KEY_B }),
    ).not.toBeNull();
  });

  it("refuses what is not a presence state, and tames what is odd", () => {
    expect(readPeer("x", null)).toBeNull();
    expect(readPeer("x", { v: 2, deviceKey: KEY_A })).toBeNull();
    expect(readPeer("x", { v: 1, deviceKey: "not hex" })).toBeNull();
    const odd = readPeer("x", {
      v: 1,
      deviceKey: KEY_A,
      name: "x".repeat(500),
      colour: "red; background: url(https://evil.example)",
      selection: { start: -1, end: 2 },
    });
    expect(odd?.name).toHaveLength(80);
    // A colour goes into a style attribute: only #rrggbb passes, anything else is replaced.
    expect(odd?.colour).toMatch(/^#[0-9a-f]{6}$/i);
    expect(odd?.selection).toBeNull();
    expect(readPeer("x", { v: 1, deviceKey: KEY_A, name: "   " })?.name).toBe("?");
  });

  it("orders a backwards selection and keeps its cursors with their ends", () => {
    expect(readSelection({ start: 9, end: 3, startCursor: "s", endCursor: "e" })).toEqual({
      start: 3,
      end: 9,
      startCursor: "e",
      endCursor: "s",
    });
    expect(readSelection({ start: 1.5, end: 3 })).toBeNull();
  });

  it("lists valid peers in a stable order and skips the rest", () => {
    const states = {
      "ui-2": {
        value: { p: { v: 1, deviceKey: KEY_B, name: "Brian", colour: "#2b5d9b", selection: null } },
      },
      "ui-1": {
        value: { p: { v: 1, deviceKey: KEY_A, name: "Aoife", colour: "#1f6f5c", selection: null } },
      },
      // Only a selection, as Presence records an update from a window it had forgotten.
      partial: { value: { selection: { start: 1, end: 1 } } },
      junk: { value: "hello" },
    };
    expect(readPeers(states).map((p) => p.peerId)).toEqual(["ui-1", "ui-2"]);
  });
});

describe("avatars", () => {
  const peer = (peerId: string, deviceKey: string, name: string): RemotePeer => ({
    peerId,
    deviceKey,
    name,
    colour: "#1f6f5c",
    selection: null,
  });

  it("shows each other person once and never this device", () => {
    const people = peopleOf(
      [peer("ui-1", KEY_A, "Aoife"), peer("ui-2", KEY_A, "Aoife"), peer("ui-3", KEY_B, "Me")],
      KEY_B,
    );
    expect(people.map((p) => p.peerId)).toEqual(["ui-1"]);
  });

  it("makes initials from the first and last words", () => {
    expect(initials("Aoife Ní Bhriain")).toBe("AB");
    expect(initials("brian")).toBe("B");
    expect(initials("  ")).toBe("?");
    expect(initials("Éanna Ó Súilleabháin")).toBe("ÉS");
  });
});
