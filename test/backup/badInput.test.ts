// Restoring what is not a whole backup, and writing where nothing can be written: each case gets a
// clear message, and the data folder restored into is byte for byte as it was.
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restoreBackup, type BackupHost } from "../../peer/backup/backup.ts";
import { writeBackupFile } from "../../peer/backup/files.ts";
import { MANIFEST_ENTRY, SEAL_ENTRY, type BackupManifest } from "../../peer/backup/format.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import { ErrorCode, type Result } from "../../shared/result.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import {
  consentFor,
  editBackup,
  expectErr,
  picture,
  reseal,
  seedCommunity,
  value,
} from "./helpers.ts";
import { atPath } from "../../shared/contract.ts";
import { pathOf } from "../helpers/files.ts";

const TIMEOUT = 60_000;
let source: string;
let target: string;
let stick: string;
let good: Uint8Array;
let goodPath: string;
let manifest: BackupManifest;

beforeAll(async () => {
  [source, target, stick] = await Promise.all([
    makeTempDir("meitheal-bad-src-"),
    makeTempDir("meitheal-bad-target-"),
    makeTempDir("meitheal-bad-stick-"),
  ]);
  const a = await PeerNode.start({ dataDir: source });
  try {
    // More documents than one write batch (32), so a failure can happen half way through.
    const { communityId } = await seedCommunity(a, "Source", 40);
    goodPath = pathOf(
      value(await a.handlers["backup:write"]({ communityId, target: atPath(join(stick, "good")) })),
    );
  } finally {
    await a.close();
  }
  good = await readFile(goodPath);
  manifest = JSON.parse(strFromU8(unzipSync(good)[MANIFEST_ENTRY]!)) as BackupManifest;
  // The device restored into already has a community of its own.
  const t = await PeerNode.start({ dataDir: target });
  try {
    await seedCommunity(t, "Already here", 2);
  } finally {
    await t.close();
  }
}, TIMEOUT);

afterAll(async () => {
  for (const d of [source, target, stick]) await removeDir(d);
});

/** Runs `attempt` on a peer over the target folder and checks the folder did not change. */
async function unchanged<T>(attempt: (node: PeerNode) => Promise<Result<T>>): Promise<Result<T>> {
  const before = await picture(target);
  const node = await PeerNode.start({ dataDir: target });
  let result: Result<T>;
  try {
    result = await attempt(node);
    expect(node.listCommunities().map((c) => c.name)).toEqual(["Already here"]);
  } finally {
    await node.close();
  }
  expect(await picture(target)).toEqual(before);
  return result;
}

const restoreFile = async (name: string, bytes: Uint8Array) => {
  const path = join(stick, name);
  await writeFile(path, bytes);
  return unchanged((node) => node.handlers["backup:restore"]({ source: atPath(path) }));
};

/** The good backup's files, changed by `edit`, zipped again with the manifest first. */
const rezip = (edit: (files: Record<string, Uint8Array>) => void): Uint8Array =>
  editBackup(good, edit);

const storyEntry = () => manifest.documents.find((d) => d.kind === "story")!;

describe("restoring a file that is not a whole backup changes nothing", () => {
  it("a document whose bytes do not match its checksum", async () => {
    const entry = storyEntry();
    const bytes = rezip((files) => {
      const doc = files[entry.path]!;
      doc[doc.length - 1] = (doc[doc.length - 1] ?? 0) ^ 0xff;
    });
    expectErr(
      await restoreFile("checksum.meitheal-backup", bytes),
      ErrorCode.Damaged,
      new RegExp(`document ${entry.id} does not match its checksum.*Nothing was restored`),
    );
  });

  it("a zip whose directory is garbage", async () => {
    const bytes = Uint8Array.from(good);
    bytes.fill(0x5a, bytes.length - 300);
    expectErr(
      await restoreFile("corrupt.meitheal-backup", bytes),
      ErrorCode.Damaged,
      /damaged or incomplete.*the zip cannot be read/,
    );
  });

  it("a file cut short (half of it)", async () => {
    expectErr(
      await restoreFile("cut.meitheal-backup", good.subarray(0, Math.floor(good.length / 2))),
      ErrorCode.Damaged,
      /damaged or incomplete/,
    );
  });

  it("a file cut short by a few bytes", async () => {
    expectErr(
      await restoreFile("cut2.meitheal-backup", good.subarray(0, good.length - 5)),
      ErrorCode.Damaged,
      /damaged or incomplete/,
    );
  });

  it("a document that Automerge cannot load (its checksum made to match, then sealed again)", async () => {
    const entry = storyEntry();
    const junk = strToU8("not an automerge document at all");
    const junked = (sealed: boolean) =>
      rezip((files) => {
        files[entry.path] = junk;
        const m = JSON.parse(strFromU8(files[MANIFEST_ENTRY]!)) as BackupManifest;
        const listed = m.documents.find((d) => d.id === entry.id)!;
        listed.bytes = junk.byteLength;
        listed.sha256 = createHash("sha256").update(junk).digest("hex");
        files[MANIFEST_ENTRY] = strToU8(JSON.stringify(m));
        if (sealed) reseal(files);
      });
    // Only the checksum made to match: the seal gives it away.
    expectErr(
      await restoreFile("junk.meitheal-backup", junked(false)),
      ErrorCode.Damaged,
      /not authentic.*Nothing was restored/,
    );
    // Sealed again by someone holding the file: every document is still loaded before anything is written.
    expectErr(
      await restoreFile("junk-sealed.meitheal-backup", junked(true)),
      ErrorCode.Damaged,
      new RegExp(`document ${entry.id} cannot be loaded`),
    );
  });

  it("a seal missing, or not one", async () => {
    for (const edit of [
      (files: Record<string, Uint8Array>) => delete files[SEAL_ENTRY],
      (files: Record<string, Uint8Array>) => (files[SEAL_ENTRY] = strToU8("{}")),
    ])
      expectErr(
        await restoreFile("unsealed.meitheal-backup", rezip(edit)),
        ErrorCode.Damaged,
        /not authentic/,
      );
  });

  it("a backup written by a newer version", async () => {
    const bytes = rezip((files) => {
      const m = JSON.parse(strFromU8(files[MANIFEST_ENTRY]!)) as Record<string, unknown>;
      files[MANIFEST_ENTRY] = strToU8(JSON.stringify({ ...m, version: 7 }));
    });
    expectErr(
      await restoreFile("newer.meitheal-backup", bytes),
      ErrorCode.NewerVersion,
      /newer version of Meitheal.*Update Meitheal/,
    );
  });

  it(
    "a 200 MB file that is not a backup, refused after one small read",
    async () => {
      for (const [name, head] of [
        ["zeros.meitheal-backup", new Uint8Array(0)],
        // A zip, but of something else: its first entry is not a manifest.
        ["video.zip", zipSync({ "video.mp4": [new Uint8Array(64), { level: 0 }] }).subarray(0, 60)],
      ] as const) {
        const path = join(stick, name);
        await writeFile(path, head);
        await truncate(path, 200 * 1024 * 1024); // sparse: no 200 MB written
        const started = performance.now();
        const result = await unchanged((node) =>
          node.handlers["backup:restore"]({ source: atPath(path) }),
        );
        expectErr(result, ErrorCode.BadInput, /not a Meitheal backup/);
        expect(performance.now() - started).toBeLessThan(5_000);
      }
    },
    TIMEOUT,
  );

  it("a path where there is no file, and a folder", async () => {
    expectErr(
      await unchanged((node) =>
        node.handlers["backup:restore"]({ source: atPath(join(stick, "missing.meitheal-backup")) }),
      ),
      ErrorCode.NotFound,
      /There is no file at .*missing\.meitheal-backup/,
    );
    expectErr(
      await unchanged((node) => node.handlers["backup:restore"]({ source: atPath(stick) })),
      ErrorCode.BadInput,
      /is a folder/,
    );
    expectErr(
      await unchanged((node) =>
        node.handlers["backup:restore"]({ source: atPath("relative.meitheal-backup") }),
      ),
      ErrorCode.BadInput,
      /not a full path/,
    );
  });

  it("a write that fails half way through the restore is rolled back", async () => {
    const result = await unchanged(async (node) => {
      const host: BackupHost = {
        ...node.backupHost(),
        progress: (p) => {
          if (p.task === "restore" && p.done >= 32) throw new Error("the disk fell off");
        },
      };
      return restoreBackup(host, goodPath, { consent: await consentFor(node, goodPath) });
    });
    expectErr(
      result,
      ErrorCode.Storage,
      /could not be restored .*the disk fell off.*Nothing was changed/,
    );
  });

  it("a community that cannot be added to the device's list is taken away again", async () => {
    const result = await unchanged(async (node) =>
      restoreBackup(
        {
          ...node.backupHost(),
          adopt: () =>
            Promise.resolve({
              ok: false,
              error: { code: ErrorCode.Storage, message: "The list could not be saved." },
            } as const),
        },
        goodPath,
        { consent: await consentFor(node, goodPath) },
      ),
    );
    expectErr(result, ErrorCode.Storage, /could not be saved/);
  });

  it("and the good backup restores after all that", async () => {
    const node = await PeerNode.start({ dataDir: target });
    try {
      const consent = await consentFor(node, goodPath);
      value(await node.handlers["backup:restore"]({ source: atPath(goodPath), consent }));
      expect(node.listCommunities().map((c) => c.name)).toEqual(["Already here", "Source"]);
    } finally {
      await node.close();
    }
  });
});

describe("writing a backup where it cannot be written", () => {
  it("a path inside a file, and a folder that does not exist: an error and no temp file", async () => {
    const dir = await makeTempDir("meitheal-bad-out-");
    try {
      await writeFile(join(dir, "file"), "x");
      const node = await PeerNode.start({ dataDir: source });
      try {
        const [id] = node.communityIds();
        expectErr(
          await node.handlers["backup:write"]({
            communityId: id!,
            target: atPath(join(dir, "file", "b")),
          }),
          ErrorCode.Storage,
          /could not be written to .*part of the path is a file, not a folder.*Nothing was written/,
        );
        expectErr(
          await node.handlers["backup:write"]({
            communityId: id!,
            target: atPath(join(dir, "gone", "b")),
          }),
          ErrorCode.Storage,
          /the folder does not exist/,
        );
      } finally {
        await node.close();
      }
      expect(await readdir(dir)).toEqual(["file"]);
    } finally {
      await removeDir(dir);
    }
  });

  it("removes the temp file when the final rename fails, and leaves what is at the path alone", async () => {
    const dir = await makeTempDir("meitheal-bad-out-");
    try {
      const taken = join(dir, "taken.meitheal-backup");
      await mkdir(taken);
      await writeFile(join(taken, "keep"), "keep");
      expectErr(
        await writeBackupFile(taken, good),
        ErrorCode.Storage,
        /could not be written to .*taken\.meitheal-backup/,
      );
      expect(await readdir(dir)).toEqual(["taken.meitheal-backup"]);
      expect(await readFile(join(taken, "keep"), "utf8")).toBe("keep");
    } finally {
      await removeDir(dir);
    }
  });
});
