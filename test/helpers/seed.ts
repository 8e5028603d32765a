// A data folder holding one community, open in a PeerNode, so a test can write documents as other
// devices would have before it serves the folder to a browser. `close()` saves and releases it.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PeerNode } from "../../peer/peerNode.ts";

export async function seedCommunity(name: string, options: { prefix?: string; dataDir?: string }) {
  const dataDir =
    options.dataDir ?? (await mkdtemp(join(tmpdir(), options.prefix ?? "meitheal-seed-")));
  const node = await PeerNode.start({ dataDir });
  const created = await node.createCommunity({ name });
  if (!created.ok) throw new Error(created.error.message);
  const communityId = created.value.id;
  const community = node.community(communityId)!;
  return {
    dataDir,
    node,
    communityId,
    community,
    index: community.index!,
    ctx: node.ctx,
    close: async () => {
      await node.flush();
      await node.close();
    },
  };
}
