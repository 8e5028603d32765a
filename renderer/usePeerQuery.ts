// Asking the peer for something and keeping the answer on screen: one hook for every read the
// renderer makes of the peer (communities, warnings, members, sync status, links). It asks again
// when its arguments change (compared by value), when a named peer event says the answer may have
// moved on, or when told to; an answer to an older question never replaces a newer one; and a
// failure is a state of its own, so a screen has to say something about it.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ArgsOf, EventName, Method, ValueOf } from "../shared/contract.ts";
import type { MeithealError } from "../shared/result.ts";
import { usePeer } from "./peerContext.ts";

export type PeerQuery<T> =
  /** Nothing to ask (the arguments were null). */
  | { state: "idle" }
  /**
   * Asked, no answer yet. `previous` is the answer to the question asked before (other arguments),
   * for a screen that would rather keep it in view than blink: it is never this question's answer.
   */
  | { state: "loading"; previous: T | null }
  | { state: "ok"; value: T; refresh: () => void }
  /** `last` is the last answer to the same question, when one came: still worth showing. */
  | { state: "failed"; error: MeithealError; last: T | null; refresh: () => void };

export type PeerQueryOptions = {
  /**
   * Peer events after which the answer may be out of date. An event about one community (its
   * data names a `communityId`) refreshes a query about another community not at all.
   */
  refreshOn?: readonly EventName[];
  /** Something else the answer depends on: when it changes, the peer is asked again. */
  refreshKey?: string | number;
};

type Held<T> =
  | { key: string; state: "ok"; value: T; text: string }
  | { key: string; state: "failed"; error: MeithealError; last: T | null };

const IDLE = { state: "idle" } as const;
const LOADING = { state: "loading", previous: null } as const;

const communityOf = (value: unknown): unknown =>
  typeof value === "object" && value !== null
    ? (value as { communityId?: unknown }).communityId
    : undefined;

/**
 * `method` with `args` (null: ask nothing). One question is in flight at a time: a refresh asked
 * for meanwhile asks once more when its answer is in, so a slow peer is never asked faster than it
 * answers and never starves the screen of answers. An answer equal to the last keeps the same
 * object, so a screen refreshed often does not redraw for nothing.
 */
export function usePeerQuery<M extends Method>(
  method: M,
  args: ArgsOf<M> | null,
  options: PeerQueryOptions = {},
): PeerQuery<ValueOf<M>> {
  const { connection } = usePeer();
  const argsText = args === null ? null : JSON.stringify(args);
  const key = argsText === null ? null : `${method} ${argsText}`;
  const events = (options.refreshOn ?? []).join(" ");
  const { refreshKey } = options;
  const [held, setHeld] = useState<Held<ValueOf<M>> | null>(null);
  const ask = useRef<() => void>(() => undefined);
  const refresh = useCallback(() => ask.current(), []);

  useEffect(() => {
    if (key === null || argsText === null) return;
    const question = JSON.parse(argsText) as ArgsOf<M>;
    const about = communityOf(question);
    let live = true;
    let inFlight = false;
    let again = false;
    const run = async () => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      const result = await connection.rpc.call(method, question);
      inFlight = false;
      // Other arguments by now (or gone): this answer is to a question nobody asks any more.
      if (!live) return;
      setHeld((prev) => {
        const same = prev?.key === key ? prev : null;
        if (result.ok) {
          const text = JSON.stringify(result.value);
          if (same?.state === "ok" && same.text === text) return same;
          return { key, state: "ok", value: result.value, text };
        }
        if (
          same?.state === "failed" &&
          same.error.code === result.error.code &&
          same.error.message === result.error.message
        )
          return same;
        const last = same ? (same.state === "ok" ? same.value : same.last) : null;
        return { key, state: "failed", error: result.error, last };
      });
      if (again) {
        again = false;
        void run();
      }
    };
    ask.current = () => void run();
    void run();
    const offs = events
      .split(" ")
      .filter(Boolean)
      .map((name) =>
        connection.rpc.on(name as EventName, (data) => {
          const community = communityOf(data);
          if (community !== undefined && about !== undefined && community !== about) return;
          void run();
        }),
      );
    return () => {
      live = false;
      ask.current = () => undefined;
      for (const off of offs) off();
    };
  }, [connection, method, key, argsText, events, refreshKey]);

  return useMemo((): PeerQuery<ValueOf<M>> => {
    if (key === null) return IDLE;
    if (!held) return LOADING;
    if (held.key !== key)
      return { state: "loading", previous: held.state === "ok" ? held.value : held.last };
    return held.state === "ok"
      ? { state: "ok", value: held.value, refresh }
      : { state: "failed", error: held.error, last: held.last, refresh };
  }, [key, held, refresh]);
}

/** The answer to show: the current one, or the last one while asking again failed. */
export const shownValue = <T>(query: PeerQuery<T>): T | null =>
  query.state === "ok" ? query.value : query.state === "failed" ? query.last : null;
