// How soon a local change leaves for other peers, in the window and in the peer alike. automerge-repo 2.5.6 sends a
// document's changes from a per-document throttle (`DocSynchronizer.syncDebounceRate`, 100 ms): a
// change less than 100 ms after the previous send waits for the rest of those 100 ms, at each hop
// (this window → its peer → the other peer → the other window). The rate is a class field read once
// in the constructor, not a Repo option, so it can only be lowered by intercepting the field's
// definition while a DocSynchronizer is built. This file does that for the browser, checks that it
// took, and otherwise leaves the stock rate (slower, never broken). Shared by the renderer
// (renderer/main.tsx) and the peer (peer/net/syncTuning.ts reads its environment knob).
//
// Call applySyncTuning() once at start-up, before the first Repo opens a document.
import { Repo, type PeerId } from "@automerge/automerge-repo";

/**
 * Chosen by measurement (test/bench/story.remote.bench.ts): at typing speed a keystroke crosses
 * three hops in a few tens of ms instead of up to 3 × 100 ms, while a burst (autorepeat, 30+ keys a
 * second) is still bundled at most 40 messages a second per document and peer.
 */
export const LIVE_SYNC_THROTTLE_MS = 25;
export const STOCK_SYNC_THROTTLE_MS = 100;

/**
 * Benchmarks compare against the stock throttle by setting this global before the app's scripts
 * run (playwright's addInitScript). Nothing in the app sets it.
 */
export const SYNC_THROTTLE_OVERRIDE = "__meithealSyncThrottleMs";

type Ctor = new () => object;

let installed: { docSynchronizer: Ctor; original: Ctor } | undefined;
let rate = STOCK_SYNC_THROTTLE_MS;

const probeRepo = (name: string) =>
  new Repo({ network: [], isEphemeral: true, peerId: `sync-tuning-${name}` as PeerId });

/** The DocSynchronizer class is not exported; a throwaway repo hands us one of its instances. */
function docSynchronizerClass(): Ctor | undefined {
  const probe = probeRepo("probe");
  try {
    const handle = probe.create();
    const instance: unknown = probe.synchronizer.docSynchronizers[handle.documentId];
    if (typeof instance !== "object" || instance === null) return undefined;
    if (typeof (instance as { syncDebounceRate?: unknown }).syncDebounceRate !== "number")
      return undefined;
    const ctor: unknown = instance.constructor;
    return typeof ctor === "function" ? (ctor as Ctor) : undefined;
  } finally {
    void probe.shutdown();
  }
}

/** The throttle a newly built DocSynchronizer gets, read back from a throwaway repo. */
export function effectiveSyncThrottle(): number | undefined {
  const probe = probeRepo("check");
  try {
    const handle = probe.create();
    const value: unknown = probe.synchronizer.docSynchronizers[handle.documentId]?.syncDebounceRate;
    return typeof value === "number" ? value : undefined;
  } finally {
    void probe.shutdown();
  }
}

/** Sets the throttle (ms) of every DocSynchronizer built from now on; returns whether it took. */
export function setSyncThrottle(ms: number): boolean {
  if (!Number.isFinite(ms) || ms < 0 || ms > 10_000)
    throw new RangeError(`sync throttle must be 0..10000 ms, got ${ms}`);
  rate = ms;
  if (!installed) {
    const docSynchronizer = docSynchronizerClass();
    if (!docSynchronizer) return false;
    const original = Object.getPrototypeOf(docSynchronizer) as Ctor;
    // `super()` in DocSynchronizer's constructor calls whatever its prototype is at that moment, and
    // an object returned from a base constructor becomes the instance. A Proxy there sees the
    // field being defined (and nothing else: every other operation goes straight to the target).
    class TunedBase extends original {
      constructor() {
        super();
        return new Proxy(this, {
          defineProperty(target, key, descriptor) {
            const tuned =
              key === "syncDebounceRate" && "value" in descriptor
                ? { ...descriptor, value: rate }
                : descriptor;
            return Reflect.defineProperty(target, key, tuned);
          },
        });
      }
    }
    Object.setPrototypeOf(docSynchronizer, TunedBase);
    installed = { docSynchronizer, original };
  }
  return effectiveSyncThrottle() === ms;
}

/** Puts automerge-repo back exactly as it was (tests). */
export function resetSyncThrottle(): void {
  if (installed) Object.setPrototypeOf(installed.docSynchronizer, installed.original);
  installed = undefined;
  rate = STOCK_SYNC_THROTTLE_MS;
}

/**
 * Sets LIVE_SYNC_THROTTLE_MS, or `requested` when it is a whole number of ms from 0 to 10,000
 * (benchmarks compare against the stock throttle). Never throws: a stock throttle is slower, not broken.
 */
export function applySyncTuning(requested?: unknown, who = "Meitheal"): number {
  const wanted =
    typeof requested === "number" &&
    Number.isInteger(requested) &&
    requested >= 0 &&
    requested <= 10_000
      ? requested
      : LIVE_SYNC_THROTTLE_MS;
  try {
    if (setSyncThrottle(wanted)) return wanted;
  } catch {
    // Falls through to the warning.
  }
  console.warn(
    `${who}: could not set the sync throttle to ${wanted} ms (automerge-repo changed?); using its default.`,
  );
  return effectiveSyncThrottle() ?? STOCK_SYNC_THROTTLE_MS;
}

/** The window's setting: the benchmark override global when set, else the live throttle. */
export const applyWindowSyncTuning = (): number =>
  applySyncTuning((globalThis as Record<string, unknown>)[SYNC_THROTTLE_OVERRIDE]);
