// The offline sync bundle end to end: two devices, each a Repo on the peer's real crash-safe
// storage in its own temp folder, that never shared a network. Device A writes a bundle; device B,
// which has an older copy of one document with its own concurrent edit and lacks another, reads
// and merges it. The result must be what sync would have produced (Automerge.merge of both
// sides, same document ids), survive a restart, be idempotent, and — when the devices do meet on a
// network afterwards — converge with no duplicated documents.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { MessageChannel } from "node:worker_threads";
import * as A from "@automerge/automerge";
import {
  Repo,
  isValidDocumentId,
  type DocHandle,
  type DocumentId,
  type PeerId,
} from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUNDLE_EXTENSION } from "../../peer/sync/bundle/format.ts";
import { mergeBundle } from "../../peer/sync/bundle/merge.ts";
import { peekBundle, readBundle } from "../../peer/sync/bundle/read.ts";
import { writeBundle } from "../../peer/sync/bundle/write.ts";
import { SafeFsStorageAdapter, type QuarantineWarning } from "../../peer/storage/fsStorage.ts";
import type { Result } from "../../shared/result.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

type Index = { entries: string[] };
type Story = { title: string; notes: string[] };

const unwrap = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};
const sortedHeads = (heads: readonly string[]) => [...heads].sort();
const until = async (ok: () => boolean, what: string, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

type Device = {
  root: string;
  storage: SafeFsStorageAdapter;
  repo: Repo;
  warnings: QuarantineWarning[];
};

/**
 * A device on disk. `listed` is its share policy: only documents of the community (listed in
 * its index) are announced to or served to the other device, as in the peer.
 */
function openDevice(
  root: string,
  name: string,
  listed: (id: string) => boolean = () => true,
): Device {
  const warnings: QuarantineWarning[] = [];
  const storage = new SafeFsStorageAdapter({
    dir: join(root, "docs"),
    quarantineDir: join(root, "quarantine"),
    onQuarantine: (w) => warnings.push(w),
  });
  const policy = (_peer: PeerId, id?: DocumentId) =>
    Promise.resolve(id === undefined || listed(id));
  const repo = new Repo({
    storage,
    network: [],
    peerId: name as PeerId,
    isEphemeral: false,
    shareConfig: { announce: policy, access: policy },
  });
  return { root, storage, repo, warnings };
}

/** A document's heads as its chunks on disk say, read past the Repo (as after a crash). */
async function headsOnDisk(device: Device, id: string): Promise<string[]> {
  const chunks = [
    ...(await device.storage.loadRange([id, "snapshot"])),
    ...(await device.storage.loadRange([id, "incremental"])),
  ];
  const doc = chunks.reduce((d, c) => A.loadIncremental(d, c.data!), A.init<unknown>());
  return sortedHeads(A.getHeads(doc));
}

/** The document ids stored on a device's disk (every chunk's first key component). */
async function storedDocumentIds(device: Device): Promise<string[]> {
  const chunks = await device.storage.loadRange([]);
  return [...new Set(chunks.map((c) => c.key[0]).filter((k) => isValidDocumentId(k)))].sort();
}

let rootA: string;
let rootB: string;
let open: Device[] = [];
const track = (d: Device) => (open.push(d), d);
const close = async (d: Device) => {
  open = open.filter((o) => o !== d);
  await d.repo.shutdown();
};

beforeEach(async () => {
  rootA = await makeTempDir("meitheal-bundle-a-");
  rootB = await makeTempDir("meitheal-bundle-b-");
});
afterEach(async () => {
  for (const d of open) await d.repo.shutdown();
  open = [];
  await removeDir(rootA);
  await removeDir(rootB);
});

describe("offline sync bundle between two devices", () => {
  it("merges like sync, is idempotent, survives a restart, and converges with sync afterwards", async () => {
    const communityKey = new Uint8Array(randomBytes(32));
    let a = track(openDevice(rootA, "device-a"));

    // A: the community index, two stories it lists, and one document it does not list.
    const index: DocHandle<Index> = a.repo.create<Index>({ entries: [] });
    const communityId = index.documentId;
    const story1 = a.repo.create<Story>({ title: "Day 1", notes: ["arrived"] });
    index.change((d) => void d.entries.push(story1.documentId));

    // B got the index and story 1 at some earlier meeting (same document ids, shared history).
    let b = track(openDevice(rootB, "device-b"));
    b.repo.import(A.save(index.doc()), { docId: communityId });
    b.repo.import(A.save(story1.doc()), { docId: story1.documentId });
    await b.repo.flush();

    // Apart: both edit story 1; A writes story 2 and lists it, and has an unlisted document.
    story1.change((d) => void d.notes.push("A: the evening circle"));
    const story2 = a.repo.create<Story>({ title: "Day 2", notes: ["a walk"] });
    index.change((d) => void d.entries.push(story2.documentId));
    const unlisted = a.repo.create<Story>({ title: "Not in the community", notes: [] });
    const bStory1 = await b.repo.find<Story>(story1.documentId);
    bStory1.change((d) => void d.notes.push("B: the morning walk"));
    const bStory1Before = A.clone(bStory1.doc());
    const bIndexBefore = A.clone((await b.repo.find<Index>(communityId)).doc());
    await b.repo.flush();

    // B restarts, so its documents are on disk and not in memory when the bundle arrives.
    await close(b);
    b = track(openDevice(rootB, "device-b"));

    // A writes the bundle.
    const path = join(rootA, `retreat${BUNDLE_EXTENSION}`);
    const documents = new Map<string, Uint8Array>();
    for (const h of [index, story1, story2, unlisted] as DocHandle<unknown>[]) {
      documents.set(h.documentId, A.save(h.doc()));
    }
    const progress: number[] = [];
    const written = unwrap(
      await writeBundle(path, { communityId, documents }, communityKey, {
        onProgress: (done) => progress.push(done),
      }),
    );
    expect(written.documents).toBe(4);
    expect(progress).toEqual([0, 1, 2, 3, 4]);

    // B peeks to pick the key, reads, merges. Accepted: the index and what it lists.
    expect(unwrap(await peekBundle(path)).communityId).toBe(communityId);
    const contents = unwrap(
      await readBundle(path, communityKey, { expectCommunityId: communityId }),
    );
    const bIndex = await b.repo.find<Index>(communityId);
    const accept = (id: string) => id === communityId || bIndex.doc().entries.includes(id);
    const report = await mergeBundle(b.repo, contents, accept);
    expect(report).toEqual({ merged: 2, changed: 2, added: 1, skipped: 1, problems: [] });
    // Resolved means on disk, not waiting for the repo's save throttle.
    expect(await headsOnDisk(b, story2.documentId)).toEqual(sortedHeads(A.getHeads(story2.doc())));
    expect(await headsOnDisk(b, story1.documentId)).toEqual(
      sortedHeads(A.getHeads((await b.repo.find<Story>(story1.documentId)).doc())),
    );

    // Existing documents are exactly Automerge.merge of both sides.
    const expectStory1 = A.merge(A.clone(bStory1Before), A.clone(story1.doc()));
    const expectIndex = A.merge(A.clone(bIndexBefore), A.clone(index.doc()));
    const mergedStory1 = await b.repo.find<Story>(story1.documentId);
    expect(sortedHeads(A.getHeads(mergedStory1.doc()))).toEqual(
      sortedHeads(A.getHeads(expectStory1)),
    );
    expect(A.getHeads(mergedStory1.doc())).toHaveLength(2); // one head from each side's edit
    expect(mergedStory1.doc().notes).toEqual(
      expect.arrayContaining(["arrived", "A: the evening circle", "B: the morning walk"]),
    );
    expect(sortedHeads(A.getHeads(bIndex.doc()))).toEqual(sortedHeads(A.getHeads(expectIndex)));
    expect(bIndex.doc().entries).toEqual([story1.documentId, story2.documentId]);
    // The missing document is added under the same id, with A's history.
    const added = await b.repo.find<Story>(story2.documentId);
    expect(added.documentId).toBe(story2.documentId);
    expect(sortedHeads(A.getHeads(added.doc()))).toEqual(sortedHeads(A.getHeads(story2.doc())));
    expect(added.doc()).toEqual(story2.doc());
    // The unlisted one was not let in.
    expect(b.repo.handles[unlisted.documentId]).toBeUndefined();

    // Merging the same bundle again changes nothing.
    const headsAfterFirst = sortedHeads(A.getHeads(mergedStory1.doc()));
    const again = await mergeBundle(b.repo, contents, accept);
    expect(again).toEqual({ merged: 3, changed: 0, added: 0, skipped: 1, problems: [] });
    expect(sortedHeads(A.getHeads(mergedStory1.doc()))).toEqual(headsAfterFirst);

    // The merge is on disk: a restart finds it, with nothing quarantined.
    await close(b);
    b = track(openDevice(rootB, "device-b"));
    const reloaded = await b.repo.find<Story>(story1.documentId);
    expect(sortedHeads(A.getHeads(reloaded.doc()))).toEqual(headsAfterFirst);
    expect(await storedDocumentIds(b)).toEqual(
      [communityId, story1.documentId, story2.documentId].sort(),
    );
    expect(b.warnings).toEqual([]);

    // Later the two devices meet on a network: they converge, and nothing is duplicated.
    await close(b);
    await close(a);
    const listedOn = (device: () => Device) => (id: string) => {
      const handle = device().repo.handles[communityId] as DocHandle<Index> | undefined;
      return (
        id === communityId || (handle?.isReady() === true && handle.doc().entries.includes(id))
      );
    };
    a = track(
      openDevice(
        rootA,
        "device-a",
        listedOn(() => a),
      ),
    );
    b = track(
      openDevice(
        rootB,
        "device-b",
        listedOn(() => b),
      ),
    );
    const ids = [communityId, story1.documentId, story2.documentId];
    const handlesA = await Promise.all(ids.map((id) => a.repo.find<unknown>(id)));
    const handlesB = await Promise.all(ids.map((id) => b.repo.find<unknown>(id)));
    await a.repo.find(unlisted.documentId);
    // A changes story 1 once more, so sync has something to carry both ways.
    (handlesA[1] as DocHandle<Story>).change((d) => void d.notes.push("A: after the bundle"));

    const channel = new MessageChannel();
    a.repo.networkSubsystem.addNetworkAdapter(new MessageChannelNetworkAdapter(channel.port1));
    b.repo.networkSubsystem.addNetworkAdapter(new MessageChannelNetworkAdapter(channel.port2));
    try {
      await until(
        () =>
          ids.every(
            (_, i) =>
              sortedHeads(handlesA[i]!.heads()).join() === sortedHeads(handlesB[i]!.heads()).join(),
          ),
        "A and B to have the same heads for every document",
      );
      expect((handlesB[1] as DocHandle<Story>).doc().notes).toContain("A: after the bundle");
      expect((handlesA[1] as DocHandle<Story>).doc().notes).toContain("B: the morning walk");
      await a.repo.flush();
      await b.repo.flush();
      expect(await storedDocumentIds(b)).toEqual([...ids].sort());
      expect(await storedDocumentIds(a)).toEqual([...ids, unlisted.documentId].sort());
      expect(Object.keys(b.repo.handles).filter((id) => !ids.includes(id as DocumentId))).toEqual(
        [],
      );
    } finally {
      channel.port1.close();
      // Each repo saves the other's sync state on a throttle (saveDebounceRate, 100 ms) that
      // shutdown() does not wait for; let it run before the folders are removed.
      await new Promise((r) => setTimeout(r, 300));
      await close(a);
      await close(b);
    }
  });

  it("merges the good documents of a bundle and reports one that cannot be loaded", async () => {
    const communityKey = new Uint8Array(randomBytes(32));
    const a = track(openDevice(rootA, "device-a"));
    const index = a.repo.create<Index>({ entries: [] });
    const story = a.repo.create<Story>({ title: "Day 1", notes: [] });
    const broken = a.repo.create<Story>({ title: "Broken", notes: [] });
    const bytes = A.save(broken.doc());
    const path = join(rootA, `b${BUNDLE_EXTENSION}`);
    const documents = new Map<string, Uint8Array>([
      [index.documentId, A.save(index.doc())],
      [broken.documentId, bytes.subarray(0, bytes.byteLength - 5)],
      [story.documentId, A.save(story.doc())],
    ]);
    unwrap(await writeBundle(path, { communityId: index.documentId, documents }, communityKey));

    const b = track(openDevice(rootB, "device-b"));
    const report = await mergeBundle(
      b.repo,
      unwrap(await readBundle(path, communityKey)),
      () => true,
    );
    expect(report.added).toBe(2);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toContain(broken.documentId);
    expect((await b.repo.find<Story>(story.documentId)).doc().title).toBe("Day 1");
    expect(await storedDocumentIds(b)).toEqual([index.documentId, story.documentId].sort());
  });
});
