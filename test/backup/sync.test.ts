// A backup restored on a new laptop syncs with the community again without duplicates: A and B are
// paired by invite and co-write; A writes a backup; C, a fresh data folder (a new laptop with its
// own device key), restores it, is invited by A, and joins — the community it already has. Then
// stories are edited on both sides and a new one is written on C: every device converges, under
// the ids the documents always had, each listed once.
import { splice, type AutomergeUrl, type DocHandle, type Repo } from "@automerge/automerge-repo";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import { connectRpc, eventually, windowRepo, type PeerRpc } from "../helpers/peerRpc.ts";
import { servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { listStory } from "../helpers/stories.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { pair, startLinkedPeers, type LinkedPeers } from "../sync/linkedPeers.ts";
import type { CommunityId } from "../../shared/ids.ts";
import { atPath } from "../../shared/contract.ts";
import { pathOf } from "../helpers/files.ts";
import { devicesOf } from "../../peer/backup/roster.ts";
import { checked } from "./helpers.ts";

let linked: LinkedPeers;
let c: ServedPeer | undefined;
let rpcC: PeerRpc | undefined;
let dirC: string;
let stick: string;
const windows: Repo[] = [];

beforeAll(async () => {
  [dirC, stick] = await Promise.all([
    makeTempDir("meitheal-restored-"),
    makeTempDir("meitheal-stick-"),
  ]);
  linked = await startLinkedPeers({ communityName: "Retreat" });
}, 90_000);

afterAll(async () => {
  for (const w of windows) await w.shutdown().catch(() => undefined);
  rpcC?.close();
  await c?.stop();
  await linked?.stop();
  await removeDir(dirC);
  await removeDir(stick);
});

const indexOf = async (repo: Repo, communityId: CommunityId) =>
  repo.find<CommunityIndex>(`automerge:${communityId}` as AutomergeUrl);

/** A story by id in a window, once the window's index lists it. */
async function story(repo: Repo, communityId: CommunityId, id: string): Promise<DocHandle<Story>> {
  const index = await indexOf(repo, communityId);
  await eventually(
    () => (id in index.doc().entries ? true : undefined),
    20_000,
    "the index lists the story",
  );
  return eventually(
    () => repo.find<Story>(`automerge:${id}` as AutomergeUrl).catch(() => undefined),
    20_000,
    "the story opens",
  );
}

const inSync = (rpcs: PeerRpc[], communityId: CommunityId, links: number) =>
  eventually(
    async () => {
      const all = await Promise.all(rpcs.map((r) => r.call("sync:status", { communityId })));
      return all.every((s) => s.state === "in-sync" && s.peers.length >= links) ? true : undefined;
    },
    40_000,
    "every device in sync",
  );

describe("a backup restored on a new laptop", () => {
  it("syncs with the original without duplicates: same ids, edits on both sides merge", async () => {
    const { a, rpcA, rpcB, communityId } = linked;
    const windowA = await windowRepo(a, communityId);
    windows.push(windowA);
    const indexA = await indexOf(windowA, communityId);
    const ids: string[] = [];
    for (const title of ["The river", "The kitchen garden", "The lantern walk"]) {
      const handle = windowA.create<Story>();
      listStory(indexA, handle, title);
      handle.change((s) => splice(s, ["body"], 0, 0, `${title}: what happened. `));
      ids.push(handle.documentId);
    }
    // The window's stories reach its peer's index first: "in sync" compares peers with each other,
    // and both could still hold the index from before the window's change.
    await eventually(
      async () => {
        const list = await rpcA.call("communities:list", {});
        return list.find((c) => c.id === communityId)?.entryCount === 3 ? true : undefined;
      },
      20_000,
      "the peer's index lists the three stories",
    );
    await inSync([rpcA, rpcB], communityId, 1);

    const backup = await rpcA.call("backup:write", {
      communityId,
      target: atPath(join(stick, "retreat")),
    });
    expect(backup.documents).toBe(5);

    // The new laptop: a fresh data folder, its own key, the community from the backup.
    c = await servePeer(dirC);
    rpcC = await connectRpc(c);
    const infoC = await rpcC.call("peer:info", {});
    const source = atPath(pathOf(backup));
    const check = checked(await rpcC.call("backup:inspect", { source }));
    // The members C will trust: A and B, by the names they joined under.
    const [infoA, infoB] = await Promise.all([
      rpcA.call("peer:info", {}),
      rpcB.call("peer:info", {}),
    ]);
    expect(devicesOf(check.roster).sort()).toEqual([infoA.deviceKey, infoB.deviceKey].sort());
    const restored = await rpcC.call("backup:restore", {
      source,
      consent: { devices: devicesOf(check.roster), unsealed: false },
    });
    expect(restored).toMatchObject({
      id: communityId,
      name: "Retreat",
      state: "ok",
      entryCount: 3,
    });
    expect((await rpcC.call("communities:list", {})).map((x) => x.id)).toEqual([communityId]);
    // Not on the member list with its new key: joining again is how it gets back in.
    const membersBefore = await rpcC.call("members:list", { communityId });
    expect(membersBefore.some((m) => m.deviceKey === infoC.deviceKey)).toBe(false);

    await pair(rpcA, rpcC, communityId, 40_000);
    const membersA = await rpcA.call("members:list", { communityId });
    expect(membersA.some((m) => m.deviceKey === infoC.deviceKey && !m.removed)).toBe(true);
    // Still one community on C, the same one.
    expect((await rpcC.call("communities:list", {})).map((x) => x.id)).toEqual([communityId]);

    // Both sides write after the restore, into the same story; C also writes a new one.
    const windowC = await windowRepo(c, communityId);
    windows.push(windowC);
    const onA = await story(windowA, communityId, ids[0]!);
    const onC = await story(windowC, communityId, ids[0]!);
    onA.change((s) => splice(s, ["body"], s.body.length, 0, "Written on A after the restore. "));
    onC.change((s) => splice(s, ["body"], 0, 0, "Written on C after the restore. "));
    const fresh = windowC.create<Story>();
    listStory(await indexOf(windowC, communityId), fresh, "Written on the new laptop");

    await inSync([rpcA, rpcB, rpcC], communityId, 1);
    const windowB = await windowRepo(linked.b, communityId);
    windows.push(windowB);
    for (const [name, repo] of [
      ["A", windowA],
      ["B", windowB],
      ["C", windowC],
    ] as const) {
      const index = await indexOf(repo, communityId);
      await eventually(
        () => (Object.keys(index.doc().entries).length === 4 ? true : undefined),
        20_000,
        `${name} lists 4 stories`,
      );
      const entries = index.doc().entries;
      // Each document listed once, under the ids it always had; no copy under another id.
      expect(Object.keys(entries).sort(), name).toEqual([...ids, fresh.documentId].sort());
      const titles = Object.values(entries).map((e) => e.title);
      expect(new Set(titles).size, name).toBe(titles.length);
      const first = await story(repo, communityId, ids[0]!);
      await eventually(
        () => {
          const body = first.doc().body;
          return body.includes("Written on A after the restore.") &&
            body.includes("Written on C after the restore.")
            ? true
            : undefined;
        },
        20_000,
        `${name} has both edits`,
      );
      expect(first.doc().body.match(/The river: what happened\./g), name).toHaveLength(1);
    }
    // Once on the member list, joining again is refused as before.
    const again = await rpcA.call("sync:invite", { communityId });
    await expect(rpcC.call("sync:join", { code: again.uri, name: "C" })).rejects.toThrow(
      /already in that community/,
    );
    // The community list on every device still has one entry for it.
    for (const rpc of [rpcA, rpcB, rpcC])
      expect(
        (await rpc.call("communities:list", {})).filter((x) => x.id === communityId),
      ).toHaveLength(1);
  }, 180_000);
});
