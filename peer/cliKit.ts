// What every meitheal-peer command shares: exit codes, the command shape, opening a peer on a data
// folder. Commands of a feature live with it (peer/<feature>/cli.ts) and are listed in cli.ts.
import type { ParseArgsConfig } from "node:util";
import type { CommunityId } from "../shared/ids.ts";
import { ErrorCode, MeithealFailure, err, ok, type Result } from "../shared/result.ts";
import { defaultDataDir } from "./dataDir.ts";
import { PeerNode } from "./peerNode.ts";

export const EXIT = { ok: 0, failed: 1, usage: 2, dataFolder: 3 } as const;

export type Io = { out: (s: string) => void; err: (s: string) => void };
export type Options = NonNullable<ParseArgsConfig["options"]>;

export const common: Options = {
  data: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

export type Values = Record<string, string | boolean | string[] | undefined>;

export type Command = {
  summary: string;
  usage: string;
  /** More lines for `COMMAND --help`. */
  help?: string;
  options: Options;
  run: (values: Values, positionals: string[], io: Io, signal: AbortSignal) => Promise<number>;
};

/**
 * Runs `fn` on a peer of the data folder and closes it; `readOnly` for commands that only read
 * (an export, a list), which then work on a folder this account cannot write. Closing saves what is still unsaved; when
 * that fails (a full disk), the failure says so in words, after whatever `fn` already said.
 */
export const withPeer = async <T>(
  dataDir: string,
  fn: (node: PeerNode) => Promise<T>,
  options: { readOnly?: boolean } = {},
): Promise<T> => {
  const node = await PeerNode.start({ dataDir, mode: "web", readOnly: options.readOnly === true });
  let result: T;
  try {
    result = await fn(node);
  } catch (e) {
    await node.close().catch(() => undefined);
    throw e;
  }
  try {
    await node.close();
  } catch (e) {
    throw new MeithealFailure(ErrorCode.Storage, unsavedOnClose(node.dataDir, e));
  }
  return result;
};

function unsavedOnClose(dataDir: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === "ENOSPC" || code === "EDQUOT"
      ? `the disk holding ${dataDir} is full. Free some space on it`
      : code === "EACCES" || code === "EPERM" || code === "EROFS"
        ? `${dataDir} cannot be written (permissions, or a read-only disk). Make it writable for this account`
        : `${dataDir} could not be written (${code ?? (e as Error).message}). Check it can be written and has space`;
  return `The last changes could not be saved when closing, because ${why}, then run the command again. What was reported saved above is saved; anything else is not.`;
}

export const dataDirOf = (values: Record<string, unknown>) =>
  typeof values.data === "string" ? values.data : defaultDataDir();

/** How names are compared when a person types one: case, spacing and composition aside. */
export const fold = (text: string) => text.normalize("NFC").trim().toLocaleLowerCase();

/**
 * The community a command names with --community: by id, or by name when exactly one has it; the
 * only one when none is named. `noneHere` says what to do when the device has none.
 */
export function findCommunity(
  node: PeerNode,
  given: unknown,
  noneHere = "There is no community on this device. Create or join one first.",
): Result<CommunityId> {
  const list = node.listCommunities();
  if (typeof given !== "string" || given.trim() === "") {
    if (list.length === 1 && list[0]) return ok(list[0].id);
    return err(
      ErrorCode.BadInput,
      list.length === 0
        ? noneHere
        : "This device has several communities: say which with --community ID or NAME (meitheal-peer communities lists them).",
    );
  }
  const byId = list.find((c) => c.id === given.trim());
  if (byId) return ok(byId.id);
  const named = list.filter((c) => c.name !== null && fold(c.name) === fold(given));
  if (named.length === 1 && named[0]) return ok(named[0].id);
  return err(
    ErrorCode.BadInput,
    named.length > 1
      ? `Several communities are called "${given}": give the id instead (${named.map((c) => c.id).join(", ")}).`
      : `No community "${given}" on this device (meitheal-peer communities lists them).`,
  );
}
