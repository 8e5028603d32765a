// meitheal-peer commands of this feature: `backup` (a community to one file) and `restore` (that
// file back onto this device, under the same document ids). A restore that changes a member list,
// or of an unsealed backup, prints what it would do and needs --yes (roster.ts). A passphrase is
// read from a file or standard input (--passphrase-file), never from the command line, which other
// accounts on the computer can see.
import { readdir, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { atPath, type BackupCheck, type BackupSummary } from "../../shared/contract.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { dataDirOf, EXIT, findCommunity, withPeer, type Command, type Io } from "../cliKit.ts";
import { checkRead, readBackup, restoreBackup, type RestoreOutcome } from "./backup.ts";
import { BACKUP_EXTENSION, KEEP_PASSPHRASE, KEEP_SAFE } from "./format.ts";
import { reasonOf } from "./files.ts";
import {
  changesRoster,
  describeChange,
  devicesOf,
  UNSEALED_WARNING,
  withoutConsent,
} from "./roster.ts";

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
  `"${b.name ?? b.communityId}" (${b.communityId}): ${b.documents} document${b.documents === 1 ? "" : "s"}, ${size(b.bytes)}, written ${b.createdAt}${b.protected ? ", protected by a passphrase" : ""}`;

const PASSPHRASE_HOW =
  "Give it with --passphrase-file FILE (the first line of FILE is the passphrase; - reads it from standard input).";

/** The passphrase --passphrase-file names: the first line of that file, or of standard input. */
async function passphraseFrom(value: unknown): Promise<Result<string | undefined>> {
  if (value === undefined) return ok(undefined);
  const path = typeof value === "string" ? value.trim() : "";
  if (path === "")
    return err(ErrorCode.BadInput, `--passphrase-file needs a file. ${PASSPHRASE_HOW}`);
  let text: string;
  try {
    if (path === "-") {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      text = Buffer.concat(chunks).toString("utf8");
    } else text = await readFile(resolve(path), "utf8");
  } catch (e) {
    return err(
      ErrorCode.BadInput,
      `The passphrase could not be read from ${path} (${reasonOf(e)}). Nothing was changed.`,
    );
  }
  const line = text.split(/\r?\n/)[0] ?? "";
  if (line === "")
    return err(ErrorCode.BadInput, `The first line of ${path} is empty: it holds no passphrase.`);
  return ok(line);
}

function checkedLines(c: Extract<BackupCheck, { state: "checked" }>): string[] {
  return [
    c.sealed
      ? `The backup is whole and sealed with the community's key: ${describeBackup(c)}.`
      : `The backup is whole, but not sealed: ${describeBackup(c)}. ${UNSEALED_WARNING}`,
    ...(changesRoster(c.roster) ? [describeChange(c.roster, c.merges)] : []),
  ];
}

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
  if (changesRoster(r.roster)) lines.push(describeChange(r.roster, r.outcome === "merged"));
  if (!r.member)
    lines.push(
      "This device is not on the community's member list yet (it has its own key). To sync with the others again, invite it from a device that is still in the community (meitheal-peer invite there, meitheal-peer join CODE here): its documents then merge, nothing is copied twice.",
    );
  lines.push(r.protected ? KEEP_PASSPHRASE : KEEP_SAFE);
  return lines;
}

/** Whether `dir` is missing or empty: a data folder with nothing in it yet. */
async function isEmptyFolder(dir: string): Promise<boolean> {
  try {
    return (await readdir(resolve(dir))).length === 0;
  } catch (e) {
    // Anything else (a file, no permission) is for the peer to explain.
    return (e as NodeJS.ErrnoException).code === "ENOENT";
  }
}

const fail = (io: Io, e: { code: ErrorCode; message: string }) => {
  io.err(e.message);
  return exitFor(e.code);
};

export const backupCommands: Record<string, Command> = {
  backup: {
    summary: "Write a whole community, losslessly, to one backup file.",
    usage: `meitheal-peer backup [--community ID|NAME] --out PATH [--passphrase-file FILE] [--json] [--data DIR]`,
    help: `PATH is a file (${BACKUP_EXTENSION} is added if missing) or a folder to put it in.\nThe file holds every document with its full history and the community's key: whoever has\nit can read everything and join the community, so keep it as safe as this laptop, or protect\nit with a passphrase (at least 8 characters): --passphrase-file FILE reads it from the first\nline of FILE (- for standard input). Without the passphrase nobody can open the backup, you\nincluded. Restore it with meitheal-peer restore PATH.`,
    options: {
      community: { type: "string" },
      out: { type: "string" },
      "passphrase-file": { type: "string" },
    },
    async run(values, positionals, io) {
      if (positionals.length > 0 || typeof values.out !== "string" || values.out.trim() === "") {
        io.err(`backup needs --out PATH (a file or a folder).\nUsage: ${this.usage}`);
        return EXIT.usage;
      }
      const out = resolve(values.out);
      const passphrase = await passphraseFrom(values["passphrase-file"]);
      if (!passphrase.ok) return fail(io, passphrase.error);
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
          ...(passphrase.value === undefined ? {} : { passphrase: passphrase.value }),
        });
        if (!written.ok) return fail(io, written.error);
        io.out(
          values.json
            ? JSON.stringify(written.value, null, 2)
            : `Backed up ${describeBackup(written.value)}\nto ${written.value.path ?? out}\n${written.value.protected ? KEEP_PASSPHRASE : KEEP_SAFE}`,
        );
        return EXIT.ok;
      });
    },
  },
  restore: {
    summary: "Restore a community from a backup file (merged if it is already here).",
    usage: `meitheal-peer restore PATH [--check] [--yes] [--passphrase-file FILE] [--json] [--data DIR]`,
    help: "Everything in the file is checked before anything is written; on any problem nothing changes.\nA community already on this device is merged with the backup, never duplicated.\nA restore that changes a community's member list (a new community's members, or devices a\nmerge adds or removes), or of a backup written before backups were sealed, says what it would\ndo and changes nothing unless --yes is given.\nA backup protected by a passphrase needs --passphrase-file FILE (its first line; - for standard input).\n--check only checks the file and says what it holds.",
    options: {
      check: { type: "boolean" },
      yes: { type: "boolean" },
      "passphrase-file": { type: "string" },
    },
    async run(values, positionals, io) {
      if (positionals.length !== 1 || !positionals[0]?.trim()) {
        io.err(`restore takes one backup PATH.\nUsage: ${this.usage}`);
        return EXIT.usage;
      }
      const path = resolve(positionals[0]);
      const passphrase = await passphraseFrom(values["passphrase-file"]);
      if (!passphrase.ok) return fail(io, passphrase.error);
      const locked = () => {
        io.err(`This backup is protected by a passphrase. ${PASSPHRASE_HOW} Nothing was changed.`);
        return EXIT.usage;
      };
      // Read and checked whole before any peer starts: a file that is refused changes nothing, and
      // makes nothing (a new laptop's data folder, its device key) for a restore that never happens.
      const read = await readBackup(path, passphrase.value);
      if (!read.ok) return fail(io, read.error);
      if (read.value.locked) return locked();
      const opened = read.value;
      const refused = (refusal: string) => {
        io.err(`${refusal}\nNothing was restored. To restore it, run again with --yes.`);
        return EXIT.failed;
      };
      if (values.check) {
        // Checking a file needs no data folder: compared with none.
        const checked = await checkRead(undefined, opened);
        if (!checked.ok) return fail(io, checked.error);
        io.out(
          values.json
            ? JSON.stringify(checked.value, null, 2)
            : checkedLines(checked.value).join("\n"),
        );
        return EXIT.ok;
      }
      const dataDir = dataDirOf(values);
      if (!values.yes && (await isEmptyFolder(dataDir))) {
        // No community is here to merge with, so what it would change is known without a peer.
        const checked = await checkRead(undefined, opened);
        if (!checked.ok) return fail(io, checked.error);
        const { roster, sealed, merges } = checked.value;
        const refusal = withoutConsent(roster, sealed, merges, undefined);
        if (refusal !== undefined) return refused(refusal);
      }
      return withPeer(dataDir, async (node) => {
        const host = node.backupHost();
        const checked = await checkRead(host, opened);
        if (!checked.ok) return fail(io, checked.error);
        const { roster, sealed, merges } = checked.value;
        const refusal = withoutConsent(roster, sealed, merges, undefined);
        if (refusal !== undefined && !values.yes) return refused(refusal);
        // --yes agrees to what was just worked out: a restore that finds more is still refused.
        const restored = await restoreBackup(host, path, {
          passphrase: passphrase.value,
          consent: { devices: devicesOf(roster), unsealed: true },
        });
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
