// Backups are member credentials, and a device's files are its own (issue 14, point 3).
//
// - Private files: a `meitheal-peer serve` started on a data folder another account could read
//   (0755) makes it 0700 and says so in its log; every file it then writes there is 0600.
import { splice, type AutomergeUrl } from "@automerge/automerge-repo";
import { chmod, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import { documentFolders } from "../helpers/hostile.ts";
import { connectRpc, eventually, windowRepo } from "../helpers/peerRpc.ts";
import { servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { listStory } from "../helpers/stories.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

const dirs: string[] = [];
const peers: ServedPeer[] = [];
const tempDir = async (prefix: string) => {
  const dir = await makeTempDir(prefix);
  dirs.push(dir);
  return dir;
};

afterAll(async () => {
  for (const p of peers) await p.stop();
  for (const d of dirs) await removeDir(d);
});

/** Every file and folder under `dir` with its permission bits. */
async function modesUnder(dir: string): Promise<{ path: string; mode: number; dir: boolean }[]> {
  const out = [];
  for (const rel of await readdir(dir, { recursive: true })) {
    const info = await stat(join(dir, rel)).catch(() => undefined);
    if (info) out.push({ path: rel, mode: info.mode & 0o777, dir: info.isDirectory() });
  }
  return out;
}

describe("a device's files are its own", () => {
  it("a data folder left 0755 is made 0700 on start, the log says so, and every file written is 0600", async () => {
    const data = await tempDir("meitheal-private-");
    await chmod(data, 0o755);
    const peer = await servePeer(data);
    peers.push(peer);
    expect((await stat(data)).mode & 0o777).toBe(0o700);
    expect(peer.output()).toMatch(
      /data folder .* could be read by other accounts on this computer \(mode 755\); it is now private to this account \(mode 700\)/,
    );

    // A community, an invite (its secret kept on disk), a story written from a window, and a
    // backup written as a download (into the data folder's transfer area).
    const rpc = await connectRpc(peer);
    const community = await rpc.call("communities:create", { name: "Shared laptop" });
    await rpc.call("sync:invite", { communityId: community.id });
    const window = await windowRepo(peer, community.id);
    const index = await window.find<CommunityIndex>(`automerge:${community.id}` as AutomergeUrl);
    const story = window.create<Story>();
    listStory(index, story, "Kept to ourselves");
    story.change((s) => splice(s, ["body"], 0, 0, "Only this account may read this."));
    await eventually(
      async () =>
        (await documentFolders(data, community.id)).some((f) => f.includes(story.documentId))
          ? true
          : undefined,
      20_000,
      "the story on the peer's disk",
    );
    const backup = await rpc.call("backup:write", {
      communityId: community.id,
      target: { kind: "download", name: "Shared laptop" },
    });
    expect(backup.download).not.toBeNull();
    rpc.close();
    await window.shutdown();
    await peer.stop();

    const modes = await modesUnder(data);
    expect(modes.filter((m) => !m.dir).length).toBeGreaterThan(5);
    const open = modes.filter((m) => (m.mode & 0o077) !== 0);
    expect(open, "files and folders others can read").toEqual([]);
    expect((await stat(data)).mode & 0o777).toBe(0o700);
  }, 60_000);
});
