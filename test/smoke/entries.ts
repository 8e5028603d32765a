// The three ways people start the peer, each as a child process on 127.0.0.1, a free port and a
// fresh data folder, reached the way a window reaches it:
// - "bin": the meitheal-peer bin (package.json "bin"), run as its shebang runs it, `serve`d; the
//   contract over its RPC WebSocket, documents over its sync WebSocket;
// - "web": `npm run web`'s command (`node --import tsx peer/cli.ts serve`), without its build step;
// - "desktop": the built out/main/peer.js that the desktop app forks as Electron's utility process,
//   under plain Node with a stand-in parentPort (utilityLauncher.mjs); the contract and documents
//   over MessagePorts, as main hands them to a window.
// Every entry gets only the options a test must give: --data (a fresh folder) and LAN sync on
// 127.0.0.1 with no mDNS (`--listen 127.0.0.1:0 --no-discovery`), so nothing leaves this machine.
import { Repo, type PeerId } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { fork, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import type { ChannelRequest } from "../../shared/bridge.ts";
import { RpcClient, type TextPort } from "../../shared/rpc.ts";
import { connectRpc, windowRepo } from "../helpers/peerRpc.ts";
import { REPO_ROOT } from "../helpers/servePeer.ts";

export const ENTRIES = ["bin", "web", "desktop"] as const;
export type EntryName = (typeof ENTRIES)[number];

/** What a window has of a running peer. */
export type SmokePeer = {
  readonly entry: EntryName;
  /** The mode peer:info must report for this entry. */
  readonly mode: "web" | "desktop";
  readonly rpc: RpcClient;
  /** A window's storage-less Repo on one community, over this entry's sync channel. */
  openRepo(communityId: string): Promise<Repo>;
  /** Everything the process printed. */
  output(): string;
  /** Asks the peer to stop as its user would (Ctrl+C; the app's shutdown) and gives the exit code. */
  stop(): Promise<number | null>;
  /** The exit codes of a clean stop, and what the peer says once everything is saved. */
  readonly stopped: { codes: readonly number[]; says: RegExp | null };
  /** Kills whatever is left of it (after a failure); never throws. */
  kill(): void;
};

export const LOCAL_SYNC = ["--listen", "127.0.0.1:0", "--no-discovery"];
const START_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 15_000;

/** The environment of a user's shell: no loader inherited from the test runner. */
const userEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
};

/** Resolves with the exit code once the child has exited (also when it already has). */
const exitOf = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once("exit", (code) => resolve(code)));

const within = <T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve("timeout"), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });

/**
 * Kills a process group this file started (detached children lead their own group, so a process
 * they start in turn, as tsx does, goes too). Also when the test runner exits without afterAll.
 */
const killGroup = (child: ChildProcess) => {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
};
const started = new Set<ChildProcess>();
process.once("exit", () => started.forEach(killGroup));

function collect(child: ChildProcess): () => string {
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  return () => out;
}

// ---------------------------------------------------------------------------------------------
// bin and web: `serve` prints the page's address with its token; a window opens WebSockets to it.

/** What `serve` prints once it has closed its documents. */
const SAVED = /Stopped\. Everything is saved\./;

async function startServed(
  entry: "bin" | "web",
  command: string,
  args: string[],
  stopCodes: readonly number[],
): Promise<SmokePeer> {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: userEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  started.add(child);
  const output = collect(child);
  const exited = exitOf(child);
  try {
    const url = await new Promise<URL>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${entry}: no address in ${START_TIMEOUT_MS} ms:\n${output()}`)),
        START_TIMEOUT_MS,
      );
      child.stdout?.on("data", () => {
        const match = /(http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(output());
        if (!match?.[1]) return;
        clearTimeout(timer);
        resolve(new URL(match[1]));
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${entry}: the peer exited with ${code} before serving:\n${output()}`));
      });
    });
    const origin = url.origin;
    const token = url.hash.replace("#token=", "");
    // The window's own paths, as every served-peer test reaches them (test/helpers/peerRpc.ts).
    const served = { origin, token };
    const connection = await connectRpc(served);
    const rpc = connection.raw;
    const repos: Repo[] = [];
    return {
      entry,
      mode: "web",
      rpc,
      async openRepo(communityId) {
        const repo = await windowRepo(served, communityId);
        repos.push(repo);
        await whenLinked(repo);
        return repo;
      },
      output,
      async stop() {
        await Promise.all(repos.map((r) => r.shutdown()));
        connection.close();
        // Ctrl+C in a terminal signals the whole foreground group, tsx and the peer under it.
        if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGINT");
        const code = await within(exited, STOP_TIMEOUT_MS);
        return code === "timeout" ? null : code;
      },
      stopped: { codes: stopCodes, says: SAVED },
      kill: () => killGroup(child),
    };
  } catch (e) {
    killGroup(child);
    throw e;
  }
}

/** The meitheal-peer bin, executed through its shebang as npm's bin link runs it. */
export const startBin = (dataDir: string) =>
  startServed(
    "bin",
    join(REPO_ROOT, "bin", "meitheal-peer.mjs"),
    ["serve", "--data", dataDir, ...LOCAL_SYNC],
    [0],
  );

/**
 * `npm run web` without its build step: `node --import tsx peer/cli.ts serve`, one process (tsx's
 * own runner put the peer in a child and, when it was slow to confirm a Ctrl+C, signalled it again
 * and exited 130, which could cut its save short). It must stop with 0 and say it saved.
 */
export const startWeb = (dataDir: string) =>
  startServed(
    "web",
    process.execPath,
    ["--import", "tsx", "peer/cli.ts", "serve", "--data", dataDir, ...LOCAL_SYNC],
    [0],
  );

// ---------------------------------------------------------------------------------------------
// desktop: out/main/peer.js in a utility process stand-in; each channel a relayed MessagePort.

export const DESKTOP_ENTRY = join(REPO_ROOT, "out", "main", "peer.js");
const LAUNCHER = join(REPO_ROOT, "test", "smoke", "utilityLauncher.mjs");

type FromLauncher =
  | { kind: "port"; id: number; data: unknown }
  | { kind: "closed"; id: number }
  | { kind: "parent"; data: unknown };

export async function startDesktop(dataDir: string): Promise<SmokePeer> {
  // As electron/peerProcess.ts forks it (`--data DIR`), plus the test's LAN options.
  const child = fork(LAUNCHER, [DESKTOP_ENTRY, "--data", dataDir, ...LOCAL_SYNC], {
    cwd: REPO_ROOT,
    env: userEnv(),
    // Plain Node: none of the test runner's own flags or loaders.
    execArgv: [],
    serialization: "advanced",
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    detached: true,
  });
  started.add(child);
  const output = collect(child);
  const exited = exitOf(child);
  const fromParent: unknown[] = [];
  const ports = new Map<number, MessagePort>();
  let nextId = 1;
  child.on("message", (raw: FromLauncher) => {
    if (raw.kind === "parent") fromParent.push(raw.data);
    else if (raw.kind === "port") ports.get(raw.id)?.postMessage(raw.data);
    else ports.get(raw.id)?.close();
  });
  const post = (message: unknown) => {
    if (child.connected) child.send(message as never);
  };

  /**
   * What main and the preload do for a window: a channel to the peer, whose window end is a
   * MessagePort here (relayed to the launcher's end over IPC).
   */
  const openChannel = (request: ChannelRequest): MessagePort => {
    const id = nextId++;
    const { port1: window, port2: relay } = new MessageChannel();
    ports.set(id, relay);
    relay.on("message", (data: unknown) => post({ kind: "port", id, data }));
    relay.on("close", () => {
      ports.delete(id);
      post({ kind: "close", id });
    });
    post({ kind: "channel", id, message: { type: "channel", request } });
    return window;
  };

  try {
    const rpcPort = openChannel({ kind: "rpc" });
    // As renderer/connection.ts reads a port: strings are contract messages.
    const textPort: TextPort = {
      send: (text) => rpcPort.postMessage(text),
      onMessage: (listener) =>
        rpcPort.on("message", (data: unknown) => typeof data === "string" && listener(data)),
      onClose: (listener) => rpcPort.on("close", listener),
    };
    const rpc = new RpcClient(textPort);
    // Channels opened while the peer starts wait for it: the first answer says it is up.
    const first = await Promise.race([
      rpc.call("peer:info", {}),
      exited.then((code) => new Error(`the peer exited with ${code}`)),
      new Promise<Error>((resolve) =>
        setTimeout(
          () => resolve(new Error(`no answer in ${START_TIMEOUT_MS} ms`)),
          START_TIMEOUT_MS,
        ),
      ),
    ]);
    const fatal = fromParent.find(
      (m) => typeof m === "object" && m !== null && (m as { type?: unknown }).type === "fatal",
    );
    if (first instanceof Error || !first.ok || fatal)
      throw new Error(
        `desktop: the peer did not start (${first instanceof Error ? first.message : first.ok ? JSON.stringify(fatal) : first.error.message}):\n${output()}`,
      );
    const repos: Repo[] = [];
    return {
      entry: "desktop",
      mode: "desktop",
      rpc,
      async openRepo(communityId) {
        const port = openChannel({ kind: "sync", communityId });
        const repo = new Repo({
          // Node's MessagePort is an EventTarget with postMessage and start, as a DOM port is.
          network: [new MessageChannelNetworkAdapter(port)],
          isEphemeral: true,
          peerId: `ui-${randomUUID()}` as PeerId,
        });
        repos.push(repo);
        await whenLinked(repo);
        return repo;
      },
      output,
      async stop() {
        await Promise.all(repos.map((r) => r.shutdown()));
        rpcPort.close();
        // electron/peerProcess.ts stop(): a shutdown message; the peer flushes and exits.
        post({ kind: "parent", data: { type: "shutdown" } });
        const code = await within(exited, STOP_TIMEOUT_MS);
        return code === "timeout" ? null : code;
      },
      // The utility process says nothing when it stops: main reads its exit code.
      stopped: { codes: [0], says: null },
      kill: () => killGroup(child),
    };
  } catch (e) {
    killGroup(child);
    throw e;
  }
}

async function whenLinked(repo: Repo): Promise<void> {
  for (let i = 0; i < 400 && repo.peers.length === 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 25));
  if (repo.peers.length === 0) throw new Error("the window's repo did not link to the peer");
}

export const START: Record<EntryName, (dataDir: string) => Promise<SmokePeer>> = {
  bin: startBin,
  web: startWeb,
  desktop: startDesktop,
};
