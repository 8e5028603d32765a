// Who gets into a community, on the sync port: invites this device makes and answers (the inviter
// adds the joiner to the roster once the handshake proved the secret and the key), and joining a
// community with an invite from another device.
import type { Socket } from "node:net";
import type { CommunitySummary, InviteInfo } from "../../shared/contract.ts";
import { asDeviceKey, type CommunityId, type DeviceKey } from "../../shared/ids.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { checkName } from "../../shared/schema/input.ts";
import type { OpenCommunity } from "../communities.ts";
import type { DeviceKeyPair } from "../trust/deviceKey.ts";
import { InviteBook } from "../trust/inviteBook.ts";
import { checkAddress, inviteKeys, parseInvite } from "../trust/inviteCode.ts";
import {
  isInvitePreamble,
  joinWithInvite,
  noiseKeyPairFromDevice,
  MAX_NAME,
  serveInvite,
  type RosterEntry,
} from "../trust/invites.ts";
import { addMember, isMember } from "../trust/roster.ts";
import type { CommunitySync } from "./communitySync.ts";
import { CommunityTrust } from "./trust.ts";

/** Invite sockets served at once; more get "busy" (each lasts at most the handshake timeout). */
const MAX_INVITE_SOCKETS = 8;

/** What admission needs of the sync service and the peer. */
export type AdmissionHost = {
  readonly dataDir: string;
  readonly device: DeviceKeyPair;
  displayName(): string;
  now(): number;
  /** The community on this device, synced or not. */
  community(id: string): OpenCommunity | undefined;
  /** The community's sync state, when it syncs. */
  syncOf(id: CommunityId): CommunitySync | undefined;
  /** Opens (and remembers) a community known by id only; its documents come from peers. */
  joinCommunity(id: string): Promise<Result<CommunitySummary>>;
  dial(sync: CommunitySync): void;
  notify(id: CommunityId): void;
  /** A device joined with an invite made here: told to the inviter's screen at once. */
  joined(event: { communityId: CommunityId; deviceKey: DeviceKey; name: string }): void;
  /**
   * Where a device advertising this invite hint over mDNS listens (host:port), waiting up to
   * `waitMs` for one to be heard; empty when discovery is off or nothing answered.
   */
  findInviter(hint: string, waitMs: number): Promise<string[]>;
  /** The name the joiner gave becomes the profile's when the person never chose one. */
  adoptName(name: string): Promise<void>;
};

/** How long a joiner with only a typed code listens for the inviter's mDNS hint. */
export const HINT_WAIT_MS = 8_000;

export type JoinRequestArgs = {
  /** The typed code, or the QR link (which carries addresses too). */
  readonly code: string;
  /** The name others will see for this device, given on the join screen. */
  readonly name: string;
  /** host:port typed by the person, for networks where mDNS does not pass. */
  readonly at?: string;
};

export class Admission {
  readonly #host: AdmissionHost;
  #book: InviteBook | undefined;
  #inviteSockets = 0;

  constructor(host: AdmissionHost) {
    this.#host = host;
  }

  get #self(): string {
    return this.#host.device.publicKey;
  }

  /** Loads the pending invites; until then this device makes and answers none. */
  async open(): Promise<void> {
    this.#book = await InviteBook.open(this.#host.dataDir);
  }

  /** Takes a socket whose first bytes are the invite protocol's; false for any other socket. */
  claim(first: Buffer, socket: Socket): boolean {
    if (!isInvitePreamble(first)) return false;
    const book = this.#book;
    if (!book || this.#inviteSockets >= MAX_INVITE_SOCKETS) {
      socket.destroy();
      return true;
    }
    this.#inviteSockets++;
    void serveInvite(
      socket,
      {
        book,
        keyPair: noiseKeyPairFromDevice(this.#host.device),
        onJoin: (request) => Promise.resolve(this.#admit(request)),
        isMember: (id, key) => {
          const roster = this.#host.syncOf(id)?.rosterDoc();
          return roster !== undefined && isMember(roster, key);
        },
        communityKey: (id) => this.#host.syncOf(id)?.trust.communityKeyHex,
      },
      first,
    )
      .then((outcome) => {
        if (outcome.type !== "joined") return;
        const communityId = book.communityOf(outcome.inviteId);
        if (!communityId) return;
        this.#host.joined({
          communityId,
          deviceKey: outcome.entry.deviceKey,
          name: outcome.entry.name,
        });
        this.#host.notify(communityId);
      })
      .catch(() => undefined)
      .finally(() => this.#inviteSockets--);
    return true;
  }

  /** The inviter adds the joiner to the roster: only after the handshake proved secret and key. */
  #admit(request: { communityId: CommunityId; deviceKey: DeviceKey; name: string }): RosterEntry {
    const sync = this.#host.syncOf(request.communityId);
    const roster = sync?.roster;
    if (!sync || !roster || !sync.rosterDoc())
      throw new Error("this device does not have the community's member list yet");
    const at = this.#host.now();
    let failure: string | undefined;
    roster.change((d) => {
      const added = addMember(d, {
        deviceKey: request.deviceKey,
        name: request.name || "Unnamed device",
        addedBy: asDeviceKey(this.#self),
        at,
      });
      if (!added.ok) failure = added.error.message;
    });
    if (failure) throw new Error(failure);
    const member = sync.rosterDoc()?.members[request.deviceKey];
    return {
      deviceKey: request.deviceKey,
      name: member?.name ?? request.name,
      addedBy: asDeviceKey(member?.addedBy ?? this.#self),
      addedAt: member?.addedAt ?? at,
    };
  }

  /**
   * A new invite to a syncing community, reaching this device at `addresses` (undefined while
   * this device does not listen).
   */
  async invite(
    sync: CommunitySync,
    addresses: readonly string[] | undefined,
  ): Promise<Result<InviteInfo>> {
    if (!sync.rosterDoc())
      return err(
        ErrorCode.Unavailable,
        "This device does not have the community's member list yet. Link to another member first, then invite.",
      );
    if (!this.#book || !addresses)
      return err(ErrorCode.Unavailable, "Sync is not running on this device, so it cannot invite.");
    const created = await this.#book.create({ communityId: sync.id, addresses });
    return ok({
      communityId: sync.id,
      code: created.code,
      uri: created.uri,
      expiresAt: new Date(created.expiresAt * 1000).toISOString(),
      addresses: [...created.addresses],
    });
  }

  /** The mDNS hints of the invites this device has open (discovery advertises them). */
  openHints(): string[] {
    return this.#book?.openHints() ?? [];
  }

  /**
   * Pairs with an inviter, then opens the community; its documents follow by sync. The inviter is
   * found at the QR link's addresses, the typed address, or by the code's mDNS hint, in that order.
   */
  async join(args: JoinRequestArgs): Promise<Result<CommunitySummary>> {
    const host = this.#host;
    const name = checkName(args.name, "name", MAX_NAME);
    if (!name.ok)
      return err(
        ErrorCode.BadInput,
        `${name.error.message} It is the name others in the community will see for you. Nothing was sent.`,
      );
    const parsed = parseInvite(String(args.code));
    if (!parsed.ok) return parsed;
    const addresses = [...parsed.value.addresses];
    if (args.at !== undefined && args.at.trim() !== "") {
      const typed = checkAddress(args.at);
      if (!typed)
        return err(
          ErrorCode.BadInput,
          `"${args.at}" is not an address: write it as host:port, for example 192.168.1.20:47800. Nothing was sent.`,
        );
      if (!addresses.includes(typed)) addresses.push(typed);
    }
    if (addresses.length === 0) {
      const found = await host.findInviter(inviteKeys(parsed.value.secret).hint, HINT_WAIT_MS);
      if (found.length === 0)
        return err(
          ErrorCode.Unavailable,
          "No device on this network is offering that invite. Check both devices are on the same network and the code is still shown, or type the other device's address (shown under its QR code). Nothing was changed.",
        );
      addresses.push(...found);
    }
    const welcome = await joinWithInvite({
      secret: parsed.value.secret,
      addresses,
      keyPair: noiseKeyPairFromDevice(host.device),
      name: name.value,
    });
    if (!welcome.ok) return welcome;
    const { communityId, inviterKey, communityKey } = welcome.value;
    if (!communityKey)
      return err(
        ErrorCode.Unavailable,
        "The inviting device did not send the community's key. Update Meitheal on both devices and make a new invite.",
      );
    await host.adoptName(name.value);
    // The inviter added this device to its roster, so a community already here whose member list
    // does not name this device was restored from a backup (backup/backup.ts): its documents merge
    // by sync, same ids.
    const restored = host.syncOf(communityId);
    if (restored) {
      if (communityKey !== restored.trust.communityKeyHex)
        return err(
          ErrorCode.BadInput,
          "The inviting device holds a different key for this community than the one restored here, so they are not the same community. Nothing was changed.",
        );
      await restored.trust.trustInviter(inviterKey, addresses);
      host.dial(restored);
      return host.joinCommunity(communityId);
    }
    if (host.community(communityId))
      return err(ErrorCode.BadInput, "This device is already in that community.");
    await CommunityTrust.create(host.dataDir, communityId, {
      communityKey,
      bootstrap: [inviterKey],
      addresses: { [inviterKey]: addresses },
    });
    return host.joinCommunity(communityId);
  }

  /** Resolves when every change to the pending invites is on disk. */
  async flush(): Promise<void> {
    await this.#book?.flush();
  }
}
