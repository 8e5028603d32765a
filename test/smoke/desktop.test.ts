// The desktop app's peer: out/main/peer.js, built here from the current sources by electron-vite
// (main only, about a second), run under plain Node as Electron's utility process runs it, every
// contract method over a MessagePort as main hands one to a window.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { REPO_ROOT } from "../helpers/servePeer.ts";
import { smokeSuite } from "./suite.ts";

smokeSuite("desktop", {
  prepare: async () => {
    await promisify(execFile)(process.execPath, ["test/smoke/buildDesktopPeer.mjs"], {
      cwd: REPO_ROOT,
    });
  },
});
