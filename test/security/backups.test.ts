// Backups are member credentials, and a device's files are its own (issue 14, point 3).
//
// - Authentic backups: a backup whose roster was edited to add a stranger's device, its checksums
//   recomputed (the issue's forgery), is refused by `meitheal-peer restore --check` and by a
//   restore into the community as not authentic, and nothing changes; the genuine backup restores.
// - A restore asks: what it would add to a member list (a forgery sealed again by someone holding
//   the file, a new laptop's members) is shown, and nothing changes without consent (--yes in the
//   CLI, `consent` in the contract); a backup from before seals is said to be unsealed, and asked.
// - Passphrases: a backup written with one holds nothing readable (no key, no name, no story), is
//   refused without it or with a wrong one, nothing changed, and restores with it.
// - Private files: a `meitheal-peer serve` started on a data folder another account could read
//   (0755) makes it 0700 and says so in its log; every file it then writes there is 0600.
import { splice, type AutomergeUrl } from "@automerge/automerge-repo";
import { execFile } from "node:child_process";
import { chmod, cp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devicesOf } from "../../peer/backup/roster.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import { readRoster, rosterUrl } from "../../peer/sync/membership.ts";
import { CommunityTrust } from "../../peer/sync/trust.ts";
import { asCommunityId } from "../../shared/ids.ts";
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
import {
  asUnsealed,
  checked,
  picture,
  seedCommunity,
  value,
  withExtraMember,
} from "../backup/helpers.ts";

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

/** The issue's forgery: Mallory's device added to the backup's roster, checksums recomputed. */
const addMallory = (backup: Uint8Array, communityId: string, resealed = false) =>
  withExtraMember(
    backup,
    communityId,
    { deviceKey: mallory.publicKey, name: "Mallory" },
    { resealed },
  );

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

// The founder's data folder, its community, and a genuine backup of it written by the CLI.
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

describe("a backup is authentic or refused", () => {
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
      const check = checked(
        value(await node.handlers["backup:inspect"]({ source: atPath(genuine) })),
      );
      expect(check.sealed).toBe(true);
      const consent = { devices: devicesOf(check.roster), unsealed: false };
      const restored = value(
        await node.handlers["backup:restore"]({ source: atPath(genuine), consent }),
      );
      expect(restored).toMatchObject({ id: communityId, name: "Cois Farraige", entryCount: 2 });
    } finally {
      await node.close();
    }
  });
});

describe("a restore shows who it lets in, and asks", () => {
  it("a forgery sealed again by someone holding the file: the CLI names Mallory and needs --yes", async () => {
    const resealed = join(stick, "resealed.meitheal-backup");
    await writeFile(resealed, addMallory(await readFile(genuine), communityId, true));

    // Sealed with the key the file holds: it verifies, and --check lists everyone on it.
    const check = await cli(["restore", resealed, "--check"]);
    expect(check.stderr).toBe("");
    expect(check.stdout).toMatch(/whole and sealed/);
    expect(check.stdout).toMatch(/Its member list \(2 devices\).*Mallory \(1 device\)/);

    // Into the community here: what it adds is said, and without --yes nothing changes.
    const before = await picture(home);
    const asked = await cli(["restore", resealed, "--data", home]);
    expect(asked.code).toBe(1);
    expect(asked.stderr).toMatch(
      /It adds 1 device to the community's member list on this device: Mallory \(1 device\)\.\nNothing was restored\. To restore it, run again with --yes\./,
    );
    expect(await picture(home)).toEqual(before);
    expect(await malloryIsMember(home, communityId)).toBe(false);

    // With --yes, on a copy of the folder: merged, and the output says who was added.
    const copy = await tempDir("meitheal-forged-copy-");
    await cp(home, copy, { recursive: true });
    const agreed = await cli(["restore", resealed, "--data", copy, "--yes"]);
    expect(agreed.stderr).toBe("");
    expect(agreed.code).toBe(0);
    expect(agreed.stdout).toMatch(/It adds 1 device .*: Mallory \(1 device\)/);
    expect(await malloryIsMember(copy, communityId)).toBe(true);
  }, 120_000);

  it("through a served peer: the check lists the members, a restore without consent changes nothing", async () => {
    const fresh = await tempDir("meitheal-asked-fresh-");
    const peer = await servePeer(fresh);
    peers.push(peer);
    const rpc = await connectRpc(peer);
    try {
      const source = atPath(genuine);
      const check = checked(await rpc.call("backup:inspect", { source }));
      expect(check).toMatchObject({ sealed: true, merges: false, documents: 4 });
      expect(check.roster.removed).toEqual([]);
      expect(check.roster.added).toHaveLength(1);
      expect(check.roster.added[0]?.deviceKeys).toHaveLength(1);

      const unasked = await rpc.raw.call("backup:restore", { source });
      expect(unasked.ok ? "restored" : unasked.error.message).toMatch(
        /Its member list \(1 device\).*Nothing was restored: this needs your agreement/,
      );
      // Consent to other devices than the backup's is no consent.
      const other = await rpc.raw.call("backup:restore", {
        source,
        consent: { devices: [mallory.publicKey], unsealed: false },
      });
      expect(other.ok).toBe(false);
      expect(await rpc.call("communities:list", {})).toEqual([]);

      const consent = { devices: devicesOf(check.roster), unsealed: false };
      const restored = await rpc.call("backup:restore", { source, consent });
      expect(restored.id).toBe(communityId);
    } finally {
      rpc.close();
    }
  }, 60_000);

  it("a backup from before seals: said, and restored only when the person accepts it", async () => {
    const old = join(stick, "old.meitheal-backup");
    await writeFile(old, asUnsealed(await readFile(genuine)));
    const check = await cli(["restore", old, "--check"]);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/whole, but not sealed.*older version of Meitheal/);

    const fresh = join(await tempDir("meitheal-old-"), "data");
    const asked = await cli(["restore", old, "--data", fresh]);
    expect(asked.code).toBe(1);
    expect(asked.stderr).toMatch(/This backup is not sealed.*run again with --yes/s);
    const agreed = await cli(["restore", old, "--data", fresh, "--yes"]);
    expect(agreed.stderr).toBe("");
    expect(agreed.stdout).toMatch(/Restored "Cois Farraige"/);

    // Through the contract: consent to the members alone is not enough.
    const node = await PeerNode.start({ dataDir: await tempDir("meitheal-old-rpc-") });
    try {
      const inspected = checked(
        value(await node.handlers["backup:inspect"]({ source: atPath(old) })),
      );
      expect(inspected.sealed).toBe(false);
      const devices = devicesOf(inspected.roster);
      const refused = await node.handlers["backup:restore"]({
        source: atPath(old),
        consent: { devices, unsealed: false },
      });
      expect(refused.ok ? "" : refused.error.message).toMatch(/not sealed/);
      value(
        await node.handlers["backup:restore"]({
          source: atPath(old),
          consent: { devices, unsealed: true },
        }),
      );
    } finally {
      await node.close();
    }
  }, 120_000);
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

describe("a backup protected by a passphrase", () => {
  const PASSPHRASE = "heron weir third stone";

  it("holds nothing readable, is refused without its passphrase or with a wrong one, and restores with it", async () => {
    const peer = await servePeer(home);
    const rpc = await connectRpc(peer);
    let written;
    try {
      // Too short: refused, nothing written.
      const short = await rpc.raw.call("backup:write", {
        communityId: asCommunityId(communityId),
        target: atPath(join(stick, "short")),
        passphrase: "seven c",
      });
      expect(short.ok ? "" : short.error.message).toMatch(/at least 8 characters/);
      written = await rpc.call("backup:write", {
        communityId: asCommunityId(communityId),
        target: atPath(join(stick, "locked")),
        passphrase: PASSPHRASE,
      });
    } finally {
      rpc.close();
      await peer.stop();
    }
    expect(written.protected).toBe(true);
    const file = written.path ?? "";
    expect((await readdir(stick)).filter((n) => n.startsWith("short"))).toEqual([]);

    // Nothing of the community in clear: not its key, not its name, no story title.
    const bytes = await readFile(file);
    const trust = await CommunityTrust.load(home, communityId);
    for (const secret of [trust!.communityKeyHex, "Cois Farraige", "Story 1", "manifest.json"])
      expect(bytes.includes(secret), secret).toBe(false);

    const wrong = join(stick, "wrong-passphrase");
    const right = join(stick, "right-passphrase");
    await writeFile(wrong, "heron weir second stone\n");
    await writeFile(right, `${PASSPHRASE}\n`);
    const none = await cli(["restore", file, "--check"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/protected by a passphrase.*--passphrase-file/);
    const bad = await cli(["restore", file, "--check", "--passphrase-file", wrong]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/That passphrase does not open this backup\. Nothing was changed/);
    const good = await cli(["restore", file, "--check", "--passphrase-file", right]);
    expect(good.stderr).toBe("");
    expect(good.stdout).toMatch(/whole and sealed.*protected by a passphrase/);

    // A new laptop, through the contract: locked, then wrong, then right; nothing before that.
    const fresh = await tempDir("meitheal-locked-fresh-");
    const node = await PeerNode.start({ dataDir: fresh });
    try {
      const source = atPath(file);
      expect(value(await node.handlers["backup:inspect"]({ source }))).toEqual({
        state: "locked",
        path: file,
        bytes: bytes.byteLength,
      });
      const refused = await node.handlers["backup:inspect"]({
        source,
        passphrase: "heron weir second stone",
      });
      expect(refused.ok ? "" : refused.error.message).toMatch(/does not open this backup/);
      const unasked = await node.handlers["backup:restore"]({ source });
      expect(unasked.ok ? "" : unasked.error.message).toMatch(/protected by a passphrase/);
      expect(node.listCommunities()).toEqual([]);
      const check = checked(
        value(await node.handlers["backup:inspect"]({ source, passphrase: PASSPHRASE })),
      );
      expect(check).toMatchObject({ protected: true, sealed: true, documents: 4 });
      const restored = value(
        await node.handlers["backup:restore"]({
          source,
          passphrase: PASSPHRASE,
          consent: { devices: devicesOf(check.roster), unsealed: false },
        }),
      );
      expect(restored).toMatchObject({ id: communityId, name: "Cois Farraige", entryCount: 2 });
    } finally {
      await node.close();
    }
  }, 120_000);
});

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
    // And an export written as a download: the retreat harvest of today, as HTML.
    const today = new Date().toISOString().slice(0, 10);
    const harvest = await rpc.call("harvest:write", {
      communityId: community.id,
      from: today,
      to: today,
      timeZone: "UTC",
      format: "html",
      target: { kind: "download", name: "Harvest" },
    });
    expect(harvest.download).not.toBeNull();
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
