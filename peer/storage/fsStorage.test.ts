import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import type * as FsPromises from "node:fs/promises";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import * as A from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { runStorageAdapterTests } from "@automerge/automerge-repo/helpers/tests/storage-adapter-tests.js";
import * as fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeTempDir, removeDir } from "../../test/helpers/tmp.ts";
import { ENVELOPE_HEADER_BYTES, encodeEnvelope } from "./envelope.ts";
import type { QuarantineWarning } from "./fsStorage.ts";
import {
  QUARANTINE_LOG,
  SafeFsStorageAdapter,
  escapeKeyComponent,
  keyToPathSegments,
  pathSegmentsToKey,
  unescapeKeyComponent,
} from "./fsStorage.ts";

// Pass-through wrappers that record the order of filesystem effects, so the durability protocol
// (temp → fsync → rename → fsync dir, and only then resolve) is checked, not assumed.
const fsTrace = vi.hoisted(() => ({ enabled: false, ops: [] as string[] }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  const note = (op: string): void => {
    if (fsTrace.enabled) fsTrace.ops.push(op);
  };
  return {
    ...real,
    mkdir: async (...args: Parameters<typeof real.mkdir>) => {
      const made = await real.mkdir(...args);
      note(`mkdir ${String(args[0])}`);
      return made;
    },
    open: async (...args: Parameters<typeof real.open>) => {
      const handle = await real.open(...args);
      const path = String(args[0]);
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        await sync();
        note(`fsync ${path}`);
      };
      return handle;
    },
    rename: async (from: string, to: string) => {
      await real.rename(from, to);
      note(`rename ${from} -> ${to}`);
    },
  };
});

type Fixture = {
  root: string;
  dir: string;
  quarantineDir: string;
  warnings: QuarantineWarning[];
  adapter: SafeFsStorageAdapter;
};

const fixtures: string[] = [];
const makeFixture = async (): Promise<Fixture> => {
  const root = await makeTempDir("meitheal-fs-");
  fixtures.push(root);
  const dir = join(root, "store");
  const quarantineDir = join(root, "quarantine");
  const warnings: QuarantineWarning[] = [];
  const adapter = new SafeFsStorageAdapter({
    dir,
    quarantineDir,
    onQuarantine: (w) => warnings.push(w),
  });
  return { root, dir, quarantineDir, warnings, adapter };
};
afterEach(async () => {
  fsTrace.enabled = false;
  fsTrace.ops = [];
  await Promise.all(fixtures.splice(0).map(removeDir));
});

const bytes = (n: number, seed = 1): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const pathOf = (f: Fixture, key: string[]): string => join(f.dir, ...keyToPathSegments(key));

const listFiles = async (dir: string): Promise<string[]> => {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
};

describe("automerge-repo conformance", () => {
  runStorageAdapterTests(async () => {
    const f = await makeFixture();
    return { adapter: f.adapter, teardown: () => removeDir(f.root) };
  }, "SafeFsStorageAdapter");
});

describe("key ↔ path mapping", () => {
  it("lays keys out as directories with a .mth leaf and escapes everything else", () => {
    expect(keyToPathSegments(["a"])).toEqual(["a.mth"]);
    expect(keyToPathSegments(["a", "b"])).toEqual(["a", "b.mth"]);
    expect(keyToPathSegments(["", ".", ".."])).toEqual(["%", "%2E", "%2E%2E.mth"]);
    expect(escapeKeyComponent("a/b\\c d")).toBe("a%2Fb%5Cc%20d");
    expect(escapeKeyComponent("é")).toBe("%C3%A9");
    expect(escapeKeyComponent("%")).toBe("%25");
    expect(escapeKeyComponent("Az09_-")).toBe("Az09_-");
    expect(escapeKeyComponent("\u{1F600}")).toBe("%F0%9F%98%80");
    expect(escapeKeyComponent("\ud800")).toBe("%ED%A0%80");
  });

  it("rejects names it would never write", () => {
    for (const name of [
      "",
      "a.b",
      "%2e",
      "%41",
      "%C0%80",
      "%ED%A0%BD%ED%B8%80",
      "%F4%90%80%80",
      "%C3",
      "%%",
      ".x.tmp",
    ]) {
      expect(unescapeKeyComponent(name), name).toBeUndefined();
    }
    expect(pathSegmentsToKey(["a", ".b.mth.1234.tmp"])).toBeUndefined();
    expect(pathSegmentsToKey(["a", "b.txt"])).toBeUndefined();
  });

  // Any UTF-16 string: whole code points plus lone surrogates and the characters that matter to paths.
  const anyChar = fc.oneof(
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom(".", "%", "/", "\\", "\0", ":", "_", "-", "a", "Z", "9"),
  );
  const component = fc.string({ unit: anyChar, maxLength: 12 });

  it("round-trips any array of strings and never yields a dangerous segment", () => {
    fc.assert(
      fc.property(fc.array(component, { minLength: 1, maxLength: 6 }), (key) => {
        const segments = keyToPathSegments(key);
        expect(pathSegmentsToKey(segments)).toEqual(key);
        segments.forEach((s, i) => {
          const pattern =
            i === segments.length - 1 ? /^[A-Za-z0-9_%-]+\.mth$/ : /^[A-Za-z0-9_%-]+$/;
          expect(s).toMatch(pattern);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it("stores any set of keys on disk and lists exactly those back", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.array(component, { minLength: 1, maxLength: 3 }), {
          minLength: 1,
          maxLength: 6,
          selector: (k) => JSON.stringify(k),
        }),
        async (keys) => {
          const f = await makeFixture();
          for (const [i, key] of keys.entries()) await f.adapter.save(key, bytes(i + 1, i));
          const all = await f.adapter.loadRange([]);
          expect(all.map((c) => JSON.stringify(c.key)).sort()).toEqual(
            keys.map((k) => JSON.stringify(k)).sort(),
          );
          for (const [i, key] of keys.entries())
            expect(await f.adapter.load(key)).toEqual(bytes(i + 1, i));
          await removeDir(f.root);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("file format and durability", () => {
  it("writes the MTH1 envelope: magic, SHA-256 of the payload, LE length, payload", async () => {
    const f = await makeFixture();
    const payload = bytes(300);
    await f.adapter.save(["doc", "incremental", "h1"], payload);
    const onDisk = await readFile(pathOf(f, ["doc", "incremental", "h1"]));
    expect([...onDisk.subarray(0, 4)]).toEqual([0x4d, 0x54, 0x48, 0x31]);
    expect(onDisk.subarray(4, 36)).toEqual(createHash("sha256").update(payload).digest());
    expect(onDisk.readBigUInt64LE(36)).toBe(300n);
    expect(new Uint8Array(onDisk.subarray(ENVELOPE_HEADER_BYTES))).toEqual(payload);
  });

  it("syncs the temp file, renames, syncs every changed directory, and only then resolves", async () => {
    const f = await makeFixture();
    await f.adapter.save(["warm"], bytes(1)); // root dir creation is not what this test is about
    fsTrace.ops = [];
    fsTrace.enabled = true;
    await f.adapter.save(["doc", "incremental", "h1"], bytes(50));
    fsTrace.ops.push("resolved");
    const ops = fsTrace.ops.map((op) =>
      op
        .split(f.dir)
        .join("<dir>")
        .replace(/\.[0-9a-f]{16}\.tmp/g, ".<rand>.tmp"),
    );
    expect(ops).toEqual([
      "mkdir <dir>/doc",
      "fsync <dir>",
      "mkdir <dir>/doc/incremental",
      "fsync <dir>/doc",
      "fsync <dir>/doc/incremental/.h1.mth.<rand>.tmp",
      "rename <dir>/doc/incremental/.h1.mth.<rand>.tmp -> <dir>/doc/incremental/h1.mth",
      "fsync <dir>/doc/incremental",
      "resolved",
    ]);
  });

  it("keeps one intact value under concurrent saves to the same key", async () => {
    const f = await makeFixture();
    const payloads = Array.from({ length: 40 }, (_, i) => bytes(1000 + i, i));
    await Promise.all(payloads.map((p) => f.adapter.save(["doc", "snapshot", "s"], p)));
    const loaded = await f.adapter.load(["doc", "snapshot", "s"]);
    expect(payloads).toContainEqual(loaded);
    expect(await listFiles(f.dir)).toEqual(["doc/snapshot/s.mth"]);
    expect(f.warnings).toEqual([]);
  });

  it("ignores leftover temp files and sweeps them", async () => {
    const f = await makeFixture();
    await f.adapter.save(["doc", "incremental", "h1"], bytes(10));
    const dir = join(f.dir, "doc", "incremental");
    await writeFile(join(dir, ".h2.mth.0123456789abcdef.tmp"), bytes(7));
    await writeFile(
      join(dir, ".h1.mth.fedcba9876543210.tmp"),
      encodeEnvelope(bytes(99)).subarray(0, 20),
    );
    expect((await f.adapter.loadRange(["doc"])).map((c) => c.key)).toEqual([
      ["doc", "incremental", "h1"],
    ]);
    expect(await f.adapter.sweepTempFiles()).toBe(2);
    expect(await listFiles(f.dir)).toEqual(["doc/incremental/h1.mth"]);
    expect(await f.adapter.load(["doc", "incremental", "h1"])).toEqual(bytes(10));
    expect(f.warnings).toEqual([]);
  });

  it("loadRange includes the prefix's own leaf, and removeRange removes it too", async () => {
    const f = await makeFixture();
    await f.adapter.save(["a"], bytes(1));
    await f.adapter.save(["a", "b"], bytes(2));
    await f.adapter.save(["a", "b", "c"], bytes(3));
    await f.adapter.save(["ab"], bytes(4));
    expect((await f.adapter.loadRange(["a"])).map((c) => c.key)).toEqual([
      ["a"],
      ["a", "b"],
      ["a", "b", "c"],
    ]);
    await f.adapter.removeRange(["a", "b"]);
    expect((await f.adapter.loadRange([])).map((c) => c.key)).toEqual([["a"], ["ab"]]);
    await f.adapter.remove(["a"]);
    await f.adapter.remove(["a"]);
    expect((await f.adapter.loadRange([])).map((c) => c.key)).toEqual([["ab"]]);
  });
});

describe("quarantine", () => {
  const DOC = "3xTqv7pKdocid";
  const BAD = [DOC, "incremental", "bbbb"];
  const GOOD = [
    [DOC, "incremental", "aaaa"],
    [DOC, "incremental", "cccc"],
    [DOC, "snapshot", "ssss"],
  ];
  const PAYLOAD_LEN = 100;

  const corruptions: { name: string; corrupt: (file: Buffer) => Buffer; reason: RegExp }[] = [
    {
      name: "a truncated file",
      corrupt: (file) => file.subarray(0, 60),
      reason: new RegExp(
        `^file truncated: expected ${ENVELOPE_HEADER_BYTES + PAYLOAD_LEN} bytes, found 60$`,
      ),
    },
    { name: "a zero-length file", corrupt: () => Buffer.alloc(0), reason: /^empty file$/ },
    {
      name: "a flipped payload byte",
      corrupt: (file) => {
        const copy = Buffer.from(file);
        copy[ENVELOPE_HEADER_BYTES + 17] = (copy[ENVELOPE_HEADER_BYTES + 17] ?? 0) ^ 0x04;
        return copy;
      },
      reason: /^checksum mismatch$/,
    },
    {
      name: "a file missing the magic (a bare automerge chunk)",
      corrupt: (file) => file.subarray(ENVELOPE_HEADER_BYTES),
      reason: /^bad magic bytes: expected 4D544831, found /,
    },
    {
      name: "a file with trailing bytes",
      corrupt: (file) => Buffer.concat([file, Buffer.from([1, 2, 3])]),
      reason: new RegExp(
        `^file too long: expected ${ENVELOPE_HEADER_BYTES + PAYLOAD_LEN} bytes, found 147$`,
      ),
    },
  ];

  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture();
    for (const [i, key] of GOOD.entries()) await f.adapter.save(key, bytes(PAYLOAD_LEN, i));
    await f.adapter.save(BAD, bytes(PAYLOAD_LEN, 42));
  });

  it.each(corruptions)(
    "quarantines $name and still loads the document's other chunks",
    async ({ corrupt, reason }) => {
      const badPath = pathOf(f, BAD);
      const corrupted = corrupt(await readFile(badPath));
      await writeFile(badPath, corrupted);

      const chunks = await f.adapter.loadRange([DOC]);
      expect(chunks.map((c) => c.key)).toEqual(GOOD);
      GOOD.forEach((_, i) => expect(chunks[i]?.data).toEqual(bytes(PAYLOAD_LEN, i)));

      expect(f.warnings).toHaveLength(1);
      const [w] = f.warnings;
      expect(w).toMatchObject({ key: BAD, documentId: DOC });
      expect(w?.reason).toMatch(reason);
      expect(Number.isNaN(Date.parse(w?.at ?? ""))).toBe(false);

      // Moved, not deleted, and byte-for-byte what was found.
      expect(existsSync(badPath)).toBe(false);
      expect(w?.quarantinedTo.startsWith(f.quarantineDir)).toBe(true);
      expect(w?.quarantinedTo).toMatch(
        /\d{4}-\d\d-\d\dT\d{6}\.\d{3}Z__3xTqv7pKdocid__incremental__bbbb\.mth$/,
      );
      expect(await readFile(w?.quarantinedTo ?? "")).toEqual(corrupted);

      const log = (await readFile(join(f.quarantineDir, QUARANTINE_LOG), "utf8"))
        .trim()
        .split("\n");
      expect(log).toHaveLength(1);
      expect(JSON.parse(log[0] ?? "")).toMatchObject({ ...w, originalPath: badPath });

      // Once moved aside it is gone from the store: no second warning.
      expect((await f.adapter.loadRange([DOC])).map((c) => c.key)).toEqual(GOOD);
      expect(f.warnings).toHaveLength(1);
    },
  );

  it("load() of a bad file returns undefined, quarantines it, and a listener that throws changes nothing", async () => {
    const badPath = pathOf(f, BAD);
    await writeFile(badPath, Buffer.alloc(0));
    let calls = 0;
    const adapter = new SafeFsStorageAdapter({
      dir: f.dir,
      quarantineDir: f.quarantineDir,
      onQuarantine: () => {
        calls++;
        throw new Error("listener bug");
      },
    });
    expect(await adapter.load(BAD)).toBeUndefined();
    expect(calls).toBe(1);
    expect(await listFiles(f.quarantineDir)).toHaveLength(2); // the file and the log
    expect(await adapter.load(GOOD[0] ?? [])).toEqual(bytes(PAYLOAD_LEN, 0));
  });

  it("never overwrites an earlier quarantined copy of the same key", async () => {
    const badPath = pathOf(f, BAD);
    for (let i = 0; i < 3; i++) {
      await writeFile(badPath, Buffer.from([i]));
      expect(await f.adapter.load(BAD)).toBeUndefined();
    }
    const copies = (await listFiles(f.quarantineDir)).filter((p) => p.endsWith(".mth"));
    expect(copies).toHaveLength(3);
    const contents = await Promise.all(copies.map((p) => readFile(join(f.quarantineDir, p))));
    expect(contents.map((c) => c[0]).sort()).toEqual([0, 1, 2]);
  });
});

describe("with a real Repo", () => {
  type Doc = { text: string; items: number[] };

  it("loads a document with one corrupted chunk and raises a warning", async () => {
    const f = await makeFixture();
    const repo1 = new Repo({ storage: f.adapter, network: [] });
    // A snapshot over 1 KiB, so automerge-repo writes incrementals instead of compacting each time.
    const noise = randomBytes(3000).toString("base64");
    const handle = repo1.create<Doc>({ text: noise, items: [] });
    await repo1.flush();
    for (let i = 0; i < 6; i++) {
      handle.change((d) => {
        d.items.push(i);
      });
      await repo1.flush();
    }
    await repo1.shutdown();

    const incrementalDir = join(f.dir, handle.documentId, "incremental");
    const incrementals = (await readdir(incrementalDir)).filter((n) => n.endsWith(".mth"));
    expect(incrementals.length).toBeGreaterThanOrEqual(3);
    expect(await readdir(join(f.dir, handle.documentId, "snapshot"))).toHaveLength(1);

    // Which incremental holds which change is hidden behind hashes; corrupt one and find out.
    const victim = join(incrementalDir, incrementals[1] ?? "");
    const file = await readFile(victim);
    file[file.length - 5] = (file[file.length - 5] ?? 0) ^ 0xff;
    await writeFile(victim, file);

    const warnings: QuarantineWarning[] = [];
    const adapter2 = new SafeFsStorageAdapter({
      dir: f.dir,
      quarantineDir: f.quarantineDir,
      onQuarantine: (w) => warnings.push(w),
    });
    const repo2 = new Repo({ storage: adapter2, network: [] });
    const handle2 = await repo2.find<Doc>(handle.url);
    const doc = handle2.doc();
    expect(doc.text).toBe(noise);
    // Every change after the lost one depends on it, so what is visible is a prefix.
    expect(doc.items.length).toBeLessThan(6);
    expect(doc.items).toEqual(Array.from({ length: doc.items.length }, (_, i) => i));
    // Unless the lost change was the last one, the later chunks were still read: automerge holds
    // their changes waiting for the missing dependency.
    const missingDeps = A.getMissingDeps(doc, []).length;
    if (doc.items.length < 5) expect(missingDeps).toBeGreaterThan(0);

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      documentId: handle.documentId,
      reason: "checksum mismatch",
    });
    expect(warnings[0]?.key.slice(0, 2)).toEqual([handle.documentId, "incremental"]);
    expect(existsSync(victim)).toBe(false);
    expect(await readFile(warnings[0]?.quarantinedTo ?? "")).toEqual(file);
    await repo2.shutdown();
  });
});
