// What the backup tests share: a community with stories made in-process, the documents of a
// community read back with their full history, and a before/after picture of a data folder.
import * as Automerge from "@automerge/automerge";
import { splice, type AutomergeUrl, type DocHandle } from "@automerge/automerge-repo";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import type { PeerNode } from "../../peer/peerNode.ts";
import { listedDocuments } from "../../peer/sync/membership.ts";
import type { Result } from "../../shared/result.ts";
import type { Story } from "../../shared/schema/story.ts";
import { listStory } from "../helpers/stories.ts";

export const value = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

/** A community with `stories` stories, each edited a few times, so documents have a history. */
export async function seedCommunity(node: PeerNode, name: string, stories: number) {
  const created = value(await node.createCommunity({ name, purpose: "Kept safe" }));
  const community = node.community(created.id);
  if (!community?.index) throw new Error("no index");
  const ids: string[] = [];
  for (let i = 0; i < stories; i++) {
    const story = community.repo.create<Story>();
    listStory(community.index, story, `Story ${i + 1}`);
    for (let edit = 0; edit < 3; edit++)
      story.change((s) => splice(s, ["body"], s.body.length, 0, `Edit ${edit} of story ${i}. `));
    ids.push(story.documentId);
  }
  await node.flush();
  return { communityId: created.id, storyIds: ids };
}

export type DocPicture = { heads: string[]; changes: string[] };

/** Every listed document of a community: heads and the hashes of every change, in order. */
export async function documentsOf(
  node: PeerNode,
  communityId: string,
): Promise<Map<string, DocPicture>> {
  const community = node.community(communityId);
  if (!community) throw new Error(`no community ${communityId}`);
  const out = new Map<string, DocPicture>();
  for (const id of listedDocuments(community).sort()) {
    const handle: DocHandle<unknown> = await community.repo.find(`automerge:${id}` as AutomergeUrl);
    const doc = handle.doc();
    out.set(id, {
      heads: [...Automerge.getHeads(doc)].sort(),
      changes: Automerge.getAllChanges(doc).map((c) => Automerge.decodeChange(c).hash ?? ""),
    });
  }
  return out;
}

export const entryIds = (node: PeerNode, communityId: string): string[] =>
  Object.keys(node.community(communityId)?.index?.doc()?.entries ?? {}).sort();

/** Every file under `dir` with its bytes (base64) and every folder: a before/after picture. */
export async function picture(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of (await readdir(dir, { recursive: true })).sort()) {
    // The lock file is the running peer's own, rewritten as it likes.
    if (rel === "peer.lock") continue;
    const path = join(dir, rel);
    out[rel] = (await stat(path)).isDirectory()
      ? "<dir>"
      : (await readFile(path)).toString("base64");
  }
  return out;
}

export const expectErr = <T>(r: Result<T>, code: string, message: RegExp) => {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error.code).toBe(code);
  expect(r.error.message).toMatch(message);
};
