// Builds the renderer (renderer/) for browser mode (served by `meitheal-peer serve`). The desktop build of the
// same renderer is in electron.vite.config.ts.
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL("../renderer/", import.meta.url)),
  base: "./",
  plugins: [react()],
  optimizeDeps: { exclude: ["@automerge/automerge"] },
  build: {
    outDir: fileURLToPath(new URL("../out/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 5000,
  },
});
