import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as A from "@automerge/automerge";
import {
  Repo,
  generateAutomergeUrl,
  interpretAsDocumentId,
  parseAutomergeUrl,
  type BinaryDocumentId,
  type DocumentId,
} from "@automerge/automerge-repo";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCode, type Result } from "../../../shared/result.ts";
import { makeTempDir, removeDir } from "../../../test/helpers/tmp.ts";
import { BUNDLE_EXTENSION, CHUNK_BYTES, type BundleContents } from "./format.ts";
import { mergeBundle } from "./merge.ts";
import { peekBundle, readBundle } from "./read.ts";
import { writeBundle } from "./write.ts";

const newId = (): DocumentId => parseAutomergeUrl(generateAutomergeUrl()).documentId;
const key = () => new Uint8Array(randomBytes(32));
const saved = (value: Record<string, unknown>) => A.save(A.from(value));

const expectErr = <T>(r: Result<T>, code: ErrorCode, text: string | RegExp) => {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error.code).toBe(code);
  expect(r.error.message).toMatch(text);
};
const unwrap = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

/** Offsets of the parts of a version-1 bundle, worked out independently of format.ts's code. */
function layout(bytes: Uint8Array) {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idLen = view.readUInt16LE(9);
  const headerEnd = 11 + idLen + 16 + 24;
  const frames: { start: number; end: number }[] = [];
  for (let at = headerEnd; at < bytes.byteLength;) {
    const end = at + 4 + view.readUInt32LE(at);
    frames.push({ start: at, end });
    at = end;
  }
  return { idStart: 11, idEnd: 11 + idLen, headerEnd, frames };
}

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir("meitheal-bundle-");
});
afterEach(() => removeDir(dir));

const fixture = () => {
  const communityId = newId();
  const documents = new Map<string, Uint8Array>([
    [communityId, saved({ schema: "meitheal/community", name: "Retreat" })],
    [newId(), saved({ title: "A story", body: "Once" })],
    [newId(), new Uint8Array(0)],
  ]);
  return { communityId, documents } satisfies BundleContents;
};

describe("writeBundle / readBundle", () => {
  it("round-trips documents, including one spanning several encrypted chunks", async () => {
    const contents = fixture();
    const big = new Uint8Array(randomBytes(CHUNK_BYTES * 3 + 123));
    contents.documents.set(newId(), big);
    const k = key();
    const path = join(dir, `retreat${BUNDLE_EXTENSION}`);
    const written = unwrap(await writeBundle(path, contents, k));
    expect(written.documents).toBe(4);
    expect(written.bytes).toBe((await readFile(path)).byteLength);
    expect(layout(await readFile(path)).frames.length).toBeGreaterThanOrEqual(4);

    const read = unwrap(await readBundle(path, k));
    expect(read.communityId).toBe(contents.communityId);
    expect([...read.documents.keys()]).toEqual([...contents.documents.keys()]);
    for (const [id, bytes] of contents.documents) {
      expect(Buffer.from(read.documents.get(id)!).equals(Buffer.from(bytes))).toBe(true);
    }
    // The body is encrypted: no document's bytes appear in the file.
    const file = await readFile(path);
    expect(file.includes(Buffer.from(big.subarray(0, 64)))).toBe(false);
    expect(file.includes(Buffer.from("A story"))).toBe(false);
  });

  it("round-trips an empty community, and random documents (property)", async () => {
    const k = key();
    const empty = { communityId: newId(), documents: new Map<string, Uint8Array>() };
    const path = join(dir, "p.bin");
    unwrap(await writeBundle(path, empty, k));
    expect(unwrap(await readBundle(path, k)).documents.size).toBe(0);

    const docId = fc
      .uint8Array({ minLength: 16, maxLength: 16 })
      .map((b) => interpretAsDocumentId(b as BinaryDocumentId));
    await fc.assert(
      fc.asyncProperty(
        docId,
        fc.uniqueArray(fc.tuple(docId, fc.uint8Array({ maxLength: CHUNK_BYTES + 50 })), {
          selector: ([id]) => id,
          maxLength: 12,
        }),
        async (communityId, docs) => {
          const contents = { communityId, documents: new Map(docs) };
          unwrap(await writeBundle(path, contents, k));
          const read = unwrap(await readBundle(path, k));
          expect(read.communityId).toBe(communityId);
          expect(
            [...read.documents].map(([id, b]) => [id, Buffer.from(b).toString("hex")]),
          ).toEqual(docs.map(([id, b]) => [id, Buffer.from(b).toString("hex")]));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("calls onProgress with 0 and then after each document", async () => {
    const contents = fixture();
    const calls: [number, number][] = [];
    unwrap(
      await writeBundle(join(dir, "b"), contents, key(), {
        onProgress: (done, total) => calls.push([done, total]),
      }),
    );
    expect(calls).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it("peekBundle reads the community id without the key", async () => {
    const contents = fixture();
    const path = join(dir, "b");
    unwrap(await writeBundle(path, contents, key()));
    expect(unwrap(await peekBundle(path))).toEqual({ communityId: contents.communityId });
  });

  it("refuses the wrong key, and a bundle for another community", async () => {
    const contents = fixture();
    const path = join(dir, "b");
    unwrap(await writeBundle(path, contents, key()));
    expectErr(
      await readBundle(path, key()),
      ErrorCode.BadInput,
      /not locked with this device's key/,
    );
    expectErr(
      await readBundle(path, key(), { expectCommunityId: newId() }),
      ErrorCode.BadInput,
      /This bundle is for another community/,
    );
    expectErr(await readBundle(path, new Uint8Array(16)), ErrorCode.Internal, /16 bytes/);
  });

  it("fails when any single byte is changed, header or body", async () => {
    const k = key();
    const path = join(dir, "b");
    unwrap(
      await writeBundle(
        path,
        { communityId: newId(), documents: new Map([[newId(), saved({ n: 1 })]]) },
        k,
      ),
    );
    const good = await readFile(path);
    const tampered = join(dir, "t");
    const failures = new Set<string>();
    for (let i = 0; i < good.byteLength; i++) {
      const bad = Buffer.from(good);
      bad[i]! ^= 0x20;
      await writeFile(tampered, bad);
      const r = await readBundle(tampered, k);
      expect(r.ok, `byte ${i} of ${good.byteLength} flipped`).toBe(false);
      if (!r.ok) failures.add(r.error.message);
    }
    // What a person sees: not a bundle (magic), damaged (header or body), or wrong key (key check).
    expect([...failures].some((m) => m.includes("not a Meitheal sync bundle"))).toBe(true);
    expect([...failures].some((m) => m.includes("failed its check"))).toBe(true);
  });

  it("fails on a changed byte in any chunk of a large bundle", async () => {
    const k = key();
    const path = join(dir, "b");
    const documents = new Map([[newId(), new Uint8Array(randomBytes(CHUNK_BYTES * 2 + 7))]]);
    unwrap(await writeBundle(path, { communityId: newId(), documents }, k));
    const good = await readFile(path);
    const { frames } = layout(good);
    for (const f of frames) {
      for (const at of [f.start + 4, Math.floor((f.start + f.end) / 2), f.end - 1]) {
        const bad = Buffer.from(good);
        bad[at]! ^= 0x01;
        await writeFile(path, bad);
        expectErr(await readBundle(path, k), ErrorCode.Damaged, /failed its check/);
      }
    }
  });

  it("fails when the header's community id is swapped for another", async () => {
    const k = key();
    const path = join(dir, "b");
    unwrap(await writeBundle(path, fixture(), k));
    const good = await readFile(path);
    const { idStart, idEnd } = layout(good);
    let other = newId();
    while (Buffer.byteLength(other) !== idEnd - idStart) other = newId();
    const bad = Buffer.from(good);
    bad.write(other, idStart, "utf8");
    await writeFile(path, bad);
    expect(unwrap(await peekBundle(path)).communityId).toBe(other);
    expectErr(await readBundle(path, k), ErrorCode.Damaged, /failed its check/);
  });

  it("fails when cut short anywhere, even exactly between chunks, or when bytes are added", async () => {
    const k = key();
    const path = join(dir, "b");
    const documents = new Map([[newId(), new Uint8Array(randomBytes(CHUNK_BYTES * 2 + 7))]]);
    unwrap(await writeBundle(path, { communityId: newId(), documents }, k));
    const good = await readFile(path);
    const { headerEnd, frames } = layout(good);
    const cuts = new Set<number>([0, 5, 8, 12, headerEnd - 1, headerEnd, headerEnd + 2]);
    for (const f of frames)
      [f.start, f.start + 3, f.start + 100, f.end - 1].forEach((c) => cuts.add(c));
    const cut = join(dir, "cut");
    for (const n of [...cuts].filter((c) => c < good.byteLength)) {
      await writeFile(cut, good.subarray(0, n));
      const r = await readBundle(cut, k);
      expect(r.ok, `cut at ${n}`).toBe(false);
    }
    // Exactly after a whole (non-final) chunk: only the missing FINAL tag can tell.
    await writeFile(cut, good.subarray(0, frames[1]!.end));
    expectErr(await readBundle(cut, k), ErrorCode.Damaged, /incomplete/);

    await writeFile(cut, Buffer.concat([good, Buffer.from([0])]));
    expectErr(await readBundle(cut, k), ErrorCode.Damaged, /failed its check/);
  });

  it("fails when chunks are reordered, repeated or dropped", async () => {
    const k = key();
    const path = join(dir, "b");
    const documents = new Map([[newId(), new Uint8Array(randomBytes(CHUNK_BYTES * 3))]]);
    unwrap(await writeBundle(path, { communityId: newId(), documents }, k));
    const good = await readFile(path);
    const { headerEnd, frames } = layout(good);
    const part = (i: number) => good.subarray(frames[i]!.start, frames[i]!.end);
    const head = good.subarray(0, headerEnd);
    const variants = [
      [part(1), part(0), part(2), part(3)],
      [part(0), part(0), part(1), part(2), part(3)],
      [part(0), part(2), part(3)],
      [part(0), part(1), part(2), part(3), part(3)],
    ];
    for (const v of variants) {
      await writeFile(path, Buffer.concat([head, ...v]));
      expectErr(await readBundle(path, k), ErrorCode.Damaged, /failed its check|incomplete/);
    }
  });

  it("says a file is not a bundle, is missing, or is from a newer version", async () => {
    const path = join(dir, "notes.txt");
    await writeFile(path, "Day 2 evening: what we learned\n");
    expectErr(await readBundle(path, key()), ErrorCode.BadInput, /not a Meitheal sync bundle/);
    expectErr(await peekBundle(path), ErrorCode.BadInput, /not a Meitheal sync bundle/);
    await writeFile(path, "");
    expectErr(await peekBundle(path), ErrorCode.BadInput, /not a Meitheal sync bundle/);
    expectErr(await peekBundle(dir), ErrorCode.BadInput, /not a Meitheal sync bundle/);
    expectErr(await peekBundle(join(dir, "nope")), ErrorCode.NotFound, /There is no file at/);

    const k = key();
    unwrap(await writeBundle(path, fixture(), k));
    const newer = await readFile(path);
    newer[8] = 2;
    await writeFile(path, newer);
    expectErr(await peekBundle(path), ErrorCode.NewerVersion, /newer version of Meitheal/);
    expectErr(await readBundle(path, k), ErrorCode.NewerVersion, /Update Meitheal/);
  });

  it("refuses to write bad ids and leaves nothing behind", async () => {
    const path = join(dir, "b");
    const contents = fixture();
    contents.documents.set("not-an-id", new Uint8Array(1));
    expectErr(
      await writeBundle(path, contents, key()),
      ErrorCode.BadInput,
      /"not-an-id" is not a document id/,
    );
    expectErr(
      await writeBundle(path, { communityId: "x", documents: new Map() }, key()),
      ErrorCode.BadInput,
      /not a community id/,
    );
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("writeBundle failures", () => {
  it("returns an error and leaves no temp file when the path cannot be written", async () => {
    const blocker = join(dir, "file");
    await writeFile(blocker, "x");
    const r = await writeBundle(join(blocker, `b${BUNDLE_EXTENSION}`), fixture(), key());
    expectErr(r, ErrorCode.Storage, /could not be written to .*file.*Check the stick/);
    expectErr(
      await writeBundle(join(dir, "missing", "b"), fixture(), key()),
      ErrorCode.Storage,
      /folder does not exist/,
    );
    expect(await readdir(dir)).toEqual(["file"]);
  });

  it("removes the temp file when the final rename fails, and leaves what is at the path alone", async () => {
    const target = join(dir, "taken");
    await mkdir(target);
    await writeFile(join(target, "keep"), "keep");
    const r = await writeBundle(target, fixture(), key());
    expectErr(r, ErrorCode.Storage, /could not be written to/);
    expect((await readdir(dir)).sort()).toEqual(["taken"]);
    expect(await readFile(join(target, "keep"), "utf8")).toBe("keep");
  });

  it("leaves an existing bundle untouched when a write stops part way (cancelled or failed)", async () => {
    const k = key();
    const path = join(dir, `b${BUNDLE_EXTENSION}`);
    const old = fixture();
    unwrap(await writeBundle(path, old, k));
    const before = await readFile(path);

    const contents = fixture();
    for (let i = 0; i < 40; i++)
      contents.documents.set(newId(), new Uint8Array(randomBytes(50_000)));
    const controller = new AbortController();
    const cancelled = await writeBundle(path, contents, k, {
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 30) controller.abort();
      },
    });
    expectErr(cancelled, ErrorCode.Unavailable, /cancelled/);
    expect((await readFile(path)).equals(before)).toBe(true);
    expect(await readdir(dir)).toEqual([`b${BUNDLE_EXTENSION}`]);

    const failed = await writeBundle(path, contents, k, {
      onProgress: (done) => {
        if (done === 35) throw new Error("the stick was removed");
      },
    });
    expectErr(failed, ErrorCode.Storage, /the stick was removed/);
    expect((await readFile(path)).equals(before)).toBe(true);
    expect(await readdir(dir)).toEqual([`b${BUNDLE_EXTENSION}`]);
    expect(unwrap(await readBundle(path, k)).communityId).toBe(old.communityId);
  });
});

describe("mergeBundle", () => {
  it("merges into existing documents, adds missing ones under their id, skips refused and unreadable ones", async () => {
    const repo = new Repo({ network: [] });
    try {
      const index = repo.create<{ entries: string[] }>({ entries: [] });
      const communityId = index.documentId;
      const storyId = newId();
      const secretId = newId();
      const junkId = newId();
      const theirIndex = A.change(A.load<{ entries: string[] }>(A.save(index.doc())), (d) => {
        d.entries.push(storyId);
      });
      const contents: BundleContents = {
        communityId,
        documents: new Map([
          // The story comes before the index that lists it: merge order must not matter.
          [storyId, saved({ title: "New" })],
          [secretId, saved({ title: "Not listed" })],
          [junkId, new Uint8Array([1, 2, 3])],
          [communityId, A.save(theirIndex)],
        ]),
      };
      const accept = (id: string) =>
        id === communityId || index.doc().entries.includes(id) || id === junkId;
      const report = await mergeBundle(repo, contents, accept);
      expect(report).toMatchObject({ merged: 1, changed: 1, added: 1, skipped: 1 });
      expect(report.problems).toHaveLength(1);
      expect(report.problems[0]).toMatch(new RegExp(`${junkId}.*could not be read`));
      expect(index.doc().entries).toEqual([storyId]);
      const story = await repo.find<{ title: string }>(storyId);
      expect(story.doc().title).toBe("New");
      expect(repo.handles[secretId]).toBeUndefined();

      const again = await mergeBundle(repo, contents, accept);
      expect(again).toMatchObject({ merged: 2, changed: 0, added: 0, skipped: 1 });
    } finally {
      await repo.shutdown();
    }
  });
});
