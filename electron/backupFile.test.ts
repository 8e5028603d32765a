// Opening a backup file with the app: the path found in argv, the confirmation, the restore, and
// every failure shown to the person — with the peer's contract served over fake Electron ports.
import type { MessageBoxOptions, MessagePortMain } from "electron";
import { describe, expect, it, vi } from "vitest";
import type { BackupCheck, CommunitySummary, Handlers } from "../shared/contract.ts";
import type { DeviceKey } from "../shared/ids.ts";
import { ErrorCode, err, ok } from "../shared/result.ts";
import { serveRpc } from "../shared/rpc.ts";
import { backupPathIn, callOverPort, offerRestore, type PeerCall } from "./backupFile.ts";

type Listener = (event: { data: unknown }) => void;

/** One end of a channel shaped like Electron's MessagePortMain, delivering asynchronously. */
class FakePort {
  other: FakePort | undefined;
  closed = false;
  readonly onMessage: Listener[] = [];
  readonly onClose: (() => void)[] = [];
  on(name: "message" | "close", listener: Listener | (() => void)): this {
    if (name === "message") this.onMessage.push(listener);
    else this.onClose.push(listener as () => void);
    return this;
  }
  start(): void {}
  postMessage(data: unknown): void {
    const other = this.other;
    if (this.closed || !other) return;
    setImmediate(() => {
      for (const l of other.onMessage) l({ data });
    });
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of [...this.onClose, ...(this.other?.onClose ?? [])]) l();
  }
}

function portPair(): [FakePort, FakePort] {
  const a = new FakePort();
  const b = new FakePort();
  a.other = b;
  b.other = a;
  return [a, b];
}

const backupPath = "/media/usb/shore.meitheal-backup";
const aoife = "a".repeat(64) as DeviceKey;
const mallory = "b".repeat(64) as DeviceKey;
const summary = {
  state: "checked",
  path: "/media/usb/shore.meitheal-backup",
  download: null,
  communityId: "2LSsyi3K1ChUK7QHVpWJq9qjHEic" as CommunitySummary["id"],
  name: "Cois Farraige",
  documents: 14,
  bytes: 5000,
  createdAt: "2025-06-01T10:00:00.000Z",
  protected: false,
  sealed: true,
  merges: false,
  roster: { added: [{ name: "Aoife", deviceKeys: [aoife] }], removed: [] },
} satisfies BackupCheck;
const community = {
  id: summary.communityId,
  name: "Cois Farraige",
  purpose: "",
  state: "ok",
  problems: [],
  entryCount: 12,
} as CommunitySummary;

describe("backupPathIn", () => {
  it("finds the backup file on a command line, not options or other files", () => {
    expect(backupPathIn(["--data", "/d", "/home/a/Shore.MEITHEAL-BACKUP"])).toBe(
      "/home/a/Shore.MEITHEAL-BACKUP",
    );
    expect(backupPathIn(["--data", "/d", "notes.txt"])).toBeUndefined();
    expect(backupPathIn(["--x=a.meitheal-backup"])).toBeUndefined();
  });
});

describe("callOverPort", () => {
  it("calls the peer over a fresh port and closes it after the answer", async () => {
    const opened: FakePort[][] = [];
    const inspect = vi.fn(() => Promise.resolve(ok(summary)));
    const call = callOverPort(() => {
      const pair = portPair();
      opened.push(pair);
      const [, peerEnd] = pair;
      serveRpc(
        {
          send: (text) => peerEnd.postMessage(text),
          onMessage: (l) => void peerEnd.on("message", (e) => l(String(e.data))),
          onClose: (l) => void peerEnd.on("close", l),
        },
        { "backup:inspect": inspect } as unknown as Handlers,
      );
      return pair[0] as unknown as MessagePortMain;
    });
    expect(await call("backup:inspect", { source: { kind: "path", path: backupPath } })).toEqual(
      ok(summary),
    );
    expect(inspect).toHaveBeenCalledWith({ source: { kind: "path", path: backupPath } });
    expect(opened[0]?.[0]?.closed).toBe(true);
  });
});

function deps(answers: { inspect?: unknown; restore?: unknown; response?: number }) {
  const shown: MessageBoxOptions[] = [];
  const calls: string[] = [];
  const args: unknown[] = [];
  const call = ((method: string, given: unknown) => {
    calls.push(method);
    args.push(given);
    if (method === "backup:inspect") return Promise.resolve(answers.inspect ?? ok(summary));
    if (method === "backup:restore") return Promise.resolve(answers.restore ?? ok(community));
    return Promise.reject(new Error(`unexpected ${method}`));
  }) as unknown as PeerCall;
  const opened: string[] = [];
  const restorePages: string[] = [];
  return {
    shown,
    calls,
    args,
    opened,
    restorePages,
    deps: {
      call,
      showMessage: (o: MessageBoxOptions) => {
        shown.push(o);
        return Promise.resolve({ response: o.type === "question" ? (answers.response ?? 0) : 0 });
      },
      openCommunity: (id: string) => opened.push(id),
      openRestorePage: (path: string) => restorePages.push(path),
    },
  };
}

describe("offerRestore", () => {
  it("asks first, naming the community, what it holds and that the backup holds the key; then restores and opens it", async () => {
    const d = deps({});
    await offerRestore(backupPath, d.deps);
    expect(d.calls).toEqual(["backup:inspect", "backup:restore"]);
    expect(d.shown[0]?.message).toBe("Restore “Cois Farraige” from this backup?");
    expect(d.shown[0]?.detail).toMatch(/14 documents/);
    expect(d.shown[0]?.detail).toMatch(/merged into it: nothing here is lost or duplicated/);
    expect(d.shown[0]?.detail).toMatch(/keep it as safe as this laptop/);
    expect(d.shown[0]?.buttons).toEqual(["Restore", "Cancel"]);
    // The members it lets in are named, and the restore carries consent to exactly them.
    expect(d.shown[0]?.detail).toMatch(/Its members \(1 device\).*: Aoife \(1 device\)/);
    expect(d.args[1]).toEqual({
      source: { kind: "path", path: backupPath },
      consent: { devices: [aoife], unsealed: false },
    });
    expect(d.opened).toEqual([community.id]);
    expect(d.shown[1]?.message).toBe("“Cois Farraige” is restored.");
    expect(d.shown[1]?.detail).toMatch(/invite this device/);
  });

  it("warns of devices a merge adds and of an unsealed file, and consents to them when asked to", async () => {
    const d = deps({
      inspect: ok({
        ...summary,
        sealed: false,
        merges: true,
        roster: { added: [{ name: "Mallory", deviceKeys: [mallory] }], removed: [] },
      }),
    });
    await offerRestore(backupPath, d.deps);
    expect(d.shown[0]?.type).toBe("warning");
    expect(d.shown[0]?.detail).toMatch(/not sealed.*older version of Meitheal/);
    expect(d.shown[0]?.detail).toMatch(/It adds 1 device .*: Mallory \(1 device\).*know them/);
    expect(d.args[1]).toMatchObject({ consent: { devices: [mallory], unsealed: true } });
  });

  it("opens the restore page for a backup protected by a passphrase", async () => {
    const d = deps({ inspect: ok({ state: "locked", path: backupPath, bytes: 5000 }) });
    await offerRestore(backupPath, d.deps);
    expect(d.calls).toEqual(["backup:inspect"]);
    expect(d.shown).toEqual([]);
    expect(d.restorePages).toEqual([backupPath]);
  });

  it("restores nothing when the person cancels", async () => {
    const d = deps({ response: 1 });
    await offerRestore(backupPath, d.deps);
    expect(d.calls).toEqual(["backup:inspect"]);
    expect(d.opened).toEqual([]);
    expect(d.shown).toHaveLength(1);
  });

  it("shows the peer's message when the file is not a good backup, without asking", async () => {
    const message = "The backup is damaged or incomplete: document x does not match its checksum.";
    const d = deps({ inspect: err(ErrorCode.Damaged, message) });
    await offerRestore(backupPath, d.deps);
    expect(d.calls).toEqual(["backup:inspect"]);
    expect(d.shown).toEqual([
      expect.objectContaining({
        type: "error",
        message: "The backup was not restored.",
        detail: message,
      }),
    ]);
  });

  it("shows a failed restore, and a peer that went away, as errors", async () => {
    const failed = deps({ restore: err(ErrorCode.Storage, "The disk is full.") });
    await offerRestore(backupPath, failed.deps);
    expect(failed.shown.at(-1)).toMatchObject({ type: "error", detail: "The disk is full." });
    expect(failed.opened).toEqual([]);

    const gone = deps({});
    gone.deps.call = () => Promise.reject(new Error("The Meitheal peer is not running."));
    await offerRestore(backupPath, gone.deps);
    expect(gone.shown).toEqual([
      expect.objectContaining({ type: "error", detail: "The Meitheal peer is not running." }),
    ]);
  });
});
