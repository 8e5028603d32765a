// Proves the layer rule of DESIGN.md ("Layers") fires: real files in the real folders, linted with
// the repo's own eslint.config.js through ESLint's Node API. The fixtures live for the length of
// this file only and are always removed.
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const tag = randomBytes(4).toString("hex");

type Fixture = { path: string; source: string; restricted: string | null; why: RegExp | null };

const fixture = (
  folder: string,
  ext: string,
  source: string,
  restricted: string | null,
  why: RegExp | null,
): Fixture => ({
  path: join(ROOT, folder, `__layer_fixture_${tag}_${randomBytes(3).toString("hex")}.${ext}`),
  source,
  restricted,
  why,
});

const FIXTURES = {
  sharedNode: fixture(
    "shared",
    "ts",
    'import { readFileSync } from "node:fs";\nexport const read = readFileSync;\n',
    "node:fs",
    /shared\/ runs in a browser too/,
  ),
  sharedBareNode: fixture(
    "shared",
    "ts",
    'import { join } from "path";\nexport const j = join;\n',
    "path",
    /no Node built-ins/,
  ),
  rendererElectron: fixture(
    "renderer",
    "tsx",
    'import { ipcRenderer } from "electron";\nexport const ipc = ipcRenderer;\n',
    "electron",
    /renderer\/ must not import electron/,
  ),
  rendererPeer: fixture(
    "renderer",
    "ts",
    'import { PeerNode } from "../peer/peerNode.ts";\nexport const node = PeerNode;\n',
    "../peer/peerNode.ts",
    /renderer\/ must not import peer\//,
  ),
  peerReact: fixture(
    "peer",
    "ts",
    'import { useState } from "react";\nexport const hook = useState;\n',
    "react",
    /peer\/ must not import React/,
  ),
  peerElectron: fixture(
    "peer",
    "ts",
    'import { app } from "electron";\nexport const a = app;\n',
    "electron",
    /peer\/ must not import electron/,
  ),
  sharedClean: fixture(
    "shared",
    "ts",
    'import { asCommunityId } from "./ids.ts";\nexport const id = asCommunityId("x");\n',
    null,
    null,
  ),
} satisfies Record<string, Fixture>;

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

// Also here, in case beforeAll was cut short by its timeout before its own finally ran.
afterAll(() => removeFixtures());

async function removeFixtures(): Promise<void> {
  await Promise.all(Object.values(FIXTURES).map((f) => rm(f.path, { force: true })));
}

describe("layer rule (eslint.config.js)", () => {
  const restricted = Object.entries(FIXTURES).filter(([, f]) => f.restricted !== null);

  it.each(restricted)(
    "%s: the forbidden import is an error of no-restricted-imports, with the reason",
    (_name, f) => {
      const result = results.get(f.path);
      expect(result, `ESLint gave no result for ${f.path}`).toBeDefined();
      // A parse error (fatal) would also be "an error": insist on the rule itself.
      expect(result?.messages.filter((m) => m.fatal)).toEqual([]);
      const hits = result?.messages.filter((m) => m.ruleId === "no-restricted-imports") ?? [];
      // "electron" is matched twice (the package rule and the electron/ folder rule), so: at least one,
      // every one an error on the import line, and one of them giving this rule's reason.
      expect(hits.length).toBeGreaterThanOrEqual(1);
      for (const hit of hits) {
        expect(hit.severity).toBe(2);
        expect(hit.line).toBe(1);
        expect(hit.message).toContain(`'${f.restricted}'`);
        expect(hit.message).toContain("DESIGN.md, Layers");
      }
      expect(hits.some((hit) => f.why?.test(hit.message))).toBe(true);
    },
  );

  it("a clean shared/ file importing shared/ has no layer error, and no error at all", () => {
    const result = results.get(FIXTURES.sharedClean.path);
    expect(result).toBeDefined();
    expect(result?.messages.filter((m) => m.ruleId === "no-restricted-imports")).toEqual([]);
    expect(result?.errorCount).toBe(0);
  });

  it("left no fixture behind", async () => {
    const { readdir } = await import("node:fs/promises");
    for (const folder of ["shared", "peer", "renderer"]) {
      const left = (await readdir(join(ROOT, folder))).filter((name) =>
        name.includes(`__layer_fixture_${tag}`),
      );
      expect(left).toEqual([]);
    }
  });
});
