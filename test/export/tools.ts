// The Debian tools the export tests check our files with: epubcheck and pandoc (`.ci/run` installs
// both). Each runs on a file in a temp folder, never on anything outside it.
import { execFile } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export type ToolRun = { code: number; stdout: string; output: string };

async function tool(command: string, args: readonly string[], input?: string): Promise<ToolRun> {
  try {
    const child = run(command, [...args], { maxBuffer: 64 * 1024 * 1024, encoding: "utf8" });
    if (input !== undefined) child.child.stdin?.end(input);
    const { stdout, stderr } = await child;
    return { code: 0, stdout, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string; message: string };
    if (typeof failed.code !== "number") throw error;
    return {
      code: failed.code,
      stdout: failed.stdout ?? "",
      output: `${failed.stdout ?? ""}${failed.stderr ?? ""}${failed.message}`,
    };
  }
}

// Debian's /usr/bin/epubcheck is the jar itself, which runs only where binfmt_misc knows jars (not
// in most containers): run it with java then.
function epubcheckCommand(): [string, string[]] {
  const jar = ["/usr/share/java/epubcheck.jar", "/usr/bin/epubcheck"]
    .filter((path) => existsSync(path))
    .map((path) => realpathSync(path))
    .find((path) => path.endsWith(".jar"));
  return jar ? ["java", ["-jar", jar]] : ["epubcheck", []];
}

/** epubcheck on `bytes` written to `dir/name`. */
export async function epubcheck(dir: string, name: string, bytes: Uint8Array): Promise<ToolRun> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  const [command, args] = epubcheckCommand();
  return tool(command, [...args, path]);
}

/** Lines epubcheck reports as errors or fatal errors. */
export const epubErrors = (output: string): string[] =>
  output.split("\n").filter((line) => /^(ERROR|FATAL)\b/.test(line.trim()));

/** pandoc reading a Markdown file, as its JSON syntax tree. */
export async function pandocJson(path: string, from = "markdown-smart"): Promise<PandocDoc> {
  const result = await tool("pandoc", ["-f", from, "-t", "json", path]);
  if (result.code !== 0) throw new Error(`pandoc failed on ${path}: ${result.output}`);
  return JSON.parse(result.stdout) as PandocDoc;
}

export type PandocNode = { t: string; c?: unknown };
export type PandocDoc = { meta: Record<string, PandocNode>; blocks: PandocNode[] };

/**
 * The text of pandoc nodes: words as written, a space for each space or line break, a newline
 * after each block. Attributes and link targets are not text and are skipped.
 */
export function pandocText(node: unknown): string {
  if (Array.isArray(node)) return node.map(pandocText).join("");
  if (typeof node !== "object" || node === null) return "";
  const { t, c } = node as PandocNode;
  const at = (i: number): unknown => (Array.isArray(c) ? c[i] : undefined);
  switch (t) {
    case "Str":
    case "MetaString":
      return String(c);
    case "Space":
    case "SoftBreak":
    case "LineBreak":
      return " ";
    case "RawInline":
      return String(at(1));
    case "RawBlock":
      return `${String(at(1))}\n`;
    case "Link":
    case "Span":
      return pandocText(at(1));
    case "Header":
      return `${pandocText(at(2))}\n`;
    case "Para":
    case "Plain":
      return `${pandocText(c)}\n`;
    case "OrderedList":
      return pandocText(at(1));
    case "Image":
    case "Code":
    case "CodeBlock":
      return "";
    default:
      return pandocText(c);
  }
}

/** Text compared across formats: whitespace of any kind and amount is one space. */
export const normalise = (text: string): string => text.replace(/\s+/g, " ").trim();
