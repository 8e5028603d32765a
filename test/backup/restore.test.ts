// Backup and restore between data folders in one process: lossless (every document's heads and
// every change the same, under the same ids), the community key carried and this device's private
// key not, a restore onto a device that already has the community merged rather than duplicated,
// and the contract handlers and progress events.
import * as Automerge from "@automerge/automerge";
import { splice, type AutomergeUrl, type DocHandle } from "@automerge/automerge-repo";
import { unzipSync } from "fflate";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PeerNode } from "../../peer/peerNode.ts";
import { BACKUP_EXTENSION, MANIFEST_ENTRY } from "../../peer/backup/format.ts";
import { restoreBackup } from "../../peer/backup/backup.ts";
import { rosterDocumentId } from "../../peer/sync/membership.ts";
import { CommunityTrust } from "../../peer/sync/trust.ts";
import { atPath, type TaskProgress } from "../../shared/contract.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { addLogEntry, liveEntriesIn } from "../../shared/ops/log.ts";
import { logVolumes } from "../../shared/ops/logVolumes.ts";
import type { Log } from "../../shared/schema/log.ts";
import type { LogVolume } from "../../shared/schema/logVolume.ts";
import type { Story } from "../../shared/schema/story.ts";
import { seedLog } from "../helpers/logs.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { consentFor, consentTo, documentsOf, entryIds, seedCommunity, value } from "./helpers.ts";
import { asCommunityId } from "../../shared/ids.ts";
import { pathOf } from "../helpers/files.ts";

const TIMEOUT = 60_000;
let dirs: string[] = [];
let nodes: PeerNode[] = [];

const tempDir = async (prefix: string) => {
  const dir = await makeTempDir(prefix);
  dirs.push(dir);
  return dir;
};
const start = async (dataDir: string) => {
  const node = await PeerNode.start({ dataDir });
  nodes.push(node);
  return node;
};

beforeEach(() => {
  dirs = [];
  nodes = [];
});
afterEach(async () => {
  for (const n of nodes) await n.close().catch(() => undefined);
  for (const d of dirs) await removeDir(d);
});

describe("backup and restore", () => {
  it(
    "restores on a fresh data folder losslessly: same ids, same heads, every change, key carried",
    async () => {
      const [dirA, dirB, stick] = await Promise.all([
        tempDir("meitheal-backup-a-"),
        tempDir("meitheal-backup-b-"),
        tempDir("meitheal-stick-"),
      ]);
      const a = await start(dirA);
      const { communityId, storyIds } = await seedCommunity(a, "Cois Farraige", 12);
      const progress: TaskProgress[] = [];
      a.on("task:progress", (p) => progress.push(p));

      const written = value(
        await a.handlers["backup:write"]({ communityId, target: atPath(join(stick, "shore")) }),
      );
      expect(written).toMatchObject({
        path: join(stick, `shore${BACKUP_EXTENSION}`),
        communityId,
        name: "Cois Farraige",
        documents: 14, // index, roster, 12 stories
      });
      expect(progress[0]).toEqual({ communityId, task: "backup", done: 0, total: 14 });
      expect(progress.at(-1)).toEqual({ communityId, task: "backup", done: 14, total: 14 });
      expect(await readdir(stick)).toEqual([`shore${BACKUP_EXTENSION}`]);

      // The file: the manifest first, the key in it, and never this device's private key.
      const bytes = await readFile(pathOf(written));
      const files = unzipSync(bytes);
      expect(Object.keys(files)[0]).toBe(MANIFEST_ENTRY);
      const trustA = await CommunityTrust.load(dirA, communityId);
      expect(Buffer.from(bytes).includes(trustA!.communityKeyHex)).toBe(true);
      const deviceFile = JSON.parse(await readFile(join(dirA, "device-key.json"), "utf8")) as {
        jwk: { d: string };
      };
      const secret = Buffer.from(deviceFile.jwk.d, "base64url");
      expect(secret.byteLength).toBe(32);
      for (const form of [deviceFile.jwk.d, secret.toString("hex"), secret.toString("base64")])
        expect(Buffer.from(bytes).includes(form)).toBe(false);
      expect(Buffer.from(bytes).includes(secret)).toBe(false);

      const before = await documentsOf(a, communityId);

      const b = await start(dirB);
      const inspected = value(
        await b.handlers["backup:inspect"]({ source: atPath(pathOf(written)) }),
      );
      // The check: what the file holds, sealed, and who it lets in (the founder, A's device).
      expect(inspected).toEqual({
        ...written,
        bytes: bytes.byteLength,
        state: "checked",
        protected: false,
        sealed: true,
        merges: false,
        roster: {
          added: [{ name: a.profile.displayName, deviceKeys: [a.deviceKey] }],
          removed: [],
        },
      });
      expect(b.listCommunities()).toEqual([]); // inspecting changed nothing

      const bProgress: TaskProgress[] = [];
      b.on("task:progress", (p) => bProgress.push(p));
      const changes: unknown[] = [];
      b.on("communities:changed", (e) => changes.push(e));
      const restored = value(
        await b.handlers["backup:restore"]({
          source: atPath(pathOf(written)),
          consent: consentTo(inspected),
        }),
      );
      expect(restored).toMatchObject({
        id: communityId,
        name: "Cois Farraige",
        state: "ok",
        entryCount: 12,
      });
      expect(changes.length).toBeGreaterThan(0);
      expect(bProgress.at(-1)).toEqual({ communityId, task: "restore", done: 14, total: 14 });
      expect(b.listCommunities().map((c) => c.id)).toEqual([communityId]);
      expect(entryIds(b, communityId)).toEqual([...storyIds].sort());
      expect(await documentsOf(b, communityId)).toEqual(before);
      const trustB = await CommunityTrust.load(dirB, communityId);
      expect(trustB?.communityKeyHex).toBe(trustA?.communityKeyHex);
      expect(b.device.publicKey).not.toBe(a.device.publicKey);
      // No staging folder left behind.
      expect((await readdir(dirB)).filter((n) => n.startsWith(".restore-"))).toEqual([]);

      // And after a restart, from disk alone.
      await b.close();
      const again = await start(dirB);
      expect(again.listCommunities()).toMatchObject([
        { id: communityId, state: "ok", entryCount: 12 },
      ]);
      expect(await documentsOf(again, communityId)).toEqual(before);
    },
    TIMEOUT,
  );

  it(
    "carries a log's volumes: its entries, in the log and in its volumes, come back",
    async () => {
      const [dirA, dirB, stick] = await Promise.all([
        tempDir("meitheal-backup-a-"),
        tempDir("meitheal-backup-b-"),
        tempDir("meitheal-stick-"),
      ]);
      const a = await start(dirA);
      const { communityId } = await seedCommunity(a, "Logs kept", 1);
      const entry = (date: string, happened: string) =>
        ({ date, kind: "gathering", by: "k", byName: "Aoife", happened }) as const;
      const { logId, handle, volumeIds } = await seedLog(
        { ...a.community(communityId)!, id: communityId },
        systemContext(),
        { title: "Shore circle" },
        [entry("2024-02-01", "Winter swim"), entry("2024-08-01", "Summer swim")],
      );
      expect(volumeIds).toHaveLength(2);
      // One entry from before logs had volumes, in the log itself.
      handle.change((d) => {
        addLogEntry(d, entry("2023-05-01", "Old swim"), systemContext());
      });
      await a.flush();
      const written = value(
        await a.handlers["backup:write"]({ communityId, target: atPath(join(stick, "logs")) }),
      );
      expect(written.documents).toBe(6); // index, roster, story, log, 2 volumes
      const manifest = JSON.parse(
        new TextDecoder().decode(unzipSync(await readFile(pathOf(written)))[MANIFEST_ENTRY]),
      ) as { documents: { id: string; kind: string }[] };
      expect(
        manifest.documents
          .filter((d) => d.kind === "log-volume")
          .map((d) => d.id)
          .sort(),
      ).toEqual([...volumeIds].sort());

      const b = await start(dirB);
      const consent = await consentFor(b, pathOf(written));
      value(await b.handlers["backup:restore"]({ source: atPath(pathOf(written)), consent }));
      const community = b.community(communityId)!;
      const find = <T>(id: string) => community.repo.find<T>(`automerge:${id}` as AutomergeUrl);
      const listed = logVolumes(community.index!.doc(), logId);
      expect(listed.map((v) => v.periods)).toEqual([["2024-Q3"], ["2024-Q1"]]);
      const holders = [
        { id: logId, entries: (await find<Log>(logId)).doc().entries },
        ...(await Promise.all(
          listed.map(async (v) => ({ id: v.id, ...(await find<LogVolume>(v.id)).doc() })),
        )),
      ];
      expect(liveEntriesIn(holders).map((e) => e.happened)).toEqual([
        "Summer swim",
        "Winter swim",
        "Old swim",
      ]);
    },
    TIMEOUT,
  );

  it(
    "merges into a community already on this device: nothing lost, nothing duplicated",
    async () => {
      const [dirA, dirB, stick] = await Promise.all([
        tempDir("meitheal-backup-a-"),
        tempDir("meitheal-backup-b-"),
        tempDir("meitheal-stick-"),
      ]);
      const a = await start(dirA);
      const { communityId, storyIds } = await seedCommunity(a, "Hub", 3);
      const first = value(
        await a.handlers["backup:write"]({ communityId, target: atPath(join(stick, "one")) }),
      );

      // On B: restored, then written on after the backup.
      const b = await start(dirB);
      const consent = await consentFor(b, pathOf(first));
      value(await b.handlers["backup:restore"]({ source: atPath(pathOf(first)), consent }));
      const storyId = storyIds[0]!;
      const onB: DocHandle<Story> = await b
        .community(communityId)!
        .repo.find(`automerge:${storyId}` as AutomergeUrl);
      onB.change((s) => splice(s, ["body"], 0, 0, "Written on B. "));
      // On A: also written on after the backup, and a new story.
      const community = a.community(communityId)!;
      const onA: DocHandle<Story> = await community.repo.find(
        `automerge:${storyId}` as AutomergeUrl,
      );
      onA.change((s) => splice(s, ["body"], s.body.length, 0, " Written on A."));
      const { listStory } = await import("../helpers/stories.ts");
      const extra = community.repo.create<Story>();
      listStory(community.index!, extra, "Added on A later");
      await a.flush();
      const second = value(
        await a.handlers["backup:write"]({ communityId, target: atPath(join(stick, "two")) }),
      );

      // B restores A's newer backup: a merge into what it has.
      const outcome = value(await restoreBackup(b.backupHost(), second.path));
      expect(outcome).toMatchObject({ outcome: "merged", documents: 6, member: false });
      expect(outcome.changed).toBeGreaterThanOrEqual(2);
      expect(b.listCommunities()).toHaveLength(1);
      expect(entryIds(b, communityId)).toEqual([...storyIds, extra.documentId].sort());
      const body = (
        await b.community(communityId)!.repo.find<Story>(`automerge:${storyId}` as AutomergeUrl)
      ).doc().body;
      expect(body).toContain("Written on B.");
      expect(body).toContain("Written on A.");

      // Restoring the same backup again changes nothing.
      const heads = await documentsOf(b, communityId);
      const twice = value(await restoreBackup(b.backupHost(), second.path));
      expect(twice).toMatchObject({ outcome: "merged", changed: 0 });
      expect(await documentsOf(b, communityId)).toEqual(heads);

      // The founder restoring its own backup is still on the member list.
      const own = value(await restoreBackup(a.backupHost(), first.path));
      expect(own).toMatchObject({ outcome: "merged", member: true, changed: 0 });
    },
    TIMEOUT,
  );

  it(
    "backs up into a folder under a name made from the community, and refuses what cannot be backed up",
    async () => {
      const [dirA, stick] = await Promise.all([
        tempDir("meitheal-backup-a-"),
        tempDir("meitheal-stick-"),
      ]);
      const a = await start(dirA);
      const { communityId } = await seedCommunity(a, "Cois Farraige / Shore", 1);
      const written = value(
        await a.handlers["backup:write"]({ communityId, target: atPath(stick) }),
      );
      expect(written.path).toMatch(
        new RegExp(`${stick}/Cois-Farraige-Shore-\\d{4}-\\d\\d-\\d\\d\\${BACKUP_EXTENSION}$`),
      );
      const missing = await a.handlers["backup:write"]({
        communityId: asCommunityId("nope"),
        target: atPath(stick),
      });
      expect(missing.ok).toBe(false);
      const relative = await a.handlers["backup:write"]({ communityId, target: atPath("backup") });
      expect(relative.ok ? "" : relative.error.message).toMatch(/not a full path/);
      // A document Automerge loads: history intact.
      const doc = Automerge.load(
        unzipSync(await readFile(pathOf(written)))[
          `documents/${rosterDocumentId(communityId)}.automerge`
        ]!,
      );
      expect(Automerge.getHeads(doc).length).toBeGreaterThan(0);
    },
    TIMEOUT,
  );
});
