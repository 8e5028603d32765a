// Proves the layer rule of docs/DESIGN.md ("Layers") holds: real files in the real folders, linted with
// the repo's own eslint.config.js through ESLint's Node API, then type-checked with
// renderer/tsconfig.json as `npm run typecheck` does. The fixtures live for the length of this file
// only and are always removed.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const tag = randomBytes(4).toString("hex");
const WHY = "docs/DESIGN.md, Layers";

/** What must be reported on line 1: by which rule, naming what, and why. */
type Refusal = { rule: string; name: string; why: RegExp };
type Fixture = { path: string; source: string; refusal: Refusal | null };

const fixturePath = (folder: string, ext: string): string =>
  join(ROOT, folder, `__layer_fixture_${tag}_${randomBytes(3).toString("hex")}.${ext}`);

const fixture = (
  folder: string,
  ext: string,
  source: string,
  refusal: Refusal | null,
): Fixture => ({ path: fixturePath(folder, ext), source, refusal });

const imports = (name: string, why: RegExp): Refusal => ({
  rule: "no-restricted-imports",
  name,
  why,
});
const usesGlobal = (name: string, why: RegExp): Refusal => ({
  rule: "no-restricted-globals",
  name,
  why,
});
const notAllowlisted = (name: string, why: RegExp): Refusal => ({
  rule: "meitheal/only-packages",
  name,
  why,
});

// The built-ins a hand-kept list once missed; the list now comes from node:module.
const ONCE_MISSED = ["assert", "async_hooks", "http2", "querystring", "string_decoder", "tty"];

const builtinFixtures = Object.fromEntries(
  ONCE_MISSED.flatMap((name) =>
    (["shared", "renderer"] as const).map((folder) => [
      `${folder}Builtin_${name}`,
      fixture(
        folder,
        "ts",
        `import * as m from "${name}";\nexport const x = m;\n`,
        imports(name, new RegExp(`${folder}/ runs in a browser too: no Node built-ins`)),
      ),
    ]),
  ),
);

const FIXTURES = {
  ...builtinFixtures,
  sharedNode: fixture(
    "shared",
    "ts",
    'import { readFileSync } from "node:fs";\nexport const read = readFileSync;\n',
    imports("node:fs", /shared\/ runs in a browser too/),
  ),
  sharedBareNode: fixture(
    "shared",
    "ts",
    'import { join } from "path";\nexport const j = join;\n',
    imports("path", /no Node built-ins/),
  ),
  sharedBuiltinSubpath: fixture(
    "shared",
    "ts",
    'import { strict } from "assert/strict";\nexport const s = strict;\n',
    imports("assert/strict", /no Node built-ins/),
  ),
  rendererElectron: fixture(
    "renderer",
    "tsx",
    'import { ipcRenderer } from "electron";\nexport const ipc = ipcRenderer;\n',
    imports("electron", /renderer\/ must not import electron/),
  ),
  rendererPeer: fixture(
    "renderer",
    "ts",
    'import { PeerNode } from "../peer/peerNode.ts";\nexport const node = PeerNode;\n',
    imports("../peer/peerNode.ts", /renderer\/ must not import peer\//),
  ),
  peerReact: fixture(
    "peer",
    "ts",
    'import { useState } from "react";\nexport const hook = useState;\n',
    imports("react", /peer\/ must not import React/),
  ),
  peerElectron: fixture(
    "peer",
    "ts",
    'import { app } from "electron";\nexport const a = app;\n',
    imports("electron", /peer\/ must not import electron/),
  ),

  // Node globals: a browser has none of them.
  sharedProcess: fixture(
    "shared",
    "ts",
    "export const mode = process.env.NODE_ENV;\n",
    usesGlobal("process", /shared\/ runs in a browser too: no Node globals/),
  ),
  sharedBuffer: fixture(
    "shared",
    "ts",
    'export const bytes = Buffer.from("meitheal");\n',
    usesGlobal("Buffer", /shared\/ runs in a browser too: no Node globals/),
  ),
  rendererProcess: fixture(
    "renderer",
    "tsx",
    "export const mode = process.env.NODE_ENV;\n",
    usesGlobal("process", /renderer\/ runs in a browser too: no Node globals/),
  ),
  rendererBuffer: fixture(
    "renderer",
    "ts",
    'export const bytes = Buffer.from("meitheal");\n',
    usesGlobal("Buffer", /renderer\/ runs in a browser too: no Node globals/),
  ),
  rendererSetImmediate: fixture(
    "renderer",
    "ts",
    "export const later = (f: () => void) => setImmediate(f);\n",
    usesGlobal("setImmediate", /no Node globals/),
  ),
  // The DOM ban of shared/ and peer/ still holds beside the Node ban (one rule, two lists).
  sharedWindow: fixture(
    "shared",
    "ts",
    "export const width = window.innerWidth;\n",
    usesGlobal("window", /No DOM globals outside renderer\//),
  ),
  peerDocument: fixture(
    "peer",
    "ts",
    "export const title = document.title;\n",
    usesGlobal("document", /No DOM globals outside renderer\//),
  ),

  // shared/'s package allowlist.
  sharedWs: fixture(
    "shared",
    "ts",
    'import { WebSocket } from "ws";\nexport const W = WebSocket;\n',
    notAllowlisted(
      "ws",
      /shared\/ may import only the packages on its allowlist \(.*zod.*\).*SHARED_PACKAGES in eslint\.config\.js/,
    ),
  ),
  sharedBonjour: fixture(
    "shared",
    "ts",
    'import { Bonjour } from "bonjour-service";\nexport const B = Bonjour;\n',
    notAllowlisted("bonjour-service", /shared\/ may import only the packages on its allowlist/),
  ),
  sharedReexport: fixture(
    "shared",
    "ts",
    'export { WebSocketServer } from "ws";\n',
    notAllowlisted("ws", /on its allowlist/),
  ),
  sharedDynamic: fixture(
    "shared",
    "ts",
    'export const load = () => import("bonjour-service");\n',
    notAllowlisted("bonjour-service", /on its allowlist/),
  ),
  sharedTestWs: fixture(
    "shared",
    "test.ts",
    'import { WebSocket } from "ws";\nexport const W = WebSocket;\n',
    notAllowlisted("ws", /A test of shared\/ may import only .*SHARED_TEST_PACKAGES/),
  ),

  // Allowed: no false positives.
  sharedClean: fixture(
    "shared",
    "ts",
    'import { asCommunityId } from "./ids.ts";\nexport const id = asCommunityId("x");\n',
    null,
  ),
  sharedAllowlisted: fixture(
    "shared",
    "ts",
    'import { z } from "zod";\nimport { parse } from "yaml";\nimport type { Repo } from "@automerge/automerge-repo/slim";\n' +
      "export const title = z.string();\nexport const read = parse;\nexport type R = Repo;\n",
    null,
  ),
  // Tests of shared/ run in Node under vitest: test tools and Node globals are theirs to use.
  sharedTestTools: fixture(
    "shared",
    "test.ts",
    'import fc from "fast-check";\nimport { expect } from "vitest";\n' +
      "export const runs = Number(process.env.MEITHEAL_RUNS ?? 10);\n" +
      "export const check = () => fc.assert(fc.property(fc.integer(), (n) => expect(n).toBe(n)));\n",
    null,
  ),
  // Globals a browser has too stay allowed in the renderer.
  rendererWebGlobals: fixture(
    "renderer",
    "ts",
    "export const later = (f: () => void) => setTimeout(f, 10);\n" +
      'export const ask = () => fetch(new URL("/x", location.href));\n' +
      "export const now = () => performance.now();\n",
    null,
  ),
} satisfies Record<string, Fixture>;

// Type-checked by `tsc -p renderer/tsconfig.json`: Node's types must not reach it.
const TSC_FIXTURES = {
  rendererProcess: {
    path: fixturePath("renderer", "ts"),
    source: "export const mode = process.env.NODE_ENV;\n",
    error: /Cannot find name 'process'/,
  },
  rendererBuffer: {
    path: fixturePath("renderer", "tsx"),
    source: 'export const bytes = Buffer.from("meitheal");\n',
    error: /Cannot find name 'Buffer'/,
  },
  rendererNodeFs: {
    path: fixturePath("renderer", "ts"),
    source: 'import { readFileSync } from "node:fs";\nexport const read = readFileSync;\n',
    error: /Cannot find module 'node:fs'/,
  },
  // renderer/tsconfig.json includes shared/ (not its tests): the same check holds there.
  sharedProcess: {
    path: fixturePath("shared", "ts"),
    source: "export const mode = process.env.NODE_ENV;\n",
    error: /Cannot find name 'process'/,
  },
  // What the renderer takes from the two packages mapped to shims still type-checks, as a page has it.
  rendererShimmed: {
    path: fixturePath("renderer", "ts"),
    source:
      'import { BrowserWebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";\n' +
      'import { toString } from "qrcode";\n' +
      'export const adapter = new BrowserWebSocketClientAdapter("ws://127.0.0.1:1");\n' +
      "export const socket: WebSocket | undefined = adapter.socket;\n" +
      'export const svg: Promise<string> = toString("x", { type: "svg", margin: 1 });\n',
    error: null,
  },
} satisfies Record<string, { path: string; source: string; error: RegExp | null }>;

const ALL_PATHS = [...Object.values(FIXTURES), ...Object.values(TSC_FIXTURES)].map((f) => f.path);

async function removeFixtures(): Promise<void> {
  await Promise.all(ALL_PATHS.map((path) => rm(path, { force: true })));
}

// Also here, in case a beforeAll was cut short by its timeout before its own finally ran.
afterAll(() => removeFixtures());

describe("layer rule (eslint.config.js)", () => {
  let results = new Map<string, ESLint.LintResult>();

  beforeAll(async () => {
    try {
      for (const f of Object.values(FIXTURES)) await writeFile(f.path, f.source, { flag: "wx" });
      const eslint = new ESLint({ cwd: ROOT });
      const linted = await eslint.lintFiles(Object.values(FIXTURES).map((f) => f.path));
      results = new Map(linted.map((r) => [r.filePath, r]));
    } finally {
      await removeFixtures();
    }
  }, 180_000);

  const refused = Object.entries(FIXTURES).flatMap(([name, f]) =>
    f.refusal ? [[name, f, f.refusal] as const] : [],
  );

  it.each(refused)(
    "%s: refused by its rule, as an error on line 1, with the reason",
    (_name, f, refusal) => {
      const result = results.get(f.path);
      expect(result, `ESLint gave no result for ${f.path}`).toBeDefined();
      // A parse error (fatal) would also be "an error": insist on the rule itself.
      expect(result?.messages.filter((m) => m.fatal)).toEqual([]);
      const hits = result?.messages.filter((m) => m.ruleId === refusal.rule) ?? [];
      // "electron" is matched twice (the package rule and the electron/ folder rule), so: at least one,
      // every one an error on line 1, and one of them giving this rule's reason.
      expect(hits.length, JSON.stringify(result?.messages)).toBeGreaterThanOrEqual(1);
      for (const hit of hits) {
        expect(hit.severity).toBe(2);
        expect(hit.line).toBe(1);
        expect(hit.message).toContain(`'${refusal.name}'`);
        expect(hit.message).toContain(WHY);
      }
      expect(
        hits.some((hit) => refusal.why.test(hit.message)),
        hits.map((h) => h.message).join("\n"),
      ).toBe(true);
    },
  );

  const allowed = Object.entries(FIXTURES).filter(([, f]) => f.refusal === null);

  it.each(allowed)("%s: allowed, with no error at all", (_name, f) => {
    const result = results.get(f.path);
    expect(result, `ESLint gave no result for ${f.path}`).toBeDefined();
    expect(result?.messages).toEqual([]);
  });
});

type TscError = { file: string; line: number; text: string };

/** `tsc -p renderer/tsconfig.json` as `npm run typecheck` runs it; its errors, by file. */
function typecheckRenderer(): Promise<{ code: number; errors: TscError[]; output: string }> {
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [tsc, "-p", "renderer/tsconfig.json", "--noEmit", "--pretty", "false"],
      { cwd: ROOT, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`tsc -p renderer/tsconfig.json: ${error.message}; ${stderr}`));
          return;
        }
        const errors = [...stdout.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/gm)].map(
          ([, file = "", line = "0", text = ""]) => ({
            file: join(ROOT, file),
            line: Number(line),
            text,
          }),
        );
        resolve({ code: typeof error?.code === "number" ? error.code : 0, errors, output: stdout });
      },
    );
  });
}

describe("renderer/tsconfig.json has no Node types", () => {
  let run: Awaited<ReturnType<typeof typecheckRenderer>>;

  // After the ESLint fixtures are gone: one of them imports ws, which would bring Node's types in.
  beforeAll(async () => {
    try {
      for (const f of Object.values(TSC_FIXTURES))
        await writeFile(f.path, f.source, { flag: "wx" });
      run = await typecheckRenderer();
    } finally {
      await removeFixtures();
    }
  }, 180_000);

  it("fails, and only on the fixtures: the rest of renderer/ and shared/ type-check", () => {
    expect(run.code).not.toBe(0);
    const fixtures = new Set(Object.values(TSC_FIXTURES).map((f) => f.path));
    expect(
      run.errors.filter((e) => !fixtures.has(e.file)),
      run.output,
    ).toEqual([]);
  });

  const rejected = Object.entries(TSC_FIXTURES).flatMap(([name, f]) =>
    f.error ? [[name, f.path, f.error] as const] : [],
  );

  it.each(rejected)("%s: rejected on line 1", (_name, path, error) => {
    const mine = run.errors.filter((e) => e.file === path);
    expect(mine.length, run.output).toBeGreaterThanOrEqual(1);
    expect(mine.every((e) => e.line === 1)).toBe(true);
    expect(
      mine.some((e) => error.test(e.text)),
      JSON.stringify(mine),
    ).toBe(true);
  });

  it("rendererShimmed: the shimmed packages type as a page has them, with no error", () => {
    const path = TSC_FIXTURES.rendererShimmed.path;
    expect(
      run.errors.filter((e) => e.file === path),
      relative(ROOT, path),
    ).toEqual([]);
  });
});

describe("fixtures", () => {
  it("left no fixture behind", async () => {
    for (const folder of ["shared", "peer", "renderer"]) {
      const left = (await readdir(join(ROOT, folder))).filter((name) =>
        name.includes(`__layer_fixture_${tag}`),
      );
      expect(left).toEqual([]);
    }
  });
});
