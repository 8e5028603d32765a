// The loopback development link: two `meitheal-peer serve` processes on ONE machine, each with its
// own data folder, sync their communities over a WebSocket on 127.0.0.1. It exists so that
// co-writing, presence and sync can be built and tested before the secure LAN transport (Noise over
// TCP, rosters, invites) lands, and it is deliberately not that: it refuses any address but the
// loopback one, and a shared random secret (compared in constant time) is all that keeps other
// programs on the machine out. Whoever holds the secret may sync every community the listening peer
// has.
//
// Peer A: `serve --link-listen PORT [--link-secret S]` serves each of its communities at
//   ws://127.0.0.1:PORT/link/v1/sync/<communityId> through automerge-repo's WebSocketServerAdapter.
// Peer B: `serve --link-connect 127.0.0.1:PORT --link-secret S [--join ID]…` first asks A which
//   communities it has (an authenticated GET, which also checks the secret), joins the ones named
//   by --join (an empty repo that fetches the index from A), and links every community both have,
//   each through a WebSocketClientAdapter that reconnects by itself if A restarts.
import {
  WebSocketClientAdapter,
  WebSocketServerAdapter,
} from "@automerge/automerge-repo-network-websocket";
import { cbor, type Message, type PeerId, type PeerMetadata } from "@automerge/automerge-repo";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { isDocumentId } from "../../shared/ids.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import type { PeerNode } from "../main.ts";

export const LOOPBACK_ONLY =
  "the loopback link is for testing on one machine; LAN sync comes with the secure transport";

const PATH_COMMUNITIES = "/link/v1/communities";
const PATH_SYNC = "/link/v1/sync/";
const SECRET_HEADER = "x-meitheal-link-secret";
/** A secret shorter than this is a typo or a guess, not a random secret. */
const MIN_SECRET_LENGTH = 16;
const MAX_PAYLOAD = 64 * 1024 * 1024;
const PROBE_TIMEOUT_MS = 5_000;
/** How often a client whose listener went away tries again. */
const RETRY_MS = 2_000;

/** A fresh random secret for a link (192 bits, URL-safe). */
// Hex, not base64url: a secret that starts with "-" reads as an option on the command line.
export const newLinkSecret = (): string => randomBytes(24).toString("hex");

export function checkLinkSecret(secret: unknown): Result<string> {
  if (typeof secret !== "string" || secret.length === 0)
    return err(ErrorCode.BadInput, "--link-secret needs the link's shared secret.");
  if (!/^[A-Za-z0-9_-]+$/.test(secret))
    return err(
      ErrorCode.BadInput,
      "--link-secret may contain only letters, digits, - and _ (the listening peer prints one).",
    );
  if (secret.length < MIN_SECRET_LENGTH)
    return err(
      ErrorCode.BadInput,
      `--link-secret is too short to be a random secret (at least ${MIN_SECRET_LENGTH} characters); leave it out on the listening side and one is made for you.`,
    );
  return ok(secret);
}

/** Digests first, so the comparison takes the same time whatever the lengths. */
export function sameSecret(given: string | undefined | null, secret: string): boolean {
  if (typeof given !== "string") return false;
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(secret));
}

export function checkLinkPort(value: unknown): Result<number> {
  const text = String(value);
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return err(
      ErrorCode.BadInput,
      `--link-listen needs a port from 0 to 65535 (0 picks a free one); got "${text}".`,
    );
  return ok(port);
}

/** `127.0.0.1:PORT` or `localhost:PORT`; anything else is refused with LOOPBACK_ONLY. */
export function parseLoopbackAddress(value: unknown): Result<{ host: "127.0.0.1"; port: number }> {
  const text = typeof value === "string" ? value.trim() : "";
  const match = /^(?:ws:\/\/)?(\[[^\]]*\]|[^:/]+):(\d{1,5})\/?$/.exec(text);
  if (!match?.[1] || !match[2])
    return err(
      ErrorCode.BadInput,
      `--link-connect needs HOST:PORT, for example 127.0.0.1:7777; got "${text}".`,
    );
  const host = match[1].toLowerCase();
  // "localhost" may resolve to ::1, where nothing listens: the listener binds 127.0.0.1 only.
  if (host !== "127.0.0.1" && host !== "localhost")
    return err(ErrorCode.BadInput, `Refused "${match[1]}": ${LOOPBACK_ONLY}.`);
  const port = Number(match[2]);
  if (port < 1 || port > 65535)
    return err(ErrorCode.BadInput, `--link-connect needs a port from 1 to 65535; got ${port}.`);
  return ok({ host: "127.0.0.1", port });
}

// ───────────────────────────── listening side ─────────────────────────────

export type DevLinkListener = {
  port: number;
  secret: string;
  close(): Promise<void>;
};

export async function listenDevLink(
  node: PeerNode,
  options: { port: number; secret: string },
): Promise<DevLinkListener> {
  const { secret } = options;
  const server: Server = createServer();
  let port = 0;
  const hostOk = (req: IncomingMessage) =>
    req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`;
  // Browsers always send Origin (and a page may reach 127.0.0.1 through DNS rebinding); the other
  // peer never does, so a request carrying one is not the other peer.
  const fromPeer = (req: IncomingMessage) =>
    hostOk(req) &&
    req.headers.origin === undefined &&
    (req.socket.remoteAddress === "127.0.0.1" || req.socket.remoteAddress === "::ffff:127.0.0.1");

  server.on("request", (req, res) => {
    if (!fromPeer(req)) return void res.writeHead(403).end();
    if (!sameSecret(headerOf(req, SECRET_HEADER), secret))
      return void res.writeHead(401, { "content-type": "text/plain" }).end("Wrong link secret.");
    if (req.method !== "GET" || req.url !== PATH_COMMUNITIES) return void res.writeHead(404).end();
    res
      .writeHead(200, { "content-type": "application/json", "cache-control": "no-store" })
      .end(JSON.stringify({ communities: node.communityIds() }));
  });

  type Served = { wss: WebSocketServer; adapter: DevLinkServerAdapter };
  const syncServers = new Map<string, Promise<Served | undefined>>();
  const syncServerFor = (communityId: string): Promise<Served | undefined> => {
    const existing = syncServers.get(communityId);
    if (existing) return existing;
    if (!node.community(communityId)) return Promise.resolve(undefined);
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD });
    // The stock adapter is typed against isomorphic-ws; it is the same `ws` server at run time.
    const adapter = new DevLinkServerAdapter(
      wss as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0],
    );
    const ready = node
      .attachSync(communityId, adapter)
      .then((ok) => (ok ? { wss, adapter } : undefined));
    syncServers.set(communityId, ready);
    return ready;
  };

  const refuse = (socket: Duplex, status: number, text: string) =>
    void socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!fromPeer(req)) return refuse(socket, 403, "Forbidden");
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
    // The stock client adapter cannot send headers, so on the socket the secret rides in the query.
    if (!sameSecret(url.searchParams.get("secret"), secret))
      return refuse(socket, 401, "Unauthorized");
    const id = url.pathname.startsWith(PATH_SYNC) ? url.pathname.slice(PATH_SYNC.length) : "";
    if (!isDocumentId(id)) return refuse(socket, 404, "Not Found");
    void syncServerFor(id).then((served) => {
      if (!served) return refuse(socket, 404, "Not Found");
      const { wss } = served;
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    secret,
    async close() {
      for (const [id, pending] of syncServers) {
        const served = await pending;
        if (!served) continue;
        for (const client of served.wss.clients) client.terminate();
        served.wss.close();
        node.detachSync(id, served.adapter);
      }
      syncServers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const headerOf = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

type ServerSocket = Parameters<WebSocketServerAdapter["receiveMessage"]>[1];

/**
 * The stock server adapter drops every message whose senderId is not the peer that joined on that
 * socket. That is right for sync messages, but an ephemeral message (presence) relayed by the other
 * peer keeps the senderId of the window that wrote it, so presence from the other side would never
 * arrive. Here an ephemeral message is accepted from any socket that has joined (it passed the
 * secret); everything else goes through the stock checks unchanged.
 */
class DevLinkServerAdapter extends WebSocketServerAdapter {
  override receiveMessage(messageBytes: Uint8Array, socket: ServerSocket): void {
    let message: unknown;
    try {
      message = cbor.decode(messageBytes);
    } catch {
      return super.receiveMessage(messageBytes, socket);
    }
    const joined = Object.values(this.sockets).includes(socket);
    if (
      joined &&
      typeof message === "object" &&
      message !== null &&
      "type" in message &&
      message.type === "ephemeral"
    ) {
      this.emit("message", message as Message);
      return;
    }
    super.receiveMessage(messageBytes, socket);
  }
}

// ───────────────────────────── connecting side ─────────────────────────────

/**
 * The stock client adapter, made safe to run unattended: it throws from its socket's error handler
 * on anything but ECONNREFUSED (a refused upgrade, a reset mid-handshake), which would end the peer
 * process; and a reconnect it scheduled before disconnect() would still fire and dial again.
 */
export class DevLinkClientAdapter extends WebSocketClientAdapter {
  #stopped = false;
  #lastError = "";

  constructor(
    url: string,
    private readonly onProblem: (message: string) => void,
  ) {
    super(url, RETRY_MS);
  }

  override onError = (event: unknown) => {
    const error =
      typeof event === "object" && event !== null && "error" in event ? event.error : event;
    const message = error instanceof Error ? error.message : "connection failed";
    // The socket closes after an error and the adapter dials again; one line per kind of failure.
    if (message !== this.#lastError) {
      this.#lastError = message;
      this.onProblem(message);
    }
  };

  override connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    if (this.#stopped) return;
    super.connect(peerId, peerMetadata);
  }

  override peerCandidate(remotePeerId: PeerId, peerMetadata: PeerMetadata): void {
    this.#lastError = "";
    super.peerCandidate(remotePeerId, peerMetadata);
  }

  override disconnect(): void {
    this.#stopped = true;
    // The stock disconnect asserts there is a socket; after a lost link there may be none.
    if (this.socket) super.disconnect();
  }
}

/** Where a community is served on a listening peer. */
export const linkUrl = (
  address: { host: string; port: number },
  communityId: string,
  secret: string,
) =>
  `ws://${address.host}:${address.port}${PATH_SYNC}${communityId}?secret=${encodeURIComponent(secret)}`;

export type DevLinkConnection = {
  /** The communities linked, joined ones included. */
  communities: string[];
  close(): Promise<void>;
};

export type ConnectOptions = {
  address: { host: "127.0.0.1"; port: number };
  secret: string;
  /** Community ids to join (if not here yet) and link. With none, every community both peers have is linked. */
  join?: readonly string[];
  /** Where to report link trouble after start (a lost listener, a refused reconnect). */
  onProblem?: (message: string) => void;
};

/** Asks the listening peer which communities it has; this also proves the secret. */
async function remoteCommunities(
  address: ConnectOptions["address"],
  secret: string,
): Promise<Result<string[]>> {
  const where = `${address.host}:${address.port}`;
  return new Promise((resolve) => {
    const req = request(
      {
        host: address.host,
        port: address.port,
        path: PATH_COMMUNITIES,
        method: "GET",
        headers: { [SECRET_HEADER]: secret },
        timeout: PROBE_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          if (res.statusCode === 401)
            return resolve(
              err(ErrorCode.BadInput, `The peer at ${where} refused the link secret.`),
            );
          if (res.statusCode !== 200)
            return resolve(
              err(
                ErrorCode.Unavailable,
                `The program at ${where} is not a Meitheal link (HTTP ${res.statusCode}).`,
              ),
            );
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
              communities?: unknown;
            };
            const list = Array.isArray(body.communities)
              ? body.communities.filter((c): c is string => isDocumentId(c))
              : [];
            resolve(ok(list));
          } catch {
            resolve(err(ErrorCode.Unavailable, `The peer at ${where} sent an unreadable answer.`));
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)));
    req.on("error", (e: NodeJS.ErrnoException) =>
      resolve(
        err(
          ErrorCode.Unavailable,
          e.code === "ECONNREFUSED"
            ? `Nothing is listening on ${where}. Start the other peer with --link-listen first.`
            : `Could not reach ${where} (${e.message}).`,
        ),
      ),
    );
    req.end();
  });
}

export async function connectDevLink(
  node: PeerNode,
  options: ConnectOptions,
): Promise<Result<DevLinkConnection>> {
  const { address, secret } = options;
  const theirs = await remoteCommunities(address, secret);
  if (!theirs.ok) return theirs;
  const remote = new Set(theirs.value);
  const join = [...new Set(options.join ?? [])];
  for (const id of join) {
    if (!remote.has(id))
      return err(
        ErrorCode.NotFound,
        `The peer at ${address.host}:${address.port} has no community ${id}.`,
      );
  }
  for (const id of join) {
    const joined = await node.joinCommunity(id);
    if (!joined.ok) return joined;
  }
  const ids = join.length > 0 ? join : node.communityIds().filter((id) => remote.has(id));
  const report = options.onProblem ?? (() => undefined);
  const linked: { id: string; adapter: DevLinkClientAdapter }[] = [];
  for (const id of ids) {
    const adapter = new DevLinkClientAdapter(linkUrl(address, id, secret), (message) =>
      report(`link to ${address.host}:${address.port} (${id}): ${message}`),
    );
    if (await node.attachSync(id, adapter)) linked.push({ id, adapter });
  }
  return ok({
    communities: linked.map((l) => l.id),
    close() {
      for (const { id, adapter } of linked) node.detachSync(id, adapter);
      linked.length = 0;
      return Promise.resolve();
    },
  });
}

// ───────────────────────────── command line ─────────────────────────────

/** The options `meitheal-peer serve` takes for the link (see LINK_HELP). */
export const LINK_OPTIONS = {
  "link-listen": { type: "string" },
  "link-connect": { type: "string" },
  "link-secret": { type: "string" },
  join: { type: "string", multiple: true },
} as const;

export const LINK_USAGE =
  "[--link-listen PORT | --link-connect 127.0.0.1:PORT --join ID] [--link-secret S]";

export const LINK_HELP = [
  "Loopback link — for development and tests only, until the secure LAN transport lands.",
  "It syncs two peers on this one machine and refuses any other address.",
  "  --link-listen PORT          serve this peer's communities to a linked peer on 127.0.0.1:PORT",
  "                              (0 picks a free port); prints the line to start the other peer",
  "  --link-connect 127.0.0.1:PORT  link to a peer started with --link-listen",
  "  --link-secret S             the link's shared random secret, the same on both sides; made",
  "                              for you on the listening side when left out",
  "  --join ID                   (with --link-connect) add the other peer's community ID here and",
  "                              sync it; repeatable. Without --join every community both have syncs.",
].join("\n");

export type LinkPlan = {
  listen?: { port: number; secret: string; generated: boolean };
  connect?: ConnectOptions;
};

type LinkValues = {
  "link-listen"?: unknown;
  "link-connect"?: unknown;
  "link-secret"?: unknown;
  join?: unknown;
};

/** Checks the link flags before anything starts; a usage error is returned, never thrown. */
export function planDevLink(values: LinkValues): Result<LinkPlan> {
  const plan: LinkPlan = {};
  const given = values["link-secret"];
  const joins = Array.isArray(values.join) ? values.join.map(String) : [];
  if (values["link-connect"] === undefined && joins.length > 0)
    return err(ErrorCode.BadInput, "--join needs --link-connect (the peer to join from).");
  if (values["link-connect"] === undefined && values["link-listen"] === undefined) {
    if (given !== undefined)
      return err(ErrorCode.BadInput, "--link-secret needs --link-listen or --link-connect.");
    return ok(plan);
  }
  if (values["link-connect"] !== undefined) {
    const address = parseLoopbackAddress(values["link-connect"]);
    if (!address.ok) return address;
    const secret = checkLinkSecret(given);
    if (!secret.ok) return secret;
    for (const id of joins)
      if (!isDocumentId(id))
        return err(
          ErrorCode.BadInput,
          `--join needs a community id (meitheal-peer communities lists them); got "${String(id)}".`,
        );
    plan.connect = { address: address.value, secret: secret.value, join: joins };
  }
  if (values["link-listen"] !== undefined) {
    const port = checkLinkPort(values["link-listen"]);
    if (!port.ok) return port;
    if (given === undefined) {
      plan.listen = { port: port.value, secret: newLinkSecret(), generated: true };
    } else {
      const secret = checkLinkSecret(given);
      if (!secret.ok) return secret;
      plan.listen = { port: port.value, secret: secret.value, generated: false };
    }
  }
  return ok(plan);
}

export type RunningLinks = { lines: string[]; close(): Promise<void> };

/** Starts what the plan asks for; returns the lines to print, or an error (nothing left running). */
export async function startDevLinks(
  node: PeerNode,
  plan: LinkPlan,
  onProblem: (message: string) => void,
): Promise<Result<RunningLinks>> {
  const lines: string[] = [];
  let listener: DevLinkListener | undefined;
  if (plan.listen) {
    try {
      listener = await listenDevLink(node, plan.listen);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return err(
        ErrorCode.Unavailable,
        code === "EADDRINUSE"
          ? `Link port ${plan.listen.port} is already in use. Choose another with --link-listen PORT, or 0 for any free port.`
          : `The link could not listen: ${(e as Error).message}`,
      );
    }
    const secret = plan.listen.generated ? listener.secret : "<the same secret>";
    const example = node.communityIds()[0] ?? "COMMUNITY_ID";
    lines.push(
      `Loopback link (development and tests only) listening on 127.0.0.1:${listener.port}.`,
      `Link another peer on this machine with:`,
      `  meitheal-peer serve --data OTHER_DIR --link-connect 127.0.0.1:${listener.port} --link-secret ${secret} --join ${example}`,
    );
  }
  let connection: DevLinkConnection | undefined;
  if (plan.connect) {
    const connected = await connectDevLink(node, { ...plan.connect, onProblem });
    if (!connected.ok) {
      await listener?.close();
      return connected;
    }
    connection = connected.value;
    lines.push(
      connection.communities.length === 0
        ? `Loopback link to 127.0.0.1:${plan.connect.address.port}: no community in common; name one with --join ID.`
        : `Loopback link to 127.0.0.1:${plan.connect.address.port} (development and tests only): syncing ${connection.communities.join(", ")}.`,
    );
  }
  return ok({
    lines,
    async close() {
      await connection?.close();
      await listener?.close();
    },
  });
}
