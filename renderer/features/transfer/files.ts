// Files as people choose and save them. In the desktop app the system dialog chooses (through the
// preload bridge) and the peer, on the same computer, reads or writes the path. In browser mode a
// file the person picks or drops is uploaded to the peer (POST /files), and a file the peer writes
// is fetched (GET /files/<id>) and saved by the browser as a download; no path of the peer's is
// shown. Both requests carry the page's token as a Bearer header (docs/DESIGN.md, "Files").
import {
  FILES_PATH,
  MAX_UPLOAD_BYTES,
  type DownloadInfo,
  type FileSource,
  type FileTarget,
  type UploadInfo,
} from "../../../shared/contract.ts";
import type { ChooseFilesRequest, DesktopBridge, FilePurpose } from "../../../shared/bridge.ts";
import { ErrorCode, err, ok, type Result } from "../../../shared/result.ts";
import { readToken } from "../../connection.ts";
import { t } from "../../i18n/index.ts";

/** Bytes moved so far of a known total (an upload or a download). */
export type Transferred = { done: number; total: number };

/** A file the person chose: one from their browser, or a path on the peer's computer. */
export type ChosenFile =
  | { kind: "browser"; file: File; name: string; bytes: number }
  | { kind: "path"; path: string; name: string };

/** The desktop app's bridge when it can show the system file dialog; undefined in a browser. */
export const desktopFiles = ():
  (DesktopBridge & Required<Pick<DesktopBridge, "chooseFiles">>) | undefined => {
  const bridge = typeof window === "undefined" ? undefined : window.meitheal;
  return bridge?.chooseFiles
    ? (bridge as DesktopBridge & Required<Pick<DesktopBridge, "chooseFiles">>)
    : undefined;
};

/** The system dialog's answer: paths chosen, or null when the person cancelled it. */
export async function chooseWithDialog(request: ChooseFilesRequest): Promise<string[] | null> {
  const bridge = desktopFiles();
  if (!bridge) return null;
  const paths = await bridge.chooseFiles(request);
  return paths && paths.length > 0 ? paths : null;
}

/** The last part of a path, as a person names a file. */
export const baseName = (path: string) => path.split(/[/\\]/).filter(Boolean).pop() ?? path;

const failure = (message: string) => err<never>(ErrorCode.Unavailable, message);

function authorization(): Result<string> {
  const token = readToken();
  return token ? ok(`Bearer ${token}`) : failure(t("files.noToken"));
}

/** The peer's refusal ({ error: { message } }) or a readable fallback. */
function refusal(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return body.error.message;
  } catch {
    // Not the peer's JSON (a proxy, a dropped connection): the status says enough.
  }
  return t("files.refused", { status: String(status) });
}

/**
 * Sends one file to the peer (browser mode), reporting bytes sent. `signal` cancels: nothing is
 * kept then, and the answer is a BadInput "cancelled" that callers treat as a quiet no.
 */
export function uploadFile(
  file: File,
  onProgress: (p: Transferred) => void,
  signal?: AbortSignal,
): Promise<Result<UploadInfo>> {
  if (file.size > MAX_UPLOAD_BYTES)
    return Promise.resolve(
      err(
        ErrorCode.BadInput,
        t("files.tooLarge", { name: file.name, mb: String(MAX_UPLOAD_BYTES / 1024 ** 2) }),
      ),
    );
  const auth = authorization();
  if (!auth.ok) return Promise.resolve(auth);
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${FILES_PATH}?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("Authorization", auth.value);
    xhr.upload.onprogress = (e) =>
      onProgress({ done: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = () => {
      if (xhr.status === 200) {
        onProgress({ done: file.size, total: file.size });
        resolve(ok(JSON.parse(xhr.responseText) as UploadInfo));
      } else resolve(failure(refusal(xhr.status, xhr.responseText)));
    };
    xhr.onerror = () => resolve(failure(t("files.sendFailed", { name: file.name })));
    xhr.onabort = () => resolve(err(ErrorCode.BadInput, CANCELLED));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/** The message of a transfer the person cancelled (not shown as a failure). */
export const CANCELLED = "cancelled";

/** The chosen files as the contract's FileSources: uploads sent first (browser mode). */
export async function sourcesOf(
  chosen: readonly ChosenFile[],
  onProgress: (p: Transferred) => void,
  signal?: AbortSignal,
): Promise<Result<FileSource[]>> {
  const total = chosen.reduce((n, c) => n + (c.kind === "browser" ? c.bytes : 0), 0);
  let before = 0;
  const sources: FileSource[] = [];
  for (const c of chosen) {
    if (c.kind === "path") {
      sources.push({ kind: "path", path: c.path });
      continue;
    }
    const sent = await uploadFile(
      c.file,
      (p) => onProgress({ done: before + p.done, total }),
      signal,
    );
    if (!sent.ok) return sent;
    before += c.bytes;
    sources.push({ kind: "upload", id: sent.value.id });
  }
  return ok(sources);
}

/**
 * Fetches a file the peer wrote for this window (once: the peer forgets it then) and hands it to
 * the browser as a download named as the peer named it.
 */
export async function saveDownload(
  download: DownloadInfo,
  onProgress: (p: Transferred) => void,
): Promise<Result<null>> {
  const auth = authorization();
  if (!auth.ok) return auth;
  let response: Response;
  try {
    response = await fetch(`${FILES_PATH}/${encodeURIComponent(download.id)}`, {
      headers: { Authorization: auth.value },
      cache: "no-store",
    });
  } catch {
    return failure(t("files.fetchFailed", { name: download.name }));
  }
  if (!response.ok) return failure(refusal(response.status, await response.text()));
  const chunks: Uint8Array[] = [];
  let done = 0;
  const reader = response.body?.getReader();
  if (reader) {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      chunks.push(next.value);
      done += next.value.byteLength;
      onProgress({ done, total: download.bytes });
    }
  }
  const blob = new Blob(chunks as BlobPart[], {
    type: response.headers.get("content-type") ?? "application/octet-stream",
  });
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = download.name;
  anchor.style.display = "none";
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // The browser has taken the file once click() returns; the URL is freed a little later for
  // browsers that read it asynchronously.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return ok(null);
}

/**
 * Where a file the peer writes goes: the typed path when "Advanced" is open ("empty" when nothing
 * is typed), else the system save dialog's path in the desktop app (null when cancelled: nothing
 * changes), else a download named after the typed path's last part.
 */
export async function chooseTarget({
  advanced,
  typed,
  purpose,
}: {
  advanced: boolean;
  typed: string;
  purpose: FilePurpose;
}): Promise<FileTarget | "empty" | null> {
  const path = typed.trim();
  if (advanced) return path ? { kind: "path", path } : "empty";
  if (desktopFiles()) {
    const chosen = await chooseWithDialog({ mode: "save", purpose, defaultName: baseName(path) });
    return chosen?.[0] ? { kind: "path", path: chosen[0] } : null;
  }
  return { kind: "download", name: baseName(path) };
}
