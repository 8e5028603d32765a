// The shape of a benchmark, and the few helpers every benchmark file shares. A benchmark file is
// any `test/bench/*.bench.ts` exporting `benches: Bench[]`; run.ts finds it by that name, so a new
// issue adds a file here and never edits run.ts. Benchmarks print numbers; they never fail on time.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const UNITS = ["ms", "MB", "ratio", "count"] as const;
export type BenchUnit = (typeof UNITS)[number];

/** What a benchmark returns: the number, and optionally a short note for the table. */
export type BenchOutcome = { value: number; note?: string };

export type Bench = {
  /** `<area>.<what>.<unit>`, e.g. `peer.coldStartList1000.ms`; the key in bench/results.json. */
  name: string;
  unit: BenchUnit;
  /** Shown in the table, e.g. "< 1000 ms"; run.ts marks whether it was met but never fails on it. */
  goal?: string;
  run(): Promise<number | BenchOutcome>;
};

/**
 * `npm run bench -- --quick`: every benchmark once, on small fixtures, results printed and not
 * saved: a check that each still runs (CI), not a measurement.
 */
export const quick = (): boolean => process.env.MEITHEAL_BENCH_QUICK === "1";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** A child that neither answers nor ends by then is killed: a failed row is better than no table. */
const CHILD_TIMEOUT_MS = 90_000;

/**
 * Runs `script` (TypeScript, under tsx, with gc exposed) in a fresh Node process and resolves with
 * the JSON object its last line of output holds: for measures that need a process of their own
 * (a cold start, resident memory). `what` names it in the error when it fails.
 */
export const runJsonChild = <T>(script: string, args: readonly string[], what: string): Promise<T> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--expose-gc", script, ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const watchdog = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(watchdog);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(watchdog);
      const last = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0 || !last.startsWith("{")) {
        const said = stderr.trim().slice(-500) || stdout.trim().slice(-500);
        reject(new Error(`${what} exited ${code ?? signal}: ${said}`));
        return;
      }
      resolve(JSON.parse(last) as T);
    });
  });

const cleanups: (() => Promise<void>)[] = [];

/**
 * Registers work to do once every selected benchmark has run (removing temp folders). Fixtures
 * shared by several benchmarks are built lazily and must outlive any one of them, so they cannot
 * clean up after themselves.
 */
export const afterAllBenches = (fn: () => Promise<void>): void => {
  cleanups.push(fn);
};

export const runAfterAllBenches = async (): Promise<void> => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
};

/**
 * Runs `build` at most once and hands every caller the same promise, so several benchmarks can
 * share one expensive setup (or one series of child processes) whichever of them the filter keeps.
 */
export const once = <T>(build: () => Promise<T>): (() => Promise<T>) => {
  let promise: Promise<T> | undefined;
  return () => (promise ??= build());
};

/** The q-quantile (0..1) of a sample, nearest-rank; NaN for an empty sample. */
export const quantile = (values: readonly number[], q: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
};

/** Median; for an even count the mean of the middle two, so 2 samples do not report the lower one. */
export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? hi) + hi) / 2;
};

export const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
