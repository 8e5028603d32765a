// Run by nodeImports.ts in a plain Node process: imports each specifier given with Node's own ES
// module loader, from the repository, and prints (JSON) what each gives: its export names and the
// format Node loaded it as, or why it could not be loaded.
import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** "commonjs" or "module", as Node decides for a file: its extension, else the nearest package.json. */
function formatOf(url) {
  if (!url.startsWith("file:")) return "other";
  const path = fileURLToPath(url);
  const ext = extname(path);
  if (ext === ".cjs") return "commonjs";
  if (ext === ".mjs") return "module";
  if (ext !== ".js" && ext !== "") return "other";
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest))
      return JSON.parse(readFileSync(manifest, "utf8")).type === "module" ? "module" : "commonjs";
  }
  return "commonjs";
}

const out = {};
for (const specifier of process.argv.slice(2)) {
  try {
    const module = await import(specifier);
    out[specifier] = {
      loaded: true,
      format: formatOf(import.meta.resolve(specifier)),
      names: Object.keys(module),
    };
  } catch (e) {
    out[specifier] = { loaded: false, error: e instanceof Error ? e.message : String(e) };
  }
}
// A package may leave a timer or a handle behind; the answer is complete once written.
process.stdout.write(JSON.stringify(out), () => process.exit(0));
