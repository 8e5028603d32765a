// `npm run bench [-- filter...] [--quick]`: runs every benchmark in test/bench/*.bench.ts (or those
// whose name contains one of the filters), prints a table and merges the numbers into
// bench/results.json. `npm run bench` builds the web app first (the browser benchmarks serve it).
// Benchmarks run one after another, never in parallel: sharing the cores, they would time each other.
// A benchmark that fails is reported with its reason and the others still run; the exit code is 0
// when every selected benchmark produced a number. `--quick` runs each once on small fixtures and
// saves nothing: CI runs it so that no benchmark rots unnoticed.
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { round, runAfterAllBenches, UNITS, type Bench, type BenchUnit } from "./registry.ts";

const BENCH_DIR = fileURLToPath(new URL(".", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RESULTS = join(REPO_ROOT, "bench", "results.json");

type Row = { bench: Bench; value: number | undefined; note: string };
type Results = Record<string, { value: number; unit: BenchUnit }>;

const isBench = (b: unknown): b is Bench =>
  typeof b === "object" &&
  b !== null &&
  "name" in b &&
  typeof b.name === "string" &&
  "unit" in b &&
  UNITS.includes(b.unit as BenchUnit) &&
  "run" in b &&
  typeof b.run === "function";

async function discover(): Promise<Bench[]> {
  const files = (await readdir(BENCH_DIR)).filter((f) => f.endsWith(".bench.ts")).sort();
  const all: Bench[] = [];
  for (const file of files) {
    const mod: unknown = await import(pathToFileURL(join(BENCH_DIR, file)).href);
    const list = typeof mod === "object" && mod !== null && "benches" in mod ? mod.benches : undefined;
    if (!Array.isArray(list) || !list.every(isBench)) {
      throw new Error(`${file} must export \`benches: Bench[]\` (see test/bench/registry.ts)`);
    }
    all.push(...list);
  }
  const seen = new Set<string>();
  for (const b of all) {
    if (seen.has(b.name)) throw new Error(`two benchmarks are named ${b.name}`);
    seen.add(b.name);
  }
  return all;
}

/** "< 1000 ms" → whether value meets it; undefined when there is no goal or it is not of that form. */
function goalMet(goal: string | undefined, value: number): boolean | undefined {
  const m = goal?.match(/^\s*(<=|>=|<|>)\s*([0-9.]+)/);
  if (!m) return undefined;
  const limit = Number(m[2]);
  switch (m[1]) {
    case "<":
      return value < limit;
    case "<=":
      return value <= limit;
    case ">":
      return value > limit;
    default:
      return value >= limit;
  }
}

const format = (value: number, unit: BenchUnit): string =>
  unit === "count" ? String(Math.round(value)) : unit === "ratio" ? value.toFixed(2) : value.toFixed(1);

function printTable(rows: Row[]): void {
  const cells = rows.map(({ bench, value, note }) => {
    const met = value === undefined ? undefined : goalMet(bench.goal, value);
    return [
      bench.name,
      value === undefined ? "FAILED" : format(value, bench.unit),
      bench.unit,
      bench.goal ?? "",
      met === undefined ? "" : met ? "yes" : "NO",
      note,
    ];
  });
  const header = ["name", "value", "unit", "goal", "met", "note"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: string[]) =>
    c
      .map((s, i) => (i === c.length - 1 ? s : i === 1 ? s.padStart(widths[i] ?? 0) : s.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const c of cells) console.log(line(c));
}

/** Merges into what is there, so a filtered run (or a later issue's benchmarks) keeps the other entries. */
async function writeResults(rows: Row[]): Promise<void> {
  let existing: Results = {};
  try {
    const parsed: unknown = JSON.parse(await readFile(RESULTS, "utf8"));
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) existing = parsed as Results;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") console.warn(`bench/results.json was unreadable and is rewritten (${(e as Error).message})`);
  }
  const merged: Results = { ...existing };
  for (const { bench, value } of rows) {
    if (value !== undefined) merged[bench.name] = { value: round(value, bench.unit === "count" ? 0 : 2), unit: bench.unit };
  }
  // Sorted keys keep the file's diffs to the entries that changed.
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  await mkdir(join(REPO_ROOT, "bench"), { recursive: true });
  const temp = `${RESULTS}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(sorted, null, 2) + "\n");
  await rename(temp, RESULTS);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a) => a !== "--");
  const quickRun = args.includes("--quick");
  if (quickRun) process.env.MEITHEAL_BENCH_QUICK = "1";
  const filters = args.filter((a) => a !== "--quick");
  const all = await discover();
  const selected = filters.length === 0 ? all : all.filter((b) => filters.some((f) => b.name.includes(f)));
  if (selected.length === 0) {
    console.error(`No benchmark name contains ${filters.map((f) => `"${f}"`).join(" or ")}. Known: ${all.map((b) => b.name).join(", ")}`);
    return 1;
  }
  console.log(
    `Node ${process.version}, ${availableParallelism()} cores, ${selected.length} benchmark(s)${quickRun ? ", quick: once each on small fixtures, nothing saved" : ""}\n`,
  );
  // A benchmark's leftover (a lookup that times out a minute later) must not end the run, nor be
  // blamed on whichever benchmark runs then: it is reported, and the run goes on.
  const late: string[] = [];
  process.on("unhandledRejection", (reason) => {
    const message = reason instanceof Error ? reason.message : String(reason);
    late.push(message);
    process.stderr.write(`  a benchmark left a promise that failed later: ${message}\n`);
  });
  const started = performance.now();
  const rows: Row[] = [];
  try {
    for (const bench of selected) {
      process.stderr.write(`running ${bench.name}…\n`);
      try {
        const outcome = await bench.run();
        const { value, note } = typeof outcome === "number" ? { value: outcome, note: undefined } : outcome;
        rows.push(Number.isFinite(value) ? { bench, value, note: note ?? "" } : { bench, value: undefined, note: `not a number: ${value}` });
      } catch (e) {
        rows.push({ bench, value: undefined, note: e instanceof Error ? e.message : String(e) });
      }
    }
  } finally {
    await runAfterAllBenches();
  }
  console.log("");
  printTable(rows);
  const seconds = round((performance.now() - started) / 1000);
  if (quickRun) console.log(`\n${seconds} s; a quick run: nothing saved`);
  else {
    await writeResults(rows);
    console.log(`\n${seconds} s; results merged into bench/results.json`);
  }
  if (late.length > 0)
    console.log(`${late.length} promise(s) left by benchmarks failed late (see above); not counted as failures`);
  const failed = rows.filter((r) => r.value === undefined).length;
  if (failed > 0) console.log(`${failed} benchmark(s) FAILED; the table says why`);
  return failed > 0 ? 1 : 0;
}

// Exits here: timers a benchmark left behind (automerge-repo's 60 s lookups) would otherwise keep
// the process alive, and fail it, after every number was printed.
process.exit(await main());
