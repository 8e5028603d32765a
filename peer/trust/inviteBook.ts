// The inviter's book of pending invites, kept as device data (never synced): single use, 10 minutes,
// locked after 5 wrong tries. The file holds, per invite, its id and mDNS hint and the Noise psk,
// each derived from the secret by HKDF (inviteCode.ts), never the secret or the code, so a leaked
// data folder does not reveal codes. The pairing protocol that spends them is invites.ts.
import { join } from "node:path";
import { randombytes_buf } from "sodium-universal";
import { z } from "zod";
import { isDocumentId, type CommunityId, type DeviceKey } from "../../shared/ids.ts";
import { ErrorCode, MeithealFailure } from "../../shared/result.ts";
import { readJson, writeJsonAtomic } from "../storage/atomicFile.ts";
import {
  encodeInviteCode,
  encodeInviteUri,
  inviteKeys,
  MAX_ADDRESSES,
  SECRET_BYTES,
} from "./inviteCode.ts";

export const INVITES_FILE = "invites.json";
export const INVITE_TTL_SECONDS = 600;
export const MAX_FAILED_ATTEMPTS = 5;
/** Records are kept this long past expiry so a late try still gets "expired", then dropped. */
const KEEP_EXPIRED_SECONDS = 3600;
/** Open invites advertised over mDNS at once; older ones still work by address. */
export const MAX_ADVERTISED = 8;

/** Why an invite cannot be used, or why a try failed; sent to the joiner as one byte. */
export const InviteFailure = {
  Unknown: 1,
  Expired: 2,
  Used: 3,
  Locked: 4,
  Wrong: 5,
  Refused: 6,
  Busy: 7,
  /** The joiner is on the roster already; the invite was not spent. */
  Member: 8,
} as const;
export type InviteFailure = (typeof InviteFailure)[keyof typeof InviteFailure];

export type InviteState = "pending" | "used" | "locked";

const storedInviteValidator = z.object({
  inviteId: z.string().regex(/^[0-9a-f]{16}$/),
  communityId: z.string(),
  psk: z.string().regex(/^[0-9a-f]{64}$/),
  hint: z.string().regex(/^[0-9a-f]{16}$/),
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
  failedAttempts: z.number().int().nonnegative(),
  state: z.enum(["pending", "used", "locked"]),
  usedBy: z.string().optional(),
});
type StoredInvite = z.infer<typeof storedInviteValidator>;

const fileValidator = z.object({
  kind: z.literal("meitheal/invites"),
  version: z.literal(2),
  invites: z.array(storedInviteValidator),
});
// Invites of version 1 were long codes that carried their own id; no code of today can name one, so
// such a file is read as "no pending invites" (they lapsed within 10 minutes anyway).
const oldFileValidator = z.object({ kind: z.literal("meitheal/invites"), version: z.literal(1) });

export type InviteSummary = {
  readonly inviteId: string;
  readonly communityId: CommunityId;
  readonly expiresAt: number;
  readonly state: InviteState | "expired";
  readonly failedAttempts: number;
};

export type CreatedInvite = {
  readonly inviteId: string;
  /** The code a person types (20 characters), returned once and never stored. */
  readonly code: string;
  /** The QR link: the code and `addresses`. */
  readonly uri: string;
  readonly addresses: readonly string[];
  /** Unix seconds. */
  readonly expiresAt: number;
};

/** What a connection may do with an invite, decided synchronously so two joiners cannot both win. */
type Lookup = { ok: true; record: StoredInvite } | { ok: false; failure: InviteFailure };

export class InviteBook {
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly records: Map<string, StoredInvite>,
    private readonly nowSeconds: () => number,
  ) {}

  /** Loads `invites.json` from the data folder (empty when missing). A damaged file is left untouched. */
  static async open(
    dataDir: string,
    nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ): Promise<InviteBook> {
    const path = join(dataDir, INVITES_FILE);
    const records = new Map<string, StoredInvite>();
    let raw: unknown;
    try {
      raw = await readJson(path);
    } catch (e) {
      throw damaged(path, (e as Error).message);
    }
    if (raw !== undefined && !oldFileValidator.safeParse(raw).success) {
      const parsed = fileValidator.safeParse(raw);
      if (!parsed.success) throw damaged(path, "unexpected content");
      for (const r of parsed.data.invites) records.set(r.inviteId, r);
    }
    return new InviteBook(path, records, nowSeconds);
  }

  /** Makes a new invite: a fresh 80-bit secret, returned once in the code and never stored. */
  async create(options: {
    communityId: CommunityId;
    /** Where this device listens, for the QR link (host:port; at most four are kept). */
    addresses: readonly string[];
    ttlSeconds?: number;
  }): Promise<CreatedInvite> {
    if (!isDocumentId(options.communityId))
      throw new Error("invite community id is not a document id");
    const now = this.nowSeconds();
    const secret = new Uint8Array(SECRET_BYTES);
    randombytes_buf(secret);
    const keys = inviteKeys(secret);
    // Two open invites with one id would be one invite; 64 bits make it a once-in-never event.
    if (this.records.has(keys.inviteId)) throw new Error("invite id collision");
    const addresses = options.addresses.slice(0, MAX_ADDRESSES);
    // Encode first: a bad address throws before anything is recorded.
    const code = encodeInviteCode(secret);
    const uri = encodeInviteUri(secret, addresses);
    const expiresAt = now + (options.ttlSeconds ?? INVITE_TTL_SECONDS);
    this.prune(now);
    this.records.set(keys.inviteId, {
      inviteId: keys.inviteId,
      communityId: options.communityId,
      psk: keys.psk.toString("hex"),
      hint: keys.hint,
      createdAt: now,
      expiresAt,
      failedAttempts: 0,
      state: "pending",
    });
    await this.save();
    return { inviteId: keys.inviteId, code, uri, addresses, expiresAt };
  }

  /** The mDNS hints of the invites that can still be used, newest first. */
  openHints(): string[] {
    const now = this.nowSeconds();
    return [...this.records.values()]
      .filter((r) => r.state === "pending" && r.expiresAt > now)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, MAX_ADVERTISED)
      .map((r) => r.hint);
  }

  /** The community an invite is for (while the book holds it). */
  communityOf(inviteId: string): CommunityId | undefined {
    return this.records.get(inviteId)?.communityId as CommunityId | undefined;
  }

  list(): InviteSummary[] {
    const now = this.nowSeconds();
    return [...this.records.values()].map((r) => ({
      inviteId: r.inviteId,
      communityId: r.communityId as CommunityId,
      expiresAt: r.expiresAt,
      state: r.state === "pending" && r.expiresAt <= now ? "expired" : r.state,
      failedAttempts: r.failedAttempts,
    }));
  }

  async cancel(inviteId: string): Promise<void> {
    if (this.records.delete(inviteId)) await this.save();
  }

  /** @internal for the protocol: whether this invite may be tried now. */
  lookup(inviteId: string): Lookup {
    const record = this.records.get(inviteId);
    if (!record) return { ok: false, failure: InviteFailure.Unknown };
    if (record.state === "used") return { ok: false, failure: InviteFailure.Used };
    if (record.state === "locked") return { ok: false, failure: InviteFailure.Locked };
    if (record.expiresAt <= this.nowSeconds()) return { ok: false, failure: InviteFailure.Expired };
    return { ok: true, record };
  }

  /** @internal Counts a wrong secret; the fifth locks the invite. */
  recordFailure(inviteId: string): InviteFailure {
    const record = this.records.get(inviteId);
    if (!record) return InviteFailure.Unknown;
    record.failedAttempts += 1;
    if (record.failedAttempts >= MAX_FAILED_ATTEMPTS && record.state === "pending")
      record.state = "locked";
    this.queueSave();
    return record.state === "locked" ? InviteFailure.Locked : InviteFailure.Wrong;
  }

  /** @internal Claims the invite for one joiner; synchronous, so only the first completed handshake wins. */
  claim(inviteId: string, joiner: DeviceKey): Lookup {
    const found = this.lookup(inviteId);
    if (!found.ok) return found;
    found.record.state = "used";
    found.record.usedBy = joiner;
    this.queueSave();
    return found;
  }

  /** Resolves when every change so far is on disk. */
  flush(): Promise<void> {
    return this.saving;
  }

  private prune(now: number) {
    for (const [id, r] of this.records)
      if (r.expiresAt + KEEP_EXPIRED_SECONDS < now) this.records.delete(id);
  }

  private queueSave() {
    // Writes are chained, each taking the state at its turn, so the last write is the newest state.
    this.saving = this.saving
      .catch(() => undefined)
      .then(() =>
        writeJsonAtomic(this.path, {
          kind: "meitheal/invites",
          version: 2,
          invites: [...this.records.values()],
        }),
      );
  }

  private save(): Promise<void> {
    this.queueSave();
    return this.saving;
  }
}

const damaged = (path: string, why: string) =>
  new MeithealFailure(
    ErrorCode.DataFolder,
    `The invites file ${path} is damaged (${why}). It was left untouched. Move it aside to start with no pending invites.`,
  );
