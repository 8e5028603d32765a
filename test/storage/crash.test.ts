// kill -9 test for docs/DESIGN.md "Durability": an acknowledged save is never lost. A child process
// (crashChild.ts) writes to one document through a real Repo on SafeFsStorageAdapter and prints
// each entry only after repo.flush() resolved; we SIGKILL it at random moments, restart it on the
// same directory, and after every kill load the document afresh and look for every printed entry.
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as A from "@automerge/automerge";
import type { AutomergeUrl, StorageAdapterInterface } from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { afterEach, describe, expect, it } from "vitest";
import type { QuarantineWarning } from "../../peer/storage/fsStorage.ts";
import { SafeFsStorageAdapter } from "../../peer/storage/fsStorage.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import type { CrashDoc } from "./crashChild.ts";
import { CHILD_MODES } from "./crashChild.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CHILD = fileURLToPath(new URL("./crashChild.ts", import.meta.url));

type ChildMode = (typeof CHILD_MODES)[keyof typeof CHILD_MODES];
type Ready = { count: number; max: number; swept: number };
type Round = {
  ready: Ready | undefined;
  acked: number[];
  compactions: number;
  quarantines: string[];
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
};

// Seeded so a failure can be replayed: the seed is in every assertion message.
const mulberry32 = (seed: number) => () => {
  let t = (seed += 0x6d2b79f5);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** Runs the child once and SIGKILLs it `delayMs` after it is ready (or after spawn if `early`). */
const runRound = (dir: string, mode: ChildMode, delayMs: number, early = false): Promise<Round> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, dir, mode], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const round: Round = {
      ready: undefined,
      acked: [],
      compactions: 0,
      quarantines: [],
      signal: null,
      code: null,
      stderr: "",
    };
    const kill = () => child.kill("SIGKILL");
    // Never hang the suite on a child that fails to start.
    const watchdog = setTimeout(kill, 15_000);
    if (early) setTimeout(kill, delayMs);
    let pending = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text: string) => {
      const lines = (pending + text).split("\n");
      // A line cut off by the kill was never fully acknowledged: keep it out.
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (/^\d+$/.test(line)) round.acked.push(Number(line));
        else if (line === "compacted") round.compactions++;
        else if (line.startsWith("quarantine ")) round.quarantines.push(line);
        else if (line.startsWith("ready ")) {
          round.ready = JSON.parse(line.slice("ready ".length)) as Ready;
          if (!early) setTimeout(kill, delayMs);
        }
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => (round.stderr += text));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(watchdog);
      resolve({ ...round, code, signal });
    });
  });

type Verdict = {
  loadError: string | undefined;
  present: Set<number>;
  wrongValues: string[];
  missingDeps: number;
  warnings: QuarantineWarning[];
  writes: number;
};

/** Loads the document with a fresh Repo in this process, the way a restarted peer would. */
const verify = async (dir: string): Promise<Verdict> => {
  const url = (await readFile(join(dir, "doc-url.txt"), "utf8")).trim() as AutomergeUrl;
  const warnings: QuarantineWarning[] = [];
  const inner = new SafeFsStorageAdapter({
    dir: join(dir, "store"),
    quarantineDir: join(dir, "quarantine"),
    onQuarantine: (w) => warnings.push(w),
  });
  // Loading must not write: whatever we find is what the crash left.
  let writes = 0;
  const storage: StorageAdapterInterface = {
    load: (key) => inner.load(key),
    loadRange: (prefix) => inner.loadRange(prefix),
    save: (key, data) => (writes++, inner.save(key, data)),
    remove: (key) => (writes++, inner.remove(key)),
    removeRange: (prefix) => (writes++, inner.removeRange(prefix)),
  };
  const repo = new Repo({ storage, network: [] });
  const verdict: Verdict = {
    loadError: undefined,
    present: new Set(),
    wrongValues: [],
    missingDeps: 0,
    warnings,
    writes: 0,
  };
  try {
    const doc = (await repo.find<CrashDoc>(url)).doc();
    for (const [k, v] of Object.entries(doc.entries)) {
      verdict.present.add(Number(k));
      if (v !== Number(k)) verdict.wrongValues.push(`${k}=${v}`);
    }
    verdict.missingDeps = A.getMissingDeps(doc, []).length;
  } catch (e) {
    verdict.loadError = e instanceof Error ? e.message : String(e);
  }
  // shutdown() flushes every cached handle and throws "DocHandle is not ready" for one whose
  // find() failed, so only a successful load is shut down cleanly.
  if (verdict.loadError === undefined) await repo.shutdown();
  verdict.writes = writes;
  return verdict;
};

const chunkNames = async (dir: string, kind: "incremental" | "snapshot"): Promise<string[]> => {
  const store = join(dir, "store");
  const names: string[] = [];
  for (const doc of await readdir(store, { withFileTypes: true })) {
    if (!doc.isDirectory()) continue;
    try {
      names.push(...(await readdir(join(store, doc.name, kind))).filter((n) => n.endsWith(".mth")));
    } catch {
      // No chunks of this kind right now.
    }
  }
  return names;
};

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeDir));
});

describe("kill -9 during writes", () => {
  it("never loses an acknowledged change, across compactions, over repeated SIGKILLs", async () => {
    const dir = await makeTempDir("meitheal-crash-");
    dirs.push(dir);
    const seed = Date.now() >>> 0;
    const random = mulberry32(seed);
    const ctx = (round: number) => `seed ${seed}, round ${round}, dir ${dir}`;

    const acked = new Set<number>();
    const incrementalsSeen = new Set<string>();
    const snapshotsSeen = new Set<string>();
    let compactions = 0;
    let killedMidStartup = 0;
    let tempFilesSwept = 0;
    let lastVerifiedCount: number | undefined;

    // 12 rounds killed while writing; every 4th round also gets an extra kill during start-up.
    const plan: { delay: number; early: boolean }[] = [];
    for (let i = 0; i < 12; i++) {
      if (i > 0 && i % 4 === 0) plan.push({ delay: Math.floor(random() * 400), early: true });
      plan.push({ delay: 50 + Math.floor(random() * 550), early: false });
    }

    for (const [i, step] of plan.entries()) {
      const round = await runRound(dir, CHILD_MODES.safe, step.delay, step.early);
      expect(round.signal, `${ctx(i)}: child ended on its own\n${round.stderr}`).toBe("SIGKILL");
      expect(round.quarantines, ctx(i)).toEqual([]);
      if (!step.early) expect(round.ready, `${ctx(i)}: child never became ready`).toBeDefined();
      if (round.ready) {
        // The child's own view on start-up matches what the last verification loaded.
        if (lastVerifiedCount !== undefined)
          expect(round.ready.count, ctx(i)).toBe(lastVerifiedCount);
        tempFilesSwept += round.ready.swept;
      } else {
        killedMidStartup++;
      }
      round.acked.forEach((n) => acked.add(n));
      compactions += round.compactions;

      const v = await verify(dir);
      expect(v.loadError, ctx(i)).toBeUndefined();
      expect(v.warnings, ctx(i)).toEqual([]);
      expect(v.writes, `${ctx(i)}: verifying wrote to the store`).toBe(0);
      expect(v.wrongValues, ctx(i)).toEqual([]);
      expect(v.missingDeps, `${ctx(i)}: changes waiting on a missing dependency`).toBe(0);
      const lost = [...acked].filter((n) => !v.present.has(n));
      expect(lost, `${ctx(i)}: acknowledged entries missing after kill`).toEqual([]);
      lastVerifiedCount = v.present.size;

      (await chunkNames(dir, "incremental")).forEach((n) => incrementalsSeen.add(n));
      (await chunkNames(dir, "snapshot")).forEach((n) => snapshotsSeen.add(n));
    }

    // The run exercised what it claims to: many writes, snapshots written, incrementals removed.
    // Loose bounds: a loaded machine writes less per round (about 250 entries seen at worst).
    const incrementalsNow = new Set(await chunkNames(dir, "incremental"));
    const incrementalsRemoved = [...incrementalsSeen].filter((n) => !incrementalsNow.has(n)).length;
    expect(acked.size, `seed ${seed}`).toBeGreaterThan(100);
    expect(compactions, `seed ${seed}`).toBeGreaterThanOrEqual(3);
    expect(snapshotsSeen.size, `seed ${seed}`).toBeGreaterThanOrEqual(3);
    expect(incrementalsRemoved, `seed ${seed}`).toBeGreaterThan(0);
    console.info(
      `crash test: seed ${seed}, ${plan.length} kills (${killedMidStartup} before ready), ${acked.size} acknowledged ` +
        `entries all present, ${compactions} compactions, ${snapshotsSeen.size} snapshots and ` +
        `${incrementalsSeen.size} incrementals seen (${incrementalsRemoved} later removed), ` +
        `${tempFilesSwept} torn temp files swept`,
    );
  });

  // The check above must be able to fail: an adapter that acknowledges before writing is caught.
  it("detects lost acknowledged changes when the adapter acknowledges before writing", async () => {
    const dir = await makeTempDir("meitheal-crash-bad-");
    dirs.push(dir);
    const setup = await runRound(dir, CHILD_MODES.safe, 100);
    expect(setup.ready).toBeDefined();
    const acked = new Set(setup.acked);
    let detected = false;
    for (let i = 0; i < 4 && !detected; i++) {
      const round = await runRound(dir, CHILD_MODES.ackBeforeWrite, 150);
      round.acked.forEach((n) => acked.add(n));
      const v = await verify(dir);
      detected = v.loadError !== undefined || [...acked].some((n) => !v.present.has(n));
    }
    expect(detected).toBe(true);
  });
});
