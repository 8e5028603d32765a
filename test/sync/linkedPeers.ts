// Two `meitheal-peer serve` processes on this machine, each with its own data folder, linked by the
// loopback development link (peer/net/devLink.ts): A has a community and listens, B joins it. Used
// by the co-writing browser test and the remote-latency benchmark.
import { spawn } from "node:child_process";
import { newLinkSecret } from "../../peer/net/devLink.ts";
import { SYNC_THROTTLE_ENV } from "../../peer/net/syncTuning.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

/** Runs the CLI once (not `serve`) and returns its exit code and output. */
export const runPeerCli = (args: string[]): Promise<{ code: number | null; out: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "peer/cli.ts", ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, out }));
  });

export type LinkedPeers = {
  a: ServedPeer;
  b: ServedPeer;
  communityId: string;
  /** A's link port. */
  linkPortA: number;
  /** B's own link port when `listenOnB` was asked for (a third party can attach to B there). */
  linkPortB: number | undefined;
  secret: string;
  stop(): Promise<void>;
};

const linkPortOf = (peer: ServedPeer): number => {
  const port = /listening on 127\.0\.0\.1:(\d+)/.exec(peer.output())?.[1];
  if (!port) throw new Error(`no link port in the peer's output:\n${peer.output()}`);
  return Number(port);
};

/** Starts A (with a new community) and B, which joins it; B receives the index a moment later. */
export async function startLinkedPeers(
  options: {
    communityName?: string;
    /** Sync throttle of both peers (MEITHEAL_SYNC_THROTTLE_MS); the peers' own default when unset. */
    throttleMs?: number;
    /** B also listens (same secret), so a benchmark client can attach to B like a window. */
    listenOnB?: boolean;
    /** More `serve` arguments for both peers (e.g. --web-dir for another build). */
    serveArgs?: string[];
  } = {},
): Promise<LinkedPeers> {
  const dirA = await makeTempDir("meitheal-linked-a-");
  const dirB = await makeTempDir("meitheal-linked-b-");
  const started: ServedPeer[] = [];
  const stop = async () => {
    for (const p of started.reverse()) await p.stop();
    await removeDir(dirA);
    await removeDir(dirB);
  };
  const previous = process.env[SYNC_THROTTLE_ENV];
  try {
    const created = await runPeerCli([
      "create-community",
      options.communityName ?? "Linked community",
      "--json",
      "--data",
      dirA,
    ]);
    if (created.code !== 0) throw new Error(`create-community failed:\n${created.out}`);
    const communityId = (JSON.parse(created.out) as { id: string }).id;
    const secret = newLinkSecret();
    // The child inherits the environment at spawn time.
    if (options.throttleMs !== undefined)
      process.env[SYNC_THROTTLE_ENV] = String(options.throttleMs);
    const extra = options.serveArgs ?? [];
    const a = await servePeer(dirA, ["--link-listen", "0", "--link-secret", secret, ...extra]);
    started.push(a);
    const linkPortA = linkPortOf(a);
    const b = await servePeer(dirB, [
      "--link-connect",
      `127.0.0.1:${linkPortA}`,
      "--link-secret",
      secret,
      "--join",
      communityId,
      ...(options.listenOnB ? ["--link-listen", "0"] : []),
      ...extra,
    ]);
    started.push(b);
    return {
      a,
      b,
      communityId,
      secret,
      linkPortA,
      linkPortB: options.listenOnB ? linkPortOf(b) : undefined,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  } finally {
    if (previous === undefined) delete process.env[SYNC_THROTTLE_ENV];
    else process.env[SYNC_THROTTLE_ENV] = previous;
  }
}
