// What a device advertises over mDNS for LAN discovery (discovery.ts), and how an answer from
// anyone on the LAN is read: checked field by field, never trusted.
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
// While this device has invites open it also advertises their hints, `i=<hint>,<hint>`: each is
// HKDF(secret, "meitheal/invite-hint/v1") cut to 64 bits (trust/inviteCode.ts), so only someone
// holding the code can recognise it, and it names no community and no person. A joiner with only
// the typed code browses for the hint to learn where to dial.
import { createHmac } from "node:crypto";
import { BlockList, isIP } from "node:net";

/** DNS-SD service type: `_meitheal._tcp.local`. */
export const SERVICE_TYPE = "meitheal";

export const DISCOVERY_LIMITS = {
  /** Community tags advertised by one device; more are not advertised (and make an answer invalid). */
  maxTags: 32,
  /** Invite hints advertised by one device: 8 × 16 hex + 7 commas + "i=" = 137 bytes. */
  maxHints: 8,
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
export const DEVICE_KEY = /^[0-9a-f]{64}$/;
export const TAG = /^[0-9a-f]{16}$/;
const TAG_ENTRIES = Math.ceil(DISCOVERY_LIMITS.maxTags / DISCOVERY_LIMITS.tagsPerEntry);

export type DiscoveredPeer = {
  /** Ed25519 device key, 64 lowercase hex: only a claim until the handshake proves it. */
  deviceKey: string;
  /** An IP address to dial (never a host name). */
  host: string;
  port: number;
  /** 16 hex each: compare with `communityTag(key, deviceKey)` for each of this device's communities. */
  communityTags: string[];
  /** 16 hex each: the hints of the invites this device has open (compare with a typed code's). */
  inviteHints: string[];
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
export function buildTxt(
  deviceKey: string,
  tags: readonly string[],
  hints: readonly string[] = [],
): Record<string, string> {
  const unique = [...new Set(tags)].sort().slice(0, DISCOVERY_LIMITS.maxTags);
  const txt: Record<string, string> = { v: TXT_VERSION, k: deviceKey };
  const openHints = [...new Set(hints)].sort().slice(0, DISCOVERY_LIMITS.maxHints);
  if (openHints.length > 0) txt.i = openHints.join(",");
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
export const isDict = (value: unknown): value is Dict =>
  typeof value === "object" && value !== null && !Array.isArray(value);
export const own = (object: Dict, key: string): unknown =>
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

function parseHints(txt: Dict): string[] | undefined {
  const value = own(txt, "i");
  if (value === undefined || value === "") return [];
  if (typeof value !== "string") return undefined;
  const hints = value.split(",");
  if (hints.length > DISCOVERY_LIMITS.maxHints || !hints.every((h) => TAG.test(h)))
    return undefined;
  return [...new Set(hints)];
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
  const inviteHints = parseHints(txt);
  if (inviteHints === undefined) return undefined;
  return { deviceKey, host, port, communityTags, inviteHints };
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
