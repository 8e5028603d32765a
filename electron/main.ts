// Electron's main process: one instance per data folder, the peer in a utility process, windows,
// the menu and the dialogs. It holds no documents; those live in the peer.
import { app, BrowserWindow, dialog, type MessageBoxOptions } from "electron";
import { join, resolve } from "node:path";
import { defaultDataDir } from "../peer/dataDir.ts";
import { backupPathIn, callOverPort, offerRestore } from "./backupFile.ts";
import { registerChooseFiles } from "./files.ts";
import { registerChannelIpc } from "./ipc.ts";
import { installMenu } from "./menu.ts";
import { electronPdfPrinter } from "./pdf.ts";
import { PeerProcess, type PeerExit } from "./peerProcess.ts";
import { t } from "./strings.ts";
import {
  appEntryUrl,
  configureAppPages,
  createWindow,
  flushWindowStates,
  installAppSession,
  isAppPage,
  registerAppScheme,
} from "./window.ts";

// Built layout (electron.vite.config.ts): out/main/{main,peer}.js, out/preload/preload.cjs, out/renderer/.
const here = import.meta.dirname;
export const PEER_ENTRY = join(here, "peer.js");
export const PRELOAD = join(here, "..", "preload", "preload.cjs");
export const RENDERER_DIR = join(here, "..", "renderer");

/** `--data DIR` as the headless peer takes it, so both can be pointed at the same folder. */
export function dataDirFromArgv(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (arg === "--data" && next) return resolve(next);
    if (arg?.startsWith("--data=") && arg.length > "--data=".length)
      return resolve(arg.slice("--data=".length));
  }
  return defaultDataDir();
}

type QuitState = "running" | "flushing" | "done";

let peer: PeerProcess | undefined;
let mainWindow: BrowserWindow | undefined;
let quitState: QuitState = "running";
let ready = false;
let crashDialogOpen = false;
/** A backup file the app was asked to open before it was ready (argv, or macOS "open-file"). */
let pendingBackup: string | undefined;

const liveMainWindow = (): BrowserWindow | undefined =>
  mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined;

const showMessage = (options: MessageBoxOptions) => {
  const parent = liveMainWindow();
  return parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options);
};

async function openMainWindow(): Promise<void> {
  const win = await createWindow({
    url: appEntryUrl(),
    preload: PRELOAD,
    title: t("app.name"),
    stateFile: join(app.getPath("userData"), "window-state.json"),
  });
  mainWindow = win;
  win.on("closed", () => {
    if (mainWindow === win) mainWindow = undefined;
  });
}

function focusMainWindow(): void {
  const win = liveMainWindow();
  if (!win) {
    if (ready) openMainWindow().catch(reportStartupError);
    return;
  }
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

/** Opening a .meitheal-backup file: check it, ask, restore, then show the community. */
function openBackup(path: string): void {
  const p = peer;
  if (!ready || !p) {
    pendingBackup = path;
    return;
  }
  focusMainWindow();
  void offerRestore(path, {
    call: callOverPort(() => p.openChannel({ kind: "rpc" })),
    showMessage,
    openCommunity: (id) => {
      const win = liveMainWindow();
      if (win) void win.loadURL(`${appEntryUrl()}#/c/${encodeURIComponent(id)}/stories`);
    },
    openRestorePage: (file) => {
      const win = liveMainWindow();
      if (win) void win.loadURL(`${appEntryUrl()}#/restore/${encodeURIComponent(file)}`);
    },
  });
}

async function showAbout(): Promise<void> {
  await showMessage({
    type: "info",
    message: t("app.name"),
    detail: t("about.detail", { version: app.getVersion() }),
    buttons: [t("dialog.ok")],
  });
}

/** The peer said why it cannot start (data folder unusable, locked by another Meitheal…): say so, then quit. */
async function showFatal(message: string): Promise<void> {
  await showMessage({
    type: "error",
    message: t("peer.fatal.message"),
    detail: message,
    buttons: [t("dialog.ok")],
  });
  app.quit();
}

async function offerRestart(): Promise<void> {
  if (crashDialogOpen) return;
  crashDialogOpen = true;
  const { response } = await showMessage({
    type: "warning",
    message: t("peer.crashed.message"),
    detail: t("peer.crashed.detail"),
    buttons: [t("peer.crashed.restart"), t("peer.crashed.quit")],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
  });
  crashDialogOpen = false;
  if (response !== 0 || quitState !== "running") {
    app.quit();
    return;
  }
  peer?.start();
  // Their ports died with the old peer; a reload makes each page ask for new ones.
  for (const win of BrowserWindow.getAllWindows()) win.webContents.reload();
}

function onPeerExit(exit: PeerExit): void {
  if (exit.expected || exit.fatal !== undefined || quitState !== "running") return;
  console.error(`The Meitheal peer exited unexpectedly (code ${exit.code}).`);
  offerRestart().catch(reportStartupError);
}

function reportStartupError(e: unknown): void {
  console.error("Meitheal could not start:", e);
  dialog.showErrorBox(t("peer.fatal.message"), e instanceof Error ? e.message : String(e));
  app.quit();
}

async function onReady(dataDir: string): Promise<void> {
  configureAppPages({
    rendererDir: RENDERER_DIR,
    devServerUrl: app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL,
  });
  installAppSession();
  const p = new PeerProcess({ entry: PEER_ENTRY, dataDir, printPdf: electronPdfPrinter() });
  peer = p;
  p.onFatal((message) => {
    showFatal(message).catch(reportStartupError);
  });
  p.onExit(onPeerExit);
  p.start();
  registerChannelIpc({ openChannel: (request) => p.openChannel(request), isAppPage });
  registerChooseFiles(isAppPage);
  installMenu({
    platform: process.platform,
    isPackaged: app.isPackaged,
    onAbout: () => {
      showAbout().catch((e: unknown) => console.warn("Could not show the About box:", e));
    },
  });
  ready = true;
  await openMainWindow();
  const backup = pendingBackup;
  pendingBackup = undefined;
  if (backup) openBackup(backup);
}

function main(): void {
  const dataDir = dataDirFromArgv(process.argv);
  // Chromium's own files (caches, local storage, its single-instance lock) go in a subfolder of the
  // data folder: the packaged default would be that very folder, mixing them with the peer's data,
  // and one instance per data folder (not per machine) lets two profiles sync on one laptop.
  app.setPath("userData", join(dataDir, "electron"));
  app.enableSandbox();
  registerAppScheme();

  if (!app.requestSingleInstanceLock()) {
    // The first instance gets "second-instance" and comes forward; this one has nothing to do.
    app.quit();
    return;
  }

  pendingBackup = backupPathIn(process.argv.slice(1));
  app.on("second-instance", (_event, argv?: string[]) => {
    focusMainWindow();
    const backup = backupPathIn((argv ?? []).slice(1));
    if (backup) openBackup(backup);
  });
  // macOS hands a double-clicked .meitheal-backup file over here (the association in
  // build/electron-builder.json), possibly before the app is ready.
  app.on("open-file", (event, path: string) => {
    event.preventDefault();
    openBackup(path);
  });
  app.on("activate", () => focusMainWindow());
  app.on("window-all-closed", () => {
    if (process.platform !== "darwin") app.quit();
  });
  app.on("before-quit", (event) => {
    if (quitState === "done") return;
    // Hold the quit until the peer has flushed its documents and exited (or the timeout hit).
    event.preventDefault();
    if (quitState === "flushing") return;
    quitState = "flushing";
    void Promise.allSettled([peer?.stop() ?? Promise.resolve(), flushWindowStates()]).then(() => {
      quitState = "done";
      app.quit();
    });
  });

  app
    .whenReady()
    .then(() => onReady(dataDir))
    .catch(reportStartupError);
}

main();
