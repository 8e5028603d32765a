// Browser mode's beacon endpoint (web.ts routes it here once the Host is checked):
//   POST /beacon/<communityId>?token=…   the changes a leaving window had not yet seen reach this
//                                         peer (shared/beacon.ts frames them), applied to documents
//                                         this peer already holds.
// A window's last changes before a reload, a closed tab or a navigation are sent over its sync
// WebSocket too, but Chromium does not reliably deliver WebSocket data sent while a page unloads;
// navigator.sendBeacon is the browser's sanctioned way out. A beacon cannot set headers, so the
// token is in the query, as the WebSockets take it.
//
// Nothing in a beacon is trusted unchecked. The whole beacon is checked before any of it is
// applied, and any refusal leaves every document as it was:
// - the token (the same comparison as the WebSockets and /files), and a foreign Origin refused;
// - the community is on this device and its index is loaded;
// - every document is one the community lists (its index, its roster, its entries: the rule LAN
//   sync and offline bundles apply) and already on this peer: a beacon never creates a document;
// - every document's bytes must be Automerge change chunks (loadIncremental alone skips what it
//   cannot read) that load onto a copy of it before the real one is touched; anything else is
//   refused (400);
// - the body is capped (413) and only POST is taken.
import * as Automerge from "@automerge/automerge";
import type { AutomergeUrl, DocHandle } from "@automerge/automerge-repo";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  BEACON_PATH,
  MAX_BEACON_BYTES,
  decodeBeacon,
  type BeaconRecord,
} from "../shared/beacon.ts";
import type { OpenCommunity } from "./communities.ts";
import { listedDocuments } from "./sync/membership.ts";

/** How long a listed document stored on disk may take to load. */
const LOAD_TIMEOUT_MS = 10_000;

export type BeaconEndpointOptions = {
  community: (id: string) => OpenCommunity | undefined;
  /** Whether the query's token is the page's (compared in constant time by web.ts). */
  authorized: (token: string | null) => boolean;
  /** Origins of the page itself (http://127.0.0.1:<port>, http://localhost:<port>). */
  origins: () => ReadonlySet<string>;
  /** One line per beacon applied: counts only, never content. */
  log: (line: string) => void;
  /** The largest body read (tests lower it); MAX_BEACON_BYTES otherwise. */
  maxBytes?: number;
};

const answer = (res: ServerResponse, status: number, body: unknown) => {
  res
    .writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    })
    .end(JSON.stringify(body));
};

/** A refusal, `{ error: { code, message } }` as the contract's errors read (nobody shows it). */
const refuse = (res: ServerResponse, status: number, message: string) =>
  answer(res, status, { error: { code: "denied", message } });

/** Answers `req` when it is the beacon endpoint (true), or leaves it to others (false). */
export function serveBeacon(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: BeaconEndpointOptions,
): boolean {
  const { pathname } = url;
  if (pathname !== BEACON_PATH && !pathname.startsWith(`${BEACON_PATH}/`)) return false;
  const origin = req.headers.origin;
  if (origin !== undefined && !options.origins().has(origin)) {
    refuse(res, 403, "This page is not the peer's own.");
  } else if (!options.authorized(url.searchParams.get("token"))) {
    refuse(res, 401, "The peer did not recognise this window.");
  } else if (req.method !== "POST") {
    res.writeHead(405, { allow: "POST" }).end();
  } else {
    receive(req, res, pathname.slice(BEACON_PATH.length + 1), options).catch((e: unknown) => {
      // A disk that fails the flush, a body cut off: said to the log, never a crash of the peer.
      options.log(`A closing window's last changes could not be taken (${String(e)}).`);
      if (!res.headersSent) refuse(res, 500, "The peer could not take the beacon.");
    });
    return true;
  }
  req.resume();
  return true;
}

async function receive(
  req: IncomingMessage,
  res: ServerResponse,
  communityId: string,
  options: BeaconEndpointOptions,
) {
  const community = /^[A-Za-z0-9]{1,100}$/.test(communityId)
    ? options.community(communityId)
    : undefined;
  if (!community?.index?.isReady()) {
    req.resume();
    return refuse(res, 404, "That community is not open on this device.");
  }
  const body = await readCapped(req, options.maxBytes ?? MAX_BEACON_BYTES);
  if (body === undefined) {
    res.setHeader("connection", "close");
    return refuse(res, 413, "The beacon is larger than the peer takes.");
  }
  const decoded = decodeBeacon(body);
  if (!decoded.ok) return refuse(res, 400, `The beacon could not be read (${decoded.reason}).`);

  const listed = new Set(listedDocuments(community));
  const checked: { handle: DocHandle<unknown>; changes: Uint8Array }[] = [];
  for (const record of decoded.records) {
    if (!listed.has(record.documentId))
      return refuse(res, 403, "The beacon names a document this community does not list.");
    const handle = await heldHandle(community, record);
    if (!handle) return refuse(res, 404, "The beacon names a document this peer does not hold.");
    if (!loadsOnto(handle.doc(), record.changes))
      return refuse(res, 400, "The beacon's changes are not Automerge changes this peer can take.");
    checked.push({ handle, changes: record.changes });
  }

  let changed = 0;
  for (const { handle, changes } of checked) {
    const before = Automerge.getHeads(handle.doc()).join();
    handle.update((doc) => Automerge.loadIncremental(doc, changes));
    if (Automerge.getHeads(handle.doc()).join() !== before) changed++;
  }
  // On disk before the answer: the window is gone, and the peer may be stopped next.
  await community.repo.flush(checked.map((c) => c.handle.documentId));
  options.log(
    `A closing window's last changes: ${checked.length} document(s), ${body.byteLength} bytes, ${changed} changed.`,
  );
  answer(res, 200, { documents: checked.length, changed });
}

/**
 * The peer's handle of a document it already holds (open, or stored on disk), or undefined. A
 * document neither open nor stored is never looked up: the repo would ask linked devices for it and
 * keep an empty handle.
 */
async function heldHandle(
  community: OpenCommunity,
  { documentId }: BeaconRecord,
): Promise<DocHandle<unknown> | undefined> {
  const open = community.repo.handles[documentId as never] as DocHandle<unknown> | undefined;
  if (open) return open.isReady() ? open : undefined;
  const stored = await community.storage.loadRange([documentId]).catch(() => []);
  if (stored.length === 0) return undefined;
  const timeout = new Promise<undefined>((resolve) =>
    setTimeout(() => resolve(undefined), LOAD_TIMEOUT_MS).unref(),
  );
  const found = community.repo
    .find<unknown>(`automerge:${documentId}` as AutomergeUrl)
    .catch(() => undefined);
  const handle = await Promise.race([found, timeout]);
  return handle?.isReady() ? handle : undefined;
}

const CHUNK_MAGIC = [0x85, 0x6f, 0x4a, 0x83];
const CHANGE_CHUNK = 1;
const COMPRESSED_CHANGE_CHUNK = 2;

/**
 * The hashes of the changes `bytes` is made of (what Automerge.saveSince writes: change chunks one
 * after another), or undefined when it is anything else. Automerge.loadIncremental itself is
 * lenient: it skips what it cannot read (a file cut short by a crash), so garbage would load "fine".
 */
export function changeHashes(bytes: Uint8Array): string[] | undefined {
  const hashes: string[] = [];
  let at = 0;
  try {
    while (at < bytes.byteLength) {
      // magic (4), checksum (4), type (1), length (LEB128), then the chunk's body.
      if (CHUNK_MAGIC.some((b, i) => bytes[at + i] !== b)) return undefined;
      const type = bytes[at + 8];
      if (type !== CHANGE_CHUNK && type !== COMPRESSED_CHANGE_CHUNK) return undefined;
      let p = at + 9;
      let length = 0;
      for (let shift = 0; ; shift += 7) {
        const byte = bytes[p++];
        if (byte === undefined || shift > 28) return undefined;
        length += (byte & 0x7f) * 2 ** shift;
        if ((byte & 0x80) === 0) break;
      }
      if (p + length > bytes.byteLength) return undefined;
      hashes.push(Automerge.decodeChange(bytes.subarray(at, p + length)).hash);
      at = p + length;
    }
  } catch {
    return undefined;
  }
  return hashes;
}

/**
 * Whether `changes` are Automerge changes that load onto `doc`: tried on a copy, and every change
 * must then be in it. A change that does not follow from what this peer holds (its dependencies
 * missing) would only wait in the document, unseen: a window sends changes since heads the peer
 * had, so this is refused too.
 */
function loadsOnto(doc: unknown, changes: Uint8Array): boolean {
  const hashes = changeHashes(changes);
  if (!hashes) return false;
  try {
    const copy = Automerge.loadIncremental(Automerge.clone(doc as Automerge.Doc<unknown>), changes);
    return Automerge.hasHeads(copy, hashes);
  } catch {
    return false;
  }
}

/** The request's body, or undefined once it is larger than `limit` (the rest is read and dropped). */
function readCapped(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.byteLength;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return resolve(undefined);
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!over) resolve(new Uint8Array(Buffer.concat(chunks)));
    });
    req.on("error", () => resolve(undefined));
  });
}
