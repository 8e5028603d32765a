// Every name the peer, shared/, electron/ and the bin take from an npm package must be there under
// Node's own ES module loader, which runs them for people; Vitest's loader, which runs the other
// tests, hides the difference (nodeImports.ts says how). The fixtures show what is refused.
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/servePeer.ts";
import {
  nodeModules,
  packageUses,
  problemsOf,
  type NodeModule,
  type PackageUse,
} from "./nodeImports.ts";

const FOLDERS = ["peer", "shared", "electron", "bin"];

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(join(REPO_ROOT, folder), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.(ts|tsx|mjs|js)$/.test(e.name))
    .filter((e) => !/\.test\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => relative(REPO_ROOT, join(e.parentPath, e.name)));
}

/** Sources that break under Node's loader (the traps met so far), and their safe forms. */
const FIXTURES = {
  namedConstant: `import { crypto_kdf_KEYBYTES } from "sodium-universal";\nexport const n = crypto_kdf_KEYBYTES;\n`,
  // The bundle code as it was when a running peer refused every bundle.
  namespaceCast: `import * as sodiumModule from "sodium-universal";\nexport const sodium = sodiumModule as unknown as { crypto_kdf_KEYBYTES: number };\n`,
  namespaceMember: `import * as s from "sodium-universal";\nexport const n: number = s.crypto_kdf_KEYBYTES;\n`,
  subpathWithoutExtension: `import CipherState from "noise-handshake/cipher";\nexport const C = CipherState;\n`,
  reExportAll: `export * from "sodium-universal";\n`,
  safe: [
    `import sodium from "sodium-universal";`,
    `import { randombytes_buf } from "sodium-universal";`,
    `import CipherState from "noise-handshake/cipher.js";`,
    `import * as A from "@automerge/automerge";`,
    `import { type Doc } from "@automerge/automerge";`,
    `export type D = A.Doc<unknown> | Doc<unknown>;`,
    `export const used = [sodium.crypto_kdf_KEYBYTES, randombytes_buf, CipherState, A.from, A];`,
  ].join("\n"),
};

const uses: PackageUse[] = [];
let modules = new Map<string, NodeModule>();
let fixtureUses: Record<keyof typeof FIXTURES, PackageUse[]>;

beforeAll(async () => {
  const files = (await Promise.all(FOLDERS.map(sourceFiles))).flat();
  for (const file of files)
    uses.push(...packageUses(file, await readFile(join(REPO_ROOT, file), "utf8")));
  fixtureUses = Object.fromEntries(
    Object.entries(FIXTURES).map(([name, text]) => [name, packageUses(`${name}.ts`, text)]),
  ) as typeof fixtureUses;
  const specifiers = new Set(
    [...uses, ...Object.values(fixtureUses).flat()].map((u) => u.specifier),
  );
  modules = await nodeModules([...specifiers]);
  const packages = new Set(uses.map((u) => u.specifier));
  const cjs = [...packages].filter((s) => {
    const m = modules.get(s);
    return m?.loaded && m.format === "commonjs";
  });
  console.log(
    `Node's loader: ${uses.length} package imports in ${new Set(uses.map((u) => u.file)).size} files of ${FOLDERS.join(", ")}; ` +
      `${packages.size} specifiers, ${cjs.length} CommonJS (${cjs.join(", ")})`,
  );
});

const problems = (list: PackageUse[]) =>
  list.flatMap((u) => problemsOf(u, modules.get(u.specifier)));

describe("names taken from npm packages, under Node's own loader", () => {
  it("are all there in peer/, shared/, electron/ and bin/", () => {
    // It reads what it should: the invite book's one name from sodium-universal, for one.
    expect(uses).toContainEqual(
      expect.objectContaining({
        file: join("peer", "trust", "inviteBook.ts"),
        specifier: "sodium-universal",
        names: ["randombytes_buf"],
      }),
    );
    expect(problems(uses)).toEqual([]);
  });

  it("refuses a named import Node's loader does not give (a CommonJS package's constant)", () => {
    expect(problems(fixtureUses.namedConstant)).toEqual([
      expect.stringMatching(
        /"crypto_kdf_KEYBYTES" is not among the names .* commonjs .*import pkg from "sodium-universal"/,
      ),
    ]);
  });

  it("refuses a CommonJS namespace used whole, as the bundle code once did", () => {
    expect(problems(fixtureUses.namespaceCast)).toEqual([
      expect.stringMatching(/namespace of a CommonJS package is used whole/),
    ]);
    expect(problems(fixtureUses.reExportAll)).toEqual([
      expect.stringMatching(/namespace of a CommonJS package is used whole/),
    ]);
  });

  it("refuses a member of a namespace that Node's loader leaves out", () => {
    expect(problems(fixtureUses.namespaceMember)).toEqual([
      expect.stringMatching(/"crypto_kdf_KEYBYTES" is not among the names/),
    ]);
  });

  it("refuses a package subpath Node cannot resolve without its extension", () => {
    expect(problems(fixtureUses.subpathWithoutExtension)).toEqual([
      expect.stringMatching(/cannot load it .*"pkg\/file\.js"/s),
    ]);
  });

  it("accepts the safe forms: default import, names Node gives, subpath with extension, ES modules", () => {
    expect(fixtureUses.safe.map((u) => [u.specifier, u.names, u.whole])).toEqual([
      ["sodium-universal", ["default"], false],
      ["sodium-universal", ["randombytes_buf"], false],
      ["noise-handshake/cipher.js", ["default"], false],
      ["@automerge/automerge", ["from"], true],
    ]);
    expect(problems(fixtureUses.safe)).toEqual([]);
  });
});
