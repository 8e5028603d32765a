// The LAN sync options every long-running meitheal-peer command shares (serve, invite, join).
import type { ParseArgsConfig } from "node:util";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { parseAddress } from "./dialler.ts";
import type { SyncConfig } from "./service.ts";

/** The port Meitheal listens on for LAN links unless told otherwise (a free one if it is taken). */
export const DEFAULT_SYNC_PORT = 47800;

export const SYNC_OPTIONS: NonNullable<ParseArgsConfig["options"]> = {
  listen: { type: "string" },
  "no-lan": { type: "boolean" },
  "no-discovery": { type: "boolean" },
  connect: { type: "string", multiple: true },
  advertise: { type: "string", multiple: true },
};

export const SYNC_USAGE =
  "[--listen HOST:PORT | --no-lan] [--connect HOST:PORT]... [--advertise HOST:PORT]... [--no-discovery]";

export const SYNC_HELP = [
  "LAN sync (on unless --no-lan):",
  `  --listen HOST:PORT    accept links there (default 0.0.0.0:${DEFAULT_SYNC_PORT}, every network;`,
  "                        127.0.0.1:0 keeps it on this computer, port 0 picks a free one)",
  "  --no-lan              no listening, no dialling: this device syncs with nobody",
  "  --connect HOST:PORT   link to that device too (repeatable); its key is checked against the roster",
  "  --advertise HOST:PORT put this address in invites instead of this device's own (repeatable)",
  "  --no-discovery        do not announce or look for devices with mDNS",
].join("\n");

export type SyncPlan = {
  config: SyncConfig;
  /** The default port was asked for implicitly: fall back to a free one if it is taken. */
  defaultPort: boolean;
  discovery: boolean;
};

type Values = Record<string, string | boolean | string[] | undefined>;

/** Reads the sync options; undefined when sync is off. */
export function planSync(values: Values): Result<SyncPlan | undefined> {
  const lanOff = values["no-lan"] === true;
  const connect = (values.connect as string[] | undefined) ?? [];
  const advertise = (values.advertise as string[] | undefined) ?? [];
  if (lanOff) {
    if (values.listen !== undefined || connect.length > 0 || advertise.length > 0)
      return err(
        ErrorCode.BadInput,
        "--no-lan cannot be combined with --listen, --connect or --advertise.",
      );
    return ok(undefined);
  }
  let listen = { host: "0.0.0.0", port: DEFAULT_SYNC_PORT };
  let defaultPort = true;
  if (typeof values.listen === "string") {
    const parsed = parseListen(values.listen);
    if (!parsed.ok) return parsed;
    listen = parsed.value;
    defaultPort = false;
  }
  for (const address of [...connect, ...advertise]) {
    const parsed = parseAddress(address);
    if (!parsed.ok) return parsed;
  }
  return ok({
    config: {
      listen,
      ...(connect.length > 0 ? { connect } : {}),
      ...(advertise.length > 0 ? { advertise } : {}),
    },
    defaultPort,
    discovery: values["no-discovery"] !== true,
  });
}

/** HOST:PORT for listening: port 0 is allowed (a free port). */
function parseListen(text: string): Result<{ host: string; port: number }> {
  const zero = /^(.*):0$/.exec(text.trim());
  if (zero?.[1]) {
    const parsed = parseAddress(`${zero[1]}:1`);
    return parsed.ok ? ok({ host: parsed.value.host, port: 0 }) : listenError(text);
  }
  const parsed = parseAddress(text);
  return parsed.ok ? parsed : listenError(text);
}

const listenError = (text: string): Result<never> =>
  err(
    ErrorCode.BadInput,
    `--listen needs HOST:PORT, e.g. 0.0.0.0:${DEFAULT_SYNC_PORT} or 127.0.0.1:0; got "${text.slice(0, 80)}".`,
  );
