// The meitheal-peer bin as a user runs it (`meitheal-peer serve`), every contract method over its
// RPC WebSocket; then its CLI, a new process on the same data folder, lists what was saved.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";
import { REPO_ROOT } from "../helpers/servePeer.ts";
import { COMMUNITY } from "./cases.ts";
import { smokeSuite } from "./suite.ts";

smokeSuite("bin", {
  afterStop: async (dataDir) => {
    const bin = join(REPO_ROOT, "bin", "meitheal-peer.mjs");
    const { stdout } = await promisify(execFile)(
      bin,
      ["communities", "--json", "--data", dataDir],
      {
        cwd: REPO_ROOT,
      },
    );
    // Two stories and a collection written by the window, one story imported.
    expect(JSON.parse(stdout)).toEqual([
      expect.objectContaining({ name: COMMUNITY, state: "ok", entryCount: 4 }),
    ]);
  },
});
