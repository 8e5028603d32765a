// Starts `meitheal-peer serve` as a real child process on 127.0.0.1 and a free port, and waits for
// the address it prints. The peer is stopped with SIGTERM (a clean stop) or SIGKILL (a crash).
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export type ServedPeer = {
  url: string;
  /** host:port of its LAN sync listener (undefined with --no-lan). */
  syncAddress: string | undefined;
  origin: string;
  token: string;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

/**
 * LAN sync in tests: on 127.0.0.1 only, a free port, and no mDNS (no multicast may leave this
 * machine). A test that passes --listen or --no-lan decides for itself.
 */
const LOCAL_SYNC = ["--listen", "127.0.0.1:0", "--no-discovery"];

export async function servePeer(
  dataDir: string,
  extra: string[] = [],
  /** Node's own arguments, before the script (e.g. another `--import`). */
  nodeArgs: string[] = [],
): Promise<ServedPeer> {
  const sync = extra.includes("--listen") || extra.includes("--no-lan") ? [] : LOCAL_SYNC;
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      ...nodeArgs,
      "peer/cli.ts",
      "serve",
      "--port",
      "0",
      "--data",
      dataDir,
      ...sync,
      ...extra,
    ],
    {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`peer did not start in 60 s:\n${out}`)),
      60_000,
    );
    const check = () => {
      const match = /(http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`peer exited with ${code}:\n${out}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    syncAddress: /LAN sync: listening on (127\.0\.0\.1:\d+)/.exec(out)?.[1],
    origin: parsed.origin,
    token: parsed.hash.replace("#token=", ""),
    child,
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}
