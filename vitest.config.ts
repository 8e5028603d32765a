import { defineConfig } from "vitest/config";

// Four projects, all run by `npm test`:
// - unit: next to the code, fast, in-process;
// - integration: test/ (several processes, storage crash tests, lint rule, CLI);
// - smoke: test/smoke/, the peer started as people start it (the bin, `npm run web`'s command, the
//   desktop app's built peer.js under plain Node), every contract method called on each;
// - e2e: the UI in headless Chromium (needs `npm run build:web` first; `npm test` does it).
const setupFiles = ["test/helpers/fastCheckSeed.ts"];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "shared/**/*.test.ts",
            "peer/**/*.test.ts",
            "electron/**/*.test.ts",
            "renderer/**/*.test.ts",
            "renderer/**/*.test.tsx",
          ],
          environment: "node",
          setupFiles,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**", "test/smoke/**"],
          environment: "node",
          setupFiles,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "smoke",
          include: ["test/smoke/**/*.test.ts"],
          environment: "node",
          setupFiles,
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          setupFiles,
          testTimeout: 90_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
