// What this device knows, privately, about a community it belongs to: the community key (a 32-byte
// secret every member holds: offline bundles are encrypted with it, discovery tags derive from it),
// the devices to trust before the roster document has arrived (the inviter), and where member
// devices were last reached. Device data, never synced: `communities/<id>/trust.json`, mode 0600.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { z } from "zod";
import { ErrorCode, MeithealFailure } from "../../shared/result.ts";
import { communityDir } from "../communities.ts";
import { readJson, writeJsonAtomic } from "../storage/atomicFile.ts";

export const TRUST_FILE = "trust.json";
/** Addresses remembered per device: the newest first. */
const MAX_ADDRESSES_PER_DEVICE = 6;
const MAX_DEVICES = 512;

const hexKey = z.string().regex(/^[0-9a-f]{64}$/);
const trustValidator = z.object({
  kind: z.literal("meitheal/community-trust"),
  version: z.literal(1),
  communityKey: hexKey,
  /** Trusted until the roster arrives (the inviter); the roster decides as soon as it is here. */
  bootstrap: z.array(hexKey).max(16),
  /** Device key → host:port addresses it was reached at or announced. */
  addresses: z.record(hexKey, z.array(z.string().max(300)).max(MAX_ADDRESSES_PER_DEVICE)),
});
export type TrustRecord = z.infer<typeof trustValidator>;

export const trustPath = (dataDir: string, communityId: string) =>
  join(communityDir(dataDir, communityId), TRUST_FILE);

export const newCommunityKey = (): string => randomBytes(32).toString("hex");

export class CommunityTrust {
  #saving: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private record: TrustRecord,
  ) {}

  /** Loads the file; undefined when there is none. A damaged file is left untouched and reported. */
  static async load(dataDir: string, communityId: string): Promise<CommunityTrust | undefined> {
    const path = trustPath(dataDir, communityId);
    let raw: unknown;
    try {
      raw = await readJson(path);
    } catch (e) {
      throw damaged(path, (e as Error).message);
    }
    if (raw === undefined) return undefined;
    const parsed = trustValidator.safeParse(raw);
    if (!parsed.success) throw damaged(path, "unexpected content");
    return new CommunityTrust(path, parsed.data);
  }

  /** Writes a new record (a community created or joined here). */
  static async create(
    dataDir: string,
    communityId: string,
    init: { communityKey: string; bootstrap: string[]; addresses?: Record<string, string[]> },
  ): Promise<CommunityTrust> {
    const record = trustValidator.parse({
      kind: "meitheal/community-trust",
      version: 1,
      communityKey: init.communityKey,
      bootstrap: init.bootstrap,
      addresses: init.addresses ?? {},
    });
    const trust = new CommunityTrust(trustPath(dataDir, communityId), record);
    await trust.#write();
    return trust;
  }

  get communityKeyHex(): string {
    return this.record.communityKey;
  }

  get communityKey(): Uint8Array {
    return Buffer.from(this.record.communityKey, "hex");
  }

  isBootstrap(deviceKey: string): boolean {
    return this.record.bootstrap.includes(deviceKey);
  }

  /** Every device with a remembered address, and its addresses (newest first). */
  knownAddresses(): [string, string[]][] {
    return Object.entries(this.record.addresses);
  }

  /** Remembers where a device was reached; saved in the background. */
  rememberAddress(deviceKey: string, address: string): void {
    if (!/^[0-9a-f]{64}$/.test(deviceKey) || address.length > 300) return;
    const current = this.record.addresses[deviceKey] ?? [];
    if (current[0] === address) return;
    if (current.length === 0 && Object.keys(this.record.addresses).length >= MAX_DEVICES) return;
    this.record.addresses[deviceKey] = [address, ...current.filter((a) => a !== address)].slice(
      0,
      MAX_ADDRESSES_PER_DEVICE,
    );
    void this.#write().catch(() => undefined);
  }

  /**
   * Trusts an inviter until the roster decides, and remembers where it is: a restored community
   * joined again (sync/service.ts) learns the roster from that device. Saved before it resolves.
   */
  async trustInviter(deviceKey: string, addresses: readonly string[]): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(deviceKey)) return;
    if (!this.record.bootstrap.includes(deviceKey))
      this.record.bootstrap = [deviceKey, ...this.record.bootstrap].slice(0, 16);
    const known = addresses.filter((a) => a.length <= 300);
    if (known.length > 0)
      this.record.addresses[deviceKey] = [
        ...new Set([...known, ...(this.record.addresses[deviceKey] ?? [])]),
      ].slice(0, MAX_ADDRESSES_PER_DEVICE);
    await this.#write();
  }

  forgetDevice(deviceKey: string): void {
    if (!(deviceKey in this.record.addresses)) return;
    delete this.record.addresses[deviceKey];
    void this.#write().catch(() => undefined);
  }

  /** Waits for pending writes. */
  flush(): Promise<void> {
    return this.#saving;
  }

  #write(): Promise<void> {
    const snapshot = structuredClone(this.record);
    // writeJsonAtomic creates files readable by this user only (0600): the community key is a secret.
    const next = this.#saving.then(() => writeJsonAtomic(this.path, snapshot));
    this.#saving = next.catch(() => undefined);
    return next;
  }
}

const damaged = (path: string, why: string) =>
  new MeithealFailure(
    ErrorCode.DataFolder,
    `This community's key file ${path} is damaged (${why}). It was left untouched; restore it from a backup, or join the community again with a new invite.`,
  );
