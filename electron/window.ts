// Every window is made by createWindow, with web preferences a caller cannot loosen: a renderer
// that runs hostile text (anything a peer synced) must not reach Node, navigate away, open windows
// or ask for devices. App pages are served from a privileged custom scheme rather than file://,
// because file:// pages have an opaque origin: 'self' in the CSP, fetch() of automerge's wasm and
// the sender check of the IPC would all misbehave.
import {
  BrowserWindow,
  net,
  protocol,
  screen,
  session,
  shell,
  type Rectangle,
  type Session,
  type WebContents,
} from "electron";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { readJson, writeJsonAtomic } from "../peer/storage/atomicFile.ts";

const CSP_DIRECTIVES = {
  "default-src": ["'self'"],
  // wasm-unsafe-eval lets automerge compile its wasm; it does not allow eval() of strings.
  "script-src": ["'self'", "'wasm-unsafe-eval'"],
  // ProseMirror and React set style attributes inline.
  "style-src": ["'self'", "'unsafe-inline'"],
  "img-src": ["'self'", "data:", "blob:"],
  "connect-src": ["'self'"],
  "object-src": ["'none'"],
  "base-uri": ["'none'"],
  "frame-ancestors": ["'none'"],
  "form-action": ["'none'"],
} as const;

type Directive = keyof typeof CSP_DIRECTIVES;

const buildCsp = (extra: Partial<Record<Directive, readonly string[]>> = {}): string =>
  (Object.keys(CSP_DIRECTIVES) as Directive[])
    .map((name) => [name, ...CSP_DIRECTIVES[name], ...(extra[name] ?? [])].join(" "))
    .join("; ");

/** The policy every packaged app page gets. */
export const CONTENT_SECURITY_POLICY = buildCsp();

/**
 * The policy for pages from the Vite dev server (never in a packaged app): React Fast Refresh
 * injects an inline module script, and hot reload talks over a WebSocket to the dev server.
 */
export const devContentSecurityPolicy = (devServerUrl: string): string => {
  const ws = new URL(devServerUrl);
  ws.protocol = ws.protocol === "https:" ? "wss:" : "ws:";
  return buildCsp({
    "script-src": ["'unsafe-inline'"],
    "connect-src": [`${ws.protocol}//${ws.host}`],
  });
};

/** App pages live at meitheal-app://ui/…; not `meitheal://`, which invite links may one day claim. */
export const APP_SCHEME = "meitheal-app";
export const APP_HOST = "ui";
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

export type AppPages = {
  /** Folder with the built renderer (out/renderer), served under APP_ENTRY_URL. */
  rendererDir: string | undefined;
  /** The Vite dev server, only when the app is not packaged. */
  devServerUrl: string | undefined;
};

let pages: AppPages = { rendererDir: undefined, devServerUrl: undefined };

/** Tells this module where app pages come from; the IPC sender check and the CSP follow it. */
export function configureAppPages(next: AppPages): void {
  pages = { ...next };
}

/** Where a new window should go: the dev server while developing, else the packaged pages. */
export const appEntryUrl = (): string => pages.devServerUrl ?? APP_ENTRY_URL;

const parseUrl = (url: string): URL | undefined => {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
};

const devOrigin = (): string | undefined =>
  pages.devServerUrl ? parseUrl(pages.devServerUrl)?.origin : undefined;

/** Whether `url` is one of our own pages (the only senders the IPC answers). */
export function isAppPage(url: string): boolean {
  const u = parseUrl(url);
  if (!u) return false;
  // Node's URL gives custom schemes an opaque origin, so compare scheme and host instead.
  if (u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST) return true;
  const dev = devOrigin();
  return dev !== undefined && u.origin === dev;
}

/** A navigation is allowed only as a reload of the dev server by the dev server (Vite's full reload). */
export function isAllowedNavigation(currentUrl: string, targetUrl: string): boolean {
  const dev = devOrigin();
  return (
    dev !== undefined && parseUrl(currentUrl)?.origin === dev && parseUrl(targetUrl)?.origin === dev
  );
}

/** Only web links leave the app, and only to the system browser: never file:, smb:, custom handlers. */
export function isExternalWebUrl(url: string): boolean {
  const u = parseUrl(url);
  return (u?.protocol === "http:" || u?.protocol === "https:") && !isAppPage(url);
}

/** Maps an app-page path to a file inside `root`, or undefined if it would escape it. */
export function resolveAppFile(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const inner = decoded.replace(/^\/+/, "");
  const file = resolve(root, inner === "" ? "index.html" : inner);
  const rel = relative(resolve(root), file);
  if (rel === "" || isAbsolute(rel) || rel.split(sep)[0] === "..") return undefined;
  return file;
}

const notFound = () =>
  new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain" } });

async function serveAppFile(request: Request): Promise<Response> {
  const url = parseUrl(request.url);
  const file =
    pages.rendererDir && url?.host === APP_HOST
      ? resolveAppFile(pages.rendererDir, url.pathname)
      : undefined;
  if (!file) return notFound();
  let response: Response;
  try {
    response = await net.fetch(pathToFileURL(file).toString());
  } catch {
    return notFound();
  }
  // Set here as well as in onHeadersReceived: whether webRequest sees protocol.handle responses is
  // not something to rely on for the one header that matters most.
  const headers = new Headers(response.headers);
  headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  return new Response(response.body, { status: response.status, headers });
}

/** Must run before the app is ready: the scheme needs a real origin, fetch and secure-context status. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ]);
}

/** The policy for a response, or undefined for responses that are not ours to police. */
export function contentSecurityPolicyFor(url: string): string | undefined {
  if (!isAppPage(url)) return undefined;
  return pages.devServerUrl && parseUrl(url)?.origin === devOrigin()
    ? devContentSecurityPolicy(pages.devServerUrl)
    : CONTENT_SECURITY_POLICY;
}

/** CSP on app pages, every permission denied, and the app scheme served. Call once, after ready. */
export function installAppSession(ses: Session = session.defaultSession): void {
  ses.webRequest.onHeadersReceived((details, callback) => {
    const policy = contentSecurityPolicyFor(details.url);
    if (!policy) {
      callback({});
      return;
    }
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== "content-security-policy") headers[name] = value;
    }
    headers["Content-Security-Policy"] = [policy];
    callback({ responseHeaders: headers });
  });
  // Camera, microphone, notifications, geolocation, HID, USB…: Meitheal needs none of them, and a
  // synced document must not be able to ask for them.
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setDevicePermissionHandler(() => false);
  if (pages.rendererDir) ses.protocol.handle(APP_SCHEME, serveAppFile);
}

/** The fixed settings of every window. */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webviewTag: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: true,
} as const;

function guardContents(contents: WebContents): void {
  contents.on("will-navigate", (event) => {
    if (!isAllowedNavigation(contents.getURL(), event.url)) event.preventDefault();
  });
  contents.on("will-redirect", (event) => {
    if (!isAllowedNavigation(contents.getURL(), event.url)) event.preventDefault();
  });
  contents.on("will-attach-webview", (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalWebUrl(url)) {
      shell
        .openExternal(url)
        .catch((e: unknown) => console.warn(`Could not open ${url} in the browser:`, e));
    }
    return { action: "deny" };
  });
}

export type WindowState = {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
};

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1200, height: 800, maximized: false };
const MIN_WIDTH = 640;
const MIN_HEIGHT = 480;
const SAVE_DEBOUNCE_MS = 400;

const isCoordinate = (v: unknown): v is number =>
  typeof v === "number" && Number.isFinite(v) && Math.abs(v) < 1e6;
const isSize = (v: unknown): v is number => isCoordinate(v) && v >= 1;

/** A saved state read from disk, or undefined when it is missing or not a state at all. */
export function parseWindowState(value: unknown): WindowState | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (!isSize(v.width) || !isSize(v.height)) return undefined;
  const state: WindowState = {
    width: Math.round(v.width),
    height: Math.round(v.height),
    maximized: v.maximized === true,
  };
  if (isCoordinate(v.x) && isCoordinate(v.y)) {
    state.x = Math.round(v.x);
    state.y = Math.round(v.y);
  }
  return state;
}

const overlap = (a: Rectangle, b: Rectangle): number =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) *
  Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

const within = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

/**
 * Puts a saved state on a display that exists now: a window saved on a monitor that has since been
 * unplugged, or larger than the screen, would otherwise open where nobody can see or grab it.
 */
export function clampToDisplays(
  state: WindowState,
  displays: readonly { workArea: Rectangle }[],
  primary: { workArea: Rectangle } | undefined = displays[0],
): WindowState {
  if (!primary) return state;
  const wanted = {
    width: Math.max(MIN_WIDTH, state.width),
    height: Math.max(MIN_HEIGHT, state.height),
  };
  if (state.x === undefined || state.y === undefined) {
    const area = primary.workArea;
    return {
      width: Math.min(wanted.width, area.width),
      height: Math.min(wanted.height, area.height),
      maximized: state.maximized,
    };
  }
  const bounds = { x: state.x, y: state.y, ...wanted };
  let best: { workArea: Rectangle } | undefined;
  let bestOverlap = 0;
  for (const display of displays) {
    const o = overlap(bounds, display.workArea);
    if (o > bestOverlap) {
      best = display;
      bestOverlap = o;
    }
  }
  const area = (best ?? primary).workArea;
  const width = Math.min(wanted.width, area.width);
  const height = Math.min(wanted.height, area.height);
  const x = best
    ? within(bounds.x, area.x, area.x + area.width - width)
    : area.x + Math.round((area.width - width) / 2);
  const y = best
    ? within(bounds.y, area.y, area.y + area.height - height)
    : area.y + Math.round((area.height - height) / 2);
  return { x, y, width, height, maximized: state.maximized };
}

/** Reads a saved window state; a missing or damaged file just means the default size. */
export async function loadWindowState(file: string): Promise<WindowState | undefined> {
  try {
    return parseWindowState(await readJson(file));
  } catch {
    return undefined;
  }
}

const pendingWrites = new Set<Promise<void>>();
const liveTrackers = new Set<() => void>();

/**
 * Saves every tracked window now and waits for all writes. The app calls it before quitting: the
 * windows' own "close" saves happen so late in a quit that the process may end mid-write.
 */
export async function flushWindowStates(): Promise<void> {
  for (const save of [...liveTrackers]) save();
  await Promise.all([...pendingWrites]);
}

/** Saves the window's bounds after it stops moving or resizing, and once more as it closes. */
export function trackWindowState(
  win: BrowserWindow,
  file: string,
  debounceMs = SAVE_DEBOUNCE_MS,
): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let chain: Promise<void> = Promise.resolve();
  const save = () => {
    if (win.isDestroyed()) return;
    // Normal bounds, so un-maximizing after a restart returns to the size the person chose.
    const b = win.getNormalBounds();
    const state: WindowState = {
      x: b.x,
      y: b.y,
      width: b.width,
      height: b.height,
      maximized: win.isMaximized(),
    };
    chain = chain
      .then(() => writeJsonAtomic(file, state))
      .catch((e: unknown) => console.warn(`Could not remember the window position in ${file}:`, e));
    const write = chain;
    pendingWrites.add(write);
    void write.finally(() => pendingWrites.delete(write));
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(save, debounceMs);
  };
  win.on("resize", schedule);
  win.on("move", schedule);
  win.on("maximize", schedule);
  win.on("unmaximize", schedule);
  win.on("close", () => {
    clearTimeout(timer);
    save();
    liveTrackers.delete(save);
  });
  win.on("closed", () => liveTrackers.delete(save));
  liveTrackers.add(save);
}

export type CreateWindowOptions = {
  url: string;
  /** Built preload script (CommonJS: sandboxed preloads cannot be ES modules). */
  preload: string;
  title?: string;
  /** Where to remember this window's bounds; windows without one open at the default size. */
  stateFile?: string;
};

/** The one way to make a window. */
export async function createWindow(options: CreateWindowOptions): Promise<BrowserWindow> {
  const saved = options.stateFile ? await loadWindowState(options.stateFile) : undefined;
  const state = clampToDisplays(
    saved ?? DEFAULT_WINDOW_STATE,
    screen.getAllDisplays(),
    screen.getPrimaryDisplay(),
  );
  const win = new BrowserWindow({
    title: options.title ?? "Meitheal",
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: options.preload },
  });
  guardContents(win.webContents);
  win.once("ready-to-show", () => {
    if (state.maximized) win.maximize();
    win.show();
  });
  if (options.stateFile) trackWindowState(win, options.stateFile);
  win
    .loadURL(options.url)
    .catch((e: unknown) => console.error(`Could not load ${options.url}:`, e));
  return win;
}
