import { afterEach, describe, expect, it } from "vitest";
import {
  LIVE_SYNC_THROTTLE_MS,
  STOCK_SYNC_THROTTLE_MS,
  SYNC_THROTTLE_OVERRIDE,
  applySyncTuning,
  applyWindowSyncTuning,
  effectiveSyncThrottle,
  resetSyncThrottle,
} from "./syncTuning.ts";

const global = globalThis as Record<string, unknown>;

afterEach(() => {
  delete global[SYNC_THROTTLE_OVERRIDE];
  resetSyncThrottle();
});

describe("the window's sync throttle", () => {
  it("is lowered from automerge-repo's 100 ms to the live-editing value", () => {
    expect(effectiveSyncThrottle()).toBe(STOCK_SYNC_THROTTLE_MS);
    expect(applySyncTuning()).toBe(LIVE_SYNC_THROTTLE_MS);
    expect(effectiveSyncThrottle()).toBe(LIVE_SYNC_THROTTLE_MS);
  });

  it("follows a benchmark's override and ignores a nonsense one", () => {
    global[SYNC_THROTTLE_OVERRIDE] = 100;
    expect(applyWindowSyncTuning()).toBe(100);
    expect(effectiveSyncThrottle()).toBe(100);
    global[SYNC_THROTTLE_OVERRIDE] = "fast";
    expect(applyWindowSyncTuning()).toBe(LIVE_SYNC_THROTTLE_MS);
    expect(applySyncTuning(7.5)).toBe(LIVE_SYNC_THROTTLE_MS);
    expect(applySyncTuning(0)).toBe(0);
  });
});
