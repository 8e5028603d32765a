// The meitheal-peer bin as people run it (bin/meitheal-peer.mjs, a process of its own), for the
// import and collection tests: its exit code and what it printed. `faults` preloads
// test/import/faultFs.mjs, which makes writes under a folder fail as a full disk or a read-only
// folder would (see there).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = join(REPO_ROOT, "bin", "meitheal-peer.mjs");
const FAULT_FS = join(REPO_ROOT, "test", "import", "faultFs.mjs");

export type BinRun = { code: number; out: string; err: string };

/** Writes under `under` fail with `code` (ENOSPC: a full disk; EACCES: a folder not writable). */
export type Fault = { under: string; code: "ENOSPC" | "EACCES" };

const binArgs = (args: readonly string[], fault?: Fault) =>
  fault ? ["--import", FAULT_FS, BIN, ...args] : [BIN, ...args];

const binEnv = (fault?: Fault): NodeJS.ProcessEnv => ({
  ...process.env,
  NO_COLOR: "1",
  MEITHEAL_DEBUG: "",
  ...(fault ? { MEITHEAL_TEST_FAULT: `${fault.code}:${fault.under}` } : {}),
});

export function runBin(
  args: readonly string[],
  options: { fault?: Fault; as?: { uid: number; gid: number } } = {},
): Promise<BinRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      binArgs(args, options.fault),
      {
        cwd: REPO_ROOT,
        env: binEnv(options.fault),
        timeout: 90_000,
        maxBuffer: 16 * 1024 * 1024,
        ...options.as,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`meitheal-peer did not exit normally (${error.message}): ${stderr}`));
          return;
        }
        resolve({
          code: typeof error?.code === "number" ? error.code : 0,
          out: stdout,
          err: stderr,
        });
      },
    );
  });
}

/** The bin started and left running (to be killed). */
export const spawnBin = (args: readonly string[]): ChildProcess =>
  spawn(process.execPath, binArgs(args), { cwd: REPO_ROOT, env: binEnv(), stdio: "pipe" });

/** A line of a stack trace, as Node prints one ("    at fn (file:line:col)"). */
export const STACK_LINE = /^\s+at .+[:(]/m;
