// Browser mode's file endpoints (web.ts routes them here once the Host is checked):
//   POST /files?name=<the file's name>  streams the request body into the transfer area and answers
//                                        the upload's id (UploadInfo), which a FileSource names;
//   GET  /files/<id>                     streams a download a call wrote, once, then removes it.
// Both need the page's token as `Authorization: Bearer <token>`, the same secret the WebSockets
// take. A header, not the URL: a header never lands in history, logs or a Referer, and another
// site's page cannot send one to us without a CORS preflight, which this server never grants. So a
// download is fetched by the page (fetch with the header) and saved from a Blob, not navigated to.
// A request carrying a foreign Origin is refused as well, like the WebSockets.
import { createReadStream } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname } from "node:path";
import { pipeline } from "node:stream/promises";
import { FILES_PATH, MAX_UPLOAD_BYTES } from "../../shared/contract.ts";
import { ErrorCode } from "../../shared/result.ts";
import { tooLarge, type Transfers } from "./transfers.ts";

/** What a download is sent as, by the extension the peer gave it. */
const DOWNLOAD_TYPES: Record<string, string> = {
  ".epub": "application/epub+zip",
  ".html": "text/html; charset=utf-8",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
};

export type FileEndpointOptions = {
  transfers: Transfers;
  /** Whether `Authorization` carries the page's token (compared in constant time by web.ts). */
  authorized: (token: string | null) => boolean;
  /** Origins of the page itself (http://127.0.0.1:<port>, http://localhost:<port>). */
  origins: () => ReadonlySet<string>;
  /** The largest upload taken (tests lower it). */
  maxUploadBytes?: number;
};

const reply = (res: ServerResponse, status: number, body: unknown) => {
  res
    .writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    })
    .end(JSON.stringify(body));
};

/** A refusal a page can show: `{ error: { code, message } }`, as the contract's errors read. */
const refuse = (res: ServerResponse, status: number, code: string, message: string) =>
  reply(res, status, { error: { code, message } });

const bearer = (req: IncomingMessage): string | null => {
  const header = req.headers.authorization;
  const match = header ? /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(header) : null;
  return match?.[1] ?? null;
};

/**
 * Answers `req` when it is one of the file endpoints (true), or leaves it to the static files
 * (false).
 */
export function serveFiles(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: FileEndpointOptions,
): boolean {
  const { pathname } = url;
  if (pathname !== FILES_PATH && !pathname.startsWith(`${FILES_PATH}/`)) return false;
  const origin = req.headers.origin;
  if (origin !== undefined && !options.origins().has(origin)) {
    refuse(res, 403, "denied", "This page is not the peer's own: files are refused.");
    req.resume();
    return true;
  }
  if (!options.authorized(bearer(req))) {
    refuse(
      res,
      401,
      "denied",
      "The peer did not recognise this window. Open the address the peer printed, then try again.",
    );
    req.resume();
    return true;
  }
  if (pathname === FILES_PATH && req.method === "POST") {
    void receive(req, res, url, options);
    return true;
  }
  const id = pathname.slice(FILES_PATH.length + 1);
  if (pathname.startsWith(`${FILES_PATH}/`) && req.method === "GET") {
    void send(res, id, options.transfers);
    return true;
  }
  res.writeHead(405, { allow: pathname === FILES_PATH ? "POST" : "GET" }).end();
  req.resume();
  return true;
}

async function receive(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  { transfers, maxUploadBytes = MAX_UPLOAD_BYTES }: FileEndpointOptions,
) {
  // A declared size over the cap is refused before a byte is read; an undeclared one is counted.
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > maxUploadBytes) {
    refuse(res, 413, ErrorCode.BadInput, tooLarge(maxUploadBytes));
    drainThenClose(req);
    return;
  }
  // The window may give up (a cancelled upload): then nothing received is kept.
  let abandoned = false;
  res.once("close", () => {
    if (!res.writableEnded) abandoned = true;
  });
  const received = await transfers.receive(req, {
    name: url.searchParams.get("name"),
    limit: maxUploadBytes,
  });
  if (abandoned) {
    if (received.ok) await transfers.forget(received.value.id);
    return;
  }
  if (received.ok) return reply(res, 200, received.value);
  const status = received.error.code === ErrorCode.BadInput ? 413 : 503;
  refuse(res, status, received.error.code, received.error.message);
  if (status === 413) drainThenClose(req);
}

/** Bytes of a refused upload read (and dropped) so the refusal reaches the window. */
const DRAIN_BYTES = 8 * 1024 * 1024;

/**
 * A refused upload is still being sent. Closing at once would often lose the refusal (the browser
 * sees a reset, not the message), reading all of it wastes time: the rest is read and dropped up
 * to DRAIN_BYTES, then the connection is closed.
 */
function drainThenClose(req: IncomingMessage) {
  let drained = 0;
  req.on("data", (chunk: Buffer) => {
    drained += chunk.byteLength;
    if (drained > DRAIN_BYTES) req.destroy();
  });
  req.resume();
}

async function send(res: ServerResponse, id: string, transfers: Transfers) {
  const download = transfers.takeDownload(id);
  if (!download) {
    refuse(
      res,
      404,
      ErrorCode.NotFound,
      "There is no such file to download: a file is kept for 10 minutes and downloaded once. Save it again.",
    );
    return;
  }
  res.writeHead(200, {
    "content-type": DOWNLOAD_TYPES[extname(download.path)] ?? "application/octet-stream",
    "content-length": String(download.bytes),
    "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(download.name)}`,
    "content-security-policy": "default-src 'none'; sandbox",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  try {
    await pipeline(createReadStream(download.path), res);
  } catch {
    // The window went away mid-download: the file is gone either way, it can be saved again.
    res.destroy();
  } finally {
    await transfers.removeFile(download.path);
  }
}
