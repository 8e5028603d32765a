// @ts-check
// Lint for Meitheal. The layer rule of DESIGN.md ("Layers") lives here: each top-level folder may
// import only what its runtime has. test/lint/layers.test.ts proves these rules fire.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

const NODE_BUILTINS = [
  "node:*",
  "fs",
  "fs/*",
  "path",
  "os",
  "child_process",
  "net",
  "tls",
  "http",
  "https",
  "crypto",
  "dgram",
  "dns",
  "stream",
  "stream/*",
  "worker_threads",
  "url",
  "util",
  "zlib",
  "events",
  "buffer",
  "readline",
  "module",
  "process",
  "v8",
  "vm",
  "cluster",
  "perf_hooks",
  "timers",
  "timers/*",
];

/** @param {string} folder @param {{group: string[], message: string}[]} patterns */
const layer = (folder, patterns) => ({
  files: [`${folder}/**/*.{ts,tsx,js,mjs}`],
  rules: { "no-restricted-imports": ["error", { patterns }] },
});

const noElectron = (who) => ({
  group: ["electron", "electron/*"],
  message: `${who} must not import electron: only electron/ may (DESIGN.md, Layers).`,
});
const noNode = (who) => ({
  group: NODE_BUILTINS,
  message: `${who} runs in a browser too: no Node built-ins (DESIGN.md, Layers).`,
});
const noReact = (who) => ({
  group: ["react", "react/*", "react-dom", "react-dom/*", "@xyflow/*"],
  message: `${who} must not import React: only renderer/ may (DESIGN.md, Layers).`,
});
const noFolder = (who, folder, why) => ({
  group: [`**/${folder}/*`, `**/${folder}`],
  message: `${who} must not import ${folder}/: ${why} (DESIGN.md, Layers).`,
});

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "out/**",
      "dist/**",
      "bench/**",
      "coverage/**",
      "test/lint/fixtures/**",
      "**/*.d.ts",
      ".tmp/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { fixStyle: "separate-type-imports" },
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/only-throw-error": "off",
      "no-restricted-syntax": [
        "error",
        {
          selector: "ExportDefaultDeclaration",
          message: "No default exports: name what you export.",
        },
        { selector: "TSEnumDeclaration", message: "Use an `as const` object, not an enum." },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Config files that their tools require to have a default export.
    files: ["*.config.ts", "*.config.js", "build/*.config.ts", "eslint.config.js"],
    rules: { "no-restricted-syntax": "off" },
  },
  layer("shared", [
    noElectron("shared/"),
    noNode("shared/"),
    noReact("shared/"),
    noFolder("shared/", "peer", "shared/ is the bottom layer"),
    noFolder("shared/", "renderer", "shared/ is the bottom layer"),
    noFolder("shared/", "electron", "shared/ is the bottom layer"),
  ]),
  layer("peer", [
    noElectron("peer/"),
    noReact("peer/"),
    noFolder("peer/", "renderer", "the peer runs in Node"),
    noFolder("peer/", "electron", "the peer runs without Electron too"),
  ]),
  layer("electron", [
    noReact("electron/"),
    noFolder("electron/", "renderer", "the renderer is loaded as a page, not imported"),
  ]),
  layer("renderer", [
    noElectron("renderer/"),
    noNode("renderer/"),
    noFolder("renderer/", "peer", "the renderer talks to the peer through shared/contract.ts"),
    noFolder(
      "renderer/",
      "electron",
      "the renderer talks to electron/ only through the preload API",
    ),
  ]),
  {
    files: ["shared/**/*.ts", "peer/**/*.ts"],
    ignores: ["**/*.test.ts"],
    languageOptions: { globals: {} },
    rules: {
      "no-restricted-globals": [
        "error",
        ...["window", "document", "localStorage", "sessionStorage", "navigator", "location"].map(
          (name) => ({
            name,
            message: "No DOM globals outside renderer/ (DESIGN.md, Layers).",
          }),
        ),
      ],
    },
  },
  {
    files: ["renderer/**/*.{ts,tsx}"],
    languageOptions: { globals: globals.browser },
    plugins: { "react-hooks": reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: [
      "peer/**/*.ts",
      "electron/**/*.ts",
      "test/**/*.ts",
      "build/**/*",
      "bin/**/*",
      "*.config.*",
    ],
    languageOptions: { globals: globals.node },
  },
);
