// LAN discovery over mDNS/DNS-SD (`_meitheal._tcp`). Discovery is only a hint about where a device
// might be listening: nothing learned here is trusted. Whoever dials a discovered address still runs
// the Noise handshake, which proves the remote device key, and the roster check, which decides what
// that key may do (transport.ts, secureAdapter.ts). So a wrong hint costs one failed dial, no more.
// This file runs it: publishing, browsing, rate limits. What is advertised and how an answer is
// checked: discoveryRecord.ts; bonjour-service itself: bonjour.ts.
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
import {
  createBonjour,
  describeError,
  type BonjourLike,
  type BrowserLike,
  type PublishedService,
} from "./bonjour.ts";
import {
  buildTxt,
  DEVICE_KEY,
  DISCOVERY_LIMITS,
  parseAnswer,
  SERVICE_TYPE,
  serviceName,
  TAG,
  type DiscoveredPeer,
} from "./discoveryRecord.ts";

export type DiscoveryOptions = {
  /** This device's key, 64 lowercase hex. */
  deviceKey: string;
  /** The peer-link TCP listener's port. */
  port: number;
  /** Tags of this device's communities (recomputed via update). */
  tags: () => string[];
  /** Hints of this device's open invites (recomputed via update; discoveryRecord.ts). */
  hints?: () => string[];
  /** A hint, maybe repeated (at most once per `rateWindowMs` for a key, address and port). */
  onPeer: (peer: DiscoveredPeer) => void;
  onError?: (message: string) => void;
  /** Injected for tests; default creates `new Bonjour()` from bonjour-service. */
  bonjour?: BonjourLike;
};

export type Discovery = {
  /** Re-publish with new tags or hints (nothing is sent if they did not change). */
  update(): void;
  /** Queries afresh at once (a joiner looking for an invite's hint). */
  requery(): void;
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
      requery: () => undefined,
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

  const currentHints = (): string[] => {
    try {
      const hints = options.hints?.() ?? [];
      return Array.isArray(hints) ? hints.filter((h) => typeof h === "string" && TAG.test(h)) : [];
    } catch (error) {
      reportError(error);
      return [];
    }
  };

  const publish = () => {
    const txt = buildTxt(options.deviceKey, currentTags(), currentHints());
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

  // What an answer says, compared to tell a new answer from a repeat.
  const says = (peer: DiscoveredPeer) =>
    `${peer.communityTags.join(",")}|${peer.inviteHints.join(",")}`;

  const offer = (peer: DiscoveredPeer) => {
    const id = `${peer.deviceKey}|${peer.host}|${peer.port}`;
    const tags = says(peer);
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
        if (!pending || says(pending) === entry.tags) return;
        entry.last = performance.now();
        entry.tags = says(pending);
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
    requery() {
      if (!stopped) browse();
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
