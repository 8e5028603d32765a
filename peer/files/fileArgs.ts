// The contract's file arguments (FileSource, FileTarget) turned into what the services take, a path
// on this device, and their answers turned back: a call that read an upload or wrote a download
// never shows where the peer keeps it (its summary says `path: null`, its messages name the file
// as the person knows it), and a download's summary carries what the window fetches.
import type { DownloadInfo } from "../../shared/contract.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { downloadName, type Transfers } from "./transfers.ts";

/** A file a call reads: its path on this device, and how messages name it. */
export type SourceFile = { path: string; label: string; upload: string | null };

/** The longest typed path the peer takes (longer is not a path anyone typed). */
const MAX_PATH_CHARS = 4096;

const badArgument = (what: string) =>
  err<never>(
    ErrorCode.BadInput,
    `The ${what} this window sent is not one the peer understands. Nothing was changed. Reload the window and try again.`,
  );

/** A FileSource checked (it comes from a window) and looked up. */
export function sourceFile(transfers: Transfers, source: unknown): Result<SourceFile> {
  const s = source as Partial<{ kind: unknown; path: unknown; id: unknown }> | null | undefined;
  if (s?.kind === "path" && typeof s.path === "string" && s.path.length <= MAX_PATH_CHARS)
    return ok({ path: s.path, label: s.path, upload: null });
  if (s?.kind === "upload") {
    const upload = transfers.upload(s.id);
    return upload.ok
      ? ok({ path: upload.value.path, label: upload.value.name, upload: upload.value.id })
      : upload;
  }
  return badArgument("file to read");
}

/** The path a summary names, kept only when it is not in the transfer area. */
const shownPath = (path: string | null, file: SourceFile): string | null =>
  file.upload === null ? path : null;

/** A result with every mention of where uploads live replaced by the names people gave them. */
function hidden<T>(transfers: Transfers, files: readonly SourceFile[], result: Result<T>) {
  if (result.ok || files.every((f) => f.upload === null)) return result;
  let message = result.error.message;
  for (const f of files) if (f.upload !== null) message = transfers.hide(message, f.path, f.label);
  return err<T>(result.error.code, message);
}

/**
 * Runs `read` on the file `source` names. With `useUp`, an upload is forgotten once the call
 * succeeded (it has done what it was sent for); otherwise it stays for the next call (a preview,
 * then the import).
 */
export async function readingSource<T extends { path: string | null }>(
  transfers: Transfers,
  source: unknown,
  read: (path: string) => Promise<Result<T>>,
  { useUp = false }: { useUp?: boolean } = {},
): Promise<Result<T>> {
  const file = sourceFile(transfers, source);
  if (!file.ok) return file;
  const result = hidden(transfers, [file.value], await read(file.value.path));
  if (!result.ok) return result;
  if (useUp && file.value.upload !== null) await transfers.forget(file.value.upload);
  return ok({ ...result.value, path: shownPath(result.value.path, file.value) });
}

/** Every FileSource of a list, looked up; upload names made distinct, as they name a preview's rows. */
export function sourceFiles(transfers: Transfers, sources: unknown): Result<SourceFile[]> {
  if (!Array.isArray(sources) || sources.length > 10_000) return badArgument("list of files");
  const files: SourceFile[] = [];
  const labels = new Set<string>();
  for (const source of sources) {
    const file = sourceFile(transfers, source);
    if (!file.ok) return file;
    let label = file.value.label;
    if (file.value.upload !== null) {
      const dot = label.lastIndexOf(".");
      const [stem, extension] = dot > 0 ? [label.slice(0, dot), label.slice(dot)] : [label, ""];
      for (let n = 2; labels.has(label); n++) label = `${stem} (${n})${extension}`;
    }
    labels.add(label);
    files.push({ ...file.value, label });
  }
  return ok(files);
}

/** Runs `read` on several sources (an import); uploads used up once it succeeds, with `useUp`. */
export async function readingSources<T>(
  transfers: Transfers,
  sources: unknown,
  read: (files: SourceFile[]) => Promise<Result<T>>,
  { useUp = false }: { useUp?: boolean } = {},
): Promise<Result<T>> {
  const files = sourceFiles(transfers, sources);
  if (!files.ok) return files;
  const result = hidden(transfers, files.value, await read(files.value));
  if (result.ok && useUp)
    for (const f of files.value) if (f.upload !== null) await transfers.forget(f.upload);
  return result;
}

/** What a file-writing call's summary holds about where the file went. */
type Written = { path: string | null; download: DownloadInfo | null };

/**
 * Runs `write` to the place `target` names. A path is handed on as typed (the service checks it);
 * a download gets a new file in the transfer area with the peer's own `extension`, and the
 * summary then names the download instead of the path. A failed write leaves nothing there.
 */
export async function writingTarget<T extends Written>(
  transfers: Transfers,
  target: unknown,
  file: { extension: string; fallbackName: string },
  write: (path: string) => Promise<Result<T>>,
): Promise<Result<T>> {
  const t = target as Partial<{ kind: unknown; path: unknown; name: unknown }> | null | undefined;
  if (t?.kind === "path" && typeof t.path === "string" && t.path.length <= MAX_PATH_CHARS)
    return write(t.path);
  if (t?.kind !== "download") return badArgument("place to save to");
  const name = downloadName(t.name, file.extension, file.fallbackName);
  const reserved = transfers.reserveDownload(name, file.extension);
  if (!reserved.ok) return reserved;
  const { id, path } = reserved.value;
  const result = await write(path).catch((e: unknown) =>
    err<T>(ErrorCode.Internal, `The file could not be written (${(e as Error).message}).`),
  );
  if (!result.ok || result.value.path !== path) {
    await transfers.forget(id);
    if (result.ok)
      return err(ErrorCode.Internal, "The file was not written where the peer expected it.");
    return err(result.error.code, transfers.hide(result.error.message, path, name));
  }
  const download = await transfers.completeDownload(id);
  if (!download.ok) return download;
  return ok({ ...result.value, path: null, download: download.value });
}
