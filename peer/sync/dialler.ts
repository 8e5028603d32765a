// Dialling member devices: at the addresses the community's trust record knows, and at addresses a
// person typed or the configuration gave, each with its own backoff, so a device that is away is
// tried again without flooding the network.
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import type { TransportLimits } from "../net/limits.ts";
import { connectSecure, type SecureKeyPair } from "../net/transport.ts";
import type { CommunitySync } from "./communitySync.ts";

const MAX_RETRY_MS = 10_000;

type Backoff = { next: number; delay: number; busy: boolean };

export type DiallerOptions = {
  keyPair: SecureKeyPair;
  /** This device's key: never dialled. */
  self: string;
  /** How often unlinked members are dialled again at most (ms); doubles per failure up to 10 s. */
  retryMs?: number;
  transportLimits?: Partial<TransportLimits>;
  /** Addresses dialled from the start (configured). */
  connect?: readonly string[];
  closed(): boolean;
};

export class Dialler {
  readonly #options: DiallerOptions;
  readonly #backoff = new Map<string, Backoff>();
  /** Typed or configured addresses, dialled for every community until a member answers. */
  readonly #manual = new Set<string>();
  /** The device key that answered at an address (typed or configured). */
  readonly #keyAt = new Map<string, string>();

  constructor(options: DiallerOptions) {
    this.#options = options;
    for (const address of options.connect ?? []) this.#manual.add(address);
  }

  /** Dials every member of the community that is not linked, and every typed address. */
  dial(sync: CommunitySync): void {
    const { self } = this.#options;
    for (const [key, addresses] of sync.trust.knownAddresses()) {
      if (key === self || !sync.mayLink(key) || sync.adapter.isLinked(key)) continue;
      const address = addresses[0];
      if (address) this.attempt(sync, address, key);
    }
    for (const address of this.#manual) {
      // Once a device answered there, the known-address loop above dials it with its key.
      const key = this.#keyAt.get(address);
      if (key === undefined || (key !== self && sync.mayLink(key) && !this.#knows(sync, key)))
        this.attempt(sync, address, undefined);
    }
  }

  /** A host:port typed by a person: dialled for every community until it answers. */
  connect(address: string, communities: Iterable<CommunitySync>): Result<null> {
    const parsed = parseAddress(address);
    if (!parsed.ok) return parsed;
    const normal = `${parsed.value.host}:${parsed.value.port}`;
    this.#manual.add(normal);
    for (const sync of communities) {
      this.#backoff.delete(`${sync.id}|${normal}|?`);
      this.attempt(sync, normal, undefined);
    }
    return ok(null);
  }

  #knows(sync: CommunitySync, key: string): boolean {
    return sync.trust.knownAddresses().some(([k]) => k === key);
  }

  /** One dial of `address` for a community, unless its backoff says not yet. */
  attempt(sync: CommunitySync, address: string, key: string | undefined): void {
    const { self, retryMs, transportLimits } = this.#options;
    const slot = `${sync.id}|${address}|${key ?? "?"}`;
    const now = Date.now();
    const backoff = this.#backoff.get(slot) ?? {
      next: 0,
      delay: retryMs ?? 1_000,
      busy: false,
    };
    this.#backoff.set(slot, backoff);
    if (backoff.busy || now < backoff.next) return;
    const parsed = parseAddress(address);
    if (!parsed.ok) return;
    backoff.busy = true;
    connectSecure({
      keyPair: this.#options.keyPair,
      host: parsed.value.host,
      port: parsed.value.port,
      ...(key === undefined ? {} : { expectedRemoteKey: key }),
      ...(transportLimits ? { limits: transportLimits } : {}),
    })
      .then((connection) => {
        if (this.#options.closed()) return connection.close();
        const remote = connection.remoteKey;
        this.#keyAt.set(address, remote);
        if (remote === self || sync.adapter.isLinked(remote) || !sync.mayLink(remote)) {
          // Ourselves, already linked the other way, or not a member of this community.
          connection.close();
          backoff.next = Date.now() + backoff.delay;
          backoff.delay = Math.min(backoff.delay * 2, MAX_RETRY_MS);
          return;
        }
        sync.adapter.addConnection(connection);
        sync.trust.rememberAddress(remote, address);
        backoff.delay = retryMs ?? 1_000;
        backoff.next = Date.now() + backoff.delay;
      })
      .catch(() => {
        backoff.next = Date.now() + backoff.delay;
        backoff.delay = Math.min(backoff.delay * 2, MAX_RETRY_MS);
      })
      .finally(() => {
        backoff.busy = false;
      });
  }
}

/** host:port (IPv6 in brackets), as typed. */
export function parseAddress(text: string): Result<{ host: string; port: number }> {
  const trimmed = String(text).trim();
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(trimmed);
  const port = Number(match?.[2]);
  if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65535)
    return err(
      ErrorCode.BadInput,
      `"${trimmed.slice(0, 80)}" is not an address. Type the other device's address as host:port, e.g. 192.168.1.20:47800 (its Sync screen shows it).`,
    );
  const host = match[1].startsWith("[") ? match[1].slice(1, -1) : match[1];
  return ok({ host, port });
}
