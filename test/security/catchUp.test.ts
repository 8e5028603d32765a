// The catch-up exchange against a member who lies (docs/DESIGN.md, "First sync"; "Trust and
// access"). A is a `meitheal-peer serve` process holding community X (three stories) and community
// Y (one story, of which Mallory is no member). Mallory joins X for real by invite, then speaks the
// catch-up over the real transport: she is sent X's listed documents and nothing of Y; what she
// pushes is checked (an unlisted document, bytes that are no document, a document A has) and none
// of it is stored; frames out of their place are dropped; A stays up and answers.
import * as Automerge from "@automerge/automerge";
import { type AutomergeUrl, type DocHandle, type Repo } from "@automerge/automerge-repo";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodeHello } from "../../peer/net/messages.ts";
import { rosterDocumentId } from "../../peer/sync/membership.ts";
import type { CommunityId } from "../../shared/ids.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import type { Story } from "../../shared/schema/story.ts";
import {
  dialIntruder,
  joinByInviteUri,
  makeDevice,
  randomDocumentId,
  until,
  type Frame,
  type Intruder,
} from "../helpers/hostile.ts";
import { connectRpc, eventually, windowRepo, type PeerRpc } from "../helpers/peerRpc.ts";
import { servePeer, type ServedPeer } from "../helpers/servePeer.ts";
import { listStory } from "../helpers/stories.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

const mallory = makeDevice();
const opened: Intruder[] = [];
let dir: string;
let a: ServedPeer;
let rpc: PeerRpc;
let X: CommunityId;
let Y: CommunityId;
let windowX: Repo;
let windowY: Repo;
const storiesX: DocHandle<Story>[] = [];
let storyY: DocHandle<Story>;

type CatchUpFrame = Frame & { docs?: unknown; heads?: unknown; have?: unknown; sent?: unknown };

/** Mallory on a fresh link to A in X, offering the catch-up; resolves once A has asked hers. */
async function catchUpLink(): Promise<Intruder> {
  const link = await dialIntruder(mallory, a.syncAddress ?? "");
  opened.push(link);
  link.sendRaw(encodeHello({ community: X, isEphemeral: true, catchUp: true }));
  await until(
    () => link.frames().some((f) => f.type === "meitheal/catch-up?") || link.closedAt !== undefined,
    5_000,
    "A's ask",
  );
  expect(link.closedAt).toBeUndefined();
  return link;
}

const framesOf = (link: Intruder, type: string): CatchUpFrame[] =>
  link.frames().filter((f): f is CatchUpFrame => f.type === type);

/** The documents A sent on this link, by id. */
function sentDocuments(link: Intruder): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const frame of framesOf(link, "meitheal/catch-up"))
    for (const [id, bytes] of frame.docs as [string, Uint8Array][]) out.set(id, bytes);
  return out;
}

/** How many documents A's sync status lists for X (it answers: A is up). */
const listedOnA = async (): Promise<number> =>
  (await rpc.call("sync:status", { communityId: X })).documents.total;

const storyBytes = (title: string): Uint8Array =>
  Automerge.save(Automerge.from({ schema: "meitheal/story", title }));

beforeAll(async () => {
  dir = await makeTempDir("meitheal-catch-up-");
  a = await servePeer(dir);
  rpc = await connectRpc(a);
  X = (await rpc.call("communities:create", { name: "Tide tables" })).id;
  Y = (await rpc.call("communities:create", { name: "Private matters" })).id;
  [windowX, windowY] = await Promise.all([windowRepo(a, X), windowRepo(a, Y)]);
  const indexX = await windowX.find<CommunityIndex>(`automerge:${X}` as AutomergeUrl);
  for (const title of ["Spring tides", "Neap tides", "The bar at low water"]) {
    const story = windowX.create<Story>();
    listStory(indexX, story, title);
    storiesX.push(story);
  }
  const indexY = await windowY.find<CommunityIndex>(`automerge:${Y}` as AutomergeUrl);
  storyY = windowY.create<Story>();
  listStory(indexY, storyY, "Not for Mallory");
  await Promise.all([windowX.flush(), windowY.flush()]);
  // The peer lists the stories (the index, the member list and three stories).
  await eventually(
    async () => ((await listedOnA()) === 5 ? true : undefined),
    10_000,
    "X lists three stories on A",
  );
  const invite = await rpc.call("sync:invite", { communityId: X });
  await joinByInviteUri(invite.uri, mallory, "Mallory");
}, 60_000);

afterEach(() => {
  for (const link of opened.splice(0)) link.close();
});

afterAll(async () => {
  for (const w of [windowX, windowY]) await w?.shutdown().catch(() => undefined);
  rpc?.close();
  await a?.stop();
  if (dir) await removeDir(dir);
});

describe("a member's catch-up", () => {
  it("is sent every document X lists, whole, and nothing of another community", async () => {
    const link = await catchUpLink();
    link.send({ type: "meitheal/catch-up?", have: [], heads: {} });
    await until(() => framesOf(link, "meitheal/catch-up.").length > 0, 10_000, "A's end");
    const sent = sentDocuments(link);
    const listed = [X, rosterDocumentId(X), ...storiesX.map((s) => s.documentId)];
    expect([...sent.keys()].sort()).toEqual([...listed].sort());
    expect(framesOf(link, "meitheal/catch-up.")[0]?.sent).toBe(listed.length);
    // Whole documents: each loads, and a story reads as written.
    const story = Automerge.load<Story>(sent.get(storiesX[0]!.documentId)!);
    expect(story.title).toBe("Spring tides");
    for (const bytes of sent.values()) expect(() => Automerge.load(bytes)).not.toThrow();
    // Nothing of Y: not its index, its roster or its story, under any id.
    for (const id of [Y, rosterDocumentId(Y), storyY.documentId]) expect(sent.has(id)).toBe(false);
    const everything = Buffer.concat(link.received);
    expect(everything.includes(Buffer.from("Not for Mallory"))).toBe(false);
  });

  it("keeps none of what she pushes that X does not list, or that is no document", async () => {
    const link = await catchUpLink();
    // She claims to have everything, so A sends nothing, and pushes her own.
    const listed = [X, rosterDocumentId(X), ...storiesX.map((s) => s.documentId)];
    link.send({ type: "meitheal/catch-up?", have: listed, heads: {} });
    const unlisted = randomDocumentId();
    const garbage = randomDocumentId();
    link.send({
      type: "meitheal/catch-up",
      docs: [
        [unlisted, storyBytes("Planted by Mallory")],
        [garbage, new Uint8Array([0x85, 0x6f, 0x4a, 0x83, 1, 2, 3])],
        [storyY.documentId, storyBytes("Into Y")],
      ],
    });
    link.send({ type: "meitheal/catch-up.", sent: 3 });
    await until(() => framesOf(link, "meitheal/catch-up!").length > 0, 10_000, "A's done");
    // A took nothing whole from her, and says so.
    expect(framesOf(link, "meitheal/catch-up!")[0]?.heads).toEqual({});
    expect(sentDocuments(link).size).toBe(0);
    const docs = (community: string) => join(dir, "communities", community, "docs");
    for (const id of [unlisted, garbage, storyY.documentId])
      expect(existsSync(join(docs(X), id)), `${id} stored in X`).toBe(false);
    // Y's story is still Y's own, unchanged.
    expect(storyY.doc().title).toBe("Not for Mallory");
    // A still answers.
    expect(await listedOnA()).toBe(5);
  });

  it("drops frames out of their place and stays up", async () => {
    const link = await catchUpLink();
    // "done" before A has sent its end, a second ask, and documents after her end.
    link.send({ type: "meitheal/catch-up!", heads: {} });
    link.send({ type: "meitheal/catch-up?", have: [], heads: {} });
    link.send({ type: "meitheal/catch-up?", have: [], heads: {} });
    link.send({ type: "meitheal/catch-up.", sent: 0 });
    link.send({ type: "meitheal/catch-up", docs: [[randomDocumentId(), storyBytes("Late")]] });
    await until(() => framesOf(link, "meitheal/catch-up.").length > 0, 10_000, "A's end");
    // Her one good ask was answered once, in full.
    expect(framesOf(link, "meitheal/catch-up.")).toHaveLength(1);
    expect(sentDocuments(link).size).toBe(5);
    expect(await listedOnA()).toBe(5);
  });
});
