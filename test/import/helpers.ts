// What the import tests share: a peer with a community, a picture of the community (index heads and
// the files in its data folder) to prove that something changed nothing, and reading stories back.
import * as Automerge from "@automerge/automerge";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { PeerNode } from "../../peer/peerNode.ts";
import type { Result } from "../../shared/result.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";

export const value = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

export async function peerWithCommunity(dataDir: string, themes?: string[]) {
  const node = await PeerNode.start({ dataDir, mode: "web" });
  const created = value(await node.createCommunity({ name: "Shore", purpose: "", themes }));
  await node.flush();
  return { node, communityId: created.id };
}

export function indexOf(node: PeerNode, communityId: string): Automerge.Doc<CommunityIndex> {
  const doc = node.community(communityId)?.index?.doc();
  if (!doc) throw new Error("no index");
  return doc;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(`${path}:${(await stat(path)).size}`);
    }
  };
  await walk(dir);
  return out.sort();
}

/** The index's heads and entries and every file of the data folder: equal means nothing changed. */
export async function picture(node: PeerNode, communityId: string) {
  await node.flush();
  const index = indexOf(node, communityId);
  return {
    heads: Automerge.getHeads(index),
    entries: Object.keys(index.entries).sort(),
    files: await filesUnder(node.dataDir),
  };
}

export async function storyOf(
  node: PeerNode,
  communityId: string,
  id: string,
): Promise<Automerge.Doc<Story>> {
  const community = node.community(communityId);
  if (!community) throw new Error("no community");
  const handle = await community.repo.find<Story>(`automerge:${id}` as AutomergeUrl);
  return handle.doc();
}
