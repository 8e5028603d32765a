// A backup that is refused changes nothing, not even by being looked at (issue 15, point 5):
//
// - `meitheal-peer restore <damaged> --data <new folder>` reads and checks the whole file before a
//   peer starts: the folder is not created (no device key, no lock), an empty one stays empty, and
//   the message says nothing was changed. The same for a restore refused for want of --yes.
// - Every byte of the file is accounted for: 4 KB appended is refused as damaged, and so is a
//   one-bit flip at any byte of a backup (zip headers, CRCs and times included, not only the parts
//   a checksum or the seal covers); the genuine file still restores.
// - Every field of the manifest is inside the checks: its name edited is refused, whether the file
//   is sealed again by someone holding it or is a backup from before seals.
import { strFromU8, strToU8 } from "fflate";
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeBackup, MANIFEST_ENTRY, type BackupManifest } from "../../peer/backup/format.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import { atPath } from "../../shared/contract.ts";
import { pathOf } from "../helpers/files.ts";
import { REPO_ROOT } from "../helpers/servePeer.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { asUnsealed, editBackup, reseal, seedCommunity, value } from "./helpers.ts";

type Run = { code: number; stdout: string; stderr: string };

let tmp: string;
let good: Uint8Array;
let goodPath: string;
let communityName: string;

/** `meitheal-peer ARGS` through the bin, as a person runs it. */
function bin(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, "bin", "meitheal-peer.mjs"), ...args],
      { cwd: tmp, env: { ...process.env, HOME: tmp, NO_COLOR: "1" }, timeout: 45_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`meitheal-peer ${args.join(" ")}: ${error.message}; ${stderr}`));
          return;
        }
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      },
    );
  });
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

const file = async (name: string, bytes: Uint8Array) => {
  const path = join(tmp, name);
  await writeFile(path, bytes);
  return path;
};

/** The good backup with its manifest's name changed, zipped again (checksums as they were). */
const renamed = (bytes: Uint8Array, name: string, { resealed = false } = {}) =>
  editBackup(bytes, (files) => {
    const manifest = JSON.parse(strFromU8(files[MANIFEST_ENTRY]!)) as BackupManifest;
    files[MANIFEST_ENTRY] = strToU8(`${JSON.stringify({ ...manifest, name }, null, 2)}\n`);
    if (resealed) reseal(files);
  });

beforeAll(async () => {
  tmp = await makeTempDir("meitheal-refused-");
  const source = join(tmp, "source");
  const node = await PeerNode.start({ dataDir: source });
  try {
    const { communityId } = await seedCommunity(node, "Cois Farraige", 2);
    communityName = "Cois Farraige";
    goodPath = pathOf(
      value(
        await node.handlers["backup:write"]({
          communityId,
          target: atPath(join(tmp, "good.meitheal-backup")),
        }),
      ),
    );
  } finally {
    await node.close();
  }
  good = await readFile(goodPath);
}, 60_000);

afterAll(async () => {
  await removeDir(tmp);
});

describe("a refused restore creates nothing", () => {
  it("a damaged backup into a new folder: no folder, and the message says nothing was changed", async () => {
    const damaged = await file("cut.meitheal-backup", good.subarray(0, good.length - 40));
    const target = join(tmp, "new-laptop");
    const run = await bin(["restore", damaged, "--yes", "--data", target]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/damaged or incomplete/);
    expect(run.stderr).toMatch(/nothing on this device was changed/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await exists(target)).toBe(false);
  });

  it("into an empty folder: it stays empty", async () => {
    const damaged = await file("flipped.meitheal-backup", flip(good, good.length - 100));
    const target = join(tmp, "empty");
    await mkdir(target);
    const run = await bin(["restore", damaged, "--yes", "--data", target]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/damaged or incomplete.*nothing on this device was changed/s);
    expect(await readdir(target)).toEqual([]);
  });

  it("a good backup that needs --yes, into a new folder: asked, and no folder made", async () => {
    const target = join(tmp, "asked");
    const run = await bin(["restore", goodPath, "--data", target]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Its member list \(1 device\).*run again with --yes/s);
    expect(await exists(target)).toBe(false);
  });
});

describe("every byte of a backup is accounted for", () => {
  it("4 KB appended: refused as damaged, nothing made; the genuine file still restores", async () => {
    const junk = new Uint8Array(4096).fill(0x41);
    const padded = await file("padded.meitheal-backup", Buffer.concat([good, junk]));
    const check = await bin(["restore", padded, "--check"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(
      /damaged or incomplete.*4096 bytes follow the end of the backup.*Use another copy/s,
    );
    const target = join(tmp, "padded-target");
    const run = await bin(["restore", padded, "--yes", "--data", target]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/4096 bytes follow the end of the backup/);
    expect(await exists(target)).toBe(false);

    const restored = await bin(["restore", goodPath, "--yes", "--data", target]);
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/Restored "Cois Farraige"/);
  });

  it("a one-bit flip at any byte is refused", () => {
    expect(decodeBackup(good).ok).toBe(true);
    const accepted: number[] = [];
    for (let at = 0; at < good.length; at++) {
      // A different bit at each byte: every bit position is tried across the file.
      if (decodeBackup(flip(good, at, 1 << (at % 8))).ok) accepted.push(at);
    }
    expect(accepted).toEqual([]);
  }, 120_000);
});

describe("every manifest field is inside the checks", () => {
  it("the name edited: refused as not authentic", async () => {
    const edited = await file("renamed.meitheal-backup", renamed(good, "Somewhere Else"));
    const run = await bin(["restore", edited, "--check"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not authentic/);
  });

  it("the name edited and sealed again by someone holding the file: refused", async () => {
    const edited = await file(
      "renamed-sealed.meitheal-backup",
      renamed(good, "Somewhere Else", { resealed: true }),
    );
    const run = await bin(["restore", edited, "--check"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`manifest names the community "Somewhere Else".*"${communityName}"`),
    );
    expect(run.stdout).toBe("");
  });

  it("a backup from before seals with its name edited: refused", async () => {
    const edited = await file(
      "renamed-unsealed.meitheal-backup",
      renamed(asUnsealed(good), "Somewhere Else"),
    );
    const run = await bin(["restore", edited, "--check"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/manifest names the community "Somewhere Else"/);
    // The same file with its name as it was is still read (and, being unsealed, asked).
    const old = await file("unsealed.meitheal-backup", asUnsealed(good));
    const ok = await bin(["restore", old, "--check"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/whole, but not sealed/);
  });
});

/** `bytes` with the bits of `mask` flipped at `at`. */
function flip(bytes: Uint8Array, at: number, mask = 0x01): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ mask;
  return copy;
}
