// Browser mode's file endpoints (peer/files/http.ts through peer/web.ts) as a window and as an
// intruder use them: an upload read by an import, a download written by a backup and fetched once,
// and every refusal (no or wrong token, another site, another Host, too large, an id that names
// nothing or tries to name a path), with nothing left behind in the transfer area.
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unzipSync } from "fflate";
import type { UploadInfo } from "../../shared/contract.ts";
import { TRANSFERS_FOLDER, Transfers } from "../../peer/files/transfers.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import { startWebServer, type WebServer } from "../../peer/web.ts";
import { connectRpc, eventually, type PeerRpc } from "../helpers/peerRpc.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import type { CommunityId } from "../../shared/ids.ts";

const LIMIT = 64 * 1024;

let dir: string;
let node: PeerNode;
let web: WebServer;
let rpc: PeerRpc;
let communityId: CommunityId;
let transfersDir: string;

type Answer = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
};

/** One HTTP request with full control of its headers (Host and Origin included). */
function send(
  method: string,
  path: string,
  { headers = {}, body }: { headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<Answer> {
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
        const done = () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          });
        res.on("data", (c: Buffer) => chunks.push(c));
        // A refused upload is cut off while still being sent: the answer came first.
        res.on("end", done);
        res.on("close", done);
        res.on("error", done);
      },
    );
    req.on("error", (e) => setTimeout(() => reject(e), 1000));
    req.end(body);
  });
}

const auth = () => ({ authorization: `Bearer ${web.token}` });

async function upload(name: string, body: string | Buffer): Promise<UploadInfo> {
  const answer = await send("POST", `/files?name=${encodeURIComponent(name)}`, {
    headers: auth(),
    body,
  });
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body.toString("utf8")) as UploadInfo;
}

const held = async () => (await readdir(transfersDir)).filter((n) => !n.startsWith("."));

beforeAll(async () => {
  dir = await makeTempDir("meitheal-files-");
  const webDir = join(dir, "web");
  await mkdir(webDir);
  await writeFile(join(webDir, "index.html"), "<!doctype html><title>Meitheal</title>");
  const dataDir = join(dir, "data");
  // Left by a previous run: swept on start.
  await mkdir(join(dataDir, TRANSFERS_FOLDER), { recursive: true });
  await writeFile(join(dataDir, TRANSFERS_FOLDER, "old.upload"), "from before");
  node = await PeerNode.start({ dataDir, mode: "web" });
  transfersDir = join(dataDir, TRANSFERS_FOLDER);
  web = await startWebServer({ node, webDir, maxUploadBytes: LIMIT });
  rpc = await connectRpc({ origin: `http://127.0.0.1:${web.port}`, token: web.token });
  communityId = (await rpc.call("communities:create", { name: "Cois Farraige" })).id;
});

afterAll(async () => {
  rpc?.close();
  await web?.close();
  await node?.close();
  await removeDir(dir);
});

describe("files a window sends and saves", () => {
  it("sweeps what a previous run left in the transfer area", async () => {
    expect(await held()).toEqual([]);
  });

  it("imports an upload under the name it had, and forgets it once imported", async () => {
    const sent = await upload("Tide notes.md", "# The tide\n\nIt came in early.\n");
    expect(sent).toMatchObject({ name: "Tide notes.md", bytes: 30 });
    expect(sent.id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const preview = await rpc.call("import:preview", {
      communityId,
      files: [{ kind: "upload", id: sent.id }],
    });
    expect(preview.candidates.map((c) => [c.title, c.source])).toEqual([
      ["The tide", "Tide notes.md"],
    ]);
    expect(JSON.stringify(preview)).not.toContain(transfersDir);
    const done = await rpc.call("import:run", {
      communityId,
      files: [{ kind: "upload", id: sent.id }],
    });
    expect(done.storyIds).toHaveLength(1);
    expect(await held()).toEqual([]);
    // Used up: a second import of it says the file is gone, and changes nothing.
    const again = await rpc.raw.call("import:run", {
      communityId,
      files: [{ kind: "upload", id: sent.id }],
    });
    expect(again.ok ? "" : again.error.message).toMatch(/no longer on the peer/);
  });

  it("hands a backup out as a download once, as an attachment, then removes it", async () => {
    const written = await rpc.call("backup:write", {
      communityId,
      target: { kind: "download", name: "../../Cois Farraige" },
    });
    expect(written.path).toBeNull();
    expect(written.download?.name).toBe("Cois Farraige.meitheal-backup");
    const id = written.download?.id ?? "";
    const got = await send("GET", `/files/${id}`, { headers: auth() });
    expect(got.status).toBe(200);
    expect(got.headers["content-disposition"]).toBe(
      "attachment; filename*=UTF-8''Cois%20Farraige.meitheal-backup",
    );
    expect(got.body.length).toBe(written.download?.bytes);
    expect(Object.keys(unzipSync(new Uint8Array(got.body)))).toContain("manifest.json");
    await eventually(async () => ((await held()).length === 0 ? true : undefined), 2000, "removed");
    expect((await send("GET", `/files/${id}`, { headers: auth() })).status).toBe(404);
  });

  it("refuses a window without the token, another site, and another host", async () => {
    const written = await rpc.call("backup:write", {
      communityId,
      target: { kind: "download", name: "x" },
    });
    const id = written.download?.id ?? "";
    const path = `/files/${id}`;
    expect((await send("GET", path)).status).toBe(401);
    expect((await send("GET", path, { headers: { authorization: "Bearer wrong" } })).status).toBe(
      401,
    );
    expect(
      (await send("GET", path, { headers: { ...auth(), origin: "http://evil.example" } })).status,
    ).toBe(403);
    expect((await send("GET", path, { headers: { ...auth(), host: "evil.example" } })).status).toBe(
      421,
    );
    expect((await send("POST", "/files?name=a.md", { body: "# A" })).status).toBe(401);
    expect(
      (
        await send("POST", "/files?name=a.md", {
          headers: { ...auth(), origin: "http://evil.example" },
          body: "# A",
        })
      ).status,
    ).toBe(403);
    // None of that used the download up.
    expect((await send("GET", path, { headers: auth() })).status).toBe(200);
    await eventually(async () => ((await held()).length === 0 ? true : undefined), 2000, "removed");
  });

  it("refuses ids that name nothing or try to name a path", async () => {
    for (const id of [
      "nothing",
      "A".repeat(32),
      "..%2F..%2Fcommunities.json",
      "%2E%2E%2Fold.upload",
    ]) {
      const got = await send("GET", `/files/${id}`, { headers: auth() });
      expect(got.status).toBe(404);
    }
    const traversal = await rpc.raw.call("backup:restore", {
      source: { kind: "upload", id: "../../communities.json" },
    });
    expect(traversal.ok ? "" : traversal.error.message).toMatch(/no longer on the peer/);
  });

  it("refuses an upload over the limit, declared or streamed, and keeps nothing", async () => {
    const declared = await send("POST", "/files?name=big.zip", {
      headers: { ...auth(), "content-length": String(LIMIT + 1) },
      body: Buffer.alloc(LIMIT + 1),
    });
    expect(declared.status).toBe(413);
    expect(declared.body.toString()).toMatch(/larger than/);
    const streamed = await send("POST", "/files?name=big.zip", {
      headers: { ...auth(), "transfer-encoding": "chunked" },
      body: Buffer.alloc(LIMIT * 2),
    });
    expect(streamed.status).toBe(413);
    expect(await held()).toEqual([]);
  });

  it("keeps nothing of an upload the window abandons half way", async () => {
    await new Promise<void>((resolve) => {
      const req = request({
        host: "127.0.0.1",
        port: web.port,
        method: "POST",
        path: "/files?name=half.zip",
        headers: { host: `127.0.0.1:${web.port}`, ...auth(), "content-length": String(LIMIT) },
      });
      req.on("error", () => resolve());
      req.write(Buffer.alloc(LIMIT / 2), () => setTimeout(() => req.destroy(), 100));
      req.on("close", () => resolve());
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await held()).toEqual([]);
    expect(node.transfers.size).toBe(0);
  });
});

describe("the transfer area's own rules", () => {
  it("forgets uploads and downloads when their time is up, and their files with them", async () => {
    const area = await makeTempDir("meitheal-transfers-");
    let now = 1_000;
    const transfers = new Transfers(area, () => now, 60_000);
    await transfers.start();
    try {
      const sent = await transfers.receive([new TextEncoder().encode("# A")], {
        name: "a.md",
        limit: 100,
      });
      expect(sent.ok).toBe(true);
      const id = sent.ok ? sent.value.id : "";
      expect(transfers.upload(id).ok).toBe(true);
      now += 60_001;
      expect(transfers.upload(id).ok).toBe(false);
      await transfers.expire();
      expect(await readdir(join(area, TRANSFERS_FOLDER))).toEqual([]);
    } finally {
      transfers.close();
      await removeDir(area);
    }
  });
});
