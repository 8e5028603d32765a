// The peer's sync throttle: the shared live value (shared/syncTuning.ts explains the throttle and
// how it is lowered), or MEITHEAL_SYNC_THROTTLE_MS for benchmarks against automerge-repo's stock 100 ms.
import { applySyncTuning } from "../../shared/syncTuning.ts";

export {
  LIVE_SYNC_THROTTLE_MS,
  STOCK_SYNC_THROTTLE_MS,
  effectiveSyncThrottle,
  resetSyncThrottle,
  setSyncThrottle,
} from "../../shared/syncTuning.ts";

/** Development knob: `MEITHEAL_SYNC_THROTTLE_MS=100` runs a peer with the stock throttle (benchmarks). */
export const SYNC_THROTTLE_ENV = "MEITHEAL_SYNC_THROTTLE_MS";

export function applyPeerSyncTuning(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[SYNC_THROTTLE_ENV];
  return applySyncTuning(
    raw !== undefined && /^\d{1,5}$/.test(raw) ? Number(raw) : undefined,
    "meitheal-peer",
  );
}
