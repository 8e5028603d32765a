// PDF is printed from the HTML export by Chromium, so the PDF and the HTML's print stylesheet are
// one and the same thing. Who prints depends on where the peer runs: in the desktop app Electron's
// main process does (electron/pdf.ts, asked over the utility process's parent port: the bridge
// below); a headless peer (`meitheal-peer`, `npm run web`) runs an installed Chromium.
import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { PageSize } from "../../shared/contract.ts";
import { embedFonts, missingGlyphsWarning } from "./fonts/fonts.ts";

/** Prints a self-contained HTML document to PDF bytes; rejects with a message for people. */
export type PdfPrinter = (html: string, pageSize: PageSize) => Promise<Uint8Array>;

export const NO_CHROMIUM =
  "PDF export needs Chromium or the desktop app; export HTML and print it from a browser instead.";

/** Where a headless peer looks for Chromium, in this order. */
export const CHROMIUM_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
] as const;

export const PRINT_TIMEOUT_MS = 120_000;

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"

export const isPdf = (bytes: Uint8Array): boolean => PDF_MAGIC.every((b, i) => bytes[i] === b);

/**
 * Prints an HTML export with the bundled fonts inside it (fonts/fonts.ts), so the PDF looks the
 * same whichever computer prints it. The warnings name the characters no bundled font has, which
 * print as empty boxes.
 */
export async function printWithFonts(
  print: PdfPrinter,
  html: string,
  pageSize: PageSize,
): Promise<{ bytes: Uint8Array; warnings: string[] }> {
  let embedded: Awaited<ReturnType<typeof embedFonts>>;
  try {
    embedded = await embedFonts(html);
  } catch (e) {
    throw new Error(
      `The fonts the PDF is printed with could not be read (${e instanceof Error ? e.message : String(e)}). Nothing was written. Reinstall Meitheal, or export HTML and print it from a browser.`,
    );
  }
  const bytes = await print(embedded.html, pageSize);
  const warning = missingGlyphsWarning(embedded.missing);
  return { bytes, warnings: warning === undefined ? [] : [warning] };
}

/** The first candidate that exists and can be run; undefined when there is none. */
export async function findChromium(
  candidates: readonly string[] = CHROMIUM_CANDIDATES,
): Promise<string | undefined> {
  for (const path of candidates) {
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // Not installed here: try the next.
    }
  }
  return undefined;
}

/** The command line: a throwaway profile, nothing fetched, no header or footer. */
export function chromiumArgs(profile: string, pdfPath: string, htmlPath: string): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    `--user-data-dir=${profile}`,
    // The HTML asks for nothing and its CSP forbids scripts and fetches; should anything slip
    // through, no host name resolves. (scriptEnabled=false is not an option: headless printing
    // then silently writes no PDF.)
    "--host-resolver-rules=MAP * ~NOTFOUND",
    `--print-to-pdf=${pdfPath}`,
    "--no-pdf-header-footer",
    pathToFileURL(htmlPath).href,
  ];
}

export type HeadlessOptions = {
  /** The Chromium to run; found among CHROMIUM_CANDIDATES when absent. */
  executable?: string;
  candidates?: readonly string[];
  timeoutMs?: number;
  /** Where the temp folder goes (the OS temp folder when absent). */
  tempDir?: string;
};

/**
 * A printer that runs Chromium headless on a temp copy of the HTML. The page size comes from the
 * HTML's own `@page` rule (buildHtml writes A4 or A5). Every temp file is removed afterwards,
 * whatever happens.
 */
export function headlessChromiumPrinter(options: HeadlessOptions = {}): PdfPrinter {
  return async (html) => {
    const executable = options.executable ?? (await findChromium(options.candidates));
    if (executable === undefined) throw new Error(NO_CHROMIUM);
    const dir = await mkdtemp(join(options.tempDir ?? tmpdir(), "meitheal-pdf-"));
    try {
      const htmlPath = join(dir, "book.html");
      const pdfPath = join(dir, "book.pdf");
      await writeFile(htmlPath, html, { mode: 0o600 });
      await runChromium(
        executable,
        chromiumArgs(join(dir, "profile"), pdfPath, htmlPath),
        options.timeoutMs ?? PRINT_TIMEOUT_MS,
      );
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(pdfPath));
      } catch {
        throw new Error(
          "Chromium ran but wrote no PDF. Export HTML and print it from a browser instead.",
        );
      }
      if (!isPdf(bytes))
        throw new Error(
          "Chromium wrote something that is not a PDF. Export HTML and print it from a browser instead.",
        );
      return bytes;
    } finally {
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    }
  };
}

const STDERR_KEEP = 64 * 1024;

/**
 * Runs Chromium in a process group of its own, so a timeout kills its helpers (zygote, renderer,
 * GPU) with it rather than leaving them behind.
 */
function runChromium(executable: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    let timedOut = false;
    const child = spawn(executable, args, { detached: true, stdio: ["ignore", "ignore", "pipe"] });
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });
    child.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new Error(
          e.code === "ENOENT" || e.code === "EACCES"
            ? NO_CHROMIUM
            : `Chromium could not be started (${e.message}). Export HTML and print it from a browser instead.`,
        ),
      );
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      // Helpers still running once the browser has gone have nothing left to do.
      killGroup();
      if (timedOut)
        reject(
          new Error(
            `Chromium did not finish printing the PDF within ${Math.round(timeoutMs / 1000)} s. Try a smaller collection, or export HTML and print it from a browser.`,
          ),
        );
      else if (code === 0) resolve();
      else {
        // Chromium logs a lot of harmless noise (D-Bus, GPU); the last line is the telling one.
        const last = stderr.trim().split("\n").at(-1)?.slice(0, 300) ?? "";
        reject(
          new Error(
            `Chromium could not print the PDF (${last || `exit ${code ?? signal}`}). Export HTML and print it from a browser instead.`,
          ),
        );
      }
    });
  });
}

// ---- The desktop app: the utility-process peer asks Electron main to print ----

/** From the peer (utility process) to Electron main. */
export type PdfRequest = { type: "pdf:print"; id: number; html: string; pageSize: PageSize };
/** From Electron main back to the peer. */
export type PdfResponse =
  | { type: "pdf:printed"; id: number; ok: true; bytes: Uint8Array }
  | { type: "pdf:printed"; id: number; ok: false; message: string };

export const isPdfRequest = (m: unknown): m is PdfRequest =>
  typeof m === "object" &&
  m !== null &&
  (m as { type?: unknown }).type === "pdf:print" &&
  typeof (m as { id?: unknown }).id === "number" &&
  typeof (m as { html?: unknown }).html === "string" &&
  ((m as { pageSize?: unknown }).pageSize === "a4" ||
    (m as { pageSize?: unknown }).pageSize === "a5");

export const isPdfResponse = (m: unknown): m is PdfResponse => {
  if (typeof m !== "object" || m === null) return false;
  const r = m as { type?: unknown; id?: unknown; ok?: unknown; bytes?: unknown; message?: unknown };
  return (
    r.type === "pdf:printed" &&
    typeof r.id === "number" &&
    (r.ok === true
      ? r.bytes instanceof Uint8Array
      : r.ok === false && typeof r.message === "string")
  );
};

/** Answers a request with `print` (Electron main's side); never throws. */
export async function answerPdfRequest(
  request: PdfRequest,
  print: PdfPrinter,
): Promise<PdfResponse> {
  try {
    const bytes = await print(request.html, request.pageSize);
    return { type: "pdf:printed", id: request.id, ok: true, bytes };
  } catch (e) {
    return {
      type: "pdf:printed",
      id: request.id,
      ok: false,
      message: e instanceof Error ? e.message : String(e),
    };
  }
}

/**
 * The peer's side: a printer that posts requests to the parent, and `deliver` for the parent's
 * answers (true when the message was one). A request main never answers fails after the timeout.
 */
export function pdfViaParent(
  post: (message: PdfRequest) => void,
  timeoutMs = PRINT_TIMEOUT_MS,
): { printer: PdfPrinter; deliver(message: unknown): boolean } {
  let next = 1;
  const pending = new Map<
    number,
    { resolve(bytes: Uint8Array): void; reject(e: Error): void; timer: NodeJS.Timeout }
  >();
  return {
    printer: (html, pageSize) =>
      new Promise((resolve, reject) => {
        const id = next++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(
            new Error(
              `The app did not finish printing the PDF within ${Math.round(timeoutMs / 1000)} s. Try again, or export HTML and print it from a browser.`,
            ),
          );
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        try {
          post({ type: "pdf:print", id, html, pageSize });
        } catch (e) {
          clearTimeout(timer);
          pending.delete(id);
          reject(new Error(`The app could not be asked to print the PDF (${String(e)}).`));
        }
      }),
    deliver(message) {
      if (!isPdfResponse(message)) return false;
      const waiting = pending.get(message.id);
      if (!waiting) return true;
      pending.delete(message.id);
      clearTimeout(waiting.timer);
      if (message.ok) waiting.resolve(message.bytes);
      else waiting.reject(new Error(message.message));
      return true;
    },
  };
}
