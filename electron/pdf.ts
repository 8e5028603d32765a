// PDF export in the desktop app: Electron main prints the HTML export with Chromium's own
// printToPDF, asked by the peer over its utility-process port (peer/export/pdf.ts, the bridge).
// The HTML was written from what peers synced, so it is treated as hostile: a hidden window that
// runs no script, reaches nothing (every request but the page itself is cancelled, navigation and
// new windows are denied), in an in-memory session of its own, and is destroyed afterwards.
import { BrowserWindow, session, type Session } from "electron";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isPdf, PRINT_TIMEOUT_MS, type PdfPrinter } from "../peer/export/pdf.ts";

/** Not "persist:…": the session lives in memory only, with no cache or storage on disk. */
export const PDF_PARTITION = "meitheal-pdf";

/** The pages being printed now: the only URLs the print session may load. */
const allowed = new Set<string>();
let printSession: Session | undefined;

const normalise = (url: string): string => {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
};

/** How the page embeds its bundled fonts (peer/export/fonts): data that reaches nothing. */
const EMBEDDED_FONT = "data:font/woff2;base64,";

/**
 * True when the print session lets `url` load: only a page being printed right now, and the fonts
 * embedded in it (should Chromium ask about data: URLs at all).
 */
export const isAllowedPrintUrl = (url: string): boolean =>
  url.startsWith(EMBEDDED_FONT) || allowed.has(normalise(url));

function sessionForPrinting(): Session {
  if (printSession) return printSession;
  const s = session.fromPartition(PDF_PARTITION, { cache: false });
  s.webRequest.onBeforeRequest((details, callback) =>
    callback({ cancel: !isAllowedPrintUrl(details.url) }),
  );
  s.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  printSession = s;
  return s;
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(
        new Error(
          `Printing the PDF took longer than ${Math.round(ms / 1000)} s and was stopped. Try again, or export HTML and print it from a browser.`,
        ),
      );
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Prints `html` to PDF in a hidden, locked-down window; the page size comes from its `@page`. */
export function electronPdfPrinter(options: { timeoutMs?: number } = {}): PdfPrinter {
  return async (html, pageSize) => {
    const dir = await mkdtemp(join(tmpdir(), "meitheal-pdf-"));
    const path = join(dir, "book.html");
    const url = pathToFileURL(path).href;
    let win: BrowserWindow | undefined;
    const close = () => {
      if (win && !win.isDestroyed()) win.destroy();
    };
    try {
      await writeFile(path, html, { mode: 0o600 });
      allowed.add(normalise(url));
      const created = new BrowserWindow({
        show: false,
        width: 900,
        height: 1200,
        webPreferences: {
          session: sessionForPrinting(),
          sandbox: true,
          contextIsolation: true,
          nodeIntegration: false,
          javascript: false,
          webSecurity: true,
          spellcheck: false,
          navigateOnDragDrop: false,
        },
      });
      win = created;
      created.webContents.on("will-navigate", (event) => event.preventDefault());
      created.webContents.on("will-redirect", (event) => event.preventDefault());
      created.webContents.setWindowOpenHandler(() => ({ action: "deny" }));
      const printed = (async () => {
        await created.loadURL(url);
        return created.webContents.printToPDF({
          pageSize: pageSize === "a5" ? "A5" : "A4",
          printBackground: true,
          preferCSSPageSize: true,
        });
      })();
      const data = await withTimeout(printed, options.timeoutMs ?? PRINT_TIMEOUT_MS, close);
      // A copy, not a view into a pooled buffer: it is posted to the peer's process whole.
      const bytes = Uint8Array.from(data);
      if (!isPdf(bytes))
        throw new Error(
          "Printing gave something that is not a PDF. Try again, or export HTML and print it from a browser.",
        );
      return bytes;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      throw new Error(
        message.startsWith("Print")
          ? message
          : `The PDF could not be printed (${message}). Try again, or export HTML and print it from a browser.`,
      );
    } finally {
      allowed.delete(normalise(url));
      close();
      await rm(dir, { recursive: true, force: true });
    }
  };
}
