// The peer's entry inside the desktop app: Electron main forks this file as a utility process and
// hands it one MessagePort per channel the renderer asks for. It must not import electron (the peer
// runs headless too), so the few shapes it needs from Electron are declared here, and anything with
// those shapes (Node's MessagePort in tests) can drive it.
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { parseArgs } from "node:util";
import { isChannelRequest, type PeerChannelMessage } from "../shared/bridge.ts";
import { MeithealFailure } from "../shared/result.ts";
import { serveRpc, type TextPort } from "../shared/rpc.ts";
import { defaultDataDir } from "./dataDir.ts";
import { PeerNode } from "./peerNode.ts";
import { pdfViaParent, type PdfRequest, type PdfResponse } from "./export/pdf.ts";
import { DEFAULT_SYNC_PORT, planSync, SYNC_OPTIONS } from "./sync/cliOptions.ts";
import type { SyncConfig } from "./sync/service.ts";

/** What this file uses of Electron's MessagePortMain. */
export interface MessagePortMainLike {
  on(event: "message", listener: (event: PortMessageEvent) => void): unknown;
  on(event: "close", listener: () => void): unknown;
  postMessage(data: unknown): void;
  start(): void;
  close(): void;
}

export type PortMessageEvent = { data: unknown; ports: MessagePortMainLike[] };

/** What this file uses of Electron's `process.parentPort`. */
export interface ParentPortLike {
  on(event: "message", listener: (event: PortMessageEvent) => void): unknown;
  postMessage(data: unknown): void;
}

/** From Electron main to this process. */
export type ParentToHost = PeerChannelMessage | { type: "shutdown" } | PdfResponse;
/** From this process to Electron main. */
export type HostToParent = { type: "fatal"; message: string } | PdfRequest;

/** The contract channel: JSON text both ways. */
export function textPortOf(port: MessagePortMainLike): TextPort {
  return {
    send: (text) => {
      try {
        port.postMessage(text);
      } catch {
        // The page went away mid-call; its pending calls already failed on its side.
      }
    },
    onMessage: (listener) => {
      port.on("message", (event) => {
        if (typeof event.data === "string") listener(event.data);
      });
    },
    onClose: (listener) => {
      port.on("close", listener);
    },
  };
}

type DomMessageListener = (event: { data: unknown }) => void;

/**
 * Makes a MessagePortMain look like the DOM MessagePort that MessageChannelNetworkAdapter expects.
 * MessagePortMain transfers only ports, so the adapter's ArrayBuffer transfer list is dropped and
 * the bytes are copied instead.
 */
export class DomMessagePortShim {
  readonly #listeners = new Set<DomMessageListener>();
  #closed = false;

  constructor(private readonly port: MessagePortMainLike) {
    port.on("message", (event) => this.#deliver(event.data));
    port.on("close", () => {
      this.#closed = true;
    });
  }

  addEventListener(type: string, listener: DomMessageListener): void {
    if (type === "message") this.#listeners.add(listener);
  }

  removeEventListener(type: string, listener: DomMessageListener): void {
    if (type === "message") this.#listeners.delete(listener);
  }

  postMessage(data: unknown, _transfer?: readonly unknown[]): void {
    if (this.#closed) return;
    try {
      this.port.postMessage(data);
    } catch (e) {
      console.warn("Could not send a sync message to the window:", e);
    }
  }

  start(): void {
    this.port.start();
  }

  close(): void {
    this.#closed = true;
    this.port.close();
  }

  #deliver(data: unknown): void {
    for (const listener of [...this.#listeners]) {
      // The adapter throws on messages it does not expect; in a utility process an exception in a
      // port listener would end the whole peer, so one bad message is dropped instead.
      try {
        listener({ data });
      } catch (e) {
        console.warn("Dropped a sync message the peer could not read:", e);
      }
    }
  }
}

export type PeerLike = Pick<PeerNode, "handlers" | "on" | "attachSync" | "detachSync" | "close">;

const isShutdown = (data: unknown): boolean =>
  typeof data === "object" && data !== null && (data as { type?: unknown }).type === "shutdown";

const isChannelMessage = (data: unknown): data is PeerChannelMessage =>
  typeof data === "object" &&
  data !== null &&
  (data as { type?: unknown }).type === "channel" &&
  isChannelRequest((data as { request?: unknown }).request);

/** Handles the messages Electron main sends this process, once the peer has started. */
export function createDispatcher(
  node: PeerLike,
  exit: (code: number) => void,
): (event: PortMessageEvent) => Promise<void> {
  let closing = false;
  return async (event) => {
    if (isShutdown(event.data)) {
      event.ports.forEach((p) => p.close());
      if (closing) return;
      closing = true;
      try {
        await node.close();
      } catch (e) {
        console.error("The peer did not close cleanly:", e);
        exit(1);
        return;
      }
      exit(0);
      return;
    }
    const [port, ...extra] = event.ports;
    extra.forEach((p) => p.close());
    if (!port) return;
    if (closing || !isChannelMessage(event.data)) {
      port.close();
      return;
    }
    const request = event.data.request;
    if (request.kind === "rpc") {
      serveRpc(textPortOf(port), node.handlers, node.on);
      port.start();
      return;
    }
    const { communityId } = request;
    const adapter = new MessageChannelNetworkAdapter(new DomMessagePortShim(port));
    port.on("close", () => node.detachSync(communityId, adapter));
    // Not a community on this device: the page learns from the closed port.
    if (!(await node.attachSync(communityId, adapter))) port.close();
  };
}

/** `--data DIR` or `--data=DIR`; the per-OS default otherwise. */
export function dataDirFromArgs(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (arg === "--data" && next) return next;
    if (arg?.startsWith("--data=") && arg.length > "--data=".length)
      return arg.slice("--data=".length);
  }
  return defaultDataDir();
}

/**
 * LAN sync for the desktop app: on by default (every network, the default port or a free one,
 * mDNS on); `--listen HOST:PORT`, `--no-discovery`, `--no-lan` as for meitheal-peer serve.
 * Unknown arguments (Electron's own) are ignored.
 */
export function syncFromArgs(argv: readonly string[]): SyncConfig | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: SYNC_OPTIONS,
    strict: false,
    allowPositionals: true,
  });
  const plan = planSync(values);
  // A malformed option must not leave the app without its peer: the defaults apply instead.
  if (!plan.ok)
    return {
      listen: { host: "0.0.0.0", port: DEFAULT_SYNC_PORT },
      anyPortIfTaken: true,
      discovery: true,
    };
  if (!plan.value) return undefined;
  const { config, defaultPort, discovery } = plan.value;
  return { ...config, anyPortIfTaken: defaultPort, discovery };
}

/** How long a failed start waits before exiting, so the fatal message reaches main first. */
export const FATAL_EXIT_DELAY_MS = 500;

export type HostOptions = {
  parent: ParentPortLike;
  argv: readonly string[];
  exit: (code: number) => void;
  fatalExitDelayMs?: number;
};

/** Starts the peer and serves main's messages; channels asked for while it starts wait for it. */
export async function runUtilityHost(options: HostOptions): Promise<PeerNode | undefined> {
  const { parent, exit } = options;
  const sync = syncFromArgs(options.argv);
  // PDFs are printed by Electron main (electron/pdf.ts): asked here, answered on the same port.
  const pdf = pdfViaParent((request) => parent.postMessage(request satisfies HostToParent));
  const started = PeerNode.start({
    dataDir: dataDirFromArgs(options.argv),
    mode: "desktop",
    printPdf: pdf.printer,
    ...(sync ? { sync } : {}),
  });
  const dispatcher = started.then((node) => createDispatcher(node, exit));
  // A failed start is reported below; this only keeps Node from also calling it unhandled.
  dispatcher.catch(() => undefined);
  // Listening before the peer is up: main opens channels as soon as the window asks, and messages
  // handled in arrival order keep a shutdown behind the channels sent before it.
  parent.on("message", (event) => {
    if (pdf.deliver(event.data)) return;
    dispatcher
      .then(
        (dispatch) => dispatch(event),
        () => event.ports.forEach((p) => p.close()),
      )
      .catch((e: unknown) => console.error("The peer could not handle a message from the app:", e));
  });
  try {
    return await started;
  } catch (e) {
    const message =
      e instanceof MeithealFailure
        ? e.message
        : `Meitheal's peer could not start (${e instanceof Error ? e.message : String(e)}). Nothing was changed. Start Meitheal again; if this keeps happening, please report it.`;
    parent.postMessage({ type: "fatal", message } satisfies HostToParent);
    setTimeout(() => exit(1), options.fatalExitDelayMs ?? FATAL_EXIT_DELAY_MS);
    return undefined;
  }
}

// Only inside an Electron utility process; importing this file (tests) starts nothing.
const parentPort = (process as unknown as { parentPort?: ParentPortLike | null }).parentPort;
if (parentPort) {
  runUtilityHost({
    parent: parentPort,
    argv: process.argv,
    exit: (code) => process.exit(code),
  }).catch((e: unknown) => {
    console.error("The Meitheal peer failed:", e);
    process.exit(1);
  });
}
