// What every meitheal-peer command shares: exit codes, the command shape, opening a peer on a data
// folder. Commands of a feature live with it (peer/<feature>/cli.ts) and are listed in cli.ts.
import type { ParseArgsConfig } from "node:util";
import type { CommunityId } from "../shared/ids.ts";
import { ErrorCode, err, ok, type Result } from "../shared/result.ts";
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

export const withPeer = async <T>(
  dataDir: string,
  fn: (node: PeerNode) => Promise<T>,
): Promise<T> => {
  const node = await PeerNode.start({ dataDir, mode: "web" });
  try {
    return await fn(node);
  } finally {
    await node.close();
  }
};

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
