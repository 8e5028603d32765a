import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { asCommunityId } from "./ids.ts";
import {
  EVENTS,
  METHODS,
  type EventName,
  type Handlers,
  type PeerEvents,
  type StorageWarning,
} from "./contract.ts";
import { ErrorCode, MeithealFailure, err, ok } from "./result.ts";
import {
  CALL_TIMEOUT_MS,
  LONG_WORK_SILENCE_MS,
  RpcClient,
  serveRpc,
  type EventSource,
  type TextPort,
} from "./rpc.ts";
import { atPath } from "./contract.ts";

/** Two connected in-memory ports. Messages arrive asynchronously, like a real channel; `close` closes both ends. */
function portPair() {
  type End = { messages: ((text: string) => void)[]; closes: (() => void)[]; sent: string[] };
  const ends: [End, End] = [
    { messages: [], closes: [], sent: [] },
    { messages: [], closes: [], sent: [] },
  ];
  let closed = false;
  const port = (me: End, other: End): TextPort => ({
    send(text) {
      if (closed) throw new Error("port is closed");
      me.sent.push(text);
      setTimeout(() => {
        if (!closed) for (const listener of other.messages) listener(text);
      }, 0);
    },
    onMessage: (listener) => void me.messages.push(listener),
    onClose: (listener) => void me.closes.push(listener),
  });
  return {
    client: port(ends[0], ends[1]),
    server: port(ends[1], ends[0]),
    /** What the server end has sent. */
    serverSent: ends[1].sent,
    /** Delivers raw text to the server end, as if the client had sent it. */
    toServer: (text: string) => ends[1].messages.forEach((l) => l(text)),
    /** Delivers raw text to the client end, as if the server had sent it. */
    toClient: (text: string) => ends[0].messages.forEach((l) => l(text)),
    close: () => {
      closed = true;
      for (const end of ends) for (const listener of end.closes) listener();
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

const notHere = () => Promise.resolve(err(ErrorCode.NotFound, "not used in this test"));
const makeHandlers = (overrides: Partial<Handlers> = {}): Handlers => ({
  ...(Object.fromEntries(METHODS.map((m) => [m, notHere])) as unknown as Handlers),
  ...overrides,
});

const connect = (overrides: Partial<Handlers> = {}, events?: EventSource) => {
  const pair = portPair();
  serveRpc(pair.server, makeHandlers(overrides), events);
  return { ...pair, rpc: new RpcClient(pair.client) };
};

describe("RpcClient ↔ serveRpc", () => {
  it("returns the handler's Result, with the arguments that were sent", async () => {
    const seen: unknown[] = [];
    const { rpc } = connect({
      "profile:set": (args) => {
        seen.push(args);
        return Promise.resolve(
          ok({ displayName: args.displayName.toUpperCase(), colour: args.colour }),
        );
      },
    });
    const result = await rpc.call("profile:set", { displayName: "Aoife", colour: "#1f6f5c" });
    expect(result).toEqual({ ok: true, value: { displayName: "AOIFE", colour: "#1f6f5c" } });
    expect(seen).toEqual([{ displayName: "Aoife", colour: "#1f6f5c" }]);
  });

  it("passes an error Result through unchanged", async () => {
    const { rpc } = connect({
      "storage:dismiss": () =>
        Promise.resolve(err(ErrorCode.NotFound, "That warning is no longer listed.")),
    });
    expect(await rpc.call("storage:dismiss", { id: "w1" })).toEqual({
      ok: false,
      error: { code: "not-found", message: "That warning is no longer listed." },
    });
  });

  it("answers concurrent calls each with its own result", async () => {
    const { rpc } = connect({
      "storage:dismiss": async ({ id }) => {
        await new Promise((r) => setTimeout(r, id === "slow" ? 20 : 1));
        return err(ErrorCode.NotFound, id);
      },
    });
    const [slow, fast] = await Promise.all([
      rpc.call("storage:dismiss", { id: "slow" }),
      rpc.call("storage:dismiss", { id: "fast" }),
    ]);
    expect(slow.ok === false && slow.error.message).toBe("slow");
    expect(fast.ok === false && fast.error.message).toBe("fast");
  });

  it("turns a thrown MeithealFailure into its code and message", async () => {
    const { rpc } = connect({
      "communities:create": () =>
        Promise.reject(new MeithealFailure(ErrorCode.DataFolder, "The data folder is read-only.")),
    });
    expect(await rpc.call("communities:create", { name: "x" })).toEqual({
      ok: false,
      error: { code: "data-folder", message: "The data folder is read-only." },
    });
  });

  it("turns a plain thrown Error into code internal with a readable message that names it", async () => {
    const { rpc } = connect({
      "communities:list": () => {
        throw new Error("disk on fire");
      },
      "peer:info": () => Promise.reject(new TypeError("undefined is not a function")),
    });
    for (const method of ["communities:list", "peer:info"] as const) {
      const result = await rpc.call(method, {});
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error.code).toBe("internal");
      expect(result.error.message).toMatch(/^Something went wrong inside Meitheal/);
      expect(result.error.message).toContain(
        method === "peer:info" ? "undefined is not a function" : "disk on fire",
      );
    }
  });

  it("answers internal, and keeps serving, when a handler's value cannot be sent as JSON or is not a Result", async () => {
    const { rpc } = connect({
      "profile:get": () =>
        Promise.resolve(ok({ displayName: "x", colour: 1n as unknown as string })),
      "storage:warnings": () =>
        Promise.resolve(undefined as unknown as ReturnType<typeof ok<StorageWarning[]>>),
      "peer:info": () => Promise.resolve(err(ErrorCode.NotFound, "still here")),
    });
    const bad = await rpc.call("profile:get", {});
    expect(bad.ok === false && bad.error.code).toBe("internal");
    const missing = await rpc.call("storage:warnings", {});
    expect(missing.ok === false && missing.error.code).toBe("internal");
    expect(await rpc.call("peer:info", {})).toEqual({
      ok: false,
      error: { code: "not-found", message: "still here" },
    });
  });

  it("answers internal, instead of a message the client would drop, when a result is too large to send", async () => {
    const { rpc } = connect({
      "profile:get": () =>
        Promise.resolve(ok({ displayName: "x".repeat(5 * 1024 * 1024), colour: "#1f6f5c" })),
    });
    const result = await rpc.call("profile:get", {});
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("internal");
      expect(result.error.message).toMatch(/too large/);
    }
  });

  it("answers an unknown method with bad-input, including names on Object.prototype", async () => {
    const { toServer, serverSent } = connect();
    for (const [id, method] of [
      [1, "nope:nothing"],
      [2, "constructor"],
      [3, "__proto__"],
      [4, "toString"],
      [5, 12],
    ] as const) {
      toServer(JSON.stringify({ t: "req", id, method, args: {} }));
    }
    await settle();
    const replies = serverSent.map(
      (t) =>
        JSON.parse(t) as {
          id: number;
          result: { ok: boolean; error: { code: string; message: string } };
        },
    );
    expect(replies.map((r) => r.id).sort()).toEqual([1, 2, 3, 4, 5]);
    for (const reply of replies) {
      expect(reply.result.ok).toBe(false);
      expect(reply.result.error.code).toBe("bad-input");
      expect(reply.result.error.message).toMatch(/Unknown request/);
    }
  });

  it("ignores garbage and oversized messages on the server without answering or crashing", async () => {
    const handler = vi.fn(() => Promise.resolve(ok({ displayName: "A", colour: "#1f6f5c" })));
    const { rpc, toServer, serverSent } = connect({ "profile:get": handler });
    const oversized = JSON.stringify({
      t: "req",
      id: 99,
      method: "profile:get",
      args: { pad: "x".repeat(4 * 1024 * 1024) },
    });
    for (const text of [
      "",
      "not json",
      "{",
      "null",
      "42",
      "[]",
      '"req"',
      '{"t":"req"}',
      '{"t":"req","id":"1","method":"profile:get"}',
      '{"t":"res","id":1}',
      oversized,
    ]) {
      toServer(text);
    }
    await settle();
    expect(serverSent).toEqual([]);
    expect(handler).not.toHaveBeenCalled();
    // Still working afterwards.
    expect(await rpc.call("profile:get", {})).toEqual({
      ok: true,
      value: { displayName: "A", colour: "#1f6f5c" },
    });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("ignores garbage, strays and oversized messages on the client", async () => {
    let release: () => void = () => undefined;
    const { rpc, toClient } = connect({
      "profile:get": () =>
        new Promise(
          (resolve) => (release = () => resolve(ok({ displayName: "A", colour: "#1f6f5c" }))),
        ),
    });
    const pending = rpc.call("profile:get", {});
    await settle();
    const huge = JSON.stringify({
      t: "res",
      id: 1,
      result: { ok: true, value: "x".repeat(4 * 1024 * 1024) },
    });
    for (const text of [
      "",
      "}",
      "null",
      '{"t":"res","id":1}',
      '{"t":"res","id":1,"result":5}',
      '{"t":"res","id":777,"result":{"ok":true}}',
      '{"t":"evt"}',
      huge,
    ]) {
      toClient(text);
    }
    release();
    expect(await pending).toEqual({ ok: true, value: { displayName: "A", colour: "#1f6f5c" } });
  });

  it("resolves pending calls with unavailable when the port closes, and every later call too", async () => {
    let finish: () => void = () => undefined;
    const { rpc, close } = connect({
      "communities:list": () => new Promise((resolve) => (finish = () => resolve(ok([])))),
    });
    const pending = rpc.call("communities:list", {});
    await settle();
    close();
    const result = await pending;
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("unavailable");
      expect(result.error.message).toMatch(/closed/);
    }
    // The handler finishing after the close must not throw (the port refuses to send now).
    finish();
    await settle();
    const later = await rpc.call("communities:list", {});
    expect(later.ok === false && later.error.code).toBe("unavailable");
  });

  it("gives a Result, not a throw, for arguments that cannot be sent", async () => {
    const { rpc } = connect();
    const result = await rpc.call("storage:dismiss", { id: 5n as unknown as string });
    expect(result.ok === false && result.error.code).toBe("bad-input");
  });
});

describe("events", () => {
  /** A tiny event source like PeerNode.on, counting subscriptions. */
  const eventSource = () => {
    const listeners = new Map<string, Set<(data: unknown) => void>>();
    const on: EventSource = <E extends EventName>(
      name: E,
      listener: (data: PeerEvents[E]) => void,
    ) => {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      const wrapped = listener as (data: unknown) => void;
      set.add(wrapped);
      return () => void set.delete(wrapped);
    };
    const emit = <E extends EventName>(name: E, data: PeerEvents[E]) =>
      listeners.get(name)?.forEach((l) => l(data));
    const count = () => [...listeners.values()].reduce((n, s) => n + s.size, 0);
    return { on, emit, count };
  };

  const warning: StorageWarning = {
    id: "w1",
    documentId: "doc",
    communityId: null,
    title: null,
    reason: "checksum mismatch",
    quarantinedTo: "/q/w1.mth",
    at: "2026-01-01T00:00:00.000Z",
  };

  it("delivers peer events to on() listeners, and unsubscribing stops them", async () => {
    const source = eventSource();
    const { rpc } = connect({}, source.on);
    const first: StorageWarning[] = [];
    const second: StorageWarning[] = [];
    const changed: unknown[] = [];
    const offFirst = rpc.on("storage:warning", (w) => first.push(w));
    rpc.on("storage:warning", (w) => second.push(w));
    rpc.on("communities:changed", (d) => changed.push(d));

    source.emit("storage:warning", warning);
    await settle();
    expect(first).toEqual([warning]);
    expect(second).toEqual([warning]);
    expect(changed).toEqual([]);

    offFirst();
    source.emit("storage:warning", { ...warning, id: "w2" });
    source.emit("communities:changed", {});
    await settle();
    expect(first.map((w) => w.id)).toEqual(["w1"]);
    expect(second.map((w) => w.id)).toEqual(["w1", "w2"]);
    expect(changed).toEqual([{}]);
  });

  it("forwards the Sync screen's event too", async () => {
    const source = eventSource();
    const { rpc } = connect({}, source.on);
    const synced: unknown[] = [];
    rpc.on("sync:changed", (d) => synced.push(d));
    source.emit("sync:changed", { communityId: asCommunityId("c1") });
    await settle();
    expect(synced).toEqual([{ communityId: "c1" }]);
  });

  it("stops listening to the peer when the port closes", () => {
    const source = eventSource();
    const { close } = connect({}, source.on);
    expect(source.count()).toBe(EVENTS.length);
    close();
    expect(source.count()).toBe(0);
    expect(() => source.emit("communities:changed", {})).not.toThrow();
  });
});

describe("RpcClient timeouts", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  /** Reads a promise's value once it has one; "pending" until then. */
  const peek = <T>(promise: Promise<T>) => {
    let value: T | "pending" = "pending";
    void promise.then((v) => (value = v));
    return () => value;
  };
  const progress = (done: number) =>
    JSON.stringify({
      t: "evt",
      name: "task:progress",
      data: { communityId: null, task: "backup", done, total: 100 },
    });
  const never = () => new Promise<never>(() => undefined);

  it("answers unavailable, saying what happened and what to do, when the peer does not answer in time", async () => {
    const { rpc } = connect({ "communities:list": never });
    const result = peek(rpc.call("communities:list", {}));
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS - 1);
    expect(result()).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(result()).toEqual({
      ok: false,
      error: {
        code: "unavailable",
        message:
          "The Meitheal peer did not answer in 30 s, so the window stopped waiting. What was saved before is safe; try again, and restart Meitheal if it repeats.",
      },
    });
  });

  it("drops an answer that comes after the timeout, and goes on answering other calls", async () => {
    let answer: () => void = () => undefined;
    const { rpc } = connect({
      "communities:list": () => new Promise((resolve) => (answer = () => resolve(ok([])))),
    });
    const result = peek(rpc.call("communities:list", {}));
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS);
    const timedOut = result();
    expect(timedOut).toMatchObject({ ok: false, error: { code: "unavailable" } });
    answer();
    await vi.advanceTimersByTimeAsync(10);
    expect(result()).toBe(timedOut);
    const next = peek(rpc.call("profile:get", {}));
    await vi.advanceTimersByTimeAsync(10);
    expect(next()).toMatchObject({ ok: false, error: { code: "not-found" } });
  });

  it("does not stretch an ordinary call's limit for other traffic from the peer", async () => {
    const { rpc, toClient } = connect({ "communities:list": never });
    const result = peek(rpc.call("communities:list", {}));
    for (let i = 0; i < 3; i++) {
      await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS / 3);
      toClient(progress(i));
    }
    expect(result()).toMatchObject({ ok: false, error: { code: "unavailable" } });
  });

  it("never cuts off long work while the peer keeps sending, and gives up after its silence limit", async () => {
    const { rpc, toClient } = connect({ "backup:write": never });
    const result = peek(
      rpc.call("backup:write", {
        communityId: asCommunityId("c1"),
        target: atPath("/tmp/c1.backup"),
      }),
    );
    // Forty minutes of work, reporting every four: well past both limits, never cut off.
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(4 * 60_000);
      toClient(progress(i));
    }
    expect(result()).toBe("pending");
    await vi.advanceTimersByTimeAsync(LONG_WORK_SILENCE_MS - 1);
    expect(result()).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(result()).toMatchObject({
      ok: false,
      error: {
        code: "unavailable",
        message: expect.stringContaining(
          "The Meitheal peer has sent nothing for 5 min while doing this",
        ) as string,
      },
    });
  });

  it("answers calls pending when the port closes once, with no timeout after", async () => {
    const { rpc, close } = connect({ "communities:list": never });
    const result = peek(rpc.call("communities:list", {}));
    await vi.advanceTimersByTimeAsync(10);
    close();
    await vi.advanceTimersByTimeAsync(0);
    // Its timer went with it: nothing is left to fire.
    expect(vi.getTimerCount()).toBe(0);
    const closed = result();
    expect(closed).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/closed/) as string },
    });
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS);
    expect(result()).toBe(closed);
  });
});
