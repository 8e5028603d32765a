// What the code takes from npm packages, checked against what Node's own ES module loader gives
// (the loader of the meitheal-peer bin, of `npm run web` and of the desktop app's built peer).
// Vitest's loader is kinder: it hands a CommonJS package's whole module.exports out as named
// exports and resolves a subpath without its extension, so a test can pass while the product fails
// (sodium-universal's constants were undefined in a running peer; noise-handshake/cipher did not
// load at all in the desktop app). Node gives a CommonJS package's `default` (module.exports
// itself) and only the names cjs-module-lexer can see in its source.
import { execFile } from "node:child_process";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { REPO_ROOT } from "../helpers/servePeer.ts";

/** How one file uses one package. */
export type PackageUse = {
  file: string;
  line: number;
  specifier: string;
  /** Names read from the module: `default`, named imports, members read off a namespace. */
  names: string[];
  /** The namespace is used as a whole (passed on, cast, `export *`, `import()`), not only read. */
  whole: boolean;
};

/** What Node's loader gives for a specifier: its export names and the format it loaded. */
export type NodeModule =
  | { loaded: true; format: "commonjs" | "module" | "other"; names: string[] }
  | { loaded: false; error: string };

const BUILTINS = new Set(builtinModules);
/**
 * Packages: not relative, not built in. `electron` is provided by Electron itself at run time (under
 * Node it is the installer's stub), so its names cannot be checked here.
 */
const isPackage = (specifier: string) =>
  !specifier.startsWith(".") &&
  !specifier.startsWith("/") &&
  !specifier.startsWith("node:") &&
  !BUILTINS.has(specifier.split("/")[0] ?? "") &&
  specifier !== "electron" &&
  !specifier.startsWith("electron/");

/** Parentheses, casts and `!` do not change which value is read. */
function outer(node: ts.Node): ts.Node {
  let n = node;
  while (
    ts.isParenthesizedExpression(n.parent) ||
    ts.isAsExpression(n.parent) ||
    ts.isSatisfiesExpression(n.parent) ||
    ts.isNonNullExpression(n.parent) ||
    ts.isTypeAssertionExpression(n.parent)
  )
    n = n.parent;
  return n;
}

/** Members read off a namespace binding, and whether it is also used otherwise (at run time). */
function namespaceUse(
  source: ts.SourceFile,
  binding: ts.Identifier,
): { names: string[]; whole: boolean } {
  const names = new Set<string>();
  let whole = false;
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) return;
    if (ts.isIdentifier(node) && node.text === binding.text) {
      const parent = node.parent;
      // Types vanish at run time: `Automerge.Doc<T>`, `typeof ns`.
      if (ts.isQualifiedName(parent) || ts.isTypeQueryNode(parent)) return;
      // Someone else's member or key of the same name: `x.ns`, `{ ns: 1 }`.
      if (ts.isPropertyAccessExpression(parent) && parent.name === node) return;
      if (ts.isPropertyAssignment(parent) && parent.name === node) return;
      const used = outer(node);
      const reader = used.parent;
      if (ts.isPropertyAccessExpression(reader) && reader.expression === used)
        names.add(reader.name.text);
      else if (
        ts.isElementAccessExpression(reader) &&
        reader.expression === used &&
        ts.isStringLiteralLike(reader.argumentExpression)
      )
        names.add(reader.argumentExpression.text);
      else whole = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { names: [...names], whole };
}

/** Every run-time use of a package in one file's source (type-only imports are left out). */
export function packageUses(file: string, text: string): PackageUse[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const uses: PackageUse[] = [];
  const add = (node: ts.Node, specifier: string, names: string[], whole: boolean) => {
    if (!isPackage(specifier)) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    uses.push({ file, line, specifier, names, whole });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const specifier = node.moduleSpecifier.text;
      if (!clause) add(node, specifier, [], false);
      else if (!clause.isTypeOnly) {
        const names: string[] = clause.name ? ["default"] : [];
        let whole = false;
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) {
          const use = namespaceUse(source, bindings.name);
          names.push(...use.names);
          whole = use.whole;
        } else if (bindings) {
          for (const element of bindings.elements)
            if (!element.isTypeOnly) names.push((element.propertyName ?? element.name).text);
        }
        if (names.length > 0 || whole) add(node, specifier, names, whole);
      }
    } else if (
      ts.isExportDeclaration(node) &&
      !node.isTypeOnly &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const clause = node.exportClause;
      if (!clause || ts.isNamespaceExport(clause)) add(node, node.moduleSpecifier.text, [], true);
      else
        add(
          node,
          node.moduleSpecifier.text,
          clause.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text),
          false,
        );
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      add(node, node.arguments[0].text, [], true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return uses;
}

/** Loads each specifier in a plain Node process (no loader, no test runner) and lists its names. */
export async function nodeModules(specifiers: readonly string[]): Promise<Map<string, NodeModule>> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(REPO_ROOT, "test", "smoke", "nodeExports.mjs"), ...specifiers],
    { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: "" }, maxBuffer: 16 * 1024 * 1024 },
  );
  return new Map(Object.entries(JSON.parse(stdout) as Record<string, NodeModule>));
}

/** What is wrong with a use under Node's loader, in words that say what to do; empty when fine. */
export function problemsOf(use: PackageUse, module: NodeModule | undefined): string[] {
  const where = `${use.file}:${use.line} "${use.specifier}"`;
  if (!module) return [`${where}: not checked`];
  if (!module.loaded)
    return [
      `${where}: Node's own loader cannot load it (${module.error}). A subpath of a package without an "exports" map needs its file's extension ("pkg/file.js").`,
    ];
  const problems = use.names
    .filter((name) => !module.names.includes(name))
    .map(
      (name) =>
        `${where}: "${name}" is not among the names Node's loader gives for this ${module.format} module` +
        (module.format === "commonjs"
          ? `; read it from the default import (import pkg from "${use.specifier}"; pkg.${name}), which is module.exports itself.`
          : "."),
    );
  if (use.whole && module.format === "commonjs")
    problems.push(
      `${where}: the namespace of a CommonJS package is used whole; under Node it holds only the names cjs-module-lexer finds (Vitest's loader gives them all). Use the default import (import pkg from "${use.specifier}"), which is module.exports itself.`,
    );
  return problems;
}
