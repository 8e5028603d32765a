import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { EventEmitter } from "node:events";
import fc from "fast-check";
import { afterEach, beforeAll, afterAll, describe, expect, it, vi } from "vitest";
import { startDiscovery, type Discovery } from "./discovery.ts";
import {
  createBonjour,
  type BonjourLike,
  type BrowserLike,
  type PublishConfig,
} from "./bonjour.ts";
import {
  DISCOVERY_LIMITS,
  SERVICE_TYPE,
  buildTxt,
  communityTag,
  parseAnswer,
  serviceName,
  type DiscoveredPeer,
} from "./discoveryRecord.ts";
import { inviteKeys } from "../trust/inviteCode.ts";

// This machine (and CI) forbids traffic to anything but 127.0.0.1, and a unit test has no business
// on the LAN anyway. Every test injects a fake; if one ever reached for a real UDP socket (the
// default `new Bonjour()` would bind 5353 and multicast), it fails here instead of sending.
beforeAll(() => {
  vi.spyOn(dgram, "createSocket").mockImplementation(() => {
    throw new Error("unit tests must not open UDP sockets: inject a fake bonjour or socket");
  });
});
afterAll(() => {
  vi.restoreAllMocks();
});

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const SELF = "a".repeat(64);
const OTHER = "b".repeat(64);

/** An answer shaped like bonjour-service's Browser reports one (see browser.js buildServicesFor). */
function answer(key: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: serviceName(key),
    type: SERVICE_TYPE,
    protocol: "tcp",
    host: `${serviceName(key)}.local`,
    port: 4100,
    addresses: ["192.168.1.20"],
    referer: { address: "192.168.1.20", family: "IPv4", port: 5353, size: 300 },
    txt: { v: "1", k: key, c: "0123456789abcdef" },
    ...overrides,
  };
}

class FakeBrowser extends EventEmitter implements BrowserLike {
  stopped = false;
  services: unknown[] = [];
  stop() {
    this.stopped = true;
  }
}

/** The few bonjour-service calls discovery makes, recorded; nothing is sent anywhere. */
class FakeBonjour implements BonjourLike {
  published: { config: PublishConfig; stopped: boolean }[] = [];
  browsers: FakeBrowser[] = [];
  destroyed = false;
  private errorListeners: ((error: unknown) => void)[] = [];

  publish(config: PublishConfig) {
    const record = { config, stopped: false };
    this.published.push(record);
    return {
      stop: (callback?: () => void) => {
        record.stopped = true;
        callback?.();
      },
    };
  }
  find() {
    const browser = new FakeBrowser();
    this.browsers.push(browser);
    return browser;
  }
  destroy(callback?: () => void) {
    this.destroyed = true;
    callback?.();
  }
  onError(listener: (error: unknown) => void) {
    this.errorListeners.push(listener);
  }
  fail(error: unknown) {
    for (const listener of this.errorListeners) listener(error);
  }
  get browser(): FakeBrowser {
    const browser = this.browsers.at(-1);
    if (!browser) throw new Error("not browsing");
    return browser;
  }
  get live() {
    return this.published.filter((record) => !record.stopped);
  }
}

function start(overrides: Partial<Parameters<typeof startDiscovery>[0]> = {}) {
  const bonjour = new FakeBonjour();
  const peers: DiscoveredPeer[] = [];
  const errors: string[] = [];
  const discovery = startDiscovery({
    deviceKey: SELF,
    port: 4100,
    tags: () => [],
    onPeer: (peer) => peers.push(peer),
    onError: (message) => errors.push(message),
    bonjour,
    ...overrides,
  });
  return { bonjour, peers, errors, discovery };
}

const running: Discovery[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(running.splice(0).map((discovery) => discovery.stop()));
});

describe("communityTag", () => {
  it("is the same for every member and unrelated across communities and devices", () => {
    const communityKey = randomBytes(32);
    const tag = communityTag(communityKey, OTHER);
    expect(tag).toMatch(/^[0-9a-f]{16}$/);
    // Another member holding the same key (a copy, not the same object) computes the same tag.
    expect(communityTag(Uint8Array.from(communityKey), OTHER)).toBe(tag);
    // A stranger's guess with another key, and the same community on another device, differ: the
    // device key is mixed in so two devices' tags cannot be matched to each other.
    expect(communityTag(randomBytes(32), OTHER)).not.toBe(tag);
    expect(communityTag(communityKey, SELF)).not.toBe(tag);
  });

  it("refuses a key that is not 32 bytes (an empty key would make tags anyone can compute)", () => {
    expect(() => communityTag(new Uint8Array(0), OTHER)).toThrow(RangeError);
    expect(() => communityTag(randomBytes(32), "B".repeat(64))).toThrow(RangeError);
  });
});

describe("publishing", () => {
  it("advertises the key, port and tags, and no community name or id anywhere", () => {
    const communities = [
      { id: "community-4f1c2b", name: "Tuesday Storytellers", key: randomBytes(32) },
      { id: "community-77aa01", name: "Ceramics Practice Log", key: randomBytes(32) },
    ];
    const { bonjour, discovery } = start({
      tags: () => communities.map((community) => communityTag(community.key, SELF)),
    });
    running.push(discovery);

    expect(bonjour.published).toHaveLength(1);
    const config = bonjour.live[0]?.config;
    expect(config).toMatchObject({
      name: `meitheal-${SELF.slice(0, 12)}`,
      type: "meitheal",
      protocol: "tcp",
      port: 4100,
      // Not os.hostname(): that often names the owner.
      host: `meitheal-${SELF.slice(0, 12)}.local`,
      probe: false,
    });
    const tags = communities.map((community) => communityTag(community.key, SELF)).sort();
    expect(config?.txt).toEqual({ v: "1", k: SELF, c: tags.join(",") });

    const everything = JSON.stringify(bonjour.published);
    for (const community of communities) {
      expect(everything).not.toContain(community.id);
      expect(everything).not.toContain(community.name);
      expect(everything).not.toContain(community.key.toString("hex"));
    }
  });

  it("splits many tags over TXT strings of at most 255 bytes and reads them back", () => {
    const tags = Array.from({ length: DISCOVERY_LIMITS.maxTags }, () => hex(8));
    const txt = buildTxt(OTHER, tags);
    expect(Object.keys(txt).sort()).toEqual(["c0", "c1", "c2", "k", "v"]);
    for (const [key, value] of Object.entries(txt)) {
      expect(Buffer.byteLength(`${key}=${value}`)).toBeLessThanOrEqual(255);
    }
    const peer = parseAnswer(answer(OTHER, { txt }), SELF);
    expect(peer?.communityTags.sort()).toEqual([...tags].sort());
    // No tags: no `c` at all (bonjour-service would decode an empty "c=" as a key named "c=").
    expect(buildTxt(OTHER, [])).toEqual({ v: "1", k: OTHER });
  });

  it("re-publishes on update only when the tags changed, saying goodbye to the old record", () => {
    let tags = [hex(8)];
    const { bonjour, discovery } = start({ tags: () => tags });
    running.push(discovery);
    discovery.update();
    expect(bonjour.published).toHaveLength(1);

    tags = [...tags, hex(8)];
    discovery.update();
    expect(bonjour.published).toHaveLength(2);
    expect(bonjour.published[0]?.stopped).toBe(true);
    expect(bonjour.live).toHaveLength(1);
    expect(bonjour.live[0]?.config.txt.c?.split(",").sort()).toEqual([...tags].sort());
  });

  it("advertises at most maxTags communities, drops malformed tags and says so", () => {
    const many = Array.from({ length: DISCOVERY_LIMITS.maxTags + 5 }, () => hex(8));
    const { bonjour, errors, discovery } = start({ tags: () => [...many, "not a tag"] });
    running.push(discovery);
    const txt = bonjour.live[0]?.config.txt ?? {};
    const advertised = Object.entries(txt)
      .filter(([key]) => key.startsWith("c"))
      .flatMap(([, value]) => value.split(","));
    expect(advertised).toHaveLength(DISCOVERY_LIMITS.maxTags);
    expect(advertised).not.toContain("not a tag");
    expect(errors.join("\n")).toMatch(/advertises 32 of 37 communities/);
  });

  it("advertises open invites' hints, and only those, and withdraws a hint once it is gone", () => {
    const hint = inviteKeys(Uint8Array.from({ length: 10 }, (_, i) => i)).hint;
    let hints = [hint, "not a hint"];
    const { bonjour, discovery } = start({ tags: () => [hex(8)], hints: () => hints });
    running.push(discovery);
    const txt = bonjour.live[0]?.config.txt ?? {};
    expect(txt.i).toBe(hint);
    // Nothing else is added for an invite: the hint is the only new value, and names nobody.
    expect(Object.keys(txt).sort()).toEqual(["c", "i", "k", "v"]);
    hints = [];
    discovery.update();
    expect(bonjour.live).toHaveLength(1);
    expect(bonjour.live[0]?.config.txt.i).toBeUndefined();
  });

  it("reports the hints another device advertises, and reports a new hint from a known device", () => {
    const { bonjour, peers, discovery } = start();
    running.push(discovery);
    bonjour.browser.emit("up", answer(OTHER));
    const hint = "00112233445566ff";
    bonjour.browser.emit("txt-update", answer(OTHER, { txt: { v: "1", k: OTHER, i: hint } }));
    // Inside the rate window the change is held, then delivered; a fresh query finds it at once.
    discovery.requery();
    bonjour.browser.emit("up", answer(OTHER, { txt: { v: "1", k: OTHER, i: hint } }));
    expect(peers[0]?.inviteHints).toEqual([]);
    return vi.waitFor(() => expect(peers.at(-1)?.inviteHints).toEqual([hint]), { timeout: 3_000 });
  });

  it("refuses a malformed device key or port at once (a programming error)", () => {
    expect(() => start({ deviceKey: "A".repeat(64) })).toThrow(RangeError);
    expect(() => start({ port: 0 })).toThrow(RangeError);
    expect(() => start({ port: 70_000 })).toThrow(RangeError);
  });
});

describe("parseAnswer", () => {
  it("accepts a well-formed answer and dials the packet's source address", () => {
    const peer = parseAnswer(
      answer(OTHER, {
        // The A records claim another machine; the packet came from .20.
        addresses: ["10.9.9.9"],
        referer: { address: "192.168.1.20", family: "IPv4", port: 5353, size: 300 },
      }),
      SELF,
    );
    expect(peer).toEqual({
      deviceKey: OTHER,
      host: "192.168.1.20",
      port: 4100,
      communityTags: ["0123456789abcdef"],
      inviteHints: [],
    });
  });

  it("without a source address, prefers a usable IPv4 record and never a claimed loopback", () => {
    const without = { referer: undefined };
    const pick = (addresses: unknown) =>
      parseAnswer({ ...answer(OTHER), ...without, addresses }, SELF)?.host;
    expect(pick(["2001:db8::5", "192.168.1.30"])).toBe("192.168.1.30");
    expect(pick(["2001:db8::5"])).toBe("2001:db8::5");
    expect(pick(["127.0.0.1", "::1", "fe80::1", "0.0.0.0", "224.0.0.251", "255.255.255.255"])).toBe(
      undefined,
    );
    expect(pick("192.168.1.30")).toBe(undefined);
  });

  const spoofs: [string, Record<string, unknown>][] = [
    ["a short key", answer(OTHER, { txt: { v: "1", k: "b".repeat(63) } })],
    ["a non-hex key", answer(OTHER, { txt: { v: "1", k: "g".repeat(64) } })],
    ["an upper-case key", answer(OTHER, { txt: { v: "1", k: OTHER.toUpperCase() } })],
    ["a name that does not match the key", answer(OTHER, { name: "meitheal-ffffffffffff" })],
    ["port 0", answer(OTHER, { port: 0 })],
    ["port 70000", answer(OTHER, { port: 70_000 })],
    ["a fractional port", answer(OTHER, { port: 4100.5 })],
    ["a port as text", answer(OTHER, { port: "4100" })],
    ["no TXT", answer(OTHER, { txt: undefined })],
    ["a TXT array", answer(OTHER, { txt: ["v=1", `k=${OTHER}`] })],
    ["an array value", answer(OTHER, { txt: { v: "1", k: [OTHER] } })],
    ["an object value", answer(OTHER, { txt: { v: "1", k: OTHER, c: { 0: "0123456789abcdef" } } })],
    ["another version", answer(OTHER, { txt: { v: "2", k: OTHER } })],
    ["a malformed tag", answer(OTHER, { txt: { v: "1", k: OTHER, c: "0123456789abcdeg" } })],
    ["a malformed hint", answer(OTHER, { txt: { v: "1", k: OTHER, i: "0123456789abcdeg" } })],
    [
      "too many hints",
      answer(OTHER, { txt: { v: "1", k: OTHER, i: Array(9).fill("0123456789abcdef").join(",") } }),
    ],
    [
      "too many tags",
      answer(OTHER, {
        txt: {
          v: "1",
          k: OTHER,
          ...buildTxt(
            OTHER,
            Array.from({ length: 32 }, () => hex(8)),
          ),
          c: hex(8),
        },
      }),
    ],
    ["a huge TXT value", answer(OTHER, { txt: { v: "1", k: OTHER, x: "y".repeat(100_000) } })],
    [
      "too many TXT keys",
      answer(OTHER, {
        txt: Object.fromEntries([
          ["v", "1"],
          ["k", OTHER],
          ...Array.from({ length: 50 }, (_, i) => [`x${i}`, "1"]),
        ]),
      }),
    ],
    ["our own key", answer(SELF, { txt: { v: "1", k: SELF } })],
    ["a multicast source", answer(OTHER, { referer: { address: "224.0.0.251" } })],
    ["a source that is not an address", answer(OTHER, { referer: { address: "evil.local" } })],
    ["a source without address", answer(OTHER, { referer: {} })],
  ];
  it.each(spoofs)("rejects %s", (_, spoof) => {
    expect(parseAnswer(spoof, SELF)).toBeUndefined();
  });

  it("returns undefined, never throws, for a throwing getter or a Proxy", () => {
    const trap = new Proxy(
      {},
      {
        get: () => {
          throw new Error("boom");
        },
      },
    );
    const getter = Object.defineProperty({}, "txt", {
      enumerable: true,
      get: () => {
        throw new Error("boom");
      },
    });
    expect(parseAnswer(trap, SELF)).toBeUndefined();
    expect(parseAnswer(getter, SELF)).toBeUndefined();
    expect(parseAnswer(answer(OTHER, { txt: trap }), SELF)).toBeUndefined();
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withBoxedValues: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withObjectString: true,
          withSparseArray: true,
          withTypedArray: true,
        }),
        (input) => {
          expect(parseAnswer(input, SELF)).toBeUndefined();
        },
      ),
    );
  });

  it("never throws on answer-shaped input with random fields, and anything it accepts is sane", () => {
    const key = fc.oneof(
      fc.constant(OTHER),
      fc.constant(SELF),
      fc.stringMatching(/^[0-9a-fA-F]{60,68}$/),
    );
    const value = fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{16}(,[0-9a-f]{16}){0,40}$/));
    const shaped = key.chain((k) =>
      fc.record(
        {
          name: fc.oneof(fc.constant(serviceName(k)), fc.anything()),
          host: fc.oneof(fc.string(), fc.anything()),
          port: fc.oneof(fc.integer({ min: -10, max: 70_000 }), fc.double(), fc.anything()),
          addresses: fc.oneof(
            fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string(), fc.anything()), {
              maxLength: 40,
            }),
            fc.anything(),
          ),
          referer: fc.oneof(
            fc.record({ address: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()) }),
            fc.anything(),
          ),
          txt: fc.oneof(
            fc.dictionary(
              fc.oneof(fc.constantFrom("v", "k", "c", "c0", "c1", "c2", "c3"), fc.string()),
              fc.oneof(value, fc.constant("1"), fc.constant(k), fc.anything()),
              { maxKeys: 20 },
            ),
            fc.record({ v: fc.constant("1"), k: fc.constant(k), c: value }),
            fc.anything(),
          ),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(shaped, (input) => {
        const peer = parseAnswer(input, SELF);
        if (peer === undefined) return;
        expect(peer.deviceKey).toMatch(/^[0-9a-f]{64}$/);
        expect(peer.deviceKey).not.toBe(SELF);
        expect(Number.isInteger(peer.port) && peer.port >= 1 && peer.port <= 65_535).toBe(true);
        expect(peer.communityTags.length).toBeLessThanOrEqual(DISCOVERY_LIMITS.maxTags);
        for (const tag of peer.communityTags) expect(tag).toMatch(/^[0-9a-f]{16}$/);
      }),
    );
  });

  it("reads back whatever a device publishes (key, any port, up to maxTags tags)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9a-f]{64}$/),
        fc.integer({ min: 1, max: 65_535 }),
        fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{16}$/), {
          maxLength: DISCOVERY_LIMITS.maxTags,
        }),
        (key, port, tags) => {
          fc.pre(key !== SELF);
          const peer = parseAnswer(answer(key, { port, txt: buildTxt(key, tags) }), SELF);
          expect(peer?.deviceKey).toBe(key);
          expect(peer?.port).toBe(port);
          expect(peer?.communityTags.sort()).toEqual([...tags].sort());
        },
      ),
    );
  });
});

describe("browsing", () => {
  it("reports valid answers from up, txt-update and srv-update, and ignores our own and spoofed ones", () => {
    const { bonjour, peers, discovery } = start();
    running.push(discovery);
    bonjour.browser.emit("up", answer(OTHER));
    bonjour.browser.emit("up", answer(SELF, { txt: { v: "1", k: SELF } }));
    bonjour.browser.emit("up", answer(OTHER, { port: 0 }));
    bonjour.browser.emit("up", "garbage");
    const third = hex(32);
    bonjour.browser.emit("txt-update", answer(third), answer(third, { txt: {} }));
    const fourth = hex(32);
    bonjour.browser.emit("srv-update", answer(fourth, { port: 4200 }), answer(fourth));
    expect(peers.map((peer) => [peer.deviceKey, peer.port])).toEqual([
      [OTHER, 4100],
      [third, 4100],
      [fourth, 4200],
    ]);
  });

  it("rate-limits a flood of the same answer, and still delivers a change made inside the window", () => {
    vi.useFakeTimers();
    const { bonjour, peers, discovery } = start();
    running.push(discovery);
    for (let i = 0; i < 1_000; i++) bonjour.browser.emit("up", answer(OTHER));
    expect(peers).toHaveLength(1);

    // Identical answers inside the window are not delivered again at its end: nothing new.
    vi.advanceTimersByTime(DISCOVERY_LIMITS.rateWindowMs);
    expect(peers).toHaveLength(1);
    // After the window the same peer is a hint again (the caller may have lost the link).
    bonjour.browser.emit("up", answer(OTHER));
    expect(peers).toHaveLength(2);

    // A tag change inside the window (the peer joined a community) arrives when the window ends,
    // because bonjour-service reports a TXT change only once.
    const changed = { v: "1", k: OTHER, c: "0123456789abcdef,fedcba9876543210" };
    bonjour.browser.emit("txt-update", answer(OTHER, { txt: changed }));
    expect(peers).toHaveLength(2);
    vi.advanceTimersByTime(DISCOVERY_LIMITS.rateWindowMs);
    expect(peers).toHaveLength(3);
    expect(peers[2]?.communityTags).toEqual(["0123456789abcdef", "fedcba9876543210"]);

    // The same key at another address or port is another hint, not rate-limited with the first.
    bonjour.browser.emit("up", answer(OTHER, { port: 4101 }));
    expect(peers).toHaveLength(4);
  });

  it("stays bounded when flooded with 10,000 random keys, and recovers after the window", () => {
    vi.useFakeTimers();
    const { bonjour, peers, discovery } = start();
    running.push(discovery);
    for (let i = 0; i < 10_000; i++) bonjour.browser.emit("up", answer(hex(32)));
    expect(peers.length).toBeLessThanOrEqual(DISCOVERY_LIMITS.maxPeers);
    expect(discovery.stats().remembered).toBeLessThanOrEqual(DISCOVERY_LIMITS.maxPeers);
    expect(discovery.stats().dropped).toBe(10_000 - peers.length);

    // Entries whose window has passed make room: a real peer arriving later is still found.
    vi.advanceTimersByTime(DISCOVERY_LIMITS.rateWindowMs);
    const before = peers.length;
    bonjour.browser.emit("up", answer(OTHER));
    expect(peers).toHaveLength(before + 1);
    expect(discovery.stats().remembered).toBeLessThanOrEqual(DISCOVERY_LIMITS.maxPeers);
  });

  it("replaces bonjour-service's browser when it holds too many names (it never forgets one)", () => {
    vi.useFakeTimers();
    const { bonjour, discovery } = start();
    running.push(discovery);
    const first = bonjour.browser;
    first.services = Array.from({ length: DISCOVERY_LIMITS.maxBrowserServices + 1 }, () => ({}));
    first.emit("up", answer(hex(32)));
    first.emit("up", answer(hex(32)));
    vi.advanceTimersByTime(1);
    expect(first.stopped).toBe(true);
    expect(bonjour.browsers).toHaveLength(2);
  });

  it("browses afresh every requeryMs, so late peers and peers that moved are reported", () => {
    vi.useFakeTimers();
    const { bonjour, peers, discovery } = start();
    running.push(discovery);
    bonjour.browser.emit("up", answer(OTHER));
    const first = bonjour.browser;
    vi.advanceTimersByTime(DISCOVERY_LIMITS.requeryMs);
    expect(first.stopped).toBe(true);
    expect(bonjour.browsers).toHaveLength(2);
    // The same device from its new address: bonjour-service's old browser would have stayed silent
    // (same name, same SRV and TXT); the fresh one reports it.
    const moved = { address: "192.168.1.77", family: "IPv4", port: 5353, size: 300 };
    bonjour.browser.emit("up", answer(OTHER, { referer: moved }));
    expect(peers.map((peer) => peer.host)).toEqual(["192.168.1.20", "192.168.1.77"]);
    // A late event from the replaced browser is ignored.
    first.emit("up", answer(hex(32)));
    expect(peers).toHaveLength(2);
  });
});

describe("errors", () => {
  it("reports bonjour errors as sentences, once per minute each, and keeps running", () => {
    vi.useFakeTimers();
    const { bonjour, peers, errors, discovery } = start();
    running.push(discovery);
    const busy = Object.assign(new Error("bind EADDRINUSE 0.0.0.0:5353"), { code: "EADDRINUSE" });
    bonjour.fail(busy);
    bonjour.fail(busy);
    bonjour.fail(Object.assign(new Error("send ENETUNREACH"), { code: "ENETUNREACH" }));
    expect(errors).toEqual([
      "LAN discovery is off: another program holds UDP port 5353 (mDNS) exclusively (bind EADDRINUSE 0.0.0.0:5353)",
      "LAN discovery cannot reach the local network: no network interface for multicast? (send ENETUNREACH)",
    ]);
    vi.advanceTimersByTime(DISCOVERY_LIMITS.errorRepeatMs);
    bonjour.fail(busy);
    expect(errors).toHaveLength(3);
    bonjour.browser.emit("up", answer(OTHER));
    expect(peers).toHaveLength(1);
  });

  it("reports a publish or find that throws, and a throwing onPeer, instead of throwing", () => {
    const bonjour = new FakeBonjour();
    bonjour.publish = () => {
      throw new Error("publish failed");
    };
    const errors: string[] = [];
    const discovery = startDiscovery({
      deviceKey: SELF,
      port: 4100,
      tags: () => {
        throw new Error("tags failed");
      },
      onPeer: () => {
        throw new Error("onPeer failed");
      },
      onError: (message) => errors.push(message),
      bonjour,
    });
    running.push(discovery);
    // onPeer runs inside bonjour-service's socket handler, where a throw would crash the process.
    expect(() => bonjour.browser.emit("up", answer(OTHER))).not.toThrow();
    expect(errors).toEqual([
      "LAN discovery: tags failed",
      "LAN discovery: publish failed",
      "LAN discovery: onPeer failed",
    ]);

    const broken = new FakeBonjour();
    broken.find = () => {
      throw new Error("find failed");
    };
    const more: string[] = [];
    running.push(
      startDiscovery({
        deviceKey: SELF,
        port: 4100,
        tags: () => [],
        onPeer: () => undefined,
        onError: (message) => more.push(message),
        bonjour: broken,
      }),
    );
    expect(more).toEqual(["LAN discovery: find failed"]);
  });
});

describe("stop", () => {
  it("unpublishes, stops browsing, destroys bonjour, and reports nothing afterwards", async () => {
    const { bonjour, peers, errors, discovery } = start({ tags: () => [hex(8)] });
    const browser = bonjour.browser;
    await discovery.stop();
    expect(bonjour.published.every((record) => record.stopped)).toBe(true);
    expect(browser.stopped).toBe(true);
    expect(bonjour.destroyed).toBe(true);
    browser.emit("up", answer(OTHER));
    bonjour.fail(new Error("late"));
    discovery.update();
    expect(peers).toEqual([]);
    expect(errors).toEqual([]);
    expect(bonjour.published).toHaveLength(1);
    await discovery.stop(); // twice is fine
  });

  it("does not wait forever for a goodbye that never completes", async () => {
    vi.useFakeTimers();
    const bonjour = new FakeBonjour();
    bonjour.publish = () => ({ stop: () => undefined });
    const { discovery } = start({ bonjour });
    const stopped = discovery.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
    expect(bonjour.destroyed).toBe(true);
  });
});

/**
 * A stand-in for the dgram socket multicast-dns would create (it accepts one as `socket`): the real
 * bonjour-service and multicast-dns run, encode and decode real packets, and nothing leaves the
 * process. `sent` holds every packet they tried to send.
 */
class FakeSocket extends EventEmitter {
  sent: Buffer[] = [];
  constructor(
    private readonly failures: {
      bindError?: string;
      sendError?: string;
      membershipError?: string;
    } = {},
  ) {
    super();
  }
  private get bindError() {
    return this.failures.bindError;
  }
  private get sendError() {
    return this.failures.sendError;
  }
  address() {
    return { address: "0.0.0.0", family: "IPv4", port: 5353 };
  }
  setMulticastTTL() {}
  setMulticastLoopback() {}
  setMulticastInterface() {}
  addMembership() {
    const code = this.failures.membershipError;
    if (code) throw Object.assign(new Error(`addMembership ${code}`), { code });
  }
  dropMembership() {}
  bind(_port: number, _address: string | undefined, callback: () => void) {
    setImmediate(() => {
      if (this.bindError)
        this.emit(
          "error",
          Object.assign(new Error(`bind ${this.bindError} 0.0.0.0:5353`), { code: this.bindError }),
        );
      else callback();
    });
  }
  send(
    message: Buffer,
    offset: number,
    length: number,
    _port: number,
    _address: string,
    callback: (error: Error | null) => void,
  ) {
    this.sent.push(Buffer.from(message.subarray(offset, offset + length)));
    const error = this.sendError
      ? Object.assign(new Error(`send ${this.sendError} 224.0.0.251:5353`), {
          code: this.sendError,
        })
      : null;
    setImmediate(() => callback(error));
  }
  close(callback?: () => void) {
    if (callback) setImmediate(callback);
  }
  /** Delivers a packet as if it arrived from `address`. */
  receive(message: Buffer, address: string) {
    this.emit("message", message, { address, family: "IPv4", port: 5353, size: message.length });
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("with the real bonjour-service (fake socket, no network)", () => {
  it("round-trips an advertisement: a member recognises the tag, the wire holds no community id", async () => {
    const community = { id: "community-9c3d55-gardeners", key: randomBytes(32) };
    // 31 made-up tags besides the real one: the TXT needs several strings on the wire.
    const filler = Array.from({ length: DISCOVERY_LIMITS.maxTags - 1 }, () => hex(8));
    const socketA = new FakeSocket();
    const a = startDiscovery({
      deviceKey: OTHER,
      port: 4100,
      tags: () => [communityTag(community.key, OTHER), ...filler],
      onPeer: () => undefined,
      bonjour: createBonjour({ socket: socketA }),
    });
    running.push(a);
    const socketB = new FakeSocket();
    const found: DiscoveredPeer[] = [];
    const errors: string[] = [];
    const b = startDiscovery({
      deviceKey: SELF,
      port: 4200,
      tags: () => [communityTag(community.key, SELF)],
      onPeer: (peer) => found.push(peer),
      onError: (message) => errors.push(message),
      bonjour: createBonjour({ socket: socketB }),
    });
    running.push(b);
    for (let i = 0; i < 5 && socketA.sent.length < 2; i++) await tick();
    expect(socketA.sent.length).toBeGreaterThanOrEqual(2); // the announcement and a query

    for (const packet of socketA.sent) {
      const bytes = packet.toString("latin1");
      expect(bytes).not.toContain(community.id);
      expect(bytes).not.toContain(community.key.toString("hex"));
    }
    expect(socketA.sent.some((packet) => packet.includes(OTHER))).toBe(true);

    // B hears A's packets from 192.0.2.7, whatever A's A records say.
    for (const packet of socketA.sent) socketB.receive(packet, "192.0.2.7");
    expect(errors).toEqual([]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ deviceKey: OTHER, host: "192.0.2.7", port: 4100 });
    expect(found[0]?.communityTags).toHaveLength(DISCOVERY_LIMITS.maxTags);
    expect(found[0]?.communityTags).toContain(communityTag(community.key, OTHER));

    // B ignores its own advertisement looped back by multicast.
    for (const packet of socketB.sent) socketB.receive(packet, "127.0.0.1");
    expect(found).toHaveLength(1);
  });

  it.each([
    ["EADDRINUSE", /another program holds UDP port 5353/],
    ["EACCES", /not allowed to use UDP port 5353/],
  ])("reports a failed bind (%s) through onError instead of crashing", async (code, expected) => {
    const errors: string[] = [];
    const discovery = startDiscovery({
      deviceKey: SELF,
      port: 4100,
      tags: () => [],
      onPeer: () => undefined,
      onError: (message) => errors.push(message),
      bonjour: createBonjour({ socket: new FakeSocket({ bindError: code }) }),
    });
    running.push(discovery);
    for (let i = 0; i < 5; i++) await tick();
    // multicast-dns emits these as "error", which bonjour-service does not listen to: without the
    // listener createBonjour adds, this would be an uncaught exception.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(expected);
  });

  it("reports a failed answer and a failed multicast join, and ignores garbage packets", async () => {
    const socket = new FakeSocket({ sendError: "ENETUNREACH", membershipError: "ENODEV" });
    const errors: string[] = [];
    const discovery = startDiscovery({
      deviceKey: SELF,
      port: 4100,
      tags: () => [],
      onPeer: () => undefined,
      onError: (message) => errors.push(message),
      bonjour: createBonjour({ socket }),
    });
    running.push(discovery);
    for (let i = 0; i < 5 && socket.sent.length < 2; i++) await tick();
    // Announcements and queries that fail to send are dropped silently by bonjour-service; an answer
    // to a query goes to its error callback, which throws by default. Our own query, looped back
    // as multicast does, makes it answer.
    for (const packet of socket.sent) socket.receive(packet, "127.0.0.1");
    for (let i = 0; i < 5; i++) await tick();
    expect(errors).toEqual([
      "LAN discovery cannot reach the local network: no network interface for multicast? (send ENETUNREACH 224.0.0.251:5353)",
    ]);
    // "listening" makes multicast-dns join the group on each interface; a failure is a "warning".
    socket.emit("listening");
    expect(errors[1]).toMatch(/no network interface for multicast\? \(addMembership ENODEV\)/);
    // Undecodable packets are "warning"s too, which anyone can cause: not reported.
    socket.receive(Buffer.from("not a dns packet"), "192.0.2.9");
    expect(errors).toHaveLength(2);
  });
});
