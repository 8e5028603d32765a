// A peer killed (SIGKILL) in the middle of an import leaves no document folders that nothing lists:
// after a restart, every document folder of the community is one it had before or one its index
// lists, the import is there whole or not at all, and the community opens. The bin imports a
// large folder; the test watches the community's docs/ folder and kills the bin as soon as the
// import's first documents reach the disk, before the index that lists them.
import { once } from "node:events";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PeerNode } from "../../peer/peerNode.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { runBin, spawnBin } from "./bin.ts";

const FILES = 400;

let tmp = "";
beforeAll(async () => {
  tmp = await makeTempDir("meitheal-killed-import-");
});
afterAll(async () => {
  await removeDir(tmp);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("an import killed mid-way", () => {
  it("leaves no orphan document folders after a restart, and the community opens", async () => {
    const data = join(tmp, "data");
    const stories = join(tmp, "stories");
    await mkdir(stories);
    const paragraph = "We walked to the shore and listened to the tide come in. ".repeat(40);
    for (let i = 0; i < FILES; i++)
      await writeFile(
        join(stories, `story-${String(i).padStart(3, "0")}.md`),
        `# Story ${i}\n\n${paragraph}\n\n${paragraph}\n`,
      );
    const created = await runBin(["create-community", "Shore", "--data", data]);
    expect(created.code).toBe(0);
    const [id] = await readdir(join(data, "communities"));
    const docs = join(data, "communities", id!, "docs");
    const before = new Set(await readdir(docs));

    const child = spawnBin(["import", stories, "--data", data]);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, "exit");
    let seen = 0;
    let finished = false;
    void exited.then(() => (finished = true));
    // Killed as soon as the import's documents start to reach the disk.
    while (!finished) {
      seen = (await readdir(docs)).filter((n) => !before.has(n)).length;
      if (seen > 0) break;
      await sleep(5);
    }
    child.kill("SIGKILL");
    const [code, signal] = (await exited) as [number | null, string | null];
    expect(signal, `the import finished before it could be killed: ${stderr}`).toBe("SIGKILL");
    expect(code).toBeNull();
    expect(seen).toBeGreaterThan(0);

    // The restart: the bin starts on the folder (and says what it cleared, if anything).
    const restarted = await runBin(["communities", "--json", "--data", data]);
    expect(restarted.code).toBe(0);
    const [summary] = JSON.parse(restarted.out) as { state: string; name: string }[];
    expect(summary).toMatchObject({ state: "ok", name: "Shore" });

    const node = await PeerNode.start({ dataDir: data });
    try {
      const entries = node.community(id!)?.index?.doc()?.entries ?? {};
      const listed = new Set(Object.keys(entries));
      const orphans = (await readdir(docs)).filter(
        (n) => !before.has(n) && !listed.has(n) && n !== id,
      );
      expect(orphans, restarted.err).toEqual([]);
      // Whole or not at all.
      const storiesListed = Object.values(entries).filter((e) => e.kind === "story").length;
      expect([0, FILES]).toContain(storiesListed);
      if (storiesListed === 0)
        expect(restarted.err).toMatch(/An import in community .* was cut short .* were removed/);
    } finally {
      await node.close();
    }
  });
});
