// The system file dialog as the renderer reaches it (electron mocked): the preload's chooseFiles
// goes to main over CHOOSE_FILES_CHANNEL; main shows the right dialog, parented to the window, with
// the purpose's filters; a cancelled dialog answers null; a request from elsewhere or with junk
// arguments shows no dialog at all.
import type { BrowserWindow, IpcMainInvokeEvent } from "electron";
import { describe, expect, it, vi } from "vitest";
import { CHOOSE_FILES_CHANNEL, type DesktopBridge } from "../shared/bridge.ts";

const fake = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  return {
    exposed,
    invoke: vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(),
    handle: vi.fn<(channel: string, listener: unknown) => void>(),
  };
});
vi.mock("electron", () => ({
  ipcMain: { handle: fake.handle, removeHandler: vi.fn() },
  ipcRenderer: { send: vi.fn(), on: vi.fn(), invoke: fake.invoke },
  contextBridge: { exposeInMainWorld: (name: string, api: unknown) => fake.exposed.set(name, api) },
  BrowserWindow: { fromWebContents: vi.fn(() => null) },
  dialog: { showOpenDialog: vi.fn(), showSaveDialog: vi.fn() },
}));

const { chooseFilesHandler, registerChooseFiles } = await import("./files.ts");
const { isAppPage, configureAppPages, APP_ENTRY_URL } = await import("./window.ts");
configureAppPages({ rendererDir: "/app/out/renderer", devServerUrl: undefined });

const win = { id: 7 } as unknown as BrowserWindow;
const eventFrom = (url: string, { subframe = false } = {}) =>
  ({
    senderFrame: { url, parent: subframe ? {} : null },
    sender: {},
  }) as unknown as IpcMainInvokeEvent;

function setup(answers: { open?: string[] | null; save?: string | null } = {}) {
  const showOpen = vi.fn((_parent: BrowserWindow | null, _options: unknown) =>
    Promise.resolve(
      answers.open
        ? { canceled: false, filePaths: answers.open }
        : { canceled: true, filePaths: [] },
    ),
  );
  const showSave = vi.fn((_parent: BrowserWindow | null, _options: unknown) =>
    Promise.resolve(
      answers.save ? { canceled: false, filePath: answers.save } : { canceled: true },
    ),
  );
  const handler = chooseFilesHandler({ isAppPage, windowOf: () => win, showOpen, showSave });
  return { handler, showOpen, showSave };
}

describe("the file dialog through main", () => {
  it("opens Markdown files for an import, several at once, parented to the window", async () => {
    const { handler, showOpen } = setup({ open: ["/home/a/tide.md", "/home/a/bog.md"] });
    const answer = await handler(eventFrom(APP_ENTRY_URL), {
      mode: "open",
      purpose: "import",
      multiple: true,
    });
    expect(answer).toEqual(["/home/a/tide.md", "/home/a/bog.md"]);
    expect(showOpen).toHaveBeenCalledWith(win, {
      title: "Choose Markdown files to import",
      filters: [
        { name: "Markdown, text or zip", extensions: ["md", "markdown", "txt", "zip"] },
        { name: "All files", extensions: ["*"] },
      ],
      properties: ["openFile", "multiSelections"],
    });
  });

  it("saves an export under the suggested name with the format's extension", async () => {
    const { handler, showSave } = setup({ save: "/home/a/Sea stories.epub" });
    const answer = await handler(eventFrom(APP_ENTRY_URL), {
      mode: "save",
      purpose: "export",
      defaultName: "Sea stories.epub",
      extensions: ["epub"],
    });
    expect(answer).toEqual(["/home/a/Sea stories.epub"]);
    expect(showSave).toHaveBeenCalledWith(
      win,
      expect.objectContaining({
        defaultPath: "Sea stories.epub",
        filters: [
          { name: "E-book, web page, PDF or zip", extensions: ["epub"] },
          { name: "All files", extensions: ["*"] },
        ],
      }),
    );
  });

  it("answers null when the person cancels, so nothing changes", async () => {
    const { handler } = setup({ open: null, save: null });
    expect(await handler(eventFrom(APP_ENTRY_URL), { mode: "open", purpose: "backup" })).toBeNull();
    expect(await handler(eventFrom(APP_ENTRY_URL), { mode: "save", purpose: "backup" })).toBeNull();
  });

  it("shows no dialog for junk arguments or a page that is not ours", async () => {
    const { handler, showOpen, showSave } = setup({ open: ["/etc/passwd"], save: "/tmp/x" });
    const junk: unknown[] = [
      null,
      "open",
      [],
      { mode: "delete", purpose: "import" },
      { mode: "open", purpose: "anything" },
      { mode: "open", purpose: "import", multiple: "yes" },
      { mode: "save", purpose: "export", defaultName: "../../.bashrc" },
      { mode: "save", purpose: "export", defaultName: "x".repeat(300) },
      { mode: "save", purpose: "export", extensions: ["../sh"] },
      { mode: "open", purpose: "import", defaultPath: "/etc" },
    ];
    for (const request of junk) expect(await handler(eventFrom(APP_ENTRY_URL), request)).toBeNull();
    expect(
      await handler(eventFrom("https://example.org/"), { mode: "open", purpose: "import" }),
    ).toBeNull();
    expect(
      await handler(eventFrom(APP_ENTRY_URL, { subframe: true }), {
        mode: "open",
        purpose: "import",
      }),
    ).toBeNull();
    expect(showOpen).not.toHaveBeenCalled();
    expect(showSave).not.toHaveBeenCalled();
  });

  it("is reached from the page through the preload's chooseFiles, on the channel main handles", async () => {
    registerChooseFiles(isAppPage);
    expect(fake.handle).toHaveBeenCalledWith(CHOOSE_FILES_CHANNEL, expect.any(Function));
    vi.stubGlobal("window", { postMessage: vi.fn() });
    await import("./preload.ts");
    const bridge = fake.exposed.get("meitheal") as DesktopBridge;
    fake.invoke.mockResolvedValueOnce(["/home/a/tide.md"]);
    const request = { mode: "open", purpose: "import" } as const;
    expect(await bridge.chooseFiles?.(request)).toEqual(["/home/a/tide.md"]);
    expect(fake.invoke).toHaveBeenCalledWith(CHOOSE_FILES_CHANNEL, request);
    // Whatever else comes back is no choice.
    fake.invoke.mockResolvedValueOnce({ path: "/x" });
    expect(await bridge.chooseFiles?.(request)).toBeNull();
    vi.unstubAllGlobals();
  });
});
