// Backups are member credentials, and a device's files are its own (issue 14, point 3).
//
// - Authentic backups: a backup whose roster was edited to add a stranger's device, its checksums
//   recomputed (the forgery), is refused by `meitheal-peer restore --check` and by a
//   restore into the community as not authentic, and nothing changes; the genuine backup restores.
// - Private files: a `meitheal-peer serve` started on a data folder another account could read
//   (0755) makes it 0700 and says so in its log; every file it then writes there is 0600.
import * as Automerge from "@automerge/automerge";
import { splice, type AutomergeUrl } from "@automerge/automerge-repo";
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from "fflate";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MANIFEST_ENTRY, type BackupManifest } from "../../peer/backup/format.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import { readRoster, rosterDocumentId, rosterUrl } from "../../peer/sync/membership.ts";
import { isMember } from "../../peer/trust/roster.ts";
import { atPath } from "../../shared/contract.ts";
import type { Roster } from "../../shared/schema/roster.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import { documentFolders, makeDevice } from "../helpers/hostile.ts";
import { connectRpc, eventually, windowRepo } from "../helpers/peerRpc.ts";
import { REPO_ROOT, servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { listStory } from "../helpers/stories.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { picture, seedCommunity, value } from "../backup/helpers.ts";

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

type Run = { code: number; stdout: string; stderr: string };

/** `meitheal-peer ARGS` as a person runs it, in its own process. */
function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "peer/cli.ts", ...args],
      { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number")
          return reject(new Error(`meitheal-peer ${args.join(" ")}: ${error.message}; ${stderr}`));
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      },
    );
  });
}

const mallory = makeDevice();
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * The forgery: the backup's roster given one more member, Mallory's device, and the
 * manifest's length, checksum and heads for it recomputed; everything else as it was.
 */
function addMallory(backup: Uint8Array, communityId: string): Uint8Array {
  const files: Record<string, Uint8Array> = unzipSync(backup);
  const manifest = JSON.parse(strFromU8(files[MANIFEST_ENTRY]!)) as BackupManifest;
  const listed = manifest.documents.find((d) => d.id === rosterDocumentId(communityId))!;
  const roster = Automerge.change(Automerge.load<Roster>(files[listed.path]!), (r) => {
    const founder = Object.keys(r.members)[0]!;
    r.members[mallory.publicKey] = { name: "Mallory", addedBy: founder, addedAt: Date.now() };
  });
  const bytes = Automerge.save(roster);
  files[listed.path] = bytes;
  listed.bytes = bytes.byteLength;
  listed.sha256 = sha256(bytes);
  listed.heads = Automerge.getHeads(roster);
  files[MANIFEST_ENTRY] = strToU8(`${JSON.stringify(manifest, null, 2)}\n`);
  const ordered: Zippable = { [MANIFEST_ENTRY]: [files[MANIFEST_ENTRY], { level: 0 }] };
  for (const [name, data] of Object.entries(files))
    if (name !== MANIFEST_ENTRY) ordered[name] = [data, { level: 0 }];
  return zipSync(ordered);
}

/** Whether Mallory is on the community's roster in the data folder `dir`. */
async function malloryIsMember(dir: string, communityId: string): Promise<boolean> {
  const node = await PeerNode.start({ dataDir: dir });
  try {
    const community = node.community(communityId);
    if (!community) return false;
    const roster = readRoster(await community.repo.find<Roster>(rosterUrl(communityId)));
    return roster !== undefined && isMember(roster, mallory.publicKey);
  } finally {
    await node.close();
  }
}

describe("a backup is authentic or refused", () => {
  let home: string;
  let stick: string;
  let communityId: string;
  let genuine: string;

  beforeAll(async () => {
    [home, stick] = await Promise.all([
      tempDir("meitheal-forged-home-"),
      tempDir("meitheal-forged-stick-"),
    ]);
    const node = await PeerNode.start({ dataDir: home });
    try {
      ({ communityId } = await seedCommunity(node, "Cois Farraige", 2));
    } finally {
      await node.close();
    }
    const written = await cli(["backup", "--out", join(stick, "genuine"), "--data", home]);
    expect(written.stderr).toBe("");
    genuine = join(stick, "genuine.meitheal-backup");
  }, 90_000);

  it("the issue's forgery (a device added to the roster, checksums recomputed) is not authentic", async () => {
    const forged = join(stick, "forged.meitheal-backup");
    await writeFile(forged, addMallory(await readFile(genuine), communityId));

    const check = await cli(["restore", forged, "--check"]);
    expect(check.stdout).not.toMatch(/whole/);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/This backup is not authentic: it was changed after a member/);
    expect(check.stderr).toMatch(/Nothing was restored/);

    // Merged into the community it names: refused, and the data folder is as it was.
    const before = await picture(home);
    const merge = await cli(["restore", forged, "--data", home]);
    expect(merge.code).toBe(1);
    expect(merge.stderr).toMatch(/not authentic/);
    expect(await picture(home)).toEqual(before);
    expect(await malloryIsMember(home, communityId)).toBe(false);

    // The genuine backup checks out.
    const good = await cli(["restore", genuine, "--check"]);
    expect(good.stderr).toBe("");
    expect(good.code).toBe(0);
  }, 120_000);

  it("the genuine backup still restores on a new laptop", async () => {
    const fresh = await tempDir("meitheal-forged-fresh-");
    const node = await PeerNode.start({ dataDir: fresh });
    try {
      const restored = value(await node.handlers["backup:restore"]({ source: atPath(genuine) }));
      expect(restored).toMatchObject({ id: communityId, name: "Cois Farraige", entryCount: 2 });
    } finally {
      await node.close();
    }
  });
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
