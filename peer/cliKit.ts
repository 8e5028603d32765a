// What every meitheal-peer command shares: exit codes, the command shape, opening a peer on a data
// folder. Commands of a feature live with it (peer/<feature>/cli.ts) and are listed in cli.ts.
import type { ParseArgsConfig } from "node:util";
import { defaultDataDir } from "./dataDir.ts";
import { PeerNode } from "./main.ts";

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
