// Three devices as three `meitheal-peer serve` processes on 127.0.0.1, paired by invite over the
// secure transport, co-editing through windows (Node repos attached like the app's windows), cut
// apart by relays, editing on both sides of the cut, healed, and converged. Also: a removed device
// is refused and its link closes; "in sync" is false while one listed document is held back.
import * as Automerge from "@automerge/automerge";
import {
  Repo,
  splice,
  type AutomergeUrl,
  type DocHandle,
  type DocumentId,
} from "@automerge/automerge-repo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SyncStatus } from "../../shared/contract.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import { connectRpc, eventually, windowRepo, type PeerRpc } from "../helpers/peerRpc.ts";
import { startRelay, type Relay } from "../helpers/relay.ts";
import { servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { pair } from "./linkedPeers.ts";
import { listStory } from "../helpers/stories.ts";
import type { CommunityId } from "../../shared/ids.ts";

type Device = { name: string; peer: ServedPeer; rpc: PeerRpc; dir: string; window?: Repo };

const devices: Device[] = [];
const relays: Relay[] = [];

async function device(name: string): Promise<Device> {
  const dir = await makeTempDir(`meitheal-${name}-`);
  const peer = await servePeer(dir);
  const d: Device = { name, peer, rpc: await connectRpc(peer), dir };
  devices.push(d);
  return d;
}

const status = (d: Device, communityId: CommunityId): Promise<SyncStatus> =>
  d.rpc.call("sync:status", { communityId });

/**
 * Waits until every device says "in sync" with `links` linked devices each; with `missing` (names of
 * member devices linked a while ago and cut off now), "partial" naming exactly those instead.
 */
const allInSync = async (
  ds: Device[],
  communityId: CommunityId,
  links: number,
  ms = 30_000,
  missing: string[] = [],
) => {
  const state = missing.length > 0 ? "partial" : "in-sync";
  const names = (s: SyncStatus) => JSON.stringify(s.missing.map((m) => m.name).sort());
  let last = "";
  try {
    return await eventually(
      async () => {
        const all = await Promise.all(ds.map((d) => status(d, communityId)));
        last = all
          .map(
            (s, i) =>
              `${ds[i]?.name}: ${s.state}, ${s.peers.length} link(s), ${s.documents.here}/${s.documents.total}, missing ${names(s)}, gaps ${JSON.stringify(s.gaps.map((g) => [g.title, g.reason, g.peers.length]))}`,
          )
          .join("\n");
        const expected = JSON.stringify([...missing].sort());
        return all.every(
          (s) => s.state === state && s.peers.length === links && names(s) === expected,
        )
          ? true
          : undefined;
      },
      ms,
      `${ds.map((d) => d.name).join(", ")} in sync with ${links} link(s) each`,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${last}`);
  }
};

/** Opens a story in a device's window the way the app does: once its index lists it. */
async function openStory(d: Device, communityId: CommunityId, url: AutomergeUrl) {
  d.window ??= await windowRepo(d.peer, communityId);
  const index = await d.window.find<CommunityIndex>(`automerge:${communityId}` as AutomergeUrl);
  const id = url.slice("automerge:".length);
  await eventually(
    () => (id in index.doc().entries ? true : undefined),
    15_000,
    `${d.name}'s index lists the story`,
  );
  return eventually<DocHandle<Story>>(
    () =>
      d
        .window!.find<Story>(url)
        .then((h) => h)
        .catch(() => undefined),
    15_000,
    `${d.name} finds the story`,
  );
}

const typeAt = (h: DocHandle<Story>, at: "start" | "end", text: string) =>
  h.change((s) => splice(s, ["body"], at === "start" ? 0 : s.body.length, 0, text));

afterAll(async () => {
  for (const d of devices) d.window?.shutdown().catch(() => undefined);
  for (const d of devices) d.rpc.close();
  for (const r of relays) await r.close();
  for (const d of devices) {
    await d.peer.stop();
    await removeDir(d.dir);
  }
});

describe("three devices on a LAN", () => {
  let a: Device;
  let b: Device;
  let c: Device;
  let communityId: CommunityId;
  let relayToC: Relay;

  beforeAll(async () => {
    [a, b, c] = await Promise.all([device("aoife"), device("brian"), device("ciara")]);
    const created = await a.rpc.call("communities:create", { name: "Retreat" });
    communityId = created.id;
  }, 60_000);

  it("pair by invite, link into a mesh and co-edit one story", async () => {
    await pair(a.rpc, b.rpc, communityId);

    // C joins through an address that is then taken away for good, so that afterwards C is
    // reached only through a relay the test can cut: the devices dial C there.
    const inviteForC = await a.rpc.call("sync:invite", { communityId });
    const joinPath = await startRelay(Number(a.peer.syncAddress?.split(":")[1]));
    relays.push(joinPath);
    // The short code as a person types it, and the relay's address in the join form's address field.
    const joined = await c.rpc.call("sync:join", {
      code: inviteForC.code,
      name: "Ciara",
      at: joinPath.address,
    });
    expect(joined.id).toBe(communityId);
    await eventually(
      async () => ((await status(c, communityId)).state === "in-sync" ? true : undefined),
      20_000,
      "C in sync after joining",
    );
    // The invite was spent: the same code does not work twice.
    await expect(
      b.rpc.call("sync:join", { code: inviteForC.uri, name: "Brian" }),
    ).rejects.toThrow();
    await joinPath.close();

    relayToC = await startRelay(Number(c.peer.syncAddress?.split(":")[1]));
    relays.push(relayToC);
    await a.rpc.call("sync:connect", { address: relayToC.address });
    await b.rpc.call("sync:connect", { address: relayToC.address });
    await allInSync([a, b, c], communityId, 2);

    const members = await c.rpc.call("members:list", { communityId });
    expect(members.map((m) => m.name).sort()).toHaveLength(3);
    expect(members.filter((m) => m.connected)).toHaveLength(2);

    // Co-editing: a story created in A's window, typed into on all three devices at once.
    a.window = await windowRepo(a.peer, communityId);
    const index = await a.window.find<CommunityIndex>(`automerge:${communityId}` as AutomergeUrl);
    const story = a.window.create<Story>();
    listStory(index, story, "The river");
    const [onB, onC] = await Promise.all([
      openStory(b, communityId, story.url),
      openStory(c, communityId, story.url),
    ]);
    typeAt(story, "end", "[a1]");
    typeAt(onB, "end", "[b1]");
    typeAt(onC, "start", "[c1]");
    await allInSync([a, b, c], communityId, 2);
    const texts = await eventually(
      () => {
        const all = [story, onB, onC].map((h) => h.doc().body);
        return all.every((t) => t === all[0]) ? all : undefined;
      },
      10_000,
      "the same text in every window",
    );
    for (const part of ["[a1]", "[b1]", "[c1]"]) expect(texts[0]).toContain(part);
  }, 120_000);

  it("keeps editing on both sides of a partition, and converges when it heals", async () => {
    relayToC.cut();
    await eventually(
      async () => ((await status(c, communityId)).peers.length === 0 ? true : undefined),
      10_000,
      "C cut off",
    );
    // A and B still see each other and are in step, but never "in sync — safe to leave": C, linked
    // a moment ago, is named as not reachable (it may hold changes they lack; it will). C, alone,
    // names both of them.
    await allInSync([a, b], communityId, 1, 30_000, ["Ciara"]);
    const onlyC = await status(c, communityId);
    expect(onlyC.state).toBe("alone");
    expect(onlyC.missing).toHaveLength(2);

    const index = await a.window!.find<CommunityIndex>(`automerge:${communityId}` as AutomergeUrl);
    const storyId = Object.keys(index.doc().entries)[0] as DocumentId;
    const url = `automerge:${storyId}` as AutomergeUrl;
    const [onA, onB, onC] = await Promise.all([
      openStory(a, communityId, url),
      openStory(b, communityId, url),
      openStory(c, communityId, url),
    ]);
    typeAt(onA, "end", "[a-during]");
    typeAt(onB, "start", "[b-during]");
    typeAt(onC, "end", "[c-during]");
    // C also starts a new story while it is cut off.
    const cIndex = await c.window!.find<CommunityIndex>(`automerge:${communityId}` as AutomergeUrl);
    const fresh = c.window!.create<Story>();
    listStory(cIndex, fresh, "Written offline");

    // Windows hand their changes to their own peer first; then A and B sync them between them.
    await eventually(
      () =>
        onB.doc().body.includes("[a-during]") && onA.doc().body.includes("[b-during]")
          ? true
          : undefined,
      10_000,
      "A's and B's edits on both sides of the cut",
    );
    await allInSync([a, b], communityId, 1, 30_000, ["Ciara"]);
    expect(onC.doc().body).not.toContain("[a-during]");
    expect(onA.doc().body).not.toContain("[c-during]");

    relayToC.heal();
    await allInSync([a, b, c], communityId, 2, 45_000);
    const body = await eventually(
      () => {
        const all = [onA, onB, onC].map((h) => h.doc().body);
        return all.every((t) => t === all[0]) ? all[0] : undefined;
      },
      10_000,
      "one text everywhere after healing",
    );
    for (const part of ["[a1]", "[b1]", "[c1]", "[a-during]", "[b-during]", "[c-during]"])
      expect(body).toContain(part);
    // The story written offline reached the others, under the same id (no duplicates).
    for (const d of [a, b]) {
      const list = await d.rpc.call("communities:list", {});
      expect(list.find((x) => x.id === communityId)?.entryCount).toBe(2);
    }
    const onAFresh = await openStory(a, communityId, fresh.url);
    expect(onAFresh.doc().title).toBe("Written offline");
  }, 120_000);

  it("says 'in sync' only when it is: false while one listed document is held back", async () => {
    // A lists a document that no linked device has (its writer has not connected yet).
    const elsewhere = new Repo({ isEphemeral: true });
    const held = elsewhere.create<Story>();
    const index = await a.window!.find<CommunityIndex>(`automerge:${communityId}` as AutomergeUrl);
    listStory(index, held, "Held back");
    const gapsOn = async (d: Device) => {
      const s = await status(d, communityId);
      return s.state === "syncing" && s.gaps.some((g) => g.documentId === held.documentId)
        ? s
        : undefined;
    };
    const onA = await eventually(() => gapsOn(a), 10_000, "A reports the missing document");
    expect(onA.gaps.find((g) => g.documentId === held.documentId)?.title).toBe("Held back");
    await eventually(() => gapsOn(b), 10_000, "B reports it too");
    // Still false a moment later: nothing will change it but the document itself.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await status(c, communityId)).state).toBe("syncing");

    // The writer arrives: its document reaches A, and everyone is in sync again.
    a.window!.import<Story>(Automerge.save(held.doc()), { docId: held.documentId });
    await allInSync([a, b, c], communityId, 2);
    await elsewhere.shutdown();
  }, 60_000);

  it("refuses a removed device from then on and closes its open links", async () => {
    await a.rpc.call("members:remove", {
      communityId,
      deviceKey: (await c.rpc.call("peer:info", {})).deviceKey,
    });
    // C loses both links: A closed its own at once; B closes its link when the roster arrives.
    await eventually(
      async () => ((await status(c, communityId)).peers.length === 0 ? true : undefined),
      15_000,
      "C has no links",
    );
    await allInSync([a, b], communityId, 1);
    const members = await b.rpc.call("members:list", { communityId });
    expect(members.find((m) => m.removed !== null)?.removed?.byName).toBeDefined();

    // A writes something new; C never receives it, however long it keeps trying.
    const index = await a.window!.find<CommunityIndex>(`automerge:${communityId}` as AutomergeUrl);
    const secret = a.window!.create<Story>();
    listStory(index, secret, "After the removal");
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const onC = await c.rpc.call("communities:list", {});
    expect(onC.find((x) => x.id === communityId)?.entryCount).toBe(3);
    expect((await status(c, communityId)).peers).toEqual([]);
  }, 60_000);
});
