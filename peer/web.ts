// Browser mode: the headless peer serves the built UI on 127.0.0.1 and talks to it over loopback
// WebSockets. Only a page that holds the random token may connect, and only from our own origin:
// another site open in the same browser cannot reach the data (Origin and Host checks stop
// cross-site and DNS-rebinding requests; the token stops other local users and pages). Files cross
// over /files (files/http.ts), held to the same token, Origin and Host; a leaving window's last
// changes over /beacon (beacon.ts), likewise.
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { WebSocketServer, type WebSocket } from "ws";
import { serveRpc, type TextPort } from "../shared/rpc.ts";
import { serveBeacon } from "./beacon.ts";
import { serveFiles } from "./files/http.ts";
import type { PeerNode } from "./peerNode.ts";

export const DEFAULT_WEB_DIR = fileURLToPath(new URL("../out/web", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

export const contentSecurityPolicy = (port: number) =>
  [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join("; ");

export type WebServerOptions = {
  node: PeerNode;
  port?: number;
  /** Folder with the built renderer (npm run build:web). */
  webDir?: string;
  /** A fixed token (tests); random otherwise. */
  token?: string;
  /** The largest upload taken (tests lower it); MAX_UPLOAD_BYTES otherwise. */
  maxUploadBytes?: number;
  /** Where a line per applied beacon goes (counts only); the console otherwise. */
  log?: (line: string) => void;
};

export type WebServer = {
  url: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
};

const sameToken = (given: string | null, token: string) => {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
};

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { node } = options;
  const webDir = resolve(options.webDir ?? DEFAULT_WEB_DIR);
  const token = options.token ?? randomBytes(24).toString("base64url");
  try {
    await stat(join(webDir, "index.html"));
  } catch {
    throw new Error(
      `The built app was not found in ${webDir}. Run \`npm run build:web\` first (\`npm run web\` does both).`,
    );
  }

  const server = createServer();
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    void serveStatic(req, res);
  });

  async function serveStatic(req: IncomingMessage, res: ServerResponse) {
    if (!allowedHosts().has(req.headers.host ?? "")) {
      res
        .writeHead(421, { "content-type": "text/plain" })
        .end("Wrong host. Open the address the peer printed.");
      return;
    }
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
    const files = serveFiles(req, res, url, {
      transfers: node.transfers,
      authorized: (given) => sameToken(given, token),
      origins: allowedOrigins,
      ...(options.maxUploadBytes === undefined ? {} : { maxUploadBytes: options.maxUploadBytes }),
    });
    if (files) return;
    const beacon = serveBeacon(req, res, url, {
      community: (id) => node.community(id),
      authorized: (given) => sameToken(given, token),
      origins: allowedOrigins,
      log: options.log ?? ((line) => console.log(line)),
    });
    if (beacon) return;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const target = normalize(join(webDir, path === "/" ? "index.html" : path));
    if (target !== webDir && !target.startsWith(webDir + sep)) {
      res.writeHead(404).end();
      return;
    }
    let file = target;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error("not a file");
    } catch {
      // Client-side routes fall back to the app; missing assets are 404s.
      if (extname(path)) {
        res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
        return;
      }
      file = join(webDir, "index.html");
    }
    const headers: Record<string, string> = {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-security-policy": contentSecurityPolicy(port),
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cross-origin-opener-policy": "same-origin",
      "cache-control": file.endsWith("index.html")
        ? "no-store"
        : "public, max-age=31536000, immutable",
    };
    res.writeHead(200, headers);
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    createReadStream(file)
      .on("error", () => res.destroy())
      .pipe(res);
  }

  const rpcServer = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });
  const syncServers = new Map<string, Promise<WebSocketServer | undefined>>();

  const syncServerFor = (communityId: string): Promise<WebSocketServer | undefined> => {
    const existing = syncServers.get(communityId);
    if (existing) return existing;
    if (!node.community(communityId)) return Promise.resolve(undefined);
    const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
    // The stock adapter is typed against isomorphic-ws; it is the same `ws` server at run time.
    const adapter = new WebSocketServerAdapter(
      wss as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0],
    );
    const ready = node.attachSync(communityId, adapter).then((ok) => (ok ? wss : undefined));
    syncServers.set(communityId, ready);
    return ready;
  };

  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!allowedHosts().has(req.headers.host ?? ""))
      return refuse(socket, 421, "Misdirected Request");
    // Browsers always send Origin on a WebSocket upgrade, so a page of another site is refused
    // here. A request without one is a program (a test, a benchmark client), not a page: it is held
    // to the token like everyone else, and could have sent any Origin it liked.
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin))
      return refuse(socket, 403, "Forbidden");
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
    if (!sameToken(url.searchParams.get("token"), token))
      return refuse(socket, 401, "Unauthorized");
    if (url.pathname === "/ws/rpc") {
      rpcServer.handleUpgrade(req, socket, head, (ws) =>
        serveRpc(wsTextPort(ws), node.handlers, node.on),
      );
      return;
    }
    const match = /^\/ws\/sync\/([A-Za-z0-9]{1,100})$/.exec(url.pathname);
    if (!match?.[1]) return refuse(socket, 404, "Not Found");
    void syncServerFor(match[1]).then((wss) => {
      if (!wss) return refuse(socket, 404, "Not Found");
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    server,
    async close() {
      for (const client of rpcServer.clients) client.terminate();
      for (const pending of syncServers.values()) {
        const wss = await pending;
        for (const client of wss?.clients ?? []) client.terminate();
        wss?.close();
      }
      rpcServer.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export function wsTextPort(ws: WebSocket): TextPort {
  return {
    send: (text) => {
      if (ws.readyState === ws.OPEN) ws.send(text);
    },
    onMessage: (listener) =>
      ws.on("message", (data, isBinary) => {
        if (!isBinary)
          listener(
            Buffer.isBuffer(data)
              ? data.toString("utf8")
              : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString("utf8"),
          );
      }),
    onClose: (listener) => ws.on("close", listener),
  };
}
