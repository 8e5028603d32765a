// meitheal-peer commands of this feature: `backup` (a community to one file) and `restore` (that
// file back onto this device, under the same document ids).
import { resolve } from "node:path";
import { atPath, type BackupSummary } from "../../shared/contract.ts";
import { ErrorCode } from "../../shared/result.ts";
import { dataDirOf, EXIT, findCommunity, withPeer, type Command, type Io } from "../cliKit.ts";
import { inspectBackup, restoreBackup, type RestoreOutcome } from "./backup.ts";
import { BACKUP_EXTENSION, KEEP_SAFE } from "./format.ts";

const exitFor = (code: ErrorCode) =>
  code === ErrorCode.BadInput
    ? EXIT.usage
    : code === ErrorCode.DataFolder
      ? EXIT.dataFolder
      : EXIT.failed;

const size = (bytes: number) =>
  bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024))} KB`
    : `${(bytes / 1024 ** 2).toFixed(1)} MB`;

const describeBackup = (b: BackupSummary) =>
  `"${b.name ?? b.communityId}" (${b.communityId}): ${b.documents} document${b.documents === 1 ? "" : "s"}, ${size(b.bytes)}, written ${b.createdAt}`;

function restoredLines(r: RestoreOutcome): string[] {
  const name = r.community.name ?? r.community.id;
  const lines =
    r.outcome === "restored"
      ? [
          `Restored "${name}" (${r.community.id}) from ${r.path}: ${r.documents} documents, under the same ids as on the devices it came from.`,
        ]
      : [
          `"${name}" was already on this device: the backup was merged into it (${r.changed} of ${r.documents} documents gained changes). Nothing here was lost or duplicated.`,
        ];
  if (!r.member)
    lines.push(
      "This device is not on the community's member list yet (it has its own key). To sync with the others again, invite it from a device that is still in the community (meitheal-peer invite there, meitheal-peer join CODE here): its documents then merge, nothing is copied twice.",
    );
  lines.push(KEEP_SAFE);
  return lines;
}

const fail = (io: Io, e: { code: ErrorCode; message: string }) => {
  io.err(e.message);
  return exitFor(e.code);
};

export const backupCommands: Record<string, Command> = {
  backup: {
    summary: "Write a whole community, losslessly, to one backup file.",
    usage: `meitheal-peer backup [--community ID|NAME] --out PATH [--json] [--data DIR]`,
    help: `PATH is a file (${BACKUP_EXTENSION} is added if missing) or a folder to put it in.\nThe file holds every document with its full history and the community's key:\nkeep it as safe as this laptop. Restore it with meitheal-peer restore PATH.`,
    options: { community: { type: "string" }, out: { type: "string" } },
    async run(values, positionals, io) {
      if (positionals.length > 0 || typeof values.out !== "string" || values.out.trim() === "") {
        io.err(`backup needs --out PATH (a file or a folder).\nUsage: ${this.usage}`);
        return EXIT.usage;
      }
      const out = resolve(values.out);
      return withPeer(dataDirOf(values), async (node) => {
        const id = findCommunity(
          node,
          values.community,
          "There is no community on this device to back up.",
        );
        if (!id.ok) return fail(io, id.error);
        const written = await node.handlers["backup:write"]({
          communityId: id.value,
          target: atPath(out),
        });
        if (!written.ok) return fail(io, written.error);
        io.out(
          values.json
            ? JSON.stringify(written.value, null, 2)
            : `Backed up ${describeBackup(written.value)}\nto ${written.value.path ?? out}\n${KEEP_SAFE}`,
        );
        return EXIT.ok;
      });
    },
  },
  restore: {
    summary: "Restore a community from a backup file (merged if it is already here).",
    usage: `meitheal-peer restore PATH [--check] [--json] [--data DIR]`,
    help: "Everything in the file is checked before anything is written; on any problem nothing changes.\nA community already on this device is merged with the backup, never duplicated.\n--check only checks the file and says what it holds.",
    options: { check: { type: "boolean" } },
    async run(values, positionals, io) {
      if (positionals.length !== 1 || !positionals[0]?.trim()) {
        io.err(`restore takes one backup PATH.\nUsage: ${this.usage}`);
        return EXIT.usage;
      }
      const path = resolve(positionals[0]);
      if (values.check) {
        // Without a peer: checking a file needs no data folder.
        const inspected = await inspectBackup(path);
        if (!inspected.ok) return fail(io, inspected.error);
        io.out(
          values.json
            ? JSON.stringify(inspected.value, null, 2)
            : `The backup is whole: ${describeBackup(inspected.value)}.`,
        );
        return EXIT.ok;
      }
      return withPeer(dataDirOf(values), async (node) => {
        const restored = await restoreBackup(node.backupHost(), path);
        if (!restored.ok) return fail(io, restored.error);
        io.out(
          values.json
            ? JSON.stringify(restored.value, null, 2)
            : restoredLines(restored.value).join("\n"),
        );
        return EXIT.ok;
      });
    },
  },
};
