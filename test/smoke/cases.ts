// One smoke case per method of the contract, run in this order against a peer started as people
// start it (entries.ts). A case gives the call's arguments, the answer they honestly call for ("ok",
// or the error codes the contract gives for them), and for the main flows what must be true of the
// value: a community made, stories written by a window and listed, searched and linked, a
// collection exported, a USB sync bundle written and read back, a backup written, checked and
// restored, Markdown imported, a harvest report written. `CASES` is typed by Method, so a method
// added to the contract fails to compile until it has a case; gate.test.ts checks the same at run
// time and every entry's suite checks that it called each method.
import * as Automerge from "@automerge/automerge";
import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { atPath, type ArgsOf, type Method, type ValueOf } from "../../shared/contract.ts";
import { asCollectionId, asCommunityId, asDeviceKey, type CommunityId } from "../../shared/ids.ts";
import { formatRef, refHref } from "../../shared/links/ref.ts";
import { addStory, initCollection } from "../../shared/ops/collection.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { initStory, setStatus } from "../../shared/ops/story.ts";
import { ErrorCode } from "../../shared/result.ts";
import { linkMarkValue } from "../../shared/richtext/schema.ts";
import { blocksToSpans } from "../../shared/richtext/text.ts";
import type { Collection } from "../../shared/schema/collection.ts";
import type { CommunityIndex, StoryStatus } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import type { SmokePeer } from "./entries.ts";

export const COMMUNITY = "Cois Farraige";
export const STORY_TITLE = "The tide came in early";
/** A word only the first story's body has, for search and for the exported file. */
const STORY_WORD = "periwinkle";
const LINKING_TITLE = "Notes from the slipway";
const COLLECTION_TITLE = "Harvest of the Shore";
const IMPORTED_TITLE = "Mending the nets";

/** What earlier cases leave for later ones. */
export type SmokeState = {
  /** A folder for the files the calls read and write (not the peer's data folder). */
  dir: string;
  communityId: CommunityId;
  deviceKey: string;
  storyRef: string;
  linkingRef: string;
  collectionId: string;
  /** The window's repo on the community (closed by the entry's stop). */
  repo: Repo | null;
  bundle: { path: string; documents: number } | null;
  backup: { path: string; documents: number } | null;
  entriesListed: number;
};

export const freshState = (dir: string): SmokeState => ({
  dir,
  communityId: asCommunityId(""),
  deviceKey: "",
  storyRef: "",
  linkingRef: "",
  collectionId: "",
  repo: null,
  bundle: null,
  backup: null,
  entriesListed: 0,
});

export type SmokeCase<M extends Method> = {
  args: (s: SmokeState) => ArgsOf<M>;
  /** "ok", or the error codes these arguments may honestly be answered with. */
  expect: "ok" | readonly ErrorCode[];
  /** What must hold of an ok value (main flows), and what it leaves in the state. */
  check?: (value: ValueOf<M>, s: SmokeState, peer: SmokePeer) => Promise<void> | void;
};

/** Calls again until `ok` holds of the value (the peer indexes and syncs in the background). */
async function until<M extends Method>(
  peer: SmokePeer,
  method: M,
  args: ArgsOf<M>,
  ok: (value: ValueOf<M>) => boolean,
  what: string,
): Promise<ValueOf<M>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const result = await peer.rpc.call(method, args);
    if (result.ok && ok(result.value)) return result.value;
    if (Date.now() > deadline)
      throw new Error(
        `${method}: ${what} did not happen in 20 s; last answer ${JSON.stringify(result)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const fileText = (path: string) => readFile(path, "utf8");

/**
 * What a window does when a person writes: two stories (the second links to the first) and a
 * collection holding the first, each made in the window's repo and listed in the community index,
 * as renderer/newDoc.ts makes them. They reach the peer over the entry's sync channel.
 */
async function writeAsWindow(peer: SmokePeer, s: SmokeState): Promise<void> {
  const repo = await peer.openRepo(s.communityId);
  s.repo = repo;
  const index = await repo.find<CommunityIndex>(s.communityId as string as DocumentId);
  const ctx = systemContext();
  const list = (
    handle: DocHandle<unknown>,
    kind: "story" | "collection",
    title: string,
    status?: StoryStatus,
  ) =>
    index.change((d) =>
      addEntry(d, handle.documentId, {
        kind,
        title,
        ...(status ? { status } : {}),
        createdAt: ctx.now(),
        updatedAt: ctx.now(),
      }),
    );
  const story: DocHandle<Story> = repo.create<Story>();
  story.change((d) => {
    initStory(d, { communityId: s.communityId, title: STORY_TITLE }, ctx);
    setStatus(d, "ready", ctx);
    Automerge.updateSpans(
      d,
      ["body"],
      blocksToSpans([
        { type: "paragraph", text: `A ${STORY_WORD} on every stone of the slipway by morning.` },
      ]),
    );
  });
  list(story, "story", STORY_TITLE, "ready");
  s.storyRef = formatRef({ type: "story", docId: story.documentId });

  const linking: DocHandle<Story> = repo.create<Story>();
  const text = "As the tide story says.";
  linking.change((d) => {
    initStory(d, { communityId: s.communityId, title: LINKING_TITLE }, ctx);
    Automerge.updateSpans(d, ["body"], blocksToSpans([{ type: "paragraph", text }]));
    // Block markers are characters too: the link covers "tide story" wherever it landed.
    const at = Automerge.spans(d, ["body"])
      .map((span) => (span.type === "text" ? span.value : "\u0000"))
      .join("")
      .indexOf("tide story");
    Automerge.mark(
      d,
      ["body"],
      { start: at, end: at + "tide story".length, expand: "none" },
      "link",
      linkMarkValue(refHref({ type: "story", docId: story.documentId })),
    );
  });
  list(linking, "story", LINKING_TITLE, "seed");
  s.linkingRef = formatRef({ type: "story", docId: linking.documentId });

  const collection: DocHandle<Collection> = repo.create<Collection>();
  collection.change((d) => {
    initCollection(d, { communityId: s.communityId, title: COLLECTION_TITLE }, ctx);
    addStory(d, story.documentId, ctx);
  });
  list(collection, "collection", COLLECTION_TITLE);
  s.collectionId = collection.documentId;
}

/** Dates as the harvest takes them: a range around today, so midnight cannot fall outside it. */
const day = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

export const CASES: { [M in Method]: SmokeCase<M> } = {
  "peer:info": {
    args: () => ({}),
    expect: "ok",
    check: (info, s, peer) => {
      expect(info.deviceKey).toMatch(/^[0-9a-f]{64}$/);
      expect(info.mode).toBe(peer.mode);
      expect(info.appVersion).toMatch(/^\d+\.\d+\.\d+/);
      s.deviceKey = info.deviceKey;
    },
  },
  "profile:set": {
    args: () => ({ displayName: "Aoife", colour: "#1f6f5c" }),
    expect: "ok",
    check: (profile) => expect(profile.displayName).toBe("Aoife"),
  },
  "profile:get": {
    args: () => ({}),
    expect: "ok",
    check: (profile) => expect(profile).toMatchObject({ displayName: "Aoife", colour: "#1f6f5c" }),
  },
  "communities:create": {
    args: () => ({ name: COMMUNITY, purpose: "Stories of the shore" }),
    expect: "ok",
    check: async (summary, s, peer) => {
      expect(summary).toMatchObject({ name: COMMUNITY, state: "ok" });
      s.communityId = summary.id;
      await writeAsWindow(peer, s);
    },
  },
  "sync:status": {
    args: (s) => ({ communityId: s.communityId }),
    expect: "ok",
    check: async (_first, s, peer) => {
      // Index, roster, two stories and a collection, all arrived from the window and loaded.
      const status = await until(
        peer,
        "sync:status",
        { communityId: s.communityId },
        (v) => v.documents.total >= 5 && v.documents.here === v.documents.total,
        "every document the window wrote arriving",
      );
      expect(status.state).toBe("alone");
      expect(status.listening[0]).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(status.discovery).toBe("off");
    },
  },
  "communities:list": {
    args: () => ({}),
    expect: "ok",
    check: (list, s) => {
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ id: s.communityId, name: COMMUNITY, entryCount: 3 });
      s.entriesListed = list[0]?.entryCount ?? 0;
    },
  },
  "search:query": {
    args: (s) => ({ communityId: s.communityId, text: STORY_WORD }),
    expect: "ok",
    check: async (_first, s, peer) => {
      const found = await until(
        peer,
        "search:query",
        { communityId: s.communityId, text: STORY_WORD },
        (v) => v.indexing === null && v.hits.length > 0,
        `a hit for "${STORY_WORD}"`,
      );
      expect(found.hits[0]).toMatchObject({ ref: s.storyRef, type: "story", title: STORY_TITLE });
    },
  },
  "links:describe": {
    args: (s) => ({ communityId: s.communityId, refs: [s.storyRef, "story/notADocument"] }),
    expect: "ok",
    check: (targets, s) => {
      expect(targets[0]).toMatchObject({ ref: s.storyRef, title: STORY_TITLE, missing: false });
      expect(targets).toHaveLength(2);
    },
  },
  "links:backlinks": {
    args: (s) => ({ communityId: s.communityId, ref: s.storyRef }),
    expect: "ok",
    check: async (_first, s, peer) => {
      const back = await until(
        peer,
        "links:backlinks",
        { communityId: s.communityId, ref: s.storyRef },
        (v) => v.length > 0,
        "the second story's link showing as a backlink",
      );
      expect(back).toEqual([expect.objectContaining({ ref: s.linkingRef, title: LINKING_TITLE })]);
    },
  },
  "storage:warnings": {
    args: () => ({}),
    expect: "ok",
    check: (warnings) => expect(warnings).toEqual([]),
  },
  "storage:dismiss": {
    args: () => ({ id: "0123456789abcdef" }),
    expect: [ErrorCode.NotFound],
  },
  "sync:invite": {
    args: (s) => ({ communityId: s.communityId }),
    expect: "ok",
    check: (invite, s) => {
      expect(invite.communityId).toBe(s.communityId);
      expect(invite.code.length).toBeGreaterThan(8);
      expect(invite.uri).toMatch(/^meitheal:/);
      expect(invite.addresses.some((a) => a.startsWith("127.0.0.1:"))).toBe(true);
    },
  },
  // Joining for real needs a second device; a code that is no invite must be refused, not crash.
  "sync:join": {
    args: () => ({ code: "not an invite", name: "Áine" }),
    expect: [ErrorCode.BadInput],
  },
  "sync:connect": {
    args: () => ({ address: "not an address" }),
    expect: [ErrorCode.BadInput],
  },
  "members:list": {
    args: (s) => ({ communityId: s.communityId }),
    expect: "ok",
    check: (members, s) => {
      expect(members).toEqual([
        expect.objectContaining({ deviceKey: s.deviceKey, self: true, removed: null }),
      ]);
    },
  },
  "members:remove": {
    args: (s) => ({ communityId: s.communityId, deviceKey: asDeviceKey(s.deviceKey) }),
    expect: [ErrorCode.BadInput],
  },
  "export:collection": {
    args: (s) => ({
      communityId: s.communityId,
      collectionId: asCollectionId(s.collectionId),
      format: "html",
      target: atPath(join(s.dir, "harvest-of-the-shore.html")),
    }),
    expect: "ok",
    check: async (summary, s) => {
      expect(summary).toMatchObject({ format: "html", stories: 1, download: null });
      const html = await fileText(join(s.dir, "harvest-of-the-shore.html"));
      expect(html).toContain(COLLECTION_TITLE);
      expect(html).toContain(STORY_TITLE);
      expect(html).toContain(STORY_WORD);
    },
  },
  // The USB bundle: what failed in the running peer while every in-process test passed.
  "sync:writeBundle": {
    args: (s) => ({
      communityId: s.communityId,
      target: atPath(join(s.dir, "usb", "cois-farraige.meitheal-sync")),
    }),
    expect: "ok",
    check: async (summary, s) => {
      const path = join(s.dir, "usb", "cois-farraige.meitheal-sync");
      expect(summary).toMatchObject({ communityId: s.communityId, path });
      expect(summary.documents).toBeGreaterThanOrEqual(5);
      expect((await stat(path)).size).toBe(summary.bytes);
      // Encrypted: the words written do not show in the file.
      expect(await readFile(path)).not.toContain(STORY_WORD);
      s.bundle = { path, documents: summary.documents };
    },
  },
  "sync:readBundle": {
    args: (s) => ({ source: atPath(s.bundle?.path ?? join(s.dir, "no-bundle")) }),
    expect: "ok",
    check: (summary, s) => {
      expect(summary.communityId).toBe(s.communityId);
      expect(summary.documents).toBe(s.bundle?.documents);
    },
  },
  "backup:write": {
    args: (s) => ({ communityId: s.communityId, target: atPath(join(s.dir, "usb")) }),
    expect: "ok",
    check: async (summary, s) => {
      expect(summary).toMatchObject({ communityId: s.communityId, name: COMMUNITY });
      expect(summary.path).toMatch(/\.meitheal-backup$/);
      expect(summary.documents).toBeGreaterThanOrEqual(5);
      expect((await stat(summary.path ?? "")).size).toBe(summary.bytes);
      s.backup = { path: summary.path ?? "", documents: summary.documents };
    },
  },
  "backup:inspect": {
    args: (s) => ({ source: atPath(s.backup?.path ?? join(s.dir, "no-backup")) }),
    expect: "ok",
    check: (check, s) => {
      // This device's own backup: sealed, merging into the community here, no member list change.
      if (check.state !== "checked") throw new Error(`the backup reads as ${check.state}`);
      expect(check).toMatchObject({
        communityId: s.communityId,
        name: COMMUNITY,
        sealed: true,
        merges: true,
      });
      expect(check.roster).toEqual({ added: [], removed: [] });
      expect(check.documents).toBe(s.backup?.documents);
    },
  },
  "backup:restore": {
    args: (s) => ({ source: atPath(s.backup?.path ?? join(s.dir, "no-backup")) }),
    expect: "ok",
    // Restored into the community already here: merged under the same id, nothing lost.
    check: (summary, s) =>
      expect(summary).toMatchObject({ id: s.communityId, name: COMMUNITY, entryCount: 3 }),
  },
  "import:preview": {
    args: (s) => ({
      communityId: s.communityId,
      files: [atPath(join(s.dir, ...IMPORT_FILE.path))],
    }),
    expect: "ok",
    check: (preview, s) => {
      expect(preview.problems).toEqual([]);
      expect(preview.candidates).toEqual([
        expect.objectContaining({
          source: join(s.dir, ...IMPORT_FILE.path),
          title: IMPORTED_TITLE,
          words: 11,
        }),
      ]);
    },
  },
  "import:run": {
    args: (s) => ({
      communityId: s.communityId,
      files: [atPath(join(s.dir, ...IMPORT_FILE.path))],
    }),
    expect: "ok",
    check: async (value, s, peer) => {
      expect(value.storyIds).toHaveLength(1);
      const list = await peer.rpc.call("communities:list", {});
      expect(list.ok && list.value[0]?.entryCount).toBe(s.entriesListed + 1);
    },
  },
  "harvest:write": {
    args: (s) => ({
      communityId: s.communityId,
      from: day(-1),
      to: day(1),
      timeZone: "UTC",
      format: "html",
      target: atPath(join(s.dir, "retreat.html")),
    }),
    expect: "ok",
    check: async (summary, s) => {
      expect(summary).toMatchObject({ format: "html", path: join(s.dir, "retreat.html") });
      const html = await fileText(join(s.dir, "retreat.html"));
      expect(html).toContain(STORY_TITLE);
      expect(html).toContain(IMPORTED_TITLE);
    },
  },
};

/** The Markdown file import:preview and import:run read. */
export const IMPORT_FILE = {
  path: ["notes", "nets.md"],
  text: `# ${IMPORTED_TITLE}\n\nWe sat on the pier all afternoon and mended the nets.\n`,
};

/** Messages that betray a crash inside the peer rather than an answer meant for people. */
export const CRASH_WORDS =
  /is not a function|is not a constructor|is not iterable|Cannot read propert|Cannot set propert|\bundefined\b|\bNaN\b|\[object Object\]/;
