// The peer runs in an Electron utility process, not in main: a peer busy with storage or sync can
// never freeze menus and windows, and a peer crash never takes the windows with it.
import {
  MessageChannelMain,
  utilityProcess,
  type MessagePortMain,
  type UtilityProcess,
} from "electron";
import type { ChannelRequest, PeerChannelMessage } from "../shared/bridge.ts";
import type { HostToParent, ParentToHost } from "../peer/utilityHost.ts";
import { answerPdfRequest, isPdfRequest, type PdfPrinter } from "../peer/export/pdf.ts";

export type PeerExit = {
  code: number;
  /** True when we asked it to stop (quit, restart); false for a crash or a kill from outside. */
  expected: boolean;
  /** Set when the peer reported why it could not start before exiting. */
  fatal: string | undefined;
};

export type PeerProcessOptions = {
  /** The built utility-process entry (out/main/peer.js). */
  entry: string;
  dataDir: string;
  /** Prints the peer's PDF exports (electron/pdf.ts); without it the peer's requests are refused. */
  printPdf?: PdfPrinter;
};

export const SHUTDOWN_TIMEOUT_MS = 3_000;
const KILL_TIMEOUT_MS = 1_000;

const isFatal = (m: unknown): m is Extract<HostToParent, { type: "fatal" }> =>
  typeof m === "object" &&
  m !== null &&
  (m as { type?: unknown }).type === "fatal" &&
  typeof (m as { message?: unknown }).message === "string";

/** Resolves true if `promise` settles within `ms`, false otherwise; never leaves a timer behind. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.finally(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export class PeerProcess {
  #child: UtilityProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stopping = false;
  #fatal: string | undefined;
  readonly #exitListeners = new Set<(exit: PeerExit) => void>();
  readonly #fatalListeners = new Set<(message: string) => void>();

  constructor(private readonly options: PeerProcessOptions) {}

  get running(): boolean {
    return this.#child !== undefined;
  }

  start(): void {
    if (this.#child) return;
    this.#stopping = false;
    this.#fatal = undefined;
    const child = utilityProcess.fork(this.options.entry, ["--data", this.options.dataDir], {
      serviceName: "Meitheal peer",
    });
    this.#child = child;
    child.on("message", (message: unknown) => {
      if (isPdfRequest(message)) {
        this.#print(child, message);
        return;
      }
      if (!isFatal(message)) return;
      this.#fatal = message.message;
      for (const listener of [...this.#fatalListeners]) listener(message.message);
    });
    this.#exited = new Promise((resolve) => {
      child.once("exit", (code) => {
        if (this.#child === child) this.#child = undefined;
        const exit: PeerExit = { code, expected: this.#stopping, fatal: this.#fatal };
        for (const listener of [...this.#exitListeners]) listener(exit);
        resolve();
      });
    });
  }

  #print(child: UtilityProcess, request: Parameters<typeof answerPdfRequest>[0]): void {
    const print: PdfPrinter =
      this.options.printPdf ??
      (() =>
        Promise.reject(
          new Error(
            "This build of Meitheal cannot print PDFs. Export HTML and print it from a browser instead.",
          ),
        ));
    void answerPdfRequest(request, print).then((answer) => {
      // The peer may have exited meanwhile (quit, crash): nobody is waiting for the answer then.
      if (this.#child !== child) return;
      try {
        child.postMessage(answer satisfies ParentToHost);
      } catch {
        // Going away: see above.
      }
    });
  }

  /** A new channel to the peer: port1 goes to the peer, the returned port2 to whoever asked. */
  openChannel(request: ChannelRequest): MessagePortMain {
    const child = this.#child;
    if (!child) throw new Error("The Meitheal peer is not running.");
    const { port1, port2 } = new MessageChannelMain();
    const message: ParentToHost = { type: "channel", request } satisfies PeerChannelMessage;
    child.postMessage(message, [port1]);
    return port2;
  }

  /**
   * Asks the peer to flush its documents and exit; kills it if it has not exited in time, because
   * quitting must not hang on a stuck peer (its storage writes are crash-safe either way).
   */
  async stop(timeoutMs = SHUTDOWN_TIMEOUT_MS): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#stopping = true;
    const exited = this.#exited;
    const shutdown: ParentToHost = { type: "shutdown" };
    try {
      child.postMessage(shutdown);
    } catch {
      // Already going away: wait for the exit below.
    }
    if (await settlesWithin(exited, timeoutMs)) return;
    child.kill();
    await settlesWithin(exited, KILL_TIMEOUT_MS);
    // Forget it even if no exit was reported, so a restart is never blocked by a ghost.
    if (this.#child === child) this.#child = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  onExit(listener: (exit: PeerExit) => void): () => void {
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }

  onFatal(listener: (message: string) => void): () => void {
    this.#fatalListeners.add(listener);
    return () => this.#fatalListeners.delete(listener);
  }
}
