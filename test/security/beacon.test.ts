// The beacon endpoint of a served peer (peer/beacon.ts through peer/web.ts), where a leaving
// browser window sends the changes the peer may not have: a genuine `saveSince` is applied and
// logged without its content, and everything else is refused with the documents left as they were:
// no or a wrong token, another site's Origin, a method other than POST, a community not here, a
// document of another community, one the community does not list, one listed but not on this peer,
// bytes that are not Automerge changes (alone, or beside genuine ones), an unreadable body, and a
// body over the cap.
import * as Automerge from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo";
import { mkdir, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PeerNode } from "../../peer/peerNode.ts";
import { startWebServer, type WebServer } from "../../peer/web.ts";
import { encodeBeacon, MAX_BEACON_BYTES, type BeaconRecord } from "../../shared/beacon.ts";
import type { CommunityIndex } from "../../shared/schema/community.ts";
import { connectRpc, type PeerRpc } from "../helpers/peerRpc.ts";
import { randomDocumentId } from "../helpers/hostile.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

let dir: string;
let node: PeerNode;
let web: WebServer;
let rpc: PeerRpc;
let here = "";
let other = "";
const logged: string[] = [];

/** One HTTP request with full control of its headers (Host and Origin included). */
function send(
  method: string,
  path: string,
  { headers = {}, body }: { headers?: Record<string, string>; body?: Uint8Array } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: web.port,
        method,
        path,
        headers: { host: `127.0.0.1:${web.port}`, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    // A refused large body may be cut off while still being sent: the answer came first.
    req.on("error", (e) => setTimeout(() => reject(e), 1000));
    req.end(body === undefined ? undefined : Buffer.from(body));
  });
}

const beacon = (communityId: string, body: Uint8Array, token: string | null = web.token) =>
  send("POST", `/beacon/${communityId}${token === null ? "" : `?token=${token}`}`, {
    headers: { origin: `http://127.0.0.1:${web.port}` },
    body,
  });

const indexOf = (communityId: string): DocHandle<CommunityIndex> => {
  const index = node.community(communityId)?.index;
  if (!index) throw new Error(`no index for ${communityId}`);
  return index;
};

/** A change a window could have made to the peer's document, as a window's beacon carries it. */
function windowChange(handle: DocHandle<CommunityIndex>, purpose: string): BeaconRecord {
  const mine = Automerge.clone(handle.doc(), { actor: "ab".repeat(16) });
  const before = Automerge.getHeads(mine);
  const changed = Automerge.change(mine, (d) => {
    d.purpose = purpose;
  });
  return { documentId: handle.documentId, changes: Automerge.saveSince(changed, before) };
}

const headsOf = (handle: DocHandle<unknown>) => Automerge.getHeads(handle.doc());

beforeAll(async () => {
  dir = await makeTempDir("meitheal-beacon-");
  const webDir = join(dir, "web");
  await mkdir(webDir);
  await writeFile(join(webDir, "index.html"), "<!doctype html><title>Meitheal</title>");
  node = await PeerNode.start({ dataDir: join(dir, "data"), mode: "web" });
  web = await startWebServer({ node, webDir, log: (line) => logged.push(line) });
  rpc = await connectRpc({ origin: `http://127.0.0.1:${web.port}`, token: web.token });
  here = (await rpc.call("communities:create", { name: "Cois Farraige" })).id;
  other = (await rpc.call("communities:create", { name: "Another circle" })).id;
});

afterAll(async () => {
  rpc?.close();
  await web?.close();
  await node?.close();
  await removeDir(dir);
});

describe("a leaving window's beacon", () => {
  it("applies a genuine saveSince to the peer's document, and logs counts, never content", async () => {
    const index = indexOf(here);
    const answer = await beacon(here, encodeBeacon([windowChange(index, "Tides and gardens")]));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ documents: 1, changed: 1 });
    expect(index.doc().purpose).toBe("Tides and gardens");
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/1 document\(s\), \d+ bytes, 1 changed/);
    expect(logged.join("\n")).not.toContain("Tides");
    // The same changes again (the socket's copy got there too): taken, and nothing changes.
    const again = await beacon(here, encodeBeacon([windowChange(index, "Tides and gardens")]));
    expect(again.status).toBe(200);
  });

  it("refuses a missing or wrong token, another site's page, and any method but POST", async () => {
    const index = indexOf(here);
    const body = encodeBeacon([windowChange(index, "Not from the window")]);
    const before = headsOf(index);
    expect((await beacon(here, body, null)).status).toBe(401);
    expect((await beacon(here, body, "x".repeat(web.token.length))).status).toBe(401);
    expect((await beacon(here, body, `${web.token}x`)).status).toBe(401);
    const foreign = await send("POST", `/beacon/${here}?token=${web.token}`, {
      headers: { origin: "http://evil.example" },
      body,
    });
    expect(foreign.status).toBe(403);
    expect((await send("GET", `/beacon/${here}?token=${web.token}`)).status).toBe(405);
    expect((await send("PUT", `/beacon/${here}?token=${web.token}`, { body })).status).toBe(405);
    // Another Host (DNS rebinding) is refused before any route.
    const rebound = await send("POST", `/beacon/${here}?token=${web.token}`, {
      headers: { host: `evil.example:${web.port}` },
      body,
    });
    expect(rebound.status).toBe(421);
    expect(headsOf(index)).toEqual(before);
    expect(index.doc().purpose).not.toBe("Not from the window");
  });

  it("refuses documents the community does not list or this peer does not hold", async () => {
    const index = indexOf(here);
    const theirs = indexOf(other);
    const before = { mine: headsOf(index), theirs: headsOf(theirs) };
    // Another community's document, named under this community.
    const crossed = await beacon(here, encodeBeacon([windowChange(theirs, "Crossed over")]));
    expect(crossed.status).toBe(403);
    // Named with a genuine change of a listed one: still nothing is applied.
    const mixed = await beacon(
      here,
      encodeBeacon([windowChange(index, "Beside a stranger"), windowChange(theirs, "Stranger")]),
    );
    expect(mixed.status).toBe(403);
    // An id nobody lists.
    const unknown = await beacon(
      here,
      encodeBeacon([{ documentId: randomDocumentId(), changes: new Uint8Array(0) }]),
    );
    expect(unknown.status).toBe(403);
    // Listed, but never on this peer: a beacon never creates a document.
    const missing = randomDocumentId();
    index.change((d) => {
      (d.entries as Record<string, unknown>)[missing] = { kind: "story", title: "Not here yet" };
    });
    const created = Automerge.from({ title: "Made up" });
    const absent = await beacon(
      here,
      encodeBeacon([{ documentId: missing, changes: Automerge.save(created) }]),
    );
    expect(absent.status).toBe(404);
    expect(node.community(here)?.repo.handles[missing]).toBeUndefined();
    // A community that is not on this device.
    const nowhere = await beacon(randomDocumentId(), encodeBeacon([windowChange(index, "Gone")]));
    expect(nowhere.status).toBe(404);
    expect(headsOf(theirs)).toEqual(before.theirs);
    expect(index.doc().purpose).not.toBe("Beside a stranger");
    expect(theirs.doc().purpose).toBe("");
  });

  it("refuses bytes that are not Automerge changes, and leaves the document unchanged", async () => {
    const index = indexOf(here);
    const before = headsOf(index);
    const garbage = new Uint8Array(200).map((_, i) => (i * 37 + 11) % 256);
    const alone = await beacon(here, encodeBeacon([{ documentId: here, changes: garbage }]));
    expect(alone.status).toBe(400);
    // Genuine changes cut short.
    const genuine = windowChange(index, "Cut short");
    const cut = { documentId: here, changes: genuine.changes.slice(0, -5) };
    expect((await beacon(here, encodeBeacon([cut]))).status).toBe(400);
    // One byte of a genuine change flipped.
    const flipped = genuine.changes.slice();
    flipped[flipped.length - 10]! ^= 0x55;
    expect(
      (await beacon(here, encodeBeacon([{ documentId: here, changes: flipped }]))).status,
    ).toBe(400);
    // A change whose dependency never reached this peer (it would only wait, unseen).
    const twice = Automerge.change(
      Automerge.clone(index.doc(), { actor: "ef".repeat(16) }),
      (d) => {
        d.purpose = "First";
      },
    );
    const middle = Automerge.getHeads(twice);
    const second = Automerge.change(twice, (d) => {
      d.purpose = "Second, without the first";
    });
    const orphan = { documentId: here, changes: Automerge.saveSince(second, middle) };
    expect((await beacon(here, encodeBeacon([orphan]))).status).toBe(400);
    // A genuine change of another listed document beside garbage for the index: neither applied.
    const repo = node.community(here)!.repo;
    const story = repo.create<{ title: string }>({ title: "Tide notes" });
    index.change((d) => {
      (d.entries as Record<string, unknown>)[story.documentId] = { kind: "story", title: "Tide" };
    });
    const storyBefore = headsOf(story);
    const storyChange = Automerge.change(
      Automerge.clone(story.doc(), { actor: "cd".repeat(16) }),
      (d) => {
        d.title = "Renamed by the window";
      },
    );
    const both = await beacon(
      here,
      encodeBeacon([
        { documentId: story.documentId, changes: Automerge.saveSince(storyChange, storyBefore) },
        { documentId: here, changes: garbage },
      ]),
    );
    expect(both.status).toBe(400);
    expect(headsOf(story)).toEqual(storyBefore);
    expect(story.doc().title).toBe("Tide notes");
    const indexNow = headsOf(index);
    // An unreadable body: a record cut short, and bytes left over.
    const framed = encodeBeacon([genuine]);
    expect((await beacon(here, framed.slice(0, framed.length - 3))).status).toBe(400);
    expect((await beacon(here, new Uint8Array([...framed, 1, 2]))).status).toBe(400);
    expect((await beacon(here, new Uint8Array([0, 5, 65, 66]))).status).toBe(400);
    expect(headsOf(index)).toEqual(indexNow);
    expect(before).not.toEqual(indexNow); // the index listed the story, nothing else
    expect(index.doc().purpose).not.toMatch(/Cut short|First|Second/);
  });

  it("refuses a body over the cap", async () => {
    const index = indexOf(here);
    const before = headsOf(index);
    const big = encodeBeacon([{ documentId: here, changes: new Uint8Array(MAX_BEACON_BYTES) }]);
    expect((await beacon(here, big)).status).toBe(413);
    expect(headsOf(index)).toEqual(before);
  });
});
