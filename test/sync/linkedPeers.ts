// Two `meitheal-peer serve` processes on this machine, each with its own data folder, paired the
// way people pair them: A creates a community and invites, B joins with the code, and they sync
// over the secure LAN transport on 127.0.0.1. Used by the co-writing browser test, the sync tests
// and the remote-latency benchmark.
import { spawn } from "node:child_process";
import { SYNC_THROTTLE_ENV } from "../../peer/net/syncTuning.ts";
import { connectRpc, eventually, type PeerRpc } from "../helpers/peerRpc.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { type CommunityId, asCommunityId } from "../../shared/ids.ts";

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
  rpcA: PeerRpc;
  rpcB: PeerRpc;
  communityId: CommunityId;
  stop(): Promise<void>;
};

/** Invites `joiner` into `communityId` of `inviter` and waits until both say "in sync". */
export async function pair(
  inviter: PeerRpc,
  joiner: PeerRpc,
  communityId: CommunityId,
  ms = 20_000,
): Promise<void> {
  const invite = await inviter.call("sync:invite", { communityId });
  // The QR link: it carries the inviter's address (tests run with mDNS off).
  await joiner.call("sync:join", { code: invite.uri, name: "Joiner" });
  await eventually(
    async () => {
      const [x, y] = await Promise.all([
        inviter.call("sync:status", { communityId }),
        joiner.call("sync:status", { communityId }),
      ]);
      return x.state === "in-sync" && y.state === "in-sync" ? true : undefined;
    },
    ms,
    "both peers in sync after pairing",
  );
}

/** Starts A (with a new community) and B, which joins it by invite and syncs. */
export async function startLinkedPeers(
  options: {
    communityName?: string;
    /** Sync throttle of both peers (MEITHEAL_SYNC_THROTTLE_MS); the peers' own default when unset. */
    throttleMs?: number;
    /** More `serve` arguments for both peers (e.g. --web-dir for another build). */
    serveArgs?: string[];
  } = {},
): Promise<LinkedPeers> {
  const dirA = await makeTempDir("meitheal-linked-a-");
  const dirB = await makeTempDir("meitheal-linked-b-");
  const started: ServedPeer[] = [];
  const rpcs: PeerRpc[] = [];
  const stop = async () => {
    for (const r of rpcs) r.close();
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
    const communityId = asCommunityId((JSON.parse(created.out) as { id: string }).id);
    // The child inherits the environment at spawn time.
    if (options.throttleMs !== undefined)
      process.env[SYNC_THROTTLE_ENV] = String(options.throttleMs);
    const extra = options.serveArgs ?? [];
    const [a, b] = await Promise.all([servePeer(dirA, extra), servePeer(dirB, extra)]);
    started.push(a, b);
    const [rpcA, rpcB] = await Promise.all([connectRpc(a), connectRpc(b)]);
    rpcs.push(rpcA, rpcB);
    await pair(rpcA, rpcB, communityId);
    return { a, b, rpcA, rpcB, communityId, stop };
  } catch (e) {
    await stop();
    throw e;
  } finally {
    if (previous === undefined) delete process.env[SYNC_THROTTLE_ENV];
    else process.env[SYNC_THROTTLE_ENV] = previous;
  }
}
