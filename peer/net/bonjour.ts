// bonjour-service as discovery uses it: the few calls it makes, typed, so tests can pass a fake,
// and the real one with every error it can raise caught and described.
import { Bonjour } from "bonjour-service";
import { isDict, own } from "./discoveryRecord.ts";

/** What startDiscovery publishes (a subset of bonjour-service's ServiceConfig). */
export type PublishConfig = {
  name: string;
  type: string;
  protocol: "tcp";
  port: number;
  /** The SRV target; not the OS host name, which often names the person ("marys-laptop"). */
  host: string;
  txt: Record<string, string>;
  /** Off: see startDiscovery. */
  probe: boolean;
  disableIPv6: boolean;
};

export type PublishedService = {
  /** Sends a goodbye (TTL 0) and stops answering; the callback runs once it is sent. */
  stop(callback?: () => void): void;
};

export type BrowseEvent = "up" | "txt-update" | "srv-update";

export type BrowserLike = {
  on(event: BrowseEvent, listener: (service: unknown) => void): unknown;
  stop(): void;
  /** The services the browser holds; bonjour-service never forgets one. */
  readonly services?: readonly unknown[];
};

/** The part of bonjour-service that discovery uses; `createBonjour` adapts the real one. */
export type BonjourLike = {
  publish(config: PublishConfig): PublishedService;
  /** Starts browsing; the browser sends its query at once. */
  find(config: { type: string; protocol: "tcp" }): BrowserLike;
  destroy(callback?: () => void): void;
  /** Socket and send errors (EADDRINUSE on 5353, no multicast route) arrive here, never as throws. */
  onError(listener: (error: unknown) => void): void;
};

type Emitter = { on(event: string, listener: (error: unknown) => void): unknown };

function hasCode(error: unknown): error is { code: string } {
  return isDict(error) && typeof own(error, "code") === "string";
}

/**
 * The real bonjour-service, with every error it can raise routed to `onError` listeners.
 * bonjour-service attaches no "error" listener to its multicast-dns instance, so a busy or forbidden
 * port 5353 (emitted there as "error") would be an uncaught exception, and its default callback for
 * failed sends throws. `mdnsOptions` go to multicast-dns (tests pass a fake `socket` there).
 */
export function createBonjour(mdnsOptions?: Record<string, unknown>): BonjourLike {
  const listeners = new Set<(error: unknown) => void>();
  const emit = (error: unknown) => {
    for (const listener of listeners) listener(error);
  };
  // The second argument receives errors of mdns.respond (sending an announcement or an answer).
  const bonjour = new Bonjour(mdnsOptions, emit);
  const mdns = (bonjour as unknown as { server?: { mdns?: Emitter } }).server?.mdns;
  if (mdns && typeof mdns.on === "function") {
    mdns.on("error", emit);
    // "warning" is also raised for every undecodable packet: a stranger can send those at will, and
    // they are plain Errors. System errors (a failed addMembership, a send) carry a code.
    mdns.on("warning", (warning) => {
      if (hasCode(warning)) emit(warning);
    });
  } else {
    queueMicrotask(() =>
      emit(new Error("bonjour-service changed: its socket errors cannot be caught")),
    );
  }
  return {
    publish(config) {
      const service = bonjour.publish(config);
      // Typed CallableFunction by bonjour-service; it is `stop(callback?)`, already bound.
      const stop = service.stop as (callback?: () => void) => void;
      return { stop: (callback) => stop(callback) };
    },
    find(config) {
      return bonjour.find(config);
    },
    destroy(callback) {
      bonjour.destroy(callback);
    },
    onError(listener) {
      listeners.add(listener);
    },
  };
}

/** A sentence for the log from whatever bonjour-service or its socket reported. */
export function describeError(error: unknown): string {
  const message =
    error instanceof Error ? error.message : typeof error === "string" ? error : "unknown error";
  const code = hasCode(error) ? error.code : undefined;
  switch (code) {
    case "EADDRINUSE":
      return `LAN discovery is off: another program holds UDP port 5353 (mDNS) exclusively (${message})`;
    case "EACCES":
    case "EPERM":
      return `LAN discovery is off: not allowed to use UDP port 5353 (mDNS) (${message})`;
    case "ENETUNREACH":
    case "EHOSTUNREACH":
    case "EADDRNOTAVAIL":
    case "ENODEV":
    case "EINVAL":
      return `LAN discovery cannot reach the local network: no network interface for multicast? (${message})`;
    default:
      return `LAN discovery: ${message}`;
  }
}
