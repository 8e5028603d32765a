// The contract over any text channel: a loopback WebSocket in browser mode, a MessagePort in the
// desktop app. Kept transport-free so both ends are tested in one process.
import {
  EVENTS,
  METHODS,
  type ArgsOf,
  type EventName,
  type Handlers,
  type Method,
  type PeerEvents,
  type RpcEvent,
  type RpcRequest,
  type RpcResponse,
  type ValueOf,
} from "./contract.ts";
import { ErrorCode, MeithealFailure, err, type Result } from "./result.ts";

export interface TextPort {
  send(text: string): void;
  onMessage(listener: (text: string) => void): void;
  onClose(listener: () => void): void;
}

const CLOSED_MESSAGE =
  "The connection to the Meitheal peer closed. Reload the window; if this keeps happening, restart Meitheal.";
const MAX_MESSAGE_CHARS = 4 * 1024 * 1024;

/** How long a call waits for its answer. Reads and small writes take milliseconds. */
export const CALL_TIMEOUT_MS = 30_000;
/**
 * Long work (a book, a backup, a pairing) may take minutes, and some of its steps report nothing
 * (printing a PDF may take two minutes). Such a call is not timed from when it was made: it fails
 * only when the peer has sent nothing at all on this channel (no progress, no event, no answer) for
 * this long, so a peer that is working is never cut off and one that is stuck is still noticed.
 */
export const LONG_WORK_SILENCE_MS = 5 * 60_000;
export const LONG_WORK = new Set<Method>([
  "export:collection",
  "backup:write",
  "backup:restore",
  "import:preview",
  "import:run",
  "harvest:write",
  "sync:join",
  "sync:readBundle",
  "sync:writeBundle",
]);

const duration = (ms: number) =>
  ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
const timedOut = (ms: number, long: boolean) =>
  long
    ? `The Meitheal peer has sent nothing for ${duration(ms)} while doing this, so the window stopped waiting. What was saved before is safe, and the work may still finish: check before trying again, and restart Meitheal if it repeats.`
    : `The Meitheal peer did not answer in ${duration(ms)}, so the window stopped waiting. What was saved before is safe; try again, and restart Meitheal if it repeats.`;

export type RpcClientOptions = {
  /** Overrides CALL_TIMEOUT_MS (tests, a slow machine's CLI). */
  timeoutMs?: number;
  /** Overrides LONG_WORK_SILENCE_MS. */
  longWorkSilenceMs?: number;
};

type Pending = {
  resolve: (r: Result<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
  /** Long work: its timer starts again whenever the peer sends anything. */
  restart: (() => void) | null;
};

const parse = (text: string): unknown => {
  if (text.length > MAX_MESSAGE_CHARS) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

export class RpcClient {
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #listeners = new Map<string, Set<(data: unknown) => void>>();
  #closed = false;
  readonly #timeoutMs: number;
  readonly #silenceMs: number;

  constructor(
    private readonly port: TextPort,
    options: RpcClientOptions = {},
  ) {
    this.#timeoutMs = options.timeoutMs ?? CALL_TIMEOUT_MS;
    this.#silenceMs = options.longWorkSilenceMs ?? LONG_WORK_SILENCE_MS;
    port.onMessage((text) => this.#receive(text));
    port.onClose(() => {
      this.#closed = true;
      for (const pending of this.#pending.values()) {
        clearTimeout(pending.timer);
        pending.resolve(err(ErrorCode.Unavailable, CLOSED_MESSAGE));
      }
      this.#pending.clear();
    });
  }

  call<M extends Method>(method: M, args: ArgsOf<M>): Promise<Result<ValueOf<M>>> {
    if (this.#closed) return Promise.resolve(err(ErrorCode.Unavailable, CLOSED_MESSAGE));
    const id = this.#nextId++;
    const request: RpcRequest = { t: "req", id, method, args };
    let text: string;
    try {
      text = JSON.stringify(request);
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      return Promise.resolve(
        err(
          ErrorCode.BadInput,
          `The request "${method}" could not be sent (${detail}). This is a bug in Meitheal.`,
        ),
      );
    }
    return new Promise((resolve) => {
      const long = LONG_WORK.has(method);
      const limit = long ? this.#silenceMs : this.#timeoutMs;
      // An answer after this is dropped: the call has already been answered, as timed out.
      const expire = () => {
        this.#pending.delete(id);
        resolve(err(ErrorCode.Unavailable, timedOut(limit, long)));
      };
      const pending: Pending = {
        resolve: resolve as (r: Result<unknown>) => void,
        timer: setTimeout(expire, limit),
        restart: long
          ? () => {
              clearTimeout(pending.timer);
              pending.timer = setTimeout(expire, limit);
            }
          : null,
      };
      this.#pending.set(id, pending);
      try {
        this.port.send(text);
      } catch {
        // A port that closed under us must still give a Result, never a thrown error.
        clearTimeout(pending.timer);
        this.#pending.delete(id);
        resolve(err(ErrorCode.Unavailable, CLOSED_MESSAGE));
      }
    });
  }

  on<E extends EventName>(name: E, listener: (data: PeerEvents[E]) => void): () => void {
    const set = this.#listeners.get(name) ?? new Set();
    this.#listeners.set(name, set);
    const wrapped = listener as (data: unknown) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  #receive(text: string) {
    const msg = parse(text);
    if (!isObject(msg)) return;
    // The peer is there and talking: long work waiting on it is not stuck.
    for (const pending of this.#pending.values()) pending.restart?.();
    if (msg.t === "res" && typeof msg.id === "number" && isObject(msg.result)) {
      const pending = this.#pending.get(msg.id);
      if (!pending) return;
      clearTimeout(pending.timer);
      this.#pending.delete(msg.id);
      pending.resolve(msg.result as Result<unknown>);
    } else if (msg.t === "evt" && typeof msg.name === "string") {
      for (const listener of this.#listeners.get(msg.name) ?? []) listener(msg.data);
    }
  }
}

export type EventSource = <E extends EventName>(
  name: E,
  listener: (data: PeerEvents[E]) => void,
) => () => void;

/** Answers contract calls arriving on `port`; forwards peer events to it until it closes. */
export function serveRpc(port: TextPort, handlers: Handlers, events?: EventSource): void {
  const unsubscribe: (() => void)[] = [];
  const forward = <E extends EventName>(name: E) =>
    events?.(name, (data) => {
      const evt: RpcEvent = { t: "evt", name, data };
      port.send(JSON.stringify(evt));
    });
  for (const name of EVENTS) {
    const off = forward(name);
    if (off) unsubscribe.push(off);
  }
  port.onClose(() => unsubscribe.forEach((off) => off()));
  port.onMessage((text) => {
    const msg = parse(text);
    if (!isObject(msg) || msg.t !== "req" || typeof msg.id !== "number") return;
    const id = msg.id;
    // Never throws: a result that is not JSON (a bigint, a cycle) becomes an "internal" error, and a
    // port that closed while the handler ran has nobody left to answer.
    const reply = (result: unknown) => {
      const checked =
        isObject(result) && typeof result.ok === "boolean"
          ? (result as Result<unknown>)
          : failureToResult(new Error("the handler gave no result"));
      let text: string;
      try {
        text = JSON.stringify({ t: "res", id, result: checked } satisfies RpcResponse);
      } catch (e) {
        text = JSON.stringify({ t: "res", id, result: failureToResult(e) } satisfies RpcResponse);
      }
      // The client drops a message this big, and its call would wait forever: say so instead.
      if (text.length > MAX_MESSAGE_CHARS) {
        text = JSON.stringify({
          t: "res",
          id,
          result: failureToResult(
            new Error(`the answer to "${String(method)}" is too large to send`),
          ),
        } satisfies RpcResponse);
      }
      try {
        port.send(text);
      } catch {
        // Closed: the client already resolved this call as "unavailable".
      }
    };
    const method = msg.method;
    if (typeof method !== "string" || !(METHODS as readonly string[]).includes(method)) {
      reply(
        err(
          ErrorCode.BadInput,
          `Unknown request "${String(method)}". The app and the peer may be different versions: restart Meitheal.`,
        ),
      );
      return;
    }
    const args = isObject(msg.args) ? msg.args : {};
    const handler = handlers[method as Method] as (a: unknown) => Promise<Result<unknown>>;
    // Through a promise, so a handler that throws before returning one is answered too.
    Promise.resolve()
      .then(() => handler(args))
      .then(reply, (e: unknown) => reply(failureToResult(e)));
  });
}

export function failureToResult(e: unknown): Result<never> {
  if (e instanceof MeithealFailure) return err(e.code, e.message);
  const detail = e instanceof Error ? e.message : String(e);
  return err(
    ErrorCode.Internal,
    `Something went wrong inside Meitheal (${detail}). Nothing was changed; try again, and restart Meitheal if it repeats.`,
  );
}
