// Loaded into each peer of the retreat simulation (`node --import`): measures how long the peer's
// event loop was blocked and prints the longest block of each second, as `[loop] max <ms>`, for the
// report (which counts only the seconds after the peer said it was serving: loading its modules
// at start is not a block anyone typing would meet). A blocked loop is what starved links, mDNS and the RPC in the sync loop of issue #15.
import { monitorEventLoopDelay } from "node:perf_hooks";

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
setInterval(() => {
  process.stderr.write(`[loop] max ${(histogram.max / 1e6).toFixed(0)}\n`);
  histogram.reset();
}, 1_000).unref();
