import { seedLog } from "../test/helpers/logs.ts";
import { generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import { asCommunityId } from "../shared/ids.ts";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../test/helpers/tmp.ts";
import { ErrorCode, type Result } from "../shared/result.ts";
import { communityDir } from "./communities.ts";
import { LOCK_FILE } from "./lock.ts";
import { PeerNode } from "./peerNode.ts";

const TIMEOUT = 30_000;

let dir: string;
const open: PeerNode[] = [];

const start = async (): Promise<PeerNode> => {
  const node = await PeerNode.start({ dataDir: dir, mode: "web" });
  open.push(node);
  return node;
};
const restart = async (node: PeerNode): Promise<PeerNode> => {
  await node.close();
  return start();
};

const value = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

/** Every stored chunk of one document, by path. */
async function chunkFiles(communityId: string, documentId: string): Promise<string[]> {
  const root = join(communityDir(dir, communityId), "docs", documentId);
  const out: string[] = [];
  for (const kind of ["snapshot", "incremental"]) {
    const names = await readdir(join(root, kind)).catch(() => [] as string[]);
    out.push(...names.filter((n) => n.endsWith(".mth")).map((n) => join(root, kind, n)));
  }
  return out;
}

beforeEach(async () => {
  dir = await makeTempDir("meitheal-peer-");
});

afterEach(async () => {
  try {
    for (const node of open.splice(0)) await node.close();
  } finally {
    await removeDir(dir);
  }
});

describe("PeerNode", () => {
  it(
    "creates a device key on first start and keeps it across restarts",
    async () => {
      const first = await start();
      const key = first.device.publicKey;
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(value(await first.handlers["peer:info"]({})).deviceKey).toBe(key);
      const stored = await readFile(join(dir, "device-key.json"), "utf8");

      const second = await restart(first);
      expect(second.device.publicKey).toBe(key);
      expect(await readFile(join(dir, "device-key.json"), "utf8")).toBe(stored);
      expect(second.peerId).toBe(first.peerId);
    },
    TIMEOUT,
  );

  it(
    "lists a created community after a restart with its name, purpose and 0 entries",
    async () => {
      const node = await start();
      const created = value(
        await node.handlers["communities:create"]({
          name: "  Cois   Farraige ",
          purpose: "Stories of the shore",
          themes: ["Water"],
        }),
      );
      expect(created).toMatchObject({
        name: "Cois Farraige",
        purpose: "Stories of the shore",
        state: "ok",
        entryCount: 0,
        problems: [],
      });

      const again = await restart(node);
      expect(value(await again.handlers["communities:list"]({}))).toEqual([
        {
          id: created.id,
          name: "Cois Farraige",
          purpose: "Stories of the shore",
          state: "ok",
          problems: [],
          entryCount: 0,
        },
      ]);
      const index = again.community(created.id)?.index?.doc();
      expect(index && Object.values(index.themes).map((t) => t.label)).toEqual(["Water"]);
    },
    TIMEOUT,
  );

  it(
    "counts a log kept in volumes as one entry of the community",
    async () => {
      const node = await start();
      const created = value(await node.handlers["communities:create"]({ name: "Hub" }));
      const community = node.community(created.id)!;
      const entry = { kind: "gathering", by: "k", byName: "A" } as const;
      await seedLog(community, node.ctx, { title: "Circle" }, [
        { ...entry, date: "2024-01-02" },
        { ...entry, date: "2024-08-02" },
      ]);
      const listed = value(await node.handlers["communities:list"]({}));
      expect(listed.find((c) => c.id === created.id)?.entryCount).toBe(1);
    },
    TIMEOUT,
  );

  it(
    "rejects a bad community name with bad-input and creates nothing",
    async () => {
      const node = await start();
      const result = await node.handlers["communities:create"]({ name: "   " });
      expect(result.ok === false && result.error.code).toBe(ErrorCode.BadInput);
      expect(node.listCommunities()).toEqual([]);
      expect(await readdir(join(dir, "communities")).catch(() => [])).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "keeps every community when several are created at once",
    async () => {
      const node = await start();
      const names = ["One", "Two", "Three", "Four"];
      const created = await Promise.all(names.map((name) => node.createCommunity({ name })));
      const ids = created.map((r) => value(r).id);
      const again = await restart(node);
      expect(
        again
          .listCommunities()
          .map((c) => c.id)
          .sort(),
      ).toEqual([...ids].sort());
      expect(again.listCommunities().map((c) => c.name)).toEqual(["Four", "One", "Three", "Two"]);
    },
    TIMEOUT,
  );

  it(
    "refuses a second peer on the same data folder in the same process, and frees it on close",
    async () => {
      const node = await start();
      const second = await PeerNode.start({ dataDir: dir }).then(
        () => "started",
        (e: unknown) => e,
      );
      expect(second).toMatchObject({ code: ErrorCode.DataFolder });
      expect((second as Error).message).toMatch(/already using/);
      await expect(
        Promise.all([PeerNode.start({ dataDir: dir }), PeerNode.start({ dataDir: dir })]),
      ).rejects.toMatchObject({ code: ErrorCode.DataFolder });
      // The first is still the owner of the lock.
      expect(await readFile(join(dir, LOCK_FILE), "utf8")).toBe(String(process.pid));
      await node.close();
      await expect(readFile(join(dir, LOCK_FILE), "utf8")).rejects.toMatchObject({
        code: "ENOENT",
      });
      open.splice(0);
      await start();
    },
    TIMEOUT,
  );

  it(
    "refuses a bad colour with bad-input and keeps the old profile",
    async () => {
      const node = await start();
      const before = value(await node.handlers["profile:get"]({}));
      expect(before.colour).toMatch(/^#[0-9a-f]{6}$/);
      const result = await node.handlers["profile:set"]({ displayName: "Aoife", colour: "blue" });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe(ErrorCode.BadInput);
        expect(result.error.message).toMatch(/colour/);
      }
      expect(value(await node.handlers["profile:get"]({}))).toEqual(before);
      const again = await restart(node);
      expect(value(await again.handlers["profile:get"]({}))).toEqual(before);
    },
    TIMEOUT,
  );

  it(
    "keeps a saved profile across a restart",
    async () => {
      const node = await start();
      const saved = value(
        await node.handlers["profile:set"]({
          displayName: "  Aoife  Ní Bhriain ",
          colour: "#2B5D9B",
        }),
      );
      expect(saved).toEqual({ displayName: "Aoife Ní Bhriain", colour: "#2b5d9b", chosen: true });
      const again = await restart(node);
      expect(value(await again.handlers["profile:get"]({}))).toEqual(saved);
    },
    TIMEOUT,
  );

  it(
    "lists a warning for a corrupt chunk naming its community, and a dismissed warning stays dismissed after a restart",
    async () => {
      const node = await start();
      const id = value(await node.createCommunity({ name: "Cois Farraige", purpose: "Shore" })).id;
      await node.close();
      // A torn chunk next to the good snapshot: the adapter must quarantine it and load the rest.
      // (Which chunks a save writes depends on timing, so the damaged one is added, not picked.)
      const good = await chunkFiles(id, id);
      expect(good.length).toBeGreaterThan(0);
      const damaged = join(
        communityDir(dir, id),
        "docs",
        id,
        "incremental",
        "ab".repeat(32) + ".mth",
      );
      await mkdir(dirname(damaged), { recursive: true });
      await writeFile(damaged, Buffer.from("this is not a chunk at all"));

      const second = await start();
      const warnings = value(await second.handlers["storage:warnings"]({}));
      expect(warnings).toHaveLength(1);
      const warning = warnings[0];
      expect(warning?.communityId).toBe(id);
      expect(warning?.documentId).toBe(id);
      expect(typeof warning?.title).toBe("string");
      expect(warning?.reason).toMatch(/magic|checksum|length|truncated/i);
      expect(await readFile(warning?.quarantinedTo ?? "", "utf8")).toBe(
        "this is not a chunk at all",
      );
      expect(warning?.quarantinedTo.startsWith(join(dir, "quarantine", id))).toBe(true);
      await expect(readFile(damaged)).rejects.toMatchObject({ code: "ENOENT" });
      // The good chunks still load: the community is usable.
      expect(second.listCommunities()).toMatchObject([
        { id, state: "ok", name: "Cois Farraige", purpose: "Shore" },
      ]);

      expect(await second.handlers["storage:dismiss"]({ id: warning?.id ?? "" })).toEqual({
        ok: true,
        value: null,
      });
      expect(value(await second.handlers["storage:warnings"]({}))).toEqual([]);
      const again = await second.handlers["storage:dismiss"]({ id: warning?.id ?? "" });
      expect(again.ok === false && again.error.code).toBe(ErrorCode.NotFound);

      const third = await restart(second);
      expect(value(await third.handlers["storage:warnings"]({}))).toEqual([]);
      // Dismissing hides the warning; the quarantined bytes are still kept.
      expect(await readFile(warning?.quarantinedTo ?? "", "utf8")).toBe(
        "this is not a chunk at all",
      );
    },
    TIMEOUT,
  );

  it(
    "lists a community joined but not yet received as arriving, not damaged, across a restart",
    async () => {
      const node = await start();
      const elsewhere = value(await node.createCommunity({ name: "Elsewhere" })).id;
      await node.close();
      // Another device's community: this one knows only its id, as right after an invite.
      const id = asCommunityId(parseAutomergeUrl(generateAutomergeUrl()).documentId);
      const second = await start();
      const joined = value(await second.joinCommunity(id));
      expect(joined).toMatchObject({ id, state: "arriving", problems: [] });
      await second.close();
      const third = await start();
      const list = third.listCommunities();
      expect(list.find((c) => c.id === id)?.state).toBe("arriving");
      expect(list.find((c) => c.id === elsewhere)?.state).toBe("ok");
      await third.close();
    },
    TIMEOUT,
  );

  it(
    "lists a community whose index is entirely corrupt as damaged, and still closes and unlocks",
    async () => {
      const node = await start();
      const broken = value(await node.createCommunity({ name: "Broken" })).id;
      const healthy = value(await node.createCommunity({ name: "Healthy" })).id;
      await node.close();
      for (const file of await chunkFiles(broken, broken))
        await writeFile(file, Buffer.from("garbage"));

      const second = await start();
      const list = second.listCommunities();
      expect(list.find((c) => c.id === healthy)).toMatchObject({ state: "ok", name: "Healthy" });
      const summary = list.find((c) => c.id === broken);
      expect(summary?.state).toBe("damaged");
      expect(summary?.problems.join(" ")).toMatch(/quarantine/);
      await second.flush();
      await second.close();
      await expect(readFile(join(dir, LOCK_FILE), "utf8")).rejects.toMatchObject({
        code: "ENOENT",
      });
      open.splice(0);
      // And it starts again.
      expect((await start()).listCommunities()).toHaveLength(2);
    },
    TIMEOUT,
  );
});
