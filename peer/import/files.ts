// The files an import reads: Markdown or text files named one by one, folders (every `.md` in them,
// recursively) and zips of Markdown (such as Meitheal's own Markdown export). Everything is read
// and checked before anything is imported: a path that is not there or cannot be read, or a zip
// that is damaged, fails the whole call; a single file that is too large or not UTF-8 is a problem
// named in the preview, and `import:run` refuses to start while one it would import has one.
import { unzipSync } from "fflate";
import { open, readdir, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { extname, isAbsolute, join, resolve, sep } from "node:path";
import type { ImportFile } from "../../shared/import/plan.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";

/** One file may be this large: a whole book of prose is a few megabytes. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** A zip may be this large. */
export const MAX_ZIP_BYTES = 100 * 1024 * 1024;
/** Files in one import, counting folders and zips. */
export const MAX_FILES = 2_000;
/** Text in one import, all files together: it is all held in memory while it is checked. */
export const MAX_TOTAL_BYTES = 200 * 1024 * 1024;
/** Folder depth walked below a folder that was named. */
const MAX_DEPTH = 16;

const MARKDOWN = new Set([".md", ".markdown"]);
const TEXT = new Set([".md", ".markdown", ".txt"]);

/** A file that cannot be imported as it is, and why (a sentence for people). */
export type FileProblem = { source: string; message: string };

export type Gathered = { files: ImportFile[]; problems: FileProblem[] };

/**
 * What an import reads: a path typed by a person (a file, a folder or a zip), or a file on this
 * device known to the person by another name (an upload, handlers/import.ts): its `name` says what
 * it is (by its extension) and names it in the preview and in every message; `path` is never shown.
 */
export type ImportInput = string | { readonly path: string; readonly name: string };

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const posix = (path: string) => (sep === "/" ? path : path.split(sep).join("/"));
const tooLarge = (name: string, bytes: number) =>
  `${name} is ${mb(bytes)}; a file to import may be at most ${mb(MAX_FILE_BYTES)}. Split it into smaller files.`;
const notUtf8 = (name: string) =>
  `${name} is not UTF-8 text, so it could not be read. Save it as UTF-8 (in most editors: Save As → Encoding: UTF-8) and try again.`;

/** A path typed by a person: "~/…" is the home folder; a relative one is from `cwd`. */
export function importPath(text: string, cwd?: string): Result<string> {
  const trimmed = String(text).trim();
  if (trimmed === "")
    return err(ErrorCode.BadInput, "A path to import is empty. Give a file, a folder or a zip.");
  const path =
    trimmed === "~" || trimmed.startsWith("~/") ? join(homedir(), trimmed.slice(1)) : trimmed;
  if (isAbsolute(path)) return ok(path);
  if (cwd !== undefined) return ok(resolve(cwd, path));
  return err(
    ErrorCode.BadInput,
    `"${trimmed.slice(0, 120)}" is not a full path. Give the whole path, e.g. /home/me/stories/first-day.md.`,
  );
}

const unreadable = (path: string, e: unknown): Result<never> => {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR")
    return err(
      ErrorCode.NotFound,
      `There is nothing at ${path}. Check the path (and that the stick or folder is still there), then try again. Nothing was imported.`,
    );
  if (code === "EACCES" || code === "EPERM")
    return err(
      ErrorCode.BadInput,
      `${path} could not be read: this user may not open it. Change its permissions or copy it somewhere readable, then try again. Nothing was imported.`,
    );
  return err(
    ErrorCode.BadInput,
    `${path} could not be read (${(e as Error).message}). Nothing was imported.`,
  );
};

/** Decodes UTF-8 strictly: a file in another encoding would be imported as mojibake. */
function decode(bytes: Uint8Array): string | null {
  try {
    // The BOM some Windows editors write is dropped (ignoreBOM: false).
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

class TooLarge extends Error {
  constructor(readonly bytes: number) {
    super("too large");
  }
}

/** Reads at most `limit` bytes of a file; a larger file throws TooLarge before it is read. */
async function readBounded(path: string, limit: number): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    if (size > limit) throw new TooLarge(size);
    // Read one byte past the limit: a file that grew since stat is caught too.
    const buffer = new Uint8Array(Math.min(size, limit) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) {
        if (length > limit) throw new TooLarge(length);
        break;
      }
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

type Collector = {
  files: ImportFile[];
  problems: FileProblem[];
  sources: Set<string>;
  bytes: number;
};

function add(into: Collector, file: ImportFile): Result<null> {
  if (into.sources.has(file.source)) return ok(null);
  if (into.files.length >= MAX_FILES)
    return err(
      ErrorCode.BadInput,
      `More than ${MAX_FILES} files were given. Import them in smaller batches. Nothing was imported.`,
    );
  into.bytes += file.text.length;
  if (into.bytes > MAX_TOTAL_BYTES)
    return err(
      ErrorCode.BadInput,
      `These files hold more than ${mb(MAX_TOTAL_BYTES)} of text, more than one import takes. Import them in smaller batches. Nothing was imported.`,
    );
  into.sources.add(file.source);
  into.files.push(file);
  return ok(null);
}

/** Where a file is, what people call it (`source`), and the "/" path its links resolve against. */
type Named = { path: string; source: string; linkPath: string };

const typed = (path: string): Named => ({ path, source: path, linkPath: posix(path) });

async function readOne({ path, source, linkPath }: Named, into: Collector): Promise<Result<null>> {
  let bytes: Uint8Array;
  try {
    bytes = await readBounded(path, MAX_FILE_BYTES);
  } catch (e) {
    if (e instanceof TooLarge) {
      into.problems.push({ source, message: tooLarge(source, e.bytes) });
      return ok(null);
    }
    return unreadable(source, e);
  }
  const text = decode(bytes);
  if (text === null) {
    into.problems.push({ source, message: notUtf8(source) });
    return ok(null);
  }
  return add(into, {
    source,
    path: linkPath,
    text,
    plainText: extname(source).toLowerCase() === ".txt",
  });
}

async function readFolder(root: string, into: Collector): Promise<Result<null>> {
  const walk = async (dir: string, depth: number): Promise<Result<null>> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      return unreadable(dir, e);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      // Hidden files and folders (.git, .obsidian) are tools' own; links are not followed, so a
      // walk never leaves the folder or goes round in a loop.
      if (entry.name.startsWith(".") || entry.isSymbolicLink()) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth >= MAX_DEPTH) continue;
        const inner = await walk(path, depth + 1);
        if (!inner.ok) return inner;
      } else if (entry.isFile() && MARKDOWN.has(extname(entry.name).toLowerCase())) {
        const read = await readOne(typed(path), into);
        if (!read.ok) return read;
      }
    }
    return ok(null);
  };
  return walk(root, 0);
}

async function readZip(zip: Named, into: Collector): Promise<Result<null>> {
  const { path, source: zipName } = zip;
  let bytes: Uint8Array;
  try {
    bytes = await readBounded(path, MAX_ZIP_BYTES);
  } catch (e) {
    if (e instanceof TooLarge)
      return err(
        ErrorCode.BadInput,
        `${zipName} is ${mb(e.bytes)}; a zip to import may be at most ${mb(MAX_ZIP_BYTES)}. Unpack it and import the folder in parts. Nothing was imported.`,
      );
    return unreadable(zipName, e);
  }
  const oversized: { name: string; bytes: number }[] = [];
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (file) => {
        const name = file.name;
        const wanted =
          MARKDOWN.has(extname(name).toLowerCase()) &&
          !name.split("/").some((part) => part.startsWith(".") || part === "__MACOSX");
        if (wanted && file.originalSize > MAX_FILE_BYTES) {
          oversized.push({ name, bytes: file.originalSize });
          return false;
        }
        return wanted;
      },
    });
  } catch (e) {
    return err(
      ErrorCode.Damaged,
      `${zipName} is not a zip that can be read (${(e as Error).message}). It may be damaged or only partly copied: copy it again, or import the Markdown files themselves. Nothing was imported.`,
    );
  }
  for (const o of oversized) {
    const source = `${zipName}!/${o.name}`;
    into.problems.push({ source, message: tooLarge(source, o.bytes) });
  }
  const names = Object.keys(entries).sort();
  for (const name of names) {
    const source = `${zipName}!/${name}`;
    const data = entries[name]!;
    // The zip says how large an entry is; fflate never writes past that, so this holds anyway.
    if (data.byteLength > MAX_FILE_BYTES) {
      into.problems.push({ source, message: tooLarge(source, data.byteLength) });
      continue;
    }
    const text = decode(data);
    if (text === null) {
      into.problems.push({ source, message: notUtf8(source) });
      continue;
    }
    const added = add(into, { source, path: `${zip.linkPath}!/${name}`, text, plainText: false });
    if (!added.ok) return added;
  }
  return ok(null);
}

/**
 * Reads every input: files, folders and zips. Fails whole on one that cannot be read. An upload's
 * links resolve against `/uploads/<its name>`, so files uploaded together link to each other.
 */
export async function gatherFiles(
  inputs: readonly ImportInput[],
  cwd?: string,
): Promise<Result<Gathered>> {
  if (inputs.length === 0)
    return err(ErrorCode.BadInput, "Nothing to import: give Markdown files, a folder or a zip.");
  const into: Collector = { files: [], problems: [], sources: new Set(), bytes: 0 };
  for (const input of inputs) {
    let file: Named;
    if (typeof input === "string") {
      const path = importPath(input, cwd);
      if (!path.ok) return path;
      file = typed(path.value);
    } else file = { path: input.path, source: input.name, linkPath: `/uploads/${input.name}` };
    let info;
    try {
      info = await stat(file.path);
    } catch (e) {
      return unreadable(file.source, e);
    }
    const ext = extname(file.source).toLowerCase();
    let read: Result<null>;
    if (info.isDirectory() && typeof input === "string") read = await readFolder(file.path, into);
    else if (ext === ".zip") read = await readZip(file, into);
    else if (TEXT.has(ext)) read = await readOne(file, into);
    else
      read = err(
        ErrorCode.BadInput,
        `${file.source} is not a Markdown file, a text file, a folder or a zip (Meitheal imports .md, .markdown, .txt and .zip). Nothing was imported.`,
      );
    if (!read.ok) return read;
  }
  return ok({ files: into.files, problems: into.problems });
}
