import { describe, expect, it } from "vitest";
import type { SyncGap, SyncPeer } from "../../../shared/contract.ts";
import { asDeviceKey } from "../../../shared/ids.ts";
import {
  countKey,
  describeGap,
  describeMissing,
  describeStatus,
  deviceName,
  formatBytes,
  formatClock,
  formatCountdown,
  formatAgo,
  formatDate,
  msUntil,
  peerNames,
  shortKey,
} from "./format.ts";
import { syncStatus } from "../../testing/syncStatus.ts";

const AOIFE = asDeviceKey("a0f1e000".padEnd(64, "1"));
const BRIAN = asDeviceKey("b41a0000".padEnd(64, "2"));
const STRANGER = asDeviceKey("5f4a4e6e".padEnd(64, "3"));

const peer = (deviceKey: SyncPeer["deviceKey"], name: string | null): SyncPeer => ({
  deviceKey,
  name,
  address: "192.168.1.20:47800",
  since: "2026-03-03T10:42:00.000Z",
  direction: "in",
});
const PEERS = [peer(AOIFE, "Aoife"), peer(BRIAN, "Brian")];

const status = syncStatus;

describe("short keys and device names", () => {
  it("keeps the first 8 characters of a key", () => {
    expect(shortKey(AOIFE)).toBe("a0f1e000");
    expect(shortKey("abc")).toBe("abc");
  });
  it("names a device by its roster name, else as unknown with its short key", () => {
    expect(deviceName("Aoife", AOIFE)).toBe("Aoife");
    expect(deviceName(null, STRANGER)).toBe("Unknown device 5f4a4e6e");
    expect(deviceName("  ", STRANGER)).toBe("Unknown device 5f4a4e6e");
  });
});

describe("formatBytes", () => {
  it("counts small sizes in bytes, plural even for zero", () => {
    expect(formatBytes(0, "en")).toBe("0 bytes");
    expect(formatBytes(512, "en")).toBe("512 bytes");
  });
  it("uses decimal units with one decimal", () => {
    expect(formatBytes(2_100_000, "en")).toBe("2.1 MB");
    expect(formatBytes(1_500, "en")).toBe("1.5 kB");
    expect(formatBytes(3_000_000_000, "en")).toBe("3 GB");
  });
  it("steps up rather than showing 1,000 of a unit", () => {
    expect(formatBytes(999_960, "en")).toBe("1 MB");
  });
  it("treats nonsense as nothing", () => {
    expect(formatBytes(-5, "en")).toBe("0 bytes");
    expect(formatBytes(Number.NaN, "en")).toBe("0 bytes");
  });
});

describe("formatCountdown", () => {
  it("shows minutes and seconds, rounded up", () => {
    expect(formatCountdown(581_000)).toBe("9:41");
    expect(formatCountdown(580_001)).toBe("9:41");
    expect(formatCountdown(600_000)).toBe("10:00");
    expect(formatCountdown(9_000)).toBe("0:09");
  });
  it("stops at 0:00 when the time is up", () => {
    expect(formatCountdown(0)).toBe("0:00");
    expect(formatCountdown(-30_000)).toBe("0:00");
  });
  it("adds hours when there are some", () => {
    expect(formatCountdown(3_723_000)).toBe("1:02:03");
  });
  it("measures time to an ISO instant", () => {
    const now = Date.parse("2026-03-03T10:00:00.000Z");
    expect(msUntil("2026-03-03T10:09:41.000Z", now)).toBe(581_000);
    expect(msUntil("2026-03-03T09:59:00.000Z", now)).toBe(-60_000);
    expect(msUntil("not a time", now)).toBe(0);
  });
});

describe("formatClock and formatDate", () => {
  // Built from local parts, so the test means the same in every time zone.
  const at = new Date(2026, 2, 3, 10, 42);
  it("shows only the time for today", () => {
    expect(formatClock(at.toISOString(), new Date(2026, 2, 3, 18, 0).getTime(), "en-GB")).toBe(
      "10:42",
    );
  });
  it("adds the day for another day", () => {
    expect(formatClock(at.toISOString(), new Date(2026, 2, 5, 9, 0).getTime(), "en-GB")).toBe(
      "3 Mar, 10:42",
    );
  });
  it("says nothing for a time it cannot read", () => {
    expect(formatClock("garbage", Date.now(), "en-GB")).toBe("");
    expect(formatDate("garbage", "en-GB")).toBe("");
  });
  it("formats a date", () => {
    expect(formatDate(at.toISOString(), "en-GB")).toBe("3 Mar 2026");
  });
});

describe("describeGap", () => {
  const gap = (over: Partial<SyncGap>): SyncGap => ({
    documentId: "4NMNnkMhL8jXrdJ9jamS58PAVdXu",
    title: "The well at Ballyvourney",
    peers: [AOIFE],
    reason: "fetching",
    ...over,
  });
  it("names the document and where it is still arriving from", () => {
    expect(describeGap(gap({}), PEERS, "en")).toEqual({
      title: "The well at Ballyvourney",
      reason: "still arriving from Aoife",
    });
  });
  it("says which devices have a different version, by name or short key", () => {
    expect(
      describeGap(gap({ reason: "differs", peers: [AOIFE, BRIAN, STRANGER] }), PEERS, "en"),
    ).toEqual({
      title: "The well at Ballyvourney",
      reason: "different on Aoife, Brian, and Unknown device 5f4a4e6e",
    });
  });
  it("gives an untitled document its shortened id", () => {
    expect(describeGap(gap({ title: null }), PEERS, "en").title).toBe(
      "Untitled document (4NMNnkMh)",
    );
    expect(describeGap(gap({ title: "" }), PEERS, "en").title).toBe("Untitled document (4NMNnkMh)");
  });
  it("still gives a reason when no device is named", () => {
    expect(describeGap(gap({ peers: [] }), PEERS, "en").reason).toBe("still arriving");
    expect(describeGap(gap({ peers: [], reason: "differs" }), PEERS, "en").reason).toBe(
      "different on another device",
    );
  });
  it("lists names the locale's way", () => {
    expect(peerNames([AOIFE, BRIAN], PEERS, "en")).toBe("Aoife and Brian");
  });
});

describe("describeStatus", () => {
  it("says it is safe to leave when in sync", () => {
    const view = describeStatus(status({ state: "in-sync", peers: PEERS }));
    expect(view.badge).toBe("In sync");
    expect(view.headline).toBe("In sync — safe to leave");
    // With whom, by name.
    expect(view.detail).toContain("Aoife and Brian");
    expect(view.progress).toBeNull();
  });
  it("never says safe to leave while a device linked a while ago is missing, and names it", () => {
    const now = Date.parse("2026-12-07T10:30:00Z");
    const missing = [{ deviceKey: STRANGER, name: "Ciara", lastLinked: "2026-12-07T10:20:00Z" }];
    const partial = status({ state: "partial", peers: [PEERS[0]!], missing });
    const view = describeStatus(partial, "en");
    expect(view.headline).toBe("In step with the devices here, not with everyone");
    expect(view.headline).not.toContain("safe to leave");
    expect(view.detail).toContain("Aoife");
    expect(describeMissing(partial, now, "en")).toEqual([
      "Ciara, linked 10 minutes ago, is not reachable: it may hold changes you don’t have.",
    ]);
    // Alone, after others left: not "no one is here yet".
    const alone = describeStatus(status({ state: "alone", missing }), "en");
    expect(alone.headline).toBe("No other device is linked now");
    expect(alone.detail).toContain("next link");
  });
  it("says how long ago in the locale's words", () => {
    const now = Date.parse("2026-12-07T12:00:00Z");
    expect(formatAgo("2026-12-07T11:59:30Z", now, "en")).toBe("a moment ago");
    expect(formatAgo("2026-12-07T11:50:00Z", now, "en")).toBe("10 minutes ago");
    expect(formatAgo("2026-12-07T10:00:00Z", now, "en")).toBe("2 hours ago");
  });
  it("counts documents while syncing, with a bar of the same numbers", () => {
    const view = describeStatus(
      status({ state: "syncing", peers: PEERS, documents: { total: 340, here: 120 } }),
    );
    expect(view.headline).toBe("Syncing 120 / 340 documents");
    expect(view.progress).toEqual({ value: 120, max: 340 });
    // The announcement carries no count, so a screen reader is not told every step.
    expect(view.announcement).not.toMatch(/\d/);
  });
  it("keeps the bar's value within its range", () => {
    const view = describeStatus(status({ state: "syncing", documents: { total: 3, here: 5 } }));
    expect(view.progress).toEqual({ value: 3, max: 3 });
  });
  it("says no one is here when alone, with what to try", () => {
    const view = describeStatus(status({ state: "alone" }));
    expect(view.headline).toBe("No one else is here yet");
    expect(view.detail).toContain("same network");
  });
});

describe("countKey", () => {
  it("picks the singular key for exactly one", () => {
    expect(countKey(1, "bundle.write.done", "bundle.write.done.one")).toBe("bundle.write.done.one");
    expect(countKey(0, "bundle.write.done", "bundle.write.done.one")).toBe("bundle.write.done");
    expect(countKey(340, "bundle.write.done", "bundle.write.done.one")).toBe("bundle.write.done");
  });
});
