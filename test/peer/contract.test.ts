// Every method of the contract, answered by a real peer through the gate a window uses: the RPC
// WebSocket of peer/web.ts, with its token, served by serveRpc. A method the gate does not know
// (missing from METHODS) would answer "Unknown request"; one the handler table lacks would answer
// "internal". Each must instead give the answer its handler gives to these arguments: a value, or
// the typed error those arguments call for. A method added to the contract fails to compile here
// until it is given arguments and an expected answer below.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { atPath, METHODS, type ArgsOf, type Method } from "../../shared/contract.ts";
import { ErrorCode } from "../../shared/result.ts";
import { COMMUNITY_NOT_HERE } from "../../peer/communities.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import { startWebServer, type WebServer } from "../../peer/web.ts";
import { connectRpc, type PeerRpc } from "../helpers/peerRpc.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import {
  asCollectionId,
  asCommunityId,
  asDeviceKey,
  type CommunityId,
  type DeviceKey,
} from "../../shared/ids.ts";

/** What earlier calls left for later ones (a community, the files they wrote). */
type State = { dir: string; communityId: CommunityId; deviceKey: DeviceKey; backupPath: string };

type Call<M extends Method> = {
  args: (s: State) => ArgsOf<M>;
  /** "ok", or the error these arguments must give (its code, and words of its message). */
  expect: "ok" | { code: ErrorCode; message: RegExp };
};

const CALLS: { [M in Method]: Call<M> } = {
  "peer:info": { args: () => ({}), expect: "ok" },
  "profile:get": { args: () => ({}), expect: "ok" },
  "profile:set": { args: () => ({ displayName: "Aoife", colour: "#1f6f5c" }), expect: "ok" },
  "communities:list": { args: () => ({}), expect: "ok" },
  "communities:create": { args: () => ({ name: "Another circle" }), expect: "ok" },
  "storage:warnings": { args: () => ({}), expect: "ok" },
  "storage:dismiss": {
    args: () => ({ id: "0123456789abcdef" }),
    expect: { code: ErrorCode.NotFound, message: /no longer listed/ },
  },
  "sync:status": { args: (s) => ({ communityId: s.communityId }), expect: "ok" },
  "sync:invite": { args: (s) => ({ communityId: s.communityId }), expect: "ok" },
  "sync:join": {
    args: () => ({ code: "not an invite", name: "Áine" }),
    expect: { code: ErrorCode.BadInput, message: /./ },
  },
  "sync:connect": {
    args: () => ({ address: "not an address" }),
    expect: { code: ErrorCode.BadInput, message: /is not an address/ },
  },
  "sync:writeBundle": {
    args: (s) => ({
      communityId: s.communityId,
      target: atPath(join(s.dir, "circle.meitheal-sync")),
    }),
    expect: "ok",
  },
  "sync:readBundle": {
    args: (s) => ({ source: atPath(join(s.dir, "circle.meitheal-sync")) }),
    expect: "ok",
  },
  "members:list": { args: (s) => ({ communityId: s.communityId }), expect: "ok" },
  "members:remove": {
    args: (s) => ({ communityId: s.communityId, deviceKey: s.deviceKey }),
    expect: { code: ErrorCode.BadInput, message: /cannot remove itself/ },
  },
  "search:query": { args: (s) => ({ communityId: s.communityId, text: "tide" }), expect: "ok" },
  "links:describe": { args: (s) => ({ communityId: s.communityId, refs: [] }), expect: "ok" },
  "links:backlinks": {
    args: (s) => ({ communityId: s.communityId, ref: "story:nothing-links-here" }),
    expect: "ok",
  },
  "export:collection": {
    args: (s) => ({
      communityId: s.communityId,
      collectionId: asCollectionId("no-such-collection"),
      format: "html",
      target: atPath(join(s.dir, "book.html")),
    }),
    expect: { code: ErrorCode.NotFound, message: /no collection no-such-collection/ },
  },
  "backup:write": {
    args: (s) => ({ communityId: s.communityId, target: atPath(join(s.dir, "backups")) }),
    expect: "ok",
  },
  "backup:inspect": { args: (s) => ({ source: atPath(s.backupPath) }), expect: "ok" },
  "backup:restore": { args: (s) => ({ source: atPath(s.backupPath) }), expect: "ok" },
  "import:preview": {
    args: (s) => ({ communityId: s.communityId, files: [atPath(join(s.dir, "notes", "tide.md"))] }),
    expect: "ok",
  },
  "import:run": {
    args: (s) => ({ communityId: s.communityId, files: [atPath(join(s.dir, "notes", "tide.md"))] }),
    expect: "ok",
  },
  "harvest:write": {
    args: (s) => ({
      communityId: s.communityId,
      from: "2025-03-01",
      to: "2025-03-02",
      format: "html",
      target: atPath(join(s.dir, "harvest.html")),
    }),
    expect: "ok",
  },
};

let node: PeerNode;
let web: WebServer;
let rpc: PeerRpc;
const state: State = {
  dir: "",
  communityId: asCommunityId(""),
  deviceKey: asDeviceKey(""),
  backupPath: "",
};

beforeAll(async () => {
  state.dir = await makeTempDir("meitheal-contract-");
  // The gate needs a page to serve, not the built app.
  const webDir = join(state.dir, "web");
  await mkdir(webDir);
  await writeFile(join(webDir, "index.html"), "<!doctype html><title>Meitheal</title>");
  await mkdir(join(state.dir, "notes"));
  await writeFile(join(state.dir, "notes", "tide.md"), "# The tide\n\nIt came in early.\n");
  await mkdir(join(state.dir, "backups"));
  // Sync on (127.0.0.1 only, no mDNS), so the sync calls answer for real.
  node = await PeerNode.start({
    dataDir: join(state.dir, "data"),
    mode: "web",
    sync: { listen: { host: "127.0.0.1", port: 0 } },
  });
  web = await startWebServer({ node, webDir });
  rpc = await connectRpc({ origin: `http://127.0.0.1:${web.port}`, token: web.token });
  const created = await rpc.call("communities:create", { name: "Cois Farraige" });
  state.communityId = created.id;
  state.deviceKey = (await rpc.call("peer:info", {})).deviceKey;
});

afterAll(async () => {
  rpc?.close();
  await web?.close();
  await node?.close();
  await removeDir(state.dir);
});

describe("the contract through the gate a window uses", () => {
  it("has a handler for every method the gate admits, and no other", () => {
    expect(Object.keys(node.handlers).sort()).toEqual([...METHODS].sort());
    expect(new Set(METHODS).size).toBe(METHODS.length);
  });

  // Every method the gate admits, and every one the contract has (should the two ever differ at
  // run time), in the contract's order: a bundle is read after it is written, a backup inspected
  // after.
  const methods = [...new Set([...METHODS, ...(Object.keys(CALLS) as Method[])])];
  for (const method of methods) {
    it(`answers ${method}`, async () => {
      const call = CALLS[method] as Call<Method>;
      const result = await rpc.raw.call(method, call.args(state));
      expect(typeof result.ok).toBe("boolean");
      if (!result.ok) expect(result.error.message).not.toMatch(/Unknown request/);
      if (call.expect === "ok") {
        expect(result.ok ? "ok" : `${result.error.code}: ${result.error.message}`).toBe("ok");
      } else {
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.error.code).toBe(call.expect.code);
          expect(result.error.message).toMatch(call.expect.message);
        }
      }
      if (method === "backup:write" && result.ok)
        state.backupPath = (result.value as { path: string }).path;
    });
  }
});

describe("a call naming a community that is not on this device", () => {
  const naming = (Object.keys(CALLS) as Method[]).filter(
    (m) => "communityId" in CALLS[m].args(state),
  );
  it("is answered by every method that names one", () => {
    expect(naming.length).toBeGreaterThan(10);
  });
  for (const method of naming) {
    it(`${method}: not found, in the one message`, async () => {
      const args = {
        ...(CALLS[method].args(state) as object),
        communityId: asCommunityId("nowhere"),
      };
      const result = await rpc.raw.call(method, args);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe(ErrorCode.NotFound);
        expect(result.error.message.startsWith(COMMUNITY_NOT_HERE)).toBe(true);
      }
    });
  }
});
