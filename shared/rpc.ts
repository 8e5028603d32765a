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
  #pending = new Map<number, (r: Result<unknown>) => void>();
  #listeners = new Map<string, Set<(data: unknown) => void>>();
  #closed = false;

  constructor(private readonly port: TextPort) {
    port.onMessage((text) => this.#receive(text));
    port.onClose(() => {
      this.#closed = true;
      for (const resolve of this.#pending.values())
        resolve(err(ErrorCode.Unavailable, CLOSED_MESSAGE));
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
      this.#pending.set(id, resolve as (r: Result<unknown>) => void);
      try {
        this.port.send(text);
      } catch {
        // A port that closed under us must still give a Result, never a thrown error.
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
    if (msg.t === "res" && typeof msg.id === "number" && isObject(msg.result)) {
      const resolve = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      resolve?.(msg.result as Result<unknown>);
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
