// The headless CLI given bad input, run as a separate process the way a person or a script runs it.
// Each case checks the exit code, the message, and that nothing already on disk was lost.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CommunitySummary } from "../../shared/contract.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = "peer/cli.ts";
const NOBODY = 65534;
const COMMANDS = ["serve", "communities", "create-community", "info"];

type Run = { code: number; stdout: string; stderr: string };
type As = { uid: number; gid: number };

let tmp: string;

/** Runs `meitheal-peer ARGS` in a child process (cwd = repo root), optionally as another user. */
function cli(args: string[], as?: As): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", CLI, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, HOME: tmp, NO_COLOR: "1" },
        timeout: 45_000,
        ...(as ?? {}),
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(
            new Error(
              `meitheal-peer ${args.join(" ")} did not exit normally (${error.message}); stderr: ${stderr}`,
            ),
          );
          return;
        }
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** Every file under `dir` with its bytes (base64), and every folder: a before/after picture. */
async function picture(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of (await readdir(dir, { recursive: true })).sort()) {
    const path = join(dir, rel);
    out[rel] = (await stat(path)).isDirectory()
      ? "<dir>"
      : (await readFile(path)).toString("base64");
  }
  return out;
}

async function createCommunity(data: string, name: string): Promise<string> {
  const run = await cli(["create-community", name, "--data", data, "--json"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as CommunitySummary).id;
}

async function listCommunities(data: string): Promise<CommunitySummary[]> {
  const run = await cli(["communities", "--json", "--data", data]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as CommunitySummary[];
}

/** The stored chunk files of a community's index document. */
async function indexChunks(data: string, id: string): Promise<string[]> {
  const docDir = join(data, "communities", id, "docs", id);
  return (await readdir(docDir, { recursive: true }))
    .filter((rel) => rel.endsWith(".mth"))
    .map((rel) => join(docDir, rel));
}

beforeEach(async () => {
  tmp = await makeTempDir("meitheal-cli-");
});

afterEach(async () => {
  await chmod(tmp, 0o700).catch(() => undefined);
  for (const rel of await readdir(tmp, { recursive: true }).catch(() => [] as string[])) {
    await chmod(join(tmp, rel), 0o700).catch(() => undefined);
  }
  await removeDir(tmp);
});

describe("meitheal-peer with an unusable data folder", () => {
  it("--data pointing at a file: exit 3, says it is a file, and leaves the file alone", async () => {
    const file = join(tmp, "notes.txt");
    const content = Buffer.from("my notes, not a data folder\n");
    await writeFile(file, content);
    for (const args of [
      ["communities"],
      ["create-community", "Cois Farraige"],
      ["info", "--json"],
    ]) {
      const run = await cli([...args, "--data", file]);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(file);
      expect(run.stderr).toMatch(/is a file, not a folder/);
      expect(run.stdout).toBe("");
    }
    // A folder inside the file is refused the same way.
    const below = await cli(["communities", "--data", join(file, "data")]);
    expect(below.code).toBe(3);
    expect(below.stderr).toMatch(/is a file, not a folder/);
    expect(await readFile(file)).toEqual(content);
    expect(await readdir(tmp)).toEqual(["notes.txt"]);
  });

  it("a read-only folder: exit 3 with a clear message, and the community already in it is untouched", async () => {
    const data = join(tmp, "data");
    const id = await createCommunity(data, "Cois Farraige");
    const before = await picture(data);
    expect(Object.keys(before).some((rel) => rel.endsWith(".mth"))).toBe(true);

    // Root ignores permission bits, so as root the child runs as `nobody`; the folders on the way
    // must then be readable by others (mkdtemp makes its folder 0700).
    let as: As | undefined;
    if (process.getuid?.() === 0) {
      as = { uid: NOBODY, gid: NOBODY };
      await chmod(tmp, 0o755);
      const probe = await cli(["--version"], as);
      if (probe.code !== 0) {
        throw new Error(
          `Cannot test a read-only data folder: as root the CLI must run as user nobody (${NOBODY}), and nobody cannot run it ` +
            `(exit ${probe.code}: ${probe.stderr.trim()}). Make the repository and node_modules readable by others ` +
            "(chmod -R o+rX), or run the tests as a user other than root.",
        );
      }
    }
    await chmod(data, 0o555);

    for (const args of [["communities", "--json"], ["create-community", "Another"], ["info"]]) {
      const run = await cli([...args, "--data", data], as);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(data);
      expect(run.stderr).toMatch(/cannot write to its data folder/);
      expect(run.stderr).toMatch(/permission denied or read-only/);
      expect(run.stderr).toMatch(/Nothing was changed/);
      expect(run.stdout).toBe("");
    }

    await chmod(data, 0o700);
    expect(await picture(data)).toEqual(before);
    // And it is all still usable once the folder is writable again.
    expect(await listCommunities(data)).toMatchObject([{ id, name: "Cois Farraige", state: "ok" }]);
  });
});

describe("meitheal-peer with damaged or foreign documents", () => {
  it("a corrupt index: listed as damaged with a problem, its bytes moved to quarantine, the other community still ok", async () => {
    const data = join(tmp, "data");
    const broken = await createCommunity(data, "Broken");
    const healthy = await createCommunity(data, "Healthy");
    const chunks = await indexChunks(data, broken);
    expect(chunks.length).toBeGreaterThan(0);
    const garbage = chunks.map(() => randomBytes(257));
    for (const [i, path] of chunks.entries()) await writeFile(path, garbage[i] ?? Buffer.alloc(0));

    const list = await listCommunities(data);
    expect(list).toHaveLength(2);
    const damaged = list.find((c) => c.id === broken);
    expect(damaged?.state).toBe("damaged");
    expect(damaged?.name).toBeNull();
    expect(damaged?.problems.length).toBeGreaterThan(0);
    expect(damaged?.problems[0]).toMatch(/could not be loaded/);
    expect(damaged?.problems[0]).toMatch(/quarantine/);
    expect(list.find((c) => c.id === healthy)).toMatchObject({
      state: "ok",
      name: "Healthy",
      problems: [],
    });

    // Moved, not deleted: every garbage file is in quarantine/<id>/, byte for byte, and gone from docs/.
    const quarantine = join(data, "quarantine", broken);
    const held = await Promise.all(
      (await readdir(quarantine))
        .filter((n) => n.endsWith(".mth"))
        .map((n) => readFile(join(quarantine, n))),
    );
    expect(held.map((b) => b.toString("hex")).sort()).toEqual(
      garbage.map((b) => b.toString("hex")).sort(),
    );
    for (const path of chunks) await expect(stat(path)).rejects.toMatchObject({ code: "ENOENT" });
    // The peer closed cleanly despite the damaged community: the folder is not left locked.
    await expect(stat(join(data, "peer.lock"))).rejects.toMatchObject({ code: "ENOENT" });

    // A second run says the same and keeps the quarantined bytes.
    const again = await listCommunities(data);
    expect(again.find((c) => c.id === broken)?.state).toBe("damaged");
    expect(again.find((c) => c.id === healthy)?.state).toBe("ok");
    expect((await readdir(quarantine)).filter((n) => n.endsWith(".mth"))).toHaveLength(
      garbage.length,
    );

    // The text listing names the state too.
    const text = await cli(["communities", "--data", data]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${broken}  (damaged)`);
    expect(text.stdout).toContain("Healthy");
  });

  it("an index written by a newer app: listed as newer, and neither migrated nor rewritten", async () => {
    const data = join(tmp, "data");
    const id = await createCommunity(data, "From the future");
    const node = await PeerNode.start({ dataDir: data });
    try {
      const index = node.community(id)?.index;
      expect(index).toBeDefined();
      index?.change((d) => {
        const doc = d as unknown as Record<string, unknown>;
        doc.version = 99;
        doc.futureField = { kept: true };
        d.entries.s1 = { kind: "story", title: "A story", createdAt: 1, updatedAt: 2 };
      });
    } finally {
      await node.close();
    }
    const before = await picture(join(data, "communities"));

    for (let i = 0; i < 2; i++) {
      const [summary] = await listCommunities(data);
      expect(summary?.id).toBe(id);
      expect(summary?.state).toBe("newer");
      expect(summary?.problems[0]).toMatch(/newer version of Meitheal/);
      expect(summary?.problems[0]).toContain("99");
    }
    expect(await picture(join(data, "communities"))).toEqual(before);

    const reopened = await PeerNode.start({ dataDir: data });
    try {
      const doc = reopened.community(id)?.index?.doc() as unknown as
        Record<string, unknown> | undefined;
      expect(doc?.version).toBe(99);
      expect(doc?.name).toBe("From the future");
      expect(doc?.futureField).toEqual({ kept: true });
      expect(doc?.entries).toEqual({
        s1: { kind: "story", title: "A story", createdAt: 1, updatedAt: 2 },
      });
    } finally {
      await reopened.close();
    }
  });
});

describe("meitheal-peer and a data folder in use", () => {
  let server: ChildProcess | undefined;

  afterEach(async () => {
    const child = server;
    server = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  });

  it("a second peer on a folder a running server uses: exit 3 with 'already using'; usable again after the server stops", async () => {
    const data = join(tmp, "data");
    const web = join(tmp, "web");
    await mkdir(web);
    await writeFile(join(web, "index.html"), "<!doctype html><title>Meitheal</title>");
    await createCommunity(data, "Cois Farraige");

    const child = spawn(
      process.execPath,
      ["--import", "tsx", CLI, "serve", "--port", "0", "--data", data, "--web-dir", web],
      {
        cwd: ROOT,
        env: { ...process.env, HOME: tmp },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    server = child;
    let out = "";
    let err = "";
    child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (err += b.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`serve did not say it was running in 30 s; stdout: ${out}; stderr: ${err}`),
          ),
        30_000,
      );
      const check = () => {
        if (out.includes("running")) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on("data", check);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`serve exited (${code}) before running; stdout: ${out}; stderr: ${err}`));
      });
    });
    expect(out).toMatch(/http:\/\/127\.0\.0\.1:\d+/);

    const before = await picture(join(data, "communities"));
    for (const args of [["info"], ["communities", "--json"], ["create-community", "Second"]]) {
      const run = await cli([...args, "--data", data]);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/already using the data folder/);
      expect(run.stderr).toContain(`process ${child.pid}`);
      expect(run.stdout).toBe("");
    }
    expect(await picture(join(data, "communities"))).toEqual(before);

    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => resolve(code)),
    );
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(out).toMatch(/Stopped\. Everything is saved\./);
    const info = await cli(["info", "--json", "--data", data]);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ communities: 1 });
  });
});

describe("meitheal-peer usage errors", () => {
  it('create-community "" exits 2 with a message, and creates no data folder', async () => {
    const data = join(tmp, "data");
    const run = await cli(["create-community", "", "--data", data]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/community name is empty/);
    expect(run.stdout).toBe("");
    await expect(stat(data)).rejects.toMatchObject({ code: "ENOENT" });

    const blank = await cli(["create-community", "   ", "--data", data]);
    expect(blank.code).toBe(2);
    expect(blank.stderr).toMatch(/community name is empty/);

    const none = await cli(["create-community", "--data", data]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/takes one NAME/);
  });

  it("an unknown command or option exits 2 and points at --help", async () => {
    const run = await cli(["make-tea"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown command "make-tea"/);
    expect(run.stderr).toMatch(/--help/);

    const option = await cli(["communities", "--colour", "red", "--data", join(tmp, "data")]);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/--colour/);
    expect(option.stderr).toMatch(/Usage: meitheal-peer communities/);
  });

  it("empty --data and a bad --port are usage errors, not the current folder or any port", async () => {
    const data = await cli(["info", "--data", ""]);
    expect(data.code).toBe(2);
    expect(data.stderr).toMatch(/--data needs a folder/);
    for (const port of ["", "abc", "70000", "-1", "1.5"]) {
      const run = await cli(["serve", `--port=${port}`, "--data", join(tmp, "data")]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--port must be a whole number/);
    }
    await expect(stat(join(tmp, "data"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("--help prints usage and exits 0, for the tool and for each command", async () => {
    const top = await cli(["--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: meitheal-peer <command>/);
    for (const name of COMMANDS) expect(top.stdout).toContain(`  ${name} `);

    for (const name of COMMANDS) {
      const run = await cli([name, "--help"]);
      expect(run.code, name).toBe(0);
      expect(run.stdout).toContain(`Usage: meitheal-peer ${name}`);
      expect(run.stdout).toContain("--data DIR");
      expect(run.stderr).toBe("");
    }

    const bare = await cli([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toMatch(/Usage: meitheal-peer <command>/);
  });
});
