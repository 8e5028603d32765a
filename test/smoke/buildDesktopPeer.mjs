// Builds the desktop app's main bundle only (out/main/main.js and out/main/peer.js), with the
// app's own electron.vite.config.ts resolved by electron-vite as `electron-vite build` does: the
// smoke suite runs that peer.js, and the preload and renderer builds it does not need are skipped.
// Run from the repository root with plain Node; prints how long the build took.
import { resolveConfig } from "electron-vite";
import { build } from "vite";

const started = Date.now();
// What `electron-vite build` sets before it resolves the config.
process.env.NODE_ENV_ELECTRON_VITE = "production";
const { config } = await resolveConfig({ logLevel: "warn" }, "build", "production");
if (!config?.main) throw new Error("electron.vite.config.ts has no main build.");
await build(config.main);
console.log(`Built out/main in ${Date.now() - started} ms.`);
