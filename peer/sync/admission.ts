// Who gets into a community, on the sync port: invites this device makes and answers (the inviter
// adds the joiner to the roster once the handshake proved the secret and the key), and joining a
// community with an invite from another device.
import type { Socket } from "node:net";
import type { CommunitySummary, InviteInfo } from "../../shared/contract.ts";
import { asDeviceKey, type CommunityId, type DeviceKey } from "../../shared/ids.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import type { OpenCommunity } from "../communities.ts";
import type { DeviceKeyPair } from "../trust/deviceKey.ts";
import { InviteBook } from "../trust/inviteBook.ts";
import { decodeInvite } from "../trust/inviteCode.ts";
import {
  isInvitePreamble,
  joinWithInvite,
  noiseKeyPairFromDevice,
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
        communityKey: (id) => this.#host.syncOf(id)?.trust.communityKeyHex,
      },
      first,
    )
      .then((outcome) => {
        if (outcome.type !== "joined") return;
        const invite = book.list().find((i) => i.inviteId === outcome.inviteId);
        if (invite) this.#host.notify(invite.communityId);
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
    const created = await this.#book.create({
      communityId: sync.id,
      inviterKey: asDeviceKey(this.#self),
      addresses,
    });
    return ok({
      communityId: sync.id,
      code: created.code,
      uri: created.uri,
      expiresAt: new Date(created.invite.expiresAt * 1000).toISOString(),
      addresses: [...created.invite.addresses],
    });
  }

  /** Pairs with an inviter, then opens the community; its documents follow by sync. */
  async join(code: string): Promise<Result<CommunitySummary>> {
    const host = this.#host;
    const decoded = decodeInvite(String(code), Math.floor(host.now() / 1000));
    if (!decoded.ok) return decoded;
    const invite = decoded.value;
    // A community here whose member list does not name this device was restored from a backup
    // (backup/backup.ts): it joins again to be added, and its documents merge by sync, same ids.
    const restored = host.syncOf(invite.communityId);
    const roster = restored?.rosterDoc();
    if (
      host.community(invite.communityId) &&
      !(restored && roster && !isMember(roster, this.#self))
    )
      return err(ErrorCode.BadInput, "This device is already in that community.");
    const welcome = await joinWithInvite({
      invite,
      keyPair: noiseKeyPairFromDevice(host.device),
      name: host.displayName(),
      nowSeconds: () => Math.floor(host.now() / 1000),
    });
    if (!welcome.ok) return welcome;
    if (!welcome.value.communityKey)
      return err(
        ErrorCode.Unavailable,
        "The inviting device did not send the community's key. Update Meitheal on both devices and make a new invite.",
      );
    if (restored) {
      if (welcome.value.communityKey !== restored.trust.communityKeyHex)
        return err(
          ErrorCode.BadInput,
          "The inviting device holds a different key for this community than the one restored here, so they are not the same community. Nothing was changed.",
        );
      await restored.trust.trustInviter(invite.inviterKey, invite.addresses);
      host.dial(restored);
      return host.joinCommunity(invite.communityId);
    }
    await CommunityTrust.create(host.dataDir, invite.communityId, {
      communityKey: welcome.value.communityKey,
      bootstrap: [invite.inviterKey],
      addresses: { [invite.inviterKey]: [...invite.addresses] },
    });
    return host.joinCommunity(invite.communityId);
  }

  /** Resolves when every change to the pending invites is on disk. */
  async flush(): Promise<void> {
    await this.#book?.flush();
  }
}
