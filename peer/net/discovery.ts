// LAN discovery over mDNS/DNS-SD (`_meitheal._tcp`). Discovery is only a hint about where a device
// might be listening: nothing learned here is trusted. Whoever dials a discovered address still runs
// the Noise handshake, which proves the remote device key, and the roster check, which decides what
// that key may do (transport.ts, secureAdapter.ts). So a wrong hint costs one failed dial, no more.
//
// What is advertised: the device key (already public: it is sent in every handshake), the port, and
// one tag per community, `HMAC-SHA256(communityKey, "meitheal/mdns/v1/" + deviceKey)` cut to 64 bits.
// Never a community name or id. A member (who holds the community key) computes the tag for the
// advertised device key and sees "this device says it is in my community"; a stranger sees random
// hex that differs from device to device, so it cannot tell which devices share a community. It can
// still count a device's tags (how many communities it advertises) and recognise a device over time
// by its key. A former member who kept the community key can keep recognising its tags until the key
// is rotated.
//
// What a spoofer on the LAN can do: advertise any key, tags and port, copy a real device's
// advertisement, or flood answers. Copying a device's tags gains nothing: a dial to the spoofer
// fails the handshake (it lacks the device's secret key). The address dialled is the packet's
// source address when known (not the A records the packet claims), so pointing peers at a third
// machine needs a spoofed source address too. Floods are bounded: `onPeer` fires at most once per
// `rateWindowMs` for a (key, address, port), at most `maxPeers` of those are remembered (new ones are
// dropped while the table is full of entries still inside their window), and bonjour-service's own
// table of seen names is thrown away when it grows past `maxBrowserServices` and on every re-query.
// A spoofer can delay discovery (fill the table, send goodbyes), which a LAN attacker can do to mDNS
// anyway; invites and typed addresses do not depend on it. What it cannot do is make this device
// trust it, learn community names, or grow its memory without bound.
import { Bonjour } from "bonjour-service";
import { createHmac } from "node:crypto";
import { BlockList, isIP } from "node:net";

/** DNS-SD service type: `_meitheal._tcp.local`. */
export const SERVICE_TYPE = "meitheal";

export const DISCOVERY_LIMITS = {
  /** Community tags advertised by one device; more are not advertised (and make an answer invalid). */
  maxTags: 32,
  /** Tags per TXT entry: "c=" + 14 × 16 hex + 13 commas = 239 bytes, under DNS's 255 per string. */
  tagsPerEntry: 14,
  /** TXT keys in one answer (ours has at most 5) and their total size in bytes. */
  maxTxtKeys: 16,
  maxTxtBytes: 1024,
  /** One DNS TXT string (key=value) is at most 255 bytes on the wire. */
  maxTxtEntryBytes: 255,
  /** Addresses (A/AAAA) looked at in one answer. */
  maxAddresses: 16,
  /** onPeer fires at most once per this long for one (device key, address, port). */
  rateWindowMs: 2_000,
  /** Distinct (device key, address, port) remembered for the rate limit. */
  maxPeers: 256,
  /** A fresh browse (query) this often, so late and moved peers are found. */
  requeryMs: 30_000,
  /** bonjour-service's browser keeps every name it ever saw; past this many it is replaced. */
  maxBrowserServices: 1_024,
  /** The same error message is reported at most once per this long. */
  errorRepeatMs: 60_000,
} as const;

const TXT_VERSION = "1";
const TAG_CONTEXT = "meitheal/mdns/v1/";
const DEVICE_KEY = /^[0-9a-f]{64}$/;
const TAG = /^[0-9a-f]{16}$/;
const TAG_ENTRIES = Math.ceil(DISCOVERY_LIMITS.maxTags / DISCOVERY_LIMITS.tagsPerEntry);

export type DiscoveredPeer = {
  /** Ed25519 device key, 64 lowercase hex: only a claim until the handshake proves it. */
  deviceKey: string;
  /** An IP address to dial (never a host name). */
  host: string;
  port: number;
  /** 16 hex each: compare with `communityTag(key, deviceKey)` for each of this device's communities. */
  communityTags: string[];
};

/** Tag a member can compute for a community and a device; strangers learn nothing from it. */
export function communityTag(communityKey: Uint8Array, deviceKeyHex: string): string {
  // A wrong-sized key (an empty one above all) would give tags anyone can compute: fail loudly.
  if (communityKey.byteLength !== 32) throw new RangeError("a community key is 32 bytes");
  if (!DEVICE_KEY.test(deviceKeyHex)) throw new RangeError("a device key is 64 lowercase hex");
  return createHmac("sha256", communityKey)
    .update(TAG_CONTEXT + deviceKeyHex)
    .digest("hex")
    .slice(0, 16);
}

/** The instance name a device advertises; the key's first 12 hex keep names unique on a LAN. */
export function serviceName(deviceKey: string): string {
  return `meitheal-${deviceKey.slice(0, 12)}`;
}

/**
 * The TXT record for a device: `{ v, k, c }`, or `c0`, `c1`, … when the tags do not fit in one
 * 255-byte string. No `c` at all when there are no tags: bonjour-service decodes an empty `c=` as a
 * key named "c=". Tags are de-duplicated and sorted (their order would say which came first).
 */
export function buildTxt(deviceKey: string, tags: readonly string[]): Record<string, string> {
  const unique = [...new Set(tags)].sort().slice(0, DISCOVERY_LIMITS.maxTags);
  const txt: Record<string, string> = { v: TXT_VERSION, k: deviceKey };
  if (unique.length === 0) return txt;
  if (unique.length <= DISCOVERY_LIMITS.tagsPerEntry) {
    txt.c = unique.join(",");
    return txt;
  }
  for (let i = 0; i * DISCOVERY_LIMITS.tagsPerEntry < unique.length; i++) {
    const start = i * DISCOVERY_LIMITS.tagsPerEntry;
    txt[`c${i}`] = unique.slice(start, start + DISCOVERY_LIMITS.tagsPerEntry).join(",");
  }
  return txt;
}

// Addresses never dialled: "this network" and unspecified, multicast, reserved and broadcast.
const UNUSABLE = new BlockList();
UNUSABLE.addSubnet("0.0.0.0", 8, "ipv4");
UNUSABLE.addSubnet("224.0.0.0", 3, "ipv4");
UNUSABLE.addAddress("::", "ipv6");
UNUSABLE.addSubnet("ff00::", 8, "ipv6");
// Loopback is fine as a packet's source (the kernel delivers those only from this machine) but not
// as a claimed A record: a stranger must not point peers at services on their own 127.0.0.1.
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");
// IPv6 link-local needs a scope (fe80::1%eth0) to be dialled; a claimed A record has none.
const LINK_LOCAL_V6 = new BlockList();
LINK_LOCAL_V6.addSubnet("fe80::", 10, "ipv6");

function usableAddress(value: unknown, fromPacket: boolean): string | undefined {
  if (typeof value !== "string" || value.length > 64) return undefined;
  const version = isIP(value);
  if (version === 0) return undefined;
  const family = version === 4 ? "ipv4" : "ipv6";
  if (UNUSABLE.check(value, family)) return undefined;
  if (!fromPacket && LOOPBACK.check(value, family)) return undefined;
  if (!fromPacket && family === "ipv6" && LINK_LOCAL_V6.check(value, family)) return undefined;
  return value;
}

type Dict = Record<string, unknown>;
const isDict = (value: unknown): value is Dict =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const own = (object: Dict, key: string): unknown =>
  Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;

/**
 * The address to dial. bonjour-service sets `referer` to the UDP packet's source (dgram's rinfo) and
 * `addresses` to the A/AAAA records inside the packet, which the sender chooses freely. The source
 * address is preferred: it is where the sender really is (on the interface the packet reached us
 * by), and lying about it takes a spoofed source address, not just a line of text. When an answer
 * has a referer, only the referer counts. Without one (never from bonjour-service's browser), the
 * first usable IPv4 record, then IPv6.
 */
function pickHost(service: Dict): string | undefined {
  const referer = own(service, "referer");
  if (referer !== undefined) {
    return isDict(referer) ? usableAddress(own(referer, "address"), true) : undefined;
  }
  const addresses = own(service, "addresses");
  if (!Array.isArray(addresses)) return undefined;
  const candidates = addresses
    .slice(0, DISCOVERY_LIMITS.maxAddresses)
    .map((address) => usableAddress(address, false))
    .filter((address): address is string => address !== undefined);
  return candidates.find((address) => isIP(address) === 4) ?? candidates[0];
}

function parseTags(txt: Dict): string[] | undefined {
  const tags: string[] = [];
  for (const key of ["c", ...Array.from({ length: TAG_ENTRIES }, (_, i) => `c${i}`)]) {
    const value = own(txt, key);
    if (value === undefined || value === "") continue;
    if (typeof value !== "string") return undefined;
    for (const tag of value.split(",")) {
      if (!TAG.test(tag)) return undefined;
      tags.push(tag);
    }
    if (tags.length > DISCOVERY_LIMITS.maxTags) return undefined;
  }
  return [...new Set(tags)];
}

function parse(service: unknown, selfKey: string): DiscoveredPeer | undefined {
  if (!isDict(service)) return undefined;
  const txt = own(service, "txt");
  if (!isDict(txt)) return undefined;
  const keys = Object.keys(txt);
  if (keys.length > DISCOVERY_LIMITS.maxTxtKeys) return undefined;
  let bytes = 0;
  for (const key of keys) {
    const value = own(txt, key);
    // bonjour-service decodes every entry to a string, or undefined for a bare "key"; anything
    // else did not come off the wire.
    if (value !== undefined && typeof value !== "string") return undefined;
    const entry = Buffer.byteLength(key) + 1 + (value === undefined ? 0 : Buffer.byteLength(value));
    if (entry > DISCOVERY_LIMITS.maxTxtEntryBytes) return undefined;
    bytes += entry;
    if (bytes > DISCOVERY_LIMITS.maxTxtBytes) return undefined;
  }
  if (own(txt, "v") !== TXT_VERSION) return undefined;
  const deviceKey = own(txt, "k");
  if (typeof deviceKey !== "string" || !DEVICE_KEY.test(deviceKey)) return undefined;
  if (deviceKey === selfKey.toLowerCase()) return undefined;
  // The instance name is derived from the key; an answer whose two disagree was not made by us.
  if (own(service, "name") !== serviceName(deviceKey)) return undefined;
  const port = own(service, "port");
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65_535) {
    return undefined;
  }
  const host = pickHost(service);
  if (host === undefined) return undefined;
  const communityTags = parseTags(txt);
  if (communityTags === undefined) return undefined;
  return { deviceKey, host, port, communityTags };
}

/**
 * Validates one raw mDNS service answer (as bonjour-service gives it: {name, host, port, addresses?,
 * referer?, txt?}) → DiscoveredPeer or undefined. Never throws, whatever it is given.
 */
export function parseAnswer(service: unknown, selfKey: string): DiscoveredPeer | undefined {
  try {
    return parse(service, selfKey);
  } catch {
    // A getter that throws, a Proxy: not something the wire produces, and not worth a crash.
    return undefined;
  }
}

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

export type DiscoveryOptions = {
  /** This device's key, 64 lowercase hex. */
  deviceKey: string;
  /** The peer-link TCP listener's port. */
  port: number;
  /** Tags of this device's communities (recomputed via update). */
  tags: () => string[];
  /** A hint, maybe repeated (at most once per `rateWindowMs` for a key, address and port). */
  onPeer: (peer: DiscoveredPeer) => void;
  onError?: (message: string) => void;
  /** Injected for tests; default creates `new Bonjour()` from bonjour-service. */
  bonjour?: BonjourLike;
};

export type Discovery = {
  /** Re-publish with new tags (nothing is sent if they did not change). */
  update(): void;
  /** Unpublishes (a goodbye), stops browsing, closes the socket. */
  stop(): Promise<void>;
  /** For tests and diagnostics: rate-limit entries held, answers dropped because it was full. */
  stats(): { remembered: number; dropped: number };
};

type Seen = {
  /** When onPeer last fired for this key, address and port (performance.now()). */
  last: number;
  /** The tags then, so a change inside the window is delivered at its end, not lost. */
  tags: string;
  pending?: DiscoveredPeer;
  timer?: ReturnType<typeof setTimeout>;
};

/**
 * Advertises this device and reports others. Never throws after it returns: errors go to
 * `onError`. Throws at once for a malformed device key or port (a programming error).
 *
 * The service is published without probing: bonjour-service's probe stops the service silently
 * (logging to the console) when anyone answers for the name, which would let a stranger switch off
 * our advertisement, and the name is unique anyway (derived from the device key).
 *
 * The browser is replaced by a fresh one every `requeryMs` rather than re-queried with
 * `browser.update()`: bonjour-service's browser reports a name it knows again only when its SRV or
 * TXT change, never when the packet's source address does (a laptop that moved network), and it
 * keeps every name it ever saw. A fresh browser queries at once and reports every answer anew.
 */
export function startDiscovery(options: DiscoveryOptions): Discovery {
  if (!DEVICE_KEY.test(options.deviceKey)) {
    throw new RangeError("startDiscovery: the device key must be 64 lowercase hex");
  }
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535) {
    throw new RangeError("startDiscovery: the port must be 1..65535");
  }
  const limits = DISCOVERY_LIMITS;
  const name = serviceName(options.deviceKey);
  const reported = new Map<string, number>();
  let stopped = false;
  let dropped = 0;

  const report = (message: string) => {
    const now = performance.now();
    const previous = reported.get(message);
    if (previous !== undefined && now - previous < limits.errorRepeatMs) return;
    if (reported.size >= 32) reported.clear();
    reported.set(message, now);
    try {
      options.onError?.(message);
    } catch {
      // The reporter itself failed; there is nowhere left to report to.
    }
  };
  const reportError = (error: unknown) => {
    if (!stopped) report(describeError(error));
  };

  let bonjour: BonjourLike;
  try {
    bonjour = options.bonjour ?? createBonjour();
    bonjour.onError(reportError);
  } catch (error) {
    reportError(error);
    return {
      update: () => undefined,
      stop: () => Promise.resolve(),
      stats: () => ({ remembered: 0, dropped: 0 }),
    };
  }

  // --- publishing ---------------------------------------------------------------------------
  let service: PublishedService | undefined;
  let publishedTxt = "";

  const currentTags = (): string[] => {
    let tags: unknown;
    try {
      tags = options.tags();
    } catch (error) {
      reportError(error);
      return [];
    }
    if (!Array.isArray(tags)) return [];
    const valid = [
      ...new Set(tags.filter((tag): tag is string => typeof tag === "string" && TAG.test(tag))),
    ];
    if (valid.length > limits.maxTags) {
      report(`LAN discovery advertises ${limits.maxTags} of ${valid.length} communities`);
    }
    return valid;
  };

  const publish = () => {
    const txt = buildTxt(options.deviceKey, currentTags());
    const serialized = JSON.stringify(txt);
    if (service && serialized === publishedTxt) return;
    const previous = service;
    service = undefined;
    try {
      // Goodbye for the old record first: bonjour-service unregisters its records at once (by
      // name), so the new ones registered after it stay.
      previous?.stop();
      service = bonjour.publish({
        name,
        type: SERVICE_TYPE,
        protocol: "tcp",
        port: options.port,
        host: `${name}.local`,
        txt,
        probe: false,
        // Peers dial the packet's source address; AAAA records would only make packets bigger.
        disableIPv6: true,
      });
      publishedTxt = serialized;
    } catch (error) {
      reportError(error);
    }
  };

  // --- browsing -----------------------------------------------------------------------------
  const seen = new Map<string, Seen>();

  const deliver = (peer: DiscoveredPeer) => {
    if (stopped) return;
    try {
      options.onPeer(peer);
    } catch (error) {
      // onPeer runs inside bonjour-service's socket handler: a throw there would crash the process.
      reportError(error);
    }
  };

  const prune = (now: number) => {
    for (const [id, entry] of seen) {
      if (entry.timer === undefined && now - entry.last >= limits.rateWindowMs) seen.delete(id);
    }
  };

  const offer = (peer: DiscoveredPeer) => {
    const id = `${peer.deviceKey}|${peer.host}|${peer.port}`;
    const tags = peer.communityTags.join(",");
    const now = performance.now();
    const entry = seen.get(id);
    if (!entry) {
      if (seen.size >= limits.maxPeers) prune(now);
      if (seen.size >= limits.maxPeers) {
        dropped++;
        return;
      }
      seen.set(id, { last: now, tags });
      deliver(peer);
      return;
    }
    const wait = entry.last + limits.rateWindowMs - now;
    if (wait <= 0) {
      entry.last = now;
      entry.tags = tags;
      delete entry.pending;
      deliver(peer);
      return;
    }
    // Inside the window: keep the newest answer, and deliver it at the end of the window only if it
    // says something new (bonjour-service will not report the same change twice).
    entry.pending = peer;
    entry.timer ??= setTimeout(
      () => {
        delete entry.timer;
        const pending = entry.pending;
        delete entry.pending;
        if (!pending || pending.communityTags.join(",") === entry.tags) return;
        entry.last = performance.now();
        entry.tags = pending.communityTags.join(",");
        deliver(pending);
      },
      Math.min(wait, limits.rateWindowMs),
    );
    entry.timer.unref();
  };

  let browser: BrowserLike | undefined;
  let replacing = false;

  const onAnswer = (answer: unknown) => {
    if (stopped) return;
    const peer = parseAnswer(answer, options.deviceKey);
    if (peer) offer(peer);
    // A flood of made-up names grows bonjour-service's list between re-queries: start afresh.
    const held = browser?.services?.length ?? 0;
    if (held > limits.maxBrowserServices && !replacing) {
      replacing = true;
      setTimeout(() => {
        replacing = false;
        browse();
      }, 0).unref();
    }
  };

  const browse = () => {
    if (stopped) return;
    const previous = browser;
    browser = undefined;
    try {
      previous?.stop();
      const next = bonjour.find({ type: SERVICE_TYPE, protocol: "tcp" });
      for (const event of ["up", "txt-update", "srv-update"] as const) {
        next.on(event, (answer) => {
          if (browser === next) onAnswer(answer);
        });
      }
      browser = next;
    } catch (error) {
      reportError(error);
    }
  };

  publish();
  browse();
  const requery = setInterval(browse, limits.requeryMs);
  requery.unref();

  return {
    update() {
      if (!stopped) publish();
    },
    stats: () => ({ remembered: seen.size, dropped }),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(requery);
      for (const entry of seen.values()) clearTimeout(entry.timer);
      seen.clear();
      try {
        browser?.stop();
      } catch {
        // Stopping is best effort: the socket is closed below regardless.
      }
      browser = undefined;
      const published = service;
      service = undefined;
      // Wait for the goodbye to be sent before the socket closes, but not forever.
      await settle((done) => {
        if (published) published.stop(done);
        else done();
      });
      await settle((done) => bonjour.destroy(done));
    },
  };
}

/** Runs `start(done)` and resolves when it calls back, throws, or after a second at most. */
function settle(start: (done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    try {
      start(done);
    } catch {
      done();
    }
  });
}
