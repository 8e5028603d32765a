// `meitheal-peer backup` and `restore` run as a person or a script runs them: summaries, --json,
// exit codes, and a backup into a read-only folder leaving no temp file and the data folder as it was.
import { execFile } from "node:child_process";
import { chmod, chown, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKUP_EXTENSION } from "../../peer/backup/format.ts";
import type { RestoreOutcome } from "../../peer/backup/backup.ts";
import type { BackupCheck, CommunitySummary } from "../../shared/contract.ts";
import { REPO_ROOT } from "../helpers/servePeer.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { picture } from "./helpers.ts";

const NOBODY = 65534;
type Run = { code: number; stdout: string; stderr: string };
type As = { uid: number; gid: number };

let tmp: string;

function cli(args: string[], as?: As): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "peer/cli.ts", ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, HOME: tmp, NO_COLOR: "1" },
        timeout: 45_000,
        ...(as ?? {}),
      },
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

let data: string;
let communityId: string;

beforeAll(async () => {
  tmp = await makeTempDir("meitheal-backup-cli-");
  data = join(tmp, "data");
  const created = await cli(["create-community", "Cois Farraige", "--json", "--data", data]);
  expect(created.code).toBe(0);
  communityId = (JSON.parse(created.stdout) as CommunitySummary).id;
}, 60_000);

afterAll(async () => {
  await chmod(tmp, 0o700).catch(() => undefined);
  for (const rel of await readdir(tmp, { recursive: true }).catch(() => [] as string[]))
    await chmod(join(tmp, rel), 0o700).catch(() => undefined);
  await removeDir(tmp);
});

describe("meitheal-peer backup and restore", () => {
  it("backs up by community name, checks, restores on a fresh data folder, then merges", async () => {
    const out = join(tmp, "stick");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(out);
    const backup = await cli([
      "backup",
      "--community",
      "cois farraige",
      "--out",
      out,
      "--data",
      data,
    ]);
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/Backed up "Cois Farraige" .*2 documents/);
    expect(backup.stdout).toMatch(/keep it as safe as this laptop/);
    const [file] = await readdir(out);
    expect(file).toMatch(new RegExp(`^Cois-Farraige-.*\\${BACKUP_EXTENSION}$`));
    const path = join(out, file!);

    const check = await cli(["restore", path, "--check", "--json"]);
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout) as BackupCheck).toMatchObject({
      communityId,
      documents: 2,
      sealed: true,
    });

    // A new laptop: the members it would trust are named, and nothing happens without --yes.
    const fresh = join(tmp, "fresh");
    const asked = await cli(["restore", path, "--data", fresh]);
    expect(asked.code).toBe(1);
    expect(asked.stderr).toMatch(/Its member list \(1 device\).*run again with --yes/s);
    const restored = await cli(["restore", path, "--yes", "--data", fresh]);
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/Restored "Cois Farraige" .*2 documents, under the same ids/);
    expect(restored.stdout).toMatch(/not on the community's member list yet.*invite it/);
    // Merged again: nothing on the member list changes, so nothing is asked.
    const again = await cli(["restore", path, "--json", "--data", fresh]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout) as RestoreOutcome).toMatchObject({
      outcome: "merged",
      changed: 0,
      member: false,
      community: { id: communityId, name: "Cois Farraige" },
      roster: { added: [], removed: [] },
    });
    const list = await cli(["communities", "--json", "--data", fresh]);
    expect((JSON.parse(list.stdout) as CommunitySummary[]).map((c) => c.id)).toEqual([communityId]);
  }, 90_000);

  it("usage errors and a missing file: exit 2 or 1 with a message", async () => {
    const noOut = await cli(["backup", "--data", data]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/needs --out PATH/);
    const wrong = await cli(["backup", "--community", "Nowhere", "--out", tmp, "--data", data]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/No community "Nowhere"/);
    const missing = await cli(["restore", join(tmp, "nothing.meitheal-backup"), "--data", data]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/There is no file at/);
  }, 60_000);

  it("a read-only folder: exit 1, a clear message, no temp file, the data folder unchanged", async () => {
    const readOnly = join(tmp, "read-only");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(readOnly);
    // Root ignores permission bits, so as root the CLI runs as `nobody`, owning the data folder
    // (it takes a lock there) but not the read-only one.
    let as: As | undefined;
    if (process.getuid?.() === 0) {
      as = { uid: NOBODY, gid: NOBODY };
      await chmod(tmp, 0o755);
      await chown(data, NOBODY, NOBODY);
      for (const rel of await readdir(data, { recursive: true }))
        await chown(join(data, rel), NOBODY, NOBODY);
    }
    await chmod(readOnly, 0o555);
    const before = await picture(data);
    const run = await cli(["backup", "--out", join(readOnly, "b"), "--data", data], as);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /could not be written to .*read-only.*permission denied.*Nothing was written/,
    );
    expect(run.stdout).toBe("");
    expect(await readdir(readOnly)).toEqual([]);
    expect(await picture(data)).toEqual(before);
  }, 60_000);
});
