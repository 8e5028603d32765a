// Pairing from the command line, as on two headless laptops: `meitheal-peer invite` prints a code
// and waits; `meitheal-peer join CODE` pairs, syncs, says "In sync — safe to leave" and exits 0; the
// inviter sees the joiner in sync and exits 0 too. Wrong codes fail with a clear message.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/servePeer.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { runPeerCli } from "./linkedPeers.ts";

const LOCAL = ["--listen", "127.0.0.1:0", "--no-discovery"];

describe("meitheal-peer invite / join", () => {
  const dirs: string[] = [];
  beforeAll(async () => {
    dirs.push(await makeTempDir("meitheal-cli-a-"), await makeTempDir("meitheal-cli-b-"));
  });
  afterAll(async () => {
    for (const d of dirs) await removeDir(d);
  });

  it("pairs two devices with a typed code and exits once they are in sync", async () => {
    const [dirA, dirB] = dirs as [string, string];
    const created = await runPeerCli(["create-community", "Hub", "--json", "--data", dirA]);
    expect(created.code).toBe(0);
    const id = (JSON.parse(created.out) as { id: string }).id;

    const inviter = spawn(
      process.execPath,
      ["--import", "tsx", "peer/cli.ts", "invite", "--data", dirA, ...LOCAL],
      { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    inviter.stdout.on("data", (d: Buffer) => (out += d.toString()));
    inviter.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => inviter.once("exit", resolve));
    try {
      const [code, address] = await new Promise<[string, string]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no code printed:\n${out}`)), 30_000);
        const check = () => {
          const match = /^\s+([0-9A-Z]{5}(?:-[0-9A-Z]{1,5})+)\s*$/m.exec(out);
          const link = /meitheal:join\?code=[0-9A-Z]{17}&at=([0-9.]+:\d+)/.exec(out);
          if (match?.[1] && link?.[1]) {
            clearTimeout(timer);
            resolve([match[1], link[1]]);
          }
        };
        inviter.stdout.on("data", check);
      });
      // Short enough to read aloud: 20 characters as printed.
      expect(code).toHaveLength(20);

      // A typo is caught before any network use, with a usage exit code.
      const last = code.slice(-1) === "Z" ? "Y" : "Z";
      const typo = await runPeerCli([
        "join",
        `${code.slice(0, -1)}${last}`,
        "--name",
        "Brigid",
        "--data",
        dirB,
        ...LOCAL,
      ]);
      expect(typo.code).toBe(2);
      expect(typo.out).toContain("typo");

      // No name given and none ever chosen: asked for one (never the account name), nothing sent.
      const nameless = await runPeerCli(["join", code, "--at", address, "--data", dirB, ...LOCAL]);
      expect(nameless.code).toBe(2);
      expect(nameless.out).toContain("--name NAME");

      const joined = await runPeerCli([
        "join",
        code,
        "--name",
        "Brigid",
        "--at",
        address,
        "--data",
        dirB,
        ...LOCAL,
      ]);
      expect(joined.out).toContain("In sync — safe to leave");
      expect(joined.code).toBe(0);
      expect(await exited).toBe(0);
      expect(out).toContain("Brigid joined");
      expect(out).toContain("In sync — safe to leave");

      // B kept the community: its name came with the index.
      const listed = await runPeerCli(["communities", "--json", "--data", dirB]);
      const communities = JSON.parse(listed.out) as { id: string; name: string; state: string }[];
      expect(communities).toEqual([expect.objectContaining({ id, name: "Hub", state: "ok" })]);
    } finally {
      inviter.kill("SIGTERM");
      await exited;
    }
  }, 90_000);

  it("refuses to invite with LAN sync off, and says why", async () => {
    const r = await runPeerCli(["invite", "--no-lan", "--data", dirs[0]!]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("Inviting needs LAN sync");
  });
});
