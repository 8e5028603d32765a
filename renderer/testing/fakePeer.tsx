// A peer for renderer tests: it answers contract calls from a table the test fills in, records
// what was asked, and sends events when the test says so. What the real peer does is tested in
// peer/ and test/; this is for what a screen does with the answers.
import type {
  ArgsOf,
  EventName,
  Method,
  PeerEvents,
  PeerInfo,
  ValueOf,
} from "../../shared/contract.ts";
import type { ReactNode } from "react";
import { asDeviceKey } from "../../shared/ids.ts";
import { err, type Result } from "../../shared/result.ts";
import type { PeerConnection } from "../connection.ts";
import { PeerContext, type PeerContextValue } from "../peerContext.ts";

export type Answers = {
  [M in Method]?: (args: ArgsOf<M>) => Result<ValueOf<M>> | Promise<Result<ValueOf<M>>>;
};

export type FakePeer = ReturnType<typeof fakePeer>;

export function fakePeer(answers: Answers = {}) {
  const calls: { method: Method; args: unknown }[] = [];
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  const rpc = {
    call: (method: Method, args: unknown) => {
      calls.push({ method, args });
      const answer = answers[method] as ((a: unknown) => unknown) | undefined;
      return Promise.resolve(
        answer ? answer(args) : err("bad-input", `Unknown request "${method}"`),
      );
    },
    on: <E extends EventName>(name: E, listener: (data: PeerEvents[E]) => void) => {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener as (data: unknown) => void);
      return () => set.delete(listener as (data: unknown) => void);
    },
  };
  const connection = {
    rpc,
    syncAdapter: () => Promise.reject(new Error("no sync in this test")),
    onLost: () => {},
  } as unknown as PeerConnection;
  return {
    answers,
    calls,
    listeners,
    connection,
    /** Sends an event to every window listening. */
    emit: <E extends EventName>(name: E, data: PeerEvents[E]) => {
      for (const listener of listeners.get(name) ?? []) listener(data);
    },
    count: (method: Method) => calls.filter((c) => c.method === method).length,
  };
}

export const TEST_INFO: PeerInfo = {
  deviceKey: asDeviceKey("5e1f".padEnd(64, "0")),
  dataDir: "/home/ciara/.meitheal",
  appVersion: "0.1.0",
  mode: "web",
};

/** What PeerContext holds for a screen under test. */
export const peerContextFor = (peer: FakePeer): PeerContextValue => ({
  connection: peer.connection,
  info: TEST_INFO,
  profile: { displayName: "Ciara", colour: "#1f6f5c" },
  setProfile: () => {},
});

/** `element` drawn as inside a window connected to `peer`. */
export const withPeer = (peer: FakePeer, element: ReactNode) => (
  <PeerContext.Provider value={peerContextFor(peer)}>{element}</PeerContext.Provider>
);

/** A promise and the means to settle it when the test chooses: an answer that takes its time. */
export function later<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
