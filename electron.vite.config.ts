// Builds the desktop app into out/: main/main.js (Electron main) and main/peer.js (the peer's
// utility process) from one build so they share chunks, preload/preload.cjs, renderer/.
import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "electron-vite";

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, "out/main"),
      rolldownOptions: {
        input: {
          main: resolve(root, "electron/main.ts"),
          peer: resolve(root, "peer/utilityHost.ts"),
        },
        output: {
          // package.json "main" is out/main/main.js and main.ts forks out/main/peer.js.
          entryFileNames: "[name].js",
          chunkFileNames: "chunks/[name]-[hash].js",
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, "out/preload"),
      rolldownOptions: {
        input: { preload: resolve(root, "electron/preload.ts") },
        output: {
          // A sandboxed preload cannot be an ES module, whatever package.json "type" says.
          format: "cjs",
          entryFileNames: "[name].cjs",
          // One file: a sandboxed preload can require only "electron" and a few built-ins.
          codeSplitting: false,
        },
      },
    },
  },
  renderer: {
    root: resolve(root, "renderer"),
    plugins: [react()],
    // Without this the dev server pre-bundles two copies of automerge and the page hangs.
    optimizeDeps: { exclude: ["@automerge/automerge"] },
    build: {
      outDir: resolve(root, "out/renderer"),
      rolldownOptions: {
        input: resolve(root, "renderer/index.html"),
      },
    },
  },
});
