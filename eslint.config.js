// @ts-check
// Lint for Meitheal. The layer rule of docs/DESIGN.md ("Layers") lives here: each top-level folder
// may import, and use as globals, only what its runtime has. test/lint/layers.test.ts proves these
// rules fire.
import { builtinModules } from "node:module";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

const WHY = "(docs/DESIGN.md, Layers)";

// Taken from Node itself, so a built-in is never missed (a hand-kept list missed assert, http2, tty…).
// "node:*" covers the built-ins that exist only with the prefix (node:test, node:sqlite).
const NODE_BUILTINS = ["node:*", ...builtinModules.flatMap((name) => [name, `${name}/*`])];

// Node's globals that a browser does not have: process, Buffer, global, require, __dirname…
// Derived from the globals package so the list follows Node; fetch, URL, console and the like are
// in both and stay allowed.
const NODE_ONLY_GLOBALS = Object.keys(globals.node).filter((name) => !(name in globals.browser));
const DOM_GLOBALS = [
  "window",
  "document",
  "localStorage",
  "sessionStorage",
  "navigator",
  "location",
];

// The npm packages shared/ may import: each must run in a browser and in Node alike. Test files of
// shared/ run under vitest in Node and may also use the test tools.
const SHARED_PACKAGES = [
  "@automerge/automerge",
  "@automerge/automerge-repo",
  "@automerge/prosemirror",
  "prosemirror-model",
  "zod",
  "fflate",
  "markdown-it",
  "yaml",
  "diff",
];
const SHARED_TEST_PACKAGES = [...SHARED_PACKAGES, "fast-check", "vitest"];

/** @param {string} source */
const packageOf = (source) => {
  const parts = source.split("/");
  return source.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? source);
};
/** @param {string} source */
const isNodeBuiltin = (source) =>
  source.startsWith("node:") || builtinModules.includes(packageOf(source));

// An allowlist of packages, which no-restricted-imports cannot say plainly. Relative imports are left
// to the folder rules and Node built-ins to their own message; any other package not on the list is
// refused, subpaths (`yaml/util`) counting as their package.
/** @type {import("eslint").Rule.RuleModule} */
const onlyPackages = {
  meta: {
    type: "problem",
    schema: [
      {
        type: "object",
        properties: {
          who: { type: "string" },
          allow: { type: "array", items: { type: "string" } },
          listName: { type: "string" },
        },
        required: ["who", "allow", "listName"],
        additionalProperties: false,
      },
    ],
    messages: {
      notAllowed:
        "{{who}} may import only the packages on its allowlist ({{allow}}); '{{name}}' is not one. " +
        "A package that runs in a browser and in Node alike can be added to {{listName}} in " +
        `eslint.config.js ${WHY}.`,
    },
  },
  create(context) {
    const { who, allow, listName } =
      /** @type {{who: string, allow: string[], listName: string}} */ (context.options[0]);
    /** @param {import("estree").Node | null | undefined} node */
    const check = (node) => {
      if (node?.type !== "Literal" || typeof node.value !== "string") return;
      const source = node.value;
      if (source.startsWith(".") || source.startsWith("/") || isNodeBuiltin(source)) return;
      const name = packageOf(source);
      if (allow.includes(name)) return;
      context.report({
        node,
        messageId: "notAllowed",
        data: { who, name, listName, allow: allow.join(", ") },
      });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};
const meitheal = { rules: { "only-packages": onlyPackages } };

/** @param {string} folder @param {{group: string[], message: string}[]} patterns */
const layer = (folder, patterns) => ({
  files: [`${folder}/**/*.{ts,tsx,js,mjs}`],
  rules: { "no-restricted-imports": ["error", { patterns }] },
});

/** @param {string} who */
const noElectron = (who) => ({
  group: ["electron", "electron/*"],
  message: `${who} must not import electron: only electron/ may ${WHY}.`,
});
/** @param {string} who */
const noNode = (who) => ({
  group: NODE_BUILTINS,
  message: `${who} runs in a browser too: no Node built-ins ${WHY}.`,
});
/** @param {string} who */
const noReact = (who) => ({
  group: ["react", "react/*", "react-dom", "react-dom/*", "@xyflow/*"],
  message: `${who} must not import React: only renderer/ may ${WHY}.`,
});
/** @param {string} who @param {string} folder @param {string} why */
const noFolder = (who, folder, why) => ({
  group: [`**/${folder}/*`, `**/${folder}`],
  message: `${who} must not import ${folder}/: ${why} ${WHY}.`,
});

/** @param {string} who */
const nodeGlobals = (who) =>
  NODE_ONLY_GLOBALS.map((name) => ({
    name,
    message: `${who} runs in a browser too: no Node globals ${WHY}.`,
  }));
const domGlobals = DOM_GLOBALS.map((name) => ({
  name,
  message: `No DOM globals outside renderer/ ${WHY}.`,
}));

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
    files: ["shared/**/*.{ts,tsx,js,mjs}"],
    plugins: { meitheal },
    rules: {
      "meitheal/only-packages": [
        "error",
        { who: "shared/", allow: SHARED_PACKAGES, listName: "SHARED_PACKAGES" },
      ],
    },
  },
  {
    files: ["shared/**/*.test.ts"],
    rules: {
      "meitheal/only-packages": [
        "error",
        { who: "A test of shared/", allow: SHARED_TEST_PACKAGES, listName: "SHARED_TEST_PACKAGES" },
      ],
    },
  },
  // One no-restricted-globals per file set: a later block's options replace an earlier one's, so
  // shared/ gets both lists in one. Tests of shared/ run only in Node (vitest) and are type-checked
  // with Node's types, so they may read process.env; the renderer's tests are type-checked as browser
  // code (renderer/tsconfig.json), so the rule holds for them too.
  {
    files: ["shared/**/*.{ts,tsx,js,mjs}"],
    ignores: ["**/*.test.ts"],
    languageOptions: { globals: {} },
    rules: { "no-restricted-globals": ["error", ...domGlobals, ...nodeGlobals("shared/")] },
  },
  {
    files: ["peer/**/*.ts"],
    ignores: ["**/*.test.ts"],
    languageOptions: { globals: {} },
    rules: { "no-restricted-globals": ["error", ...domGlobals] },
  },
  {
    files: ["renderer/**/*.{ts,tsx,js,mjs}"],
    rules: { "no-restricted-globals": ["error", ...nodeGlobals("renderer/")] },
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
      "test/**/*.mjs",
      "build/**/*",
      "bin/**/*",
      "*.config.*",
    ],
    languageOptions: { globals: globals.node },
  },
);
