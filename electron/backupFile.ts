// Opening a .meitheal-backup file with the app (the file association in build/electron-builder.json):
// macOS sends "open-file", Windows and Linux start the app (or a second instance) with the path in
// argv. Main checks the file through the peer (backup:inspect), asks the person to confirm, then
// restores (backup:restore) and opens the community. No document passes through main: only the
// path goes to the peer, and a summary comes back.
import type { MessageBoxOptions, MessagePortMain } from "electron";
import { atPath, type ArgsOf, type Method, type ValueOf } from "../shared/contract.ts";
import type { Result } from "../shared/result.ts";
import { RpcClient } from "../shared/rpc.ts";
import { t } from "./strings.ts";

export const BACKUP_EXTENSION = ".meitheal-backup";

/** The backup file named on a command line, if any (the last one; options are not files). */
export function backupPathIn(argv: readonly string[]): string | undefined {
  return [...argv]
    .reverse()
    .find((arg) => !arg.startsWith("-") && arg.toLowerCase().endsWith(BACKUP_EXTENSION));
}

export type PeerCall = <M extends Method>(
  method: M,
  args: ArgsOf<M>,
) => Promise<Result<ValueOf<M>>>;

/** Calls the peer's contract over a fresh channel from main (closed after one call). */
export function callOverPort(open: () => MessagePortMain): PeerCall {
  return async (method, args) => {
    const port = open();
    const client = new RpcClient({
      send: (text) => port.postMessage(text),
      onMessage: (listener) =>
        port.on("message", (event) => {
          if (typeof event.data === "string") listener(event.data);
        }),
      onClose: (listener) => port.on("close", listener),
    });
    port.start();
    try {
      return await client.call(method, args);
    } finally {
      port.close();
    }
  };
}

export type RestoreDeps = {
  call: PeerCall;
  showMessage: (options: MessageBoxOptions) => Promise<{ response: number }>;
  /** Brings the app forward showing a community. */
  openCommunity: (communityId: string) => void;
};

const date = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
};

/**
 * Checks the backup, asks before restoring, restores, and says how it went. Resolves when done;
 * never throws (every failure is shown to the person with what to do).
 */
export async function offerRestore(path: string, deps: RestoreDeps): Promise<void> {
  const error = async (detail: string) => {
    await deps.showMessage({
      type: "error",
      message: t("backup.failed.message"),
      detail,
      buttons: [t("dialog.ok")],
    });
  };
  try {
    const inspected = await deps.call("backup:inspect", { source: atPath(path) });
    if (!inspected.ok) return await error(inspected.error.message);
    const b = inspected.value;
    const { response } = await deps.showMessage({
      type: "question",
      message: t("backup.confirm.message", { name: b.name ?? b.communityId }),
      detail: t("backup.confirm.detail", {
        documents: String(b.documents),
        date: date(b.createdAt),
        path: b.path ?? path,
      }),
      buttons: [t("backup.confirm.restore"), t("backup.confirm.cancel")],
      defaultId: 0,
      cancelId: 1,
      noLink: true,
    });
    if (response !== 0) return;
    const restored = await deps.call("backup:restore", { source: atPath(path) });
    if (!restored.ok) return await error(restored.error.message);
    deps.openCommunity(restored.value.id);
    await deps.showMessage({
      type: "info",
      message: t("backup.done.message", { name: restored.value.name ?? restored.value.id }),
      detail: t("backup.done.detail"),
      buttons: [t("dialog.ok")],
    });
  } catch (e) {
    await error(e instanceof Error ? e.message : String(e)).catch(() => undefined);
  }
}
