// Files that cross between a browser window and its peer (browser mode: docs/DESIGN.md, "Files"):
// uploads the window sends for a call to read (an import, a backup to restore, a bundle), and
// downloads a call wrote for the window to fetch (an export, a backup, a bundle, a harvest). They
// live in the data folder's `transfers/` area and nowhere else.
//
// Threat model: whoever holds the page's token may upload and fetch (web.ts checks it, with Origin
// and Host, before anything here runs); nobody else may. Within that, an id is the only handle on a
// file: 192 random bits, looked up in this process's table, so an id a window makes up, one with
// path characters, or one from a previous run names nothing. No name a person chose is ever used
// on disk: files are `<id>.upload` or `<id>.<extension the peer chose>`. Everything expires after
// TRANSFER_TTL_MS; a download is handed out once; an upload is used up by the call that acts on it
// (restore, import, reading a bundle). What a previous run left behind is removed on start.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { DownloadInfo, UploadInfo } from "../../shared/contract.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { fileErrorReason, ReplacementFile } from "../storage/userFile.ts";

/** How long an upload or a download is kept for the window. */
export const TRANSFER_TTL_MS = 10 * 60_000;
/** Uploads and downloads kept at once; more are refused until some are used or expire. */
export const MAX_TRANSFERS = 200;
/** The folder inside the data folder. */
export const TRANSFERS_FOLDER = "transfers";

const ID_BYTES = 24;
const ID = /^[A-Za-z0-9_-]{32}$/;
const SWEEP_EVERY_MS = 60_000;
const MAX_NAME_CHARS = 200;

/** Whether `value` has the shape of a transfer id (it may still name nothing). */
export const isTransferId = (value: unknown): value is string =>
  typeof value === "string" && ID.test(value);

// Separators, characters Windows refuses in a name, and control characters.
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME = /[/\\:*?"<>|\u0000-\u001f\u007f]+/g;

/**
 * A name a person's file had, as the peer shows it (never as it stores it): the last part of any
 * path, unsafe characters dropped, not too long; `fallback` when nothing is left.
 */
export function displayName(name: unknown, fallback: string): string {
  const text = typeof name === "string" ? name : "";
  const last = text.split(/[/\\]/).pop() ?? "";
  const cleaned = last.replace(UNSAFE_NAME, " ").replace(/\s+/g, " ").trim().replace(/^\.+/, "");
  if (cleaned === "") return fallback;
  if (cleaned.length <= MAX_NAME_CHARS) return cleaned;
  // Long names keep their extension, which says what the file is.
  const dot = cleaned.lastIndexOf(".");
  const extension = dot > 0 && cleaned.length - dot <= 20 ? cleaned.slice(dot) : "";
  return cleaned.slice(0, MAX_NAME_CHARS - extension.length).trimEnd() + extension;
}

/** `name` made safe and ending in `.extension` (added when it ends otherwise). */
export function downloadName(name: unknown, extension: string, fallback: string): string {
  const base = displayName(name, fallback);
  return base.toLowerCase().endsWith(`.${extension.toLowerCase()}`)
    ? base
    : displayName(`${base}.${extension}`, `${fallback}.${extension}`);
}

type Entry = {
  kind: "upload" | "download";
  path: string;
  name: string;
  bytes: number;
  expiresAt: number;
  /** A download being written: not yet for fetching. */
  pending: boolean;
};

/** An upload as a call reads it: where it is (for the peer only) and what the person called it. */
export type Upload = { id: string; path: string; name: string; bytes: number };

/** A download handed out: stream `path`, then remove it (`Transfers.removeFile`). */
export type Download = { path: string; name: string; bytes: number };

export const GONE =
  "That file is no longer on the peer: a file sent to it is kept for 10 minutes and used once. Choose the file again. Nothing was changed.";

export class Transfers {
  readonly dir: string;
  readonly #entries = new Map<string, Entry>();
  #receiving = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    dataDir: string,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = TRANSFER_TTL_MS,
  ) {
    this.dir = join(dataDir, TRANSFERS_FOLDER);
  }

  /**
   * Removes whatever a previous run left in the transfer area (its ids died with it) and starts
   * expiring this run's transfers. Call once, on start.
   */
  async start(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const names = await readdir(this.dir);
      const live = new Set([...this.#entries.values()].map((e) => e.path));
      await Promise.all(
        names
          .map((name) => join(this.dir, name))
          .filter((path) => !live.has(path))
          .map((path) => rm(path, { recursive: true, force: true })),
      );
    } catch (e) {
      // Not fatal: the peer works without uploads, and receive() says why one cannot be kept.
      console.warn(`The transfer area ${this.dir} could not be cleared: ${fileErrorReason(e)}`);
    }
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.expire(), SWEEP_EVERY_MS);
      this.#timer.unref();
    }
  }

  /** Stops expiring; the files stay until the next start removes them. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Removes every transfer whose time is up. */
  async expire(): Promise<void> {
    const now = this.now();
    const gone = [...this.#entries].filter(([, e]) => e.expiresAt <= now && !e.pending);
    for (const [id] of gone) this.#entries.delete(id);
    await Promise.all(gone.map(([, e]) => this.removeFile(e.path)));
  }

  /** Transfers held now (tests, and the cap). */
  get size(): number {
    return this.#entries.size;
  }

  #full(): Result<never> | null {
    return this.#entries.size + this.#receiving >= MAX_TRANSFERS
      ? err(
          ErrorCode.Unavailable,
          `The peer already holds ${MAX_TRANSFERS} files sent or waiting to be saved. Nothing was sent. Wait 10 minutes (they expire), or restart the peer, then try again.`,
        )
      : null;
  }

  #newId(): string {
    let id: string;
    do id = randomBytes(ID_BYTES).toString("base64url");
    while (this.#entries.has(id));
    return id;
  }

  /**
   * Writes an upload's bytes, as they arrive, to a new file in the transfer area (through the one
   * safe writer: a temp file put in place whole). More than `limit` bytes, a body that ends early
   * (`aborted`) or a failing disk leave nothing behind.
   */
  async receive(
    body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: { name: unknown; limit: number },
  ): Promise<Result<UploadInfo>> {
    const full = this.#full();
    if (full) return full;
    const id = this.#newId();
    const path = join(this.dir, `${id}.upload`);
    const name = displayName(options.name, "upload");
    this.#receiving++;
    let file: ReplacementFile | undefined;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      file = await ReplacementFile.create(path, 0o600);
      for await (const chunk of body) {
        if (file.bytes + chunk.byteLength > options.limit) {
          await file.discard();
          return err(ErrorCode.BadInput, tooLarge(options.limit));
        }
        await file.append(chunk);
      }
      await file.commit();
      const bytes = file.bytes;
      this.#entries.set(id, {
        kind: "upload",
        path,
        name,
        bytes,
        expiresAt: this.now() + this.ttlMs,
        pending: false,
      });
      return ok({ id, name, bytes });
    } catch (e) {
      await file?.discard();
      return err(
        ErrorCode.Storage,
        `The file could not be received (${fileErrorReason(e)}). Nothing was kept. Try again; if the disk is full, free some space first.`,
      );
    } finally {
      this.#receiving--;
    }
  }

  /** The upload `id` names, for a call to read; it stays until used up or expired. */
  upload(id: unknown): Result<Upload> {
    const entry = isTransferId(id) ? this.#entries.get(id) : undefined;
    if (!entry || entry.kind !== "upload" || entry.expiresAt <= this.now())
      return err(ErrorCode.NotFound, GONE);
    return ok({ id: id as string, path: entry.path, name: entry.name, bytes: entry.bytes });
  }

  /** Forgets a transfer and removes its file (an upload used up, a download that failed). */
  async forget(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    await this.removeFile(entry.path);
  }

  /**
   * A place in the transfer area for a call to write a download to: `<id>.<extension>`, where the
   * extension is the peer's own (the format's), never the window's.
   */
  reserveDownload(name: string, extension: string): Result<{ id: string; path: string }> {
    if (!/^[a-z0-9-]{1,20}$/.test(extension))
      return err(ErrorCode.Internal, `"${extension}" is not an extension the peer writes.`);
    const full = this.#full();
    if (full) return full;
    const id = this.#newId();
    const path = join(this.dir, `${id}.${extension}`);
    this.#entries.set(id, {
      kind: "download",
      path,
      name,
      bytes: 0,
      expiresAt: this.now() + this.ttlMs,
      pending: true,
    });
    return ok({ id, path });
  }

  /** The reserved download is written: from now on (for TRANSFER_TTL_MS) it may be fetched once. */
  async completeDownload(id: string): Promise<Result<DownloadInfo>> {
    const entry = this.#entries.get(id);
    if (!entry || entry.kind !== "download") return err(ErrorCode.NotFound, GONE);
    try {
      // Written by an exporter with the usual mode: private to this account, as every file of the
      // data folder is (docs/DESIGN.md, Durability).
      await chmod(entry.path, 0o600);
      entry.bytes = (await stat(entry.path)).size;
    } catch (e) {
      await this.forget(id);
      return err(
        ErrorCode.Storage,
        `The file was written but cannot be read back (${fileErrorReason(e)}). Try again.`,
      );
    }
    entry.pending = false;
    entry.expiresAt = this.now() + this.ttlMs;
    return ok({ id, name: entry.name, bytes: entry.bytes });
  }

  /**
   * Hands out a download once: it is forgotten here, so a second fetch of the same id finds
   * nothing. The caller streams the file and then removes it with `removeFile`.
   */
  takeDownload(id: unknown): Download | undefined {
    if (!isTransferId(id)) return undefined;
    const entry = this.#entries.get(id);
    if (!entry || entry.kind !== "download" || entry.pending) return undefined;
    this.#entries.delete(id);
    if (entry.expiresAt <= this.now()) {
      void this.removeFile(entry.path);
      return undefined;
    }
    return { path: entry.path, name: entry.name, bytes: entry.bytes };
  }

  /** Removes a file of the transfer area; never throws (it is clean-up). */
  async removeFile(path: string): Promise<void> {
    await rm(path, { force: true }).catch(() => undefined);
  }

  /** Replaces every mention of the transfer area in `text` (a service's message) with `label`. */
  hide(text: string, path: string, label: string): string {
    return text.split(path).join(label).split(this.dir).join("the peer's transfer area");
  }
}

/** The message for an upload over `limit` bytes. */
export const tooLarge = (limit: number) =>
  `This file is larger than ${Math.round(limit / 1024 ** 2)} MB, more than the browser can send to the peer. Nothing was kept. On the computer the peer runs on, give its path under "Advanced: type a path on this device" instead.`;
