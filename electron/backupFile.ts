// Opening a .meitheal-backup file with the app (the file association in build/electron-builder.json):
// macOS sends "open-file", Windows and Linux start the app (or a second instance) with the path in
// argv. Main checks the file through the peer (backup:inspect), asks the person to confirm — naming
// the members restoring it lets in, and warning of an unsealed file — then restores with consent to
// exactly that (backup:restore) and opens the community. A backup protected by a passphrase opens
// the window's restore page instead, where the passphrase is typed. No document passes through
// main: only the path goes to the peer, and a summary comes back.
import type { MessageBoxOptions, MessagePortMain } from "electron";
import {
  atPath,
  type ArgsOf,
  type Method,
  type RosterMember,
  type ValueOf,
} from "../shared/contract.ts";
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
  /** Brings the app forward on its restore page with this backup chosen (#/restore/<path>). */
  openRestorePage: (path: string) => void;
};

const listed = (members: RosterMember[]) =>
  members
    .map((m) =>
      t(m.deviceKeys.length === 1 ? "backup.member.one" : "backup.member.many", {
        name: m.name,
        count: String(m.deviceKeys.length),
      }),
    )
    .join(", ");
const devices = (members: RosterMember[]) => {
  const count = members.reduce((n, m) => n + m.deviceKeys.length, 0);
  return t(count === 1 ? "backup.devices.one" : "backup.devices.many", { count: String(count) });
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
    if (b.state === "locked") return deps.openRestorePage(path);
    const { added, removed } = b.roster;
    const warnings = [
      b.sealed ? "" : t("backup.confirm.unsealed"),
      added.length === 0
        ? ""
        : t(b.merges ? "backup.confirm.added" : "backup.confirm.members", {
            devices: devices(added),
            list: listed(added),
          }),
      removed.length === 0
        ? ""
        : t("backup.confirm.removed", { devices: devices(removed), list: listed(removed) }),
    ].filter((line) => line !== "");
    const { response } = await deps.showMessage({
      type: added.length > 0 && b.merges ? "warning" : "question",
      message: t("backup.confirm.message", { name: b.name ?? b.communityId }),
      detail: [
        t("backup.confirm.detail", {
          documents: String(b.documents),
          date: date(b.createdAt),
          path: b.path ?? path,
        }),
        ...warnings,
      ].join("\n\n"),
      buttons: [t("backup.confirm.restore"), t("backup.confirm.cancel")],
      defaultId: 0,
      cancelId: 1,
      noLink: true,
    });
    if (response !== 0) return;
    // Consent to exactly what the dialog named: a restore that finds more is refused by the peer.
    const restored = await deps.call("backup:restore", {
      source: atPath(path),
      consent: {
        devices: [...added, ...removed].flatMap((m) => m.deviceKeys),
        unsealed: !b.sealed,
      },
    });
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
