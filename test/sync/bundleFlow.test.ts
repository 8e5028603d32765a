// The offline bundle between two member devices with no network between them: A writes its
// community to a file (as on a USB stick), B — started with LAN sync off — reads it, and has what A
// wrote, under the same ids. Wrong paths, a file of another community and a damaged file each get a
// clear message and change nothing.
import * as Automerge from "@automerge/automerge";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PeerNode } from "../../peer/peerNode.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { initStory } from "../../shared/ops/story.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import { eventually } from "../helpers/peerRpc.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import type { CommunityId } from "../../shared/ids.ts";
import { atPath } from "../../shared/contract.ts";

const dirs: string[] = [];
const nodes: PeerNode[] = [];
const LOCAL = { listen: { host: "127.0.0.1", port: 0 }, retryMs: 200 };

async function start(dir: string, sync = true) {
  const node = await PeerNode.start({ dataDir: dir, ...(sync ? { sync: LOCAL } : {}) });
  nodes.push(node);
  return node;
}

afterAll(async () => {
  for (const n of nodes) await n.close().catch(() => undefined);
  for (const d of dirs) await removeDir(d);
});

describe("offline bundle", () => {
  it("carries a community from one member device to another with no network at all", async () => {
    const [dirA, dirB, stick] = await Promise.all([
      makeTempDir("meitheal-bundle-a-"),
      makeTempDir("meitheal-bundle-b-"),
      makeTempDir("meitheal-stick-"),
    ]);
    dirs.push(dirA, dirB, stick);
    const a = await start(dirA);
    let b = await start(dirB);
    const id = (await a.createCommunity({ name: "Hub" })) as {
      ok: true;
      value: { id: CommunityId };
    };
    const communityId = id.value.id;
    const invite = await a.sync!.invite(a.community(communityId)!);
    if (!invite.ok) throw new Error(invite.error.message);
    const joined = await b.sync!.join({ code: invite.value.uri, name: "B" });
    expect(joined.ok).toBe(true);
    await eventually(
      () =>
        b.sync!.status(b.community(communityId)!).ok && b.listCommunities()[0]?.state === "ok"
          ? true
          : undefined,
      15_000,
      "B has the community",
    );
    await b.close();

    // Apart: A writes a new story.
    const repoA = a.community(communityId)!.repo;
    const index = await repoA.find<CommunityIndex>(`automerge:${communityId}` as AutomergeUrl);
    const story = repoA.create<Story>();
    const ctx = systemContext();
    story.change((d) =>
      initStory(d, { communityId, title: "Written apart", body: "By the lake." }, ctx),
    );
    index.change((d) =>
      addEntry(d, story.documentId, {
        kind: "story",
        title: "Written apart",
        status: "draft",
        createdAt: ctx.now(),
        updatedAt: ctx.now(),
      }),
    );
    const path = join(stick, "hub.meitheal-sync");
    const written = await a.handlers["sync:writeBundle"]({ communityId, target: atPath(path) });
    if (!written.ok) throw new Error(written.error.message);
    expect(written.value.documents).toBeGreaterThanOrEqual(3);
    // Encrypted: the story's words are not in the file.
    expect((await readFile(path)).includes(Buffer.from("By the lake."))).toBe(false);

    // B, with LAN sync off, reads it.
    b = await start(dirB, false);
    const read = await b.handlers["sync:readBundle"]({ source: atPath(path) });
    if (!read.ok) throw new Error(read.error.message);
    expect(read.value.communityId).toBe(communityId);
    const onB = await b.community(communityId)!.repo.find<Story>(story.url);
    expect(onB.doc().title).toBe("Written apart");
    expect(Automerge.getHeads(onB.doc())).toEqual(Automerge.getHeads(story.doc()));
    expect(b.listCommunities().find((c) => c.id === communityId)?.entryCount).toBe(1);

    // Reading it twice changes nothing.
    const heads = onB.heads();
    expect((await b.handlers["sync:readBundle"]({ source: atPath(path) })).ok).toBe(true);
    expect(onB.heads()).toEqual(heads);
  }, 60_000);

  it("says what is wrong with a path, a file of another community and a damaged file", async () => {
    const [dirC, dirD, stick] = await Promise.all([
      makeTempDir("meitheal-bundle-c-"),
      makeTempDir("meitheal-bundle-d-"),
      makeTempDir("meitheal-stick-"),
    ]);
    dirs.push(dirC, dirD, stick);
    const c = await start(dirC, false);
    const d = await start(dirD, false);
    const created = await c.createCommunity({ name: "Elsewhere" });
    if (!created.ok) throw new Error(created.error.message);
    const communityId = created.value.id;
    const path = join(stick, "elsewhere.meitheal-sync");

    const relative = await c.handlers["sync:writeBundle"]({
      communityId,
      target: atPath("stick/x"),
    });
    expect(relative).toMatchObject({ ok: false, error: { code: "bad-input" } });
    if (!relative.ok) expect(relative.error.message).toContain("full path");
    expect((await c.handlers["sync:writeBundle"]({ communityId, target: atPath(path) })).ok).toBe(
      true,
    );

    const foreign = await d.handlers["sync:readBundle"]({ source: atPath(path) });
    expect(foreign).toMatchObject({ ok: false, error: { code: "not-found" } });
    if (!foreign.ok) expect(foreign.error.message).toContain("Join that community");
    expect(d.listCommunities()).toEqual([]);

    const bytes = await readFile(path);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0xff;
    const damaged = join(stick, "damaged.meitheal-sync");
    await writeFile(damaged, bytes);
    const broken = await c.handlers["sync:readBundle"]({ source: atPath(damaged) });
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.error.message).toMatch(/damaged|changed/);
    const missing = await c.handlers["sync:readBundle"]({
      source: atPath(join(stick, "nothing-here")),
    });
    expect(missing.ok).toBe(false);
  }, 60_000);
});
