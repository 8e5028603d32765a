// The system file dialog for the renderer (bridge.chooseFiles): the page asks through the preload,
// main checks the request (an app page, the top frame, a known purpose, sane names) and shows
// dialog.showOpenDialog / showSaveDialog parented to the page's window, with the purpose's filters.
// The answer is the paths chosen, or null when the person cancelled (nothing then changes). The
// renderer hands the path to the peer, which runs on this same computer.
import {
  BrowserWindow,
  dialog,
  ipcMain,
  type FileFilter,
  type IpcMainInvokeEvent,
  type OpenDialogOptions,
  type SaveDialogOptions,
} from "electron";
import {
  CHOOSE_FILES_CHANNEL,
  isChooseFilesRequest,
  type ChooseFilesRequest,
  type FilePurpose,
} from "../shared/bridge.ts";
import { t, type StringKey } from "./strings.ts";

/** What each purpose's dialog offers, first filter first. */
const FILTERS: Record<FilePurpose, { name: StringKey; extensions: string[] }[]> = {
  import: [{ name: "files.filter.markdown", extensions: ["md", "markdown", "txt", "zip"] }],
  backup: [{ name: "files.filter.backup", extensions: ["meitheal-backup"] }],
  bundle: [{ name: "files.filter.bundle", extensions: ["meitheal-sync"] }],
  export: [{ name: "files.filter.export", extensions: ["epub", "html", "pdf", "zip"] }],
  harvest: [{ name: "files.filter.harvest", extensions: ["html", "pdf"] }],
  map: [{ name: "files.filter.map", extensions: ["svg", "png"] }],
};

export function filtersFor(request: ChooseFilesRequest): FileFilter[] {
  const own = request.extensions?.length
    ? [{ name: t(FILTERS[request.purpose][0]!.name), extensions: request.extensions }]
    : FILTERS[request.purpose].map((f) => ({ name: t(f.name), extensions: f.extensions }));
  return [...own, { name: t("files.filter.all"), extensions: ["*"] }];
}

export type ChooseFilesDeps = {
  isAppPage: (url: string) => boolean;
  /** The window of the page that asked (parent of the dialog). */
  windowOf: (event: IpcMainInvokeEvent) => BrowserWindow | null;
  showOpen: (
    parent: BrowserWindow | null,
    options: OpenDialogOptions,
  ) => Promise<{ canceled: boolean; filePaths: string[] }>;
  showSave: (
    parent: BrowserWindow | null,
    options: SaveDialogOptions,
  ) => Promise<{ canceled: boolean; filePath?: string }>;
};

export function chooseFilesHandler(deps: ChooseFilesDeps) {
  return async (event: IpcMainInvokeEvent, request: unknown): Promise<string[] | null> => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !deps.isAppPage(frame.url)) {
      console.warn(`Refused a file dialog request from ${frame?.url ?? "a closed frame"}.`);
      return null;
    }
    if (!isChooseFilesRequest(request)) {
      console.warn("Refused a malformed file dialog request.");
      return null;
    }
    const parent = deps.windowOf(event);
    const filters = filtersFor(request);
    if (request.mode === "save") {
      const saved = await deps.showSave(parent, {
        title: t(`files.title.save.${request.purpose}`),
        ...(request.defaultName ? { defaultPath: request.defaultName } : {}),
        filters,
        properties: ["createDirectory", "showOverwriteConfirmation"],
      });
      return saved.canceled || !saved.filePath ? null : [saved.filePath];
    }
    const opened = await deps.showOpen(parent, {
      title: t(`files.title.open.${request.purpose}`),
      filters,
      properties: request.multiple ? ["openFile", "multiSelections"] : ["openFile"],
    });
    return opened.canceled || opened.filePaths.length === 0 ? null : opened.filePaths;
  };
}

/** Installs the handler with Electron's own dialog; returns a function that removes it. */
export function registerChooseFiles(isAppPage: (url: string) => boolean): () => void {
  const handler = chooseFilesHandler({
    isAppPage,
    windowOf: (event) => BrowserWindow.fromWebContents(event.sender),
    showOpen: (parent, options) =>
      parent ? dialog.showOpenDialog(parent, options) : dialog.showOpenDialog(options),
    showSave: (parent, options) =>
      parent ? dialog.showSaveDialog(parent, options) : dialog.showSaveDialog(options),
  });
  ipcMain.handle(CHOOSE_FILES_CHANNEL, handler);
  return () => ipcMain.removeHandler(CHOOSE_FILES_CHANNEL);
}
