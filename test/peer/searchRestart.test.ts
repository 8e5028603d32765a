// The search index kept on disk, through `meitheal-peer serve`: a story typed in a window is
// found, the peer is stopped (its index written at close), the story is rewritten while it is
// down, and the restarted peer finds the new words and not the old ones, from its saved index.
import * as A from "@automerge/automerge";
import { updateText, type AutomergeUrl, type DocHandle } from "@automerge/automerge-repo";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchResult } from "../../shared/contract.ts";
import { asCommunityId, type CommunityId } from "../../shared/ids.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import { communityDir } from "../../peer/communities.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import { SEARCH_INDEX_FILE } from "../../peer/search/service.ts";
import { connectRpc, eventually, windowRepo, type PeerRpc } from "../helpers/peerRpc.ts";
import { servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { listStory } from "../helpers/stories.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

const SHORTLY = 20_000;

let dir: string;
let peer: ServedPeer | undefined;
let rpc: PeerRpc | undefined;

beforeAll(async () => {
  dir = await makeTempDir("meitheal-search-restart-");
});

afterAll(async () => {
  rpc?.close();
  await peer?.stop();
  await removeDir(dir);
});

async function serve(): Promise<PeerRpc> {
  peer = await servePeer(dir, ["--no-lan"]);
  rpc = await connectRpc(peer);
  return rpc;
}

async function stop(): Promise<void> {
  rpc?.close();
  rpc = undefined;
  expect(await peer?.stop("SIGTERM")).toBe(0);
  peer = undefined;
}

const search = (r: PeerRpc, communityId: CommunityId, text: string) =>
  r.call("search:query", { communityId, text });

/** The refs `text` finds once the peer's index is ready. */
const settled = (r: PeerRpc, communityId: CommunityId, text: string) =>
  eventually(
    async () => {
      const result: SearchResult = await search(r, communityId, text);
      return result.indexing === null ? result.hits.map((h) => h.ref) : undefined;
    },
    SHORTLY,
    `search for "${text}" is ready`,
  );

describe("meitheal-peer serve keeps its search index across a restart", () => {
  it("finds a story's new words and not its old ones after it changed while the peer was down", async () => {
    let r = await serve();
    const communityId = asCommunityId((await r.call("communities:create", { name: "Cove" })).id);
    const window = await windowRepo(peer!, communityId);
    const index = await window.find<CommunityIndex>(`automerge:${communityId}` as AutomergeUrl);
    const story: DocHandle<Story> = window.create<Story>();
    listStory(index, story, "Rock pools");
    story.change((s) => updateText(s, ["body"], "Limpets cling to the rocks at low tide"));
    const ref = `story/${story.documentId}`;
    await eventually(
      async () =>
        (await search(r, communityId, "limpets")).hits[0]?.ref === ref ? true : undefined,
      SHORTLY,
      "the peer finds the story typed in the window",
    );
    await window.shutdown();
    await stop();

    const file = join(communityDir(dir, communityId), SEARCH_INDEX_FILE);
    expect(await readFile(file, "utf8")).toContain("Limpets");

    // Another program on this device rewrites the story while the peer is down.
    const other = await PeerNode.start({ dataDir: dir });
    const handle = await other
      .community(communityId)!
      .repo.find<Story>(`automerge:${story.documentId}` as AutomergeUrl);
    handle.change((s) => A.updateText(s, ["body"], "Anemones open when the tide returns"));
    await other.close();

    r = await serve();
    expect(await settled(r, communityId, "anemones")).toEqual([ref]);
    expect(await settled(r, communityId, "limpets")).toEqual([]);
    expect(await settled(r, communityId, "rock pools")).toEqual([ref]);
    await stop();
    expect(await readFile(file, "utf8")).toContain("Anemones");
  }, 90_000);
});
