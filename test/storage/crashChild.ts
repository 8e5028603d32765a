// Child process for crash.test.ts: `node --import tsx test/storage/crashChild.ts <dir> [safe|ack-before-write]`.
// Opens <dir>/store, finds (or on the first run creates) one document, then writes to it forever,
// printing `n` only after repo.flush() has resolved for the change that added entry n. The parent
// kills it with SIGKILL at a random moment and checks every printed n survived.
//
// Lines on stdout:
//   ready {"count":…,"max":…,"swept":…}   once the document is loaded (count = entries found)
//   <n>                                      entry n is acknowledged as durable
//   compacted                                automerge-repo wrote a snapshot (and dropped chunks)
//   quarantine {…}                           the adapter refused a file (must never happen here)
import { randomBytes } from "node:crypto";
import { open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type {
  AutomergeUrl,
  Chunk,
  StorageAdapterInterface,
  StorageKey,
} from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { SafeFsStorageAdapter } from "../../peer/storage/fsStorage.ts";

export type CrashDoc = { pad: string; entries: Record<string, number> };

export const CHILD_MODES = { safe: "safe", ackBeforeWrite: "ack-before-write" } as const;

const say = (line: string): void => {
  // Synchronous for pipes on POSIX, so a line printed is a line the parent will read after the kill.
  process.stdout.write(line + "\n");
};

// A deliberately broken adapter for the parent's self-check: it acknowledges a save before the
// bytes are written, which is the bug the crash test exists to catch.
class AckBeforeWrite implements StorageAdapterInterface {
  readonly #inner: StorageAdapterInterface;
  constructor(inner: StorageAdapterInterface) {
    this.#inner = inner;
  }
  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.#inner.load(key);
  }
  save(key: StorageKey, data: Uint8Array): Promise<void> {
    setTimeout(() => void this.#inner.save(key, data).catch(() => undefined), 50);
    return Promise.resolve();
  }
  remove(key: StorageKey): Promise<void> {
    return this.#inner.remove(key);
  }
  loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    return this.#inner.loadRange(keyPrefix);
  }
  removeRange(keyPrefix: StorageKey): Promise<void> {
    return this.#inner.removeRange(keyPrefix);
  }
}

const writeFileDurably = async (path: string, text: string): Promise<void> => {
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  const file = await open(temp, "wx");
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  const dir = await open(join(path, ".."), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
};

const readUrl = async (path: string): Promise<AutomergeUrl | undefined> => {
  try {
    return (await readFile(path, "utf8")).trim() as AutomergeUrl;
  } catch {
    return undefined;
  }
};

const main = async (): Promise<void> => {
  const [dir, mode = CHILD_MODES.safe] = process.argv.slice(2);
  if (dir === undefined) throw new Error("usage: crashChild.ts <dir> [safe|ack-before-write]");
  const adapter = new SafeFsStorageAdapter({
    dir: join(dir, "store"),
    quarantineDir: join(dir, "quarantine"),
    onQuarantine: (w) => say(`quarantine ${JSON.stringify(w)}`),
  });
  const swept = await adapter.sweepTempFiles();
  const storage = mode === CHILD_MODES.ackBeforeWrite ? new AckBeforeWrite(adapter) : adapter;
  // A tiny debounce so throttled background saves (and their compactions) run alongside flush().
  const repo = new Repo({ storage, network: [], saveDebounceRate: 5 });
  repo.on("doc-metrics", (m) => {
    if (m.type === "doc-compacted") say("compacted");
  });

  const urlFile = join(dir, "doc-url.txt");
  const url = await readUrl(urlFile);
  let handle;
  if (url === undefined) {
    // Over 1 KiB from the start, so automerge-repo writes incrementals between compactions
    // instead of compacting on every save.
    handle = repo.create<CrashDoc>({ pad: randomBytes(1500).toString("base64"), entries: {} });
    await repo.flush();
    await writeFileDurably(urlFile, handle.url);
  } else {
    handle = await repo.find<CrashDoc>(url);
  }

  const existing = Object.keys(handle.doc().entries).map(Number);
  const max = existing.reduce((a, b) => Math.max(a, b), 0);
  say(`ready ${JSON.stringify({ count: existing.length, max, swept })}`);

  for (let n = max + 1; ; n++) {
    handle.change((d) => {
      d.entries[String(n)] = n;
    });
    await repo.flush();
    say(String(n));
  }
};

// Only as a script: crash.test.ts imports this module for its types and modes.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(
      `crashChild failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(1);
  });
}
