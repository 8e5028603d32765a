// A restore killed with SIGKILL (issue 15, point 5) leaves the data folder in the old state or the
// restored one, never a mix, and the next start tidies what it left: the bin restores a large
// backup into a data folder that already has a community, is killed (while it stages the new
// community, and right after the staged folder is moved into place), and the next start
// (`meitheal-peer communities`) says what it removed; no `.restore-*` folder is left, every community folder is on the
// device's list, and the list holds either the old community alone or both, whole.
import { spawn, execFile } from "node:child_process";
import { watch } from "node:fs";
import { cp, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PeerNode } from "../../peer/peerNode.ts";
import { atPath, type CommunitySummary } from "../../shared/contract.ts";
import type { CommunityId } from "../../shared/ids.ts";
import { pathOf } from "../helpers/files.ts";
import { REPO_ROOT } from "../helpers/servePeer.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { seedCommunity, value } from "./helpers.ts";

type Run = { code: number; stdout: string; stderr: string };

const STORIES = 150;
let tmp: string;
let before: string;
let backupPath: string;
let bigId: CommunityId;

const BIN = join(REPO_ROOT, "bin", "meitheal-peer.mjs");
const env = () => ({ ...process.env, HOME: tmp, NO_COLOR: "1" });

function bin(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: tmp, env: env(), timeout: 60_000 },
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

/**
 * Starts `meitheal-peer restore` into `data` and kills it with SIGKILL as soon as `moment` sees
 * what it waits for; resolves once the process is gone, saying whether it was killed mid-way.
 */
function restoreKilledWhen(
  data: string,
  moment: (kill: () => void) => () => void,
): Promise<{ killed: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "restore", backupPath, "--yes", "--data", data], {
      cwd: tmp,
      env: env(),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    let killed = false;
    const stop = moment(() => {
      if (!killed && child.exitCode === null) {
        killed = child.kill("SIGKILL");
      }
    });
    child.on("exit", () => {
      stop();
      resolve({ killed, stderr });
    });
  });
}

/** What a person finds after the kill: the next start's log (its stderr), the list, the folders. */
async function afterTheKill(data: string) {
  const list = await bin(["communities", "--json", "--data", data]);
  expect(list.code).toBe(0);
  const communities = JSON.parse(list.stdout) as CommunitySummary[];
  return {
    log: list.stderr,
    communities,
    top: await readdir(data),
    folders: (await readdir(join(data, "communities"))).sort(),
  };
}

beforeAll(async () => {
  tmp = await makeTempDir("meitheal-killed-restore-");
  const source = join(tmp, "source");
  before = join(tmp, "before");
  const a = await PeerNode.start({ dataDir: source });
  try {
    bigId = (await seedCommunity(a, "Big", STORIES)).communityId;
    backupPath = pathOf(
      value(
        await a.handlers["backup:write"]({
          communityId: bigId,
          target: atPath(join(tmp, "big.meitheal-backup")),
        }),
      ),
    );
  } finally {
    await a.close();
  }
  const b = await PeerNode.start({ dataDir: before });
  try {
    await seedCommunity(b, "Already here", 1);
  } finally {
    await b.close();
  }
}, 120_000);

afterAll(async () => {
  await removeDir(tmp);
});

/** The old state (only "Already here") or the restored one (both, Big whole); never a mix. */
function expectOldOrRestored(found: Awaited<ReturnType<typeof afterTheKill>>) {
  expect(found.top.filter((name) => name.startsWith(".restore-"))).toEqual([]);
  const names = found.communities.map((c) => c.name).sort();
  expect([["Already here"], ["Already here", "Big"]]).toContainEqual(names);
  // Every community folder is one the device lists: nothing half-placed stays behind.
  expect(found.folders).toEqual(found.communities.map((c) => c.id).sort());
  const big = found.communities.find((c) => c.id === bigId);
  if (big) expect(big).toMatchObject({ state: "ok", entryCount: STORIES });
  return big ? "restored" : "old";
}

describe("a restore killed with SIGKILL", () => {
  it("while it stages the community: the next start removes the staging folder, the old state stays", async () => {
    const data = join(tmp, "killed-staging");
    await cp(before, data, { recursive: true });
    const run = await restoreKilledWhen(data, (kill) => {
      const poll = setInterval(() => {
        void readdir(data).then((names) => {
          if (names.some((n) => n.startsWith(".restore-"))) kill();
        });
      }, 5);
      return () => clearInterval(poll);
    });
    expect(run.killed).toBe(true);
    // Killed mid-way: it had begun staging, and left its staging folder.
    expect((await readdir(data)).some((n) => n.startsWith(".restore-"))).toBe(true);
    const found = await afterTheKill(data);
    expect(found.log).toMatch(/a restore was stopped before it finished/);
    expect(expectOldOrRestored(found)).toBe("old");
    // And the backup restores afterwards, whole.
    const again = await bin(["restore", backupPath, "--yes", "--data", data]);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(expectOldOrRestored(await afterTheKill(data))).toBe("restored");
  }, 120_000);

  it("right after the community's folder is moved into place: old or restored, never a mix", async () => {
    const data = join(tmp, "killed-swap");
    await cp(before, data, { recursive: true });
    const run = await restoreKilledWhen(data, (kill) => {
      const watcher = watch(join(data, "communities"), (_event, name) => {
        if (name === bigId) kill();
      });
      return () => watcher.close();
    });
    expect(run.killed).toBe(true);
    const found = await afterTheKill(data);
    const state = expectOldOrRestored(found);
    if (state === "old")
      expect(found.log).toMatch(/Removed the folder of community .* a restore was stopped/);
  }, 120_000);
});
