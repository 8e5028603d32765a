// meitheal-peer: the headless peer. Exit codes a script can rely on:
//   0 done · 1 failed (message on stderr) · 2 usage error · 3 data folder unusable
import { parseArgs } from "node:util";
import type { CommunityId } from "../shared/ids.ts";
import { MeithealFailure, ErrorCode, err, ok, type Result } from "../shared/result.ts";
import { checkCommunityName } from "../shared/schema/input.ts";
import { defaultDataDir } from "./dataDir.ts";
import { APP_VERSION, PeerNode } from "./peerNode.ts";
import { planSync, SYNC_HELP, SYNC_OPTIONS, SYNC_USAGE, type SyncPlan } from "./sync/cliOptions.ts";
import { startWebServer } from "./web.ts";
import { common, dataDirOf, EXIT, withPeer, type Command, type Io, type Values } from "./cliKit.ts";
import { backupCommands } from "./backup/cli.ts";
import { exportCommands } from "./export/cli.ts";
import { collectionCommands } from "./export/collectionCommands.ts";
import { importCommands } from "./import/cli.ts";

export { EXIT };

const startWithSync = (values: Values, plan: SyncPlan | undefined) =>
  PeerNode.start({
    dataDir: dataDirOf(values),
    mode: "web",
    ...(plan
      ? { sync: { ...plan.config, anyPortIfTaken: plan.defaultPort, discovery: plan.discovery } }
      : {}),
  });

const syncLine = (node: PeerNode) => {
  const sync = node.sync;
  if (!sync) return "LAN sync: off.";
  return `LAN sync: listening on ${sync.listening().join(", ")}${sync.discovering ? " (finding devices with mDNS)" : ""}`;
};

function pickCommunity(node: PeerNode, given: unknown): Result<CommunityId> {
  const ids = node.communityIds();
  if (typeof given === "string") {
    const found = ids.find((id) => id === given);
    return found
      ? ok(found)
      : err(
          ErrorCode.BadInput,
          `No community ${given} on this device (meitheal-peer communities lists them).`,
        );
  }
  if (ids.length === 1 && ids[0]) return ok(ids[0]);
  return err(
    ErrorCode.BadInput,
    ids.length === 0
      ? "There is no community on this device to invite to. Create one first."
      : "This device has several communities: say which with --community ID (meitheal-peer communities lists them).",
  );
}

const membersOf = (node: PeerNode, id: string): string[] => {
  const community = node.community(id);
  const list = community ? node.sync?.members(community) : undefined;
  return list?.ok ? list.value.filter((m) => !m.removed).map((m) => m.deviceKey) : [];
};

/** Polls until `check` gives a value (or null for "give up"), or the signal aborts (null). */
async function waitFor<T>(
  signal: AbortSignal,
  check: () => T | null | undefined,
): Promise<T | null> {
  for (;;) {
    if (signal.aborted) return null;
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** "In sync" must hold this long before a command ends, so the last sync messages get out. */
const STABLE_MS = 600;

/** Prints progress until the community is in sync with a linked device, then exits 0. */
async function untilInSync(
  node: PeerNode,
  id: string,
  signal: AbortSignal,
  io: Io,
): Promise<number> {
  let last = "";
  let since: number | undefined;
  let linked = false;
  /** Names of missing member devices when it settled "partial". */
  let settled: string[] = [];
  const done = await waitFor(signal, () => {
    const community = node.community(id);
    const status = community ? node.sync?.status(community) : undefined;
    if (!status?.ok) return undefined;
    const { documents, state, peers, missing } = status.value;
    settled = state === "partial" ? missing.map((m) => m.name ?? m.deviceKey.slice(0, 8)) : [];
    if (peers.length > 0) linked = true;
    else if (linked) {
      linked = false;
      // It left right after both were in sync (it waited out its own STABLE_MS first): done.
      if (since !== undefined) return true;
      io.out(
        "The other device left before both said in sync; waiting for it to come back (Ctrl+C to stop).",
      );
    }
    const line = `syncing ${documents.here} / ${documents.total} documents`;
    if (state === "syncing" && line !== last) io.out((last = line));
    // In step with the linked devices: done, even if another member's device left a while ago
    // (said below, since then it is not "safe to leave").
    if (state !== "in-sync" && state !== "partial") {
      since = undefined;
      return undefined;
    }
    since ??= Date.now();
    return Date.now() - since >= STABLE_MS ? true : undefined;
  });
  if (!done) {
    io.err("Stopped before the community was in sync. What arrived so far is saved.");
    return EXIT.failed;
  }
  await node.flush();
  if (settled.length > 0)
    io.out(
      `In step with the devices linked now. Not reachable now, and linked a short while ago: ${settled.join(", ")}. They may hold changes this device does not have.`,
    );
  else io.out("In sync — safe to leave.");
  return EXIT.ok;
}

const COMMANDS: Record<string, Command> = {
  ...exportCommands,
  ...collectionCommands,
  ...backupCommands,
  ...importCommands,
  serve: {
    summary:
      "Serve the Meitheal app to a browser on this machine (127.0.0.1 only), and sync on the LAN.",
    usage: `meitheal-peer serve [--port N] [--web-dir DIR] [--data DIR] ${SYNC_USAGE}`,
    help: SYNC_HELP,
    options: { port: { type: "string" }, "web-dir": { type: "string" }, ...SYNC_OPTIONS },
    async run(values, _positionals, io, signal) {
      // Number("") is 0: an empty --port must not quietly mean "any port".
      const port =
        values.port === undefined
          ? 0
          : /^\d{1,5}$/.test(String(values.port))
            ? Number(values.port)
            : Number.NaN;
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        io.err(
          `--port must be a whole number from 0 to 65535 (0 picks a free port); got "${String(values.port)}".`,
        );
        return EXIT.usage;
      }
      const webDir = values["web-dir"];
      if (webDir === "") {
        io.err("--web-dir needs a folder (the output of npm run build:web).");
        return EXIT.usage;
      }
      const plan = planSync(values);
      if (!plan.ok) {
        io.err(`${plan.error.message}\nUsage: ${this.usage}`);
        return EXIT.usage;
      }
      const node = await startWithSync(values, plan.value);
      let web;
      try {
        web = await startWebServer({
          node,
          port,
          ...(typeof webDir === "string" ? { webDir } : {}),
        });
      } catch (e) {
        await node.close();
        const code = (e as NodeJS.ErrnoException).code;
        throw new Error(
          code === "EADDRINUSE"
            ? `Port ${port} is already in use. Choose another with --port N, or 0 for any free port.`
            : (e as Error).message,
        );
      }
      io.out(syncLine(node));
      io.out(
        `Meitheal is running. Open this address in a browser on this computer:\n\n  ${web.url}\n\nData folder: ${node.dataDir}\nPress Ctrl+C to stop.`,
      );
      await new Promise<void>((resolve) =>
        signal.addEventListener("abort", () => resolve(), { once: true }),
      );
      await web.close();
      await node.close();
      io.out("Stopped. Everything is saved.");
      return EXIT.ok;
    },
  },
  invite: {
    summary:
      "Invite a device into a community: prints a one-time code, then syncs with the joiner.",
    usage: `meitheal-peer invite [--community ID] [--data DIR] ${SYNC_USAGE}`,
    help: `The code works once, for 10 minutes. This command waits until the other device has joined\nand is in sync, then stops.\n\n${SYNC_HELP}`,
    options: { community: { type: "string" }, ...SYNC_OPTIONS },
    async run(values, _p, io, signal) {
      const plan = planSync(values);
      if (!plan.ok || !plan.value) {
        io.err(
          `${plan.ok ? "Inviting needs LAN sync; drop --no-lan." : plan.error.message}\nUsage: ${this.usage}`,
        );
        return EXIT.usage;
      }
      const node = await startWithSync(values, plan.value);
      try {
        const sync = node.sync;
        const id = pickCommunity(node, values.community);
        const community = id.ok ? node.community(id.value) : undefined;
        if (!sync || !id.ok || !community) {
          io.err(id.ok ? "Sync is not running." : id.error.message);
          return EXIT.usage;
        }
        const before = new Set(membersOf(node, id.value));
        const invite = await sync.invite(community);
        if (!invite.ok) {
          io.err(invite.error.message);
          return EXIT.failed;
        }
        io.out(syncLine(node));
        io.out(
          values.json
            ? JSON.stringify(invite.value)
            : `Invite code (works once, until ${invite.value.expiresAt}):\n\n  ${invite.value.code}\n\nQR link (the code and where this device listens): ${invite.value.uri}\nOn the other device: meitheal-peer join CODE --name NAME  (or "Join with a code" in the app);\nadd --at ${invite.value.addresses[0] ?? "HOST:PORT"} where mDNS does not pass.\nWaiting for it…`,
        );
        const deadline = Date.parse(invite.value.expiresAt);
        const joined = await waitFor(signal, () => {
          const fresh = membersOf(node, id.value).find((k) => !before.has(k));
          if (fresh) return fresh;
          return Date.now() > deadline ? null : undefined;
        });
        if (!joined) {
          io.err(
            signal.aborted
              ? "Stopped before anyone joined."
              : "The invite expired unused. Make a new one.",
          );
          return EXIT.failed;
        }
        const here = node.community(id.value);
        const list = here ? node.sync?.members(here) : undefined;
        const name = list?.ok ? list.value.find((m) => m.deviceKey === joined)?.name : undefined;
        io.out(`${name ?? "A device"} joined (device ${joined.slice(0, 12)}…); syncing.`);
        return await untilInSync(node, id.value, signal, io);
      } finally {
        await node.close();
      }
    },
  },
  join: {
    summary: "Join a community with an invite code, then sync until it is safe to leave.",
    usage: `meitheal-peer join CODE [--name NAME] [--at HOST:PORT] [--data DIR] ${SYNC_USAGE}`,
    help: [
      "  --name NAME           the name others in the community will see for this device",
      "                        (default: the profile's name, if one was ever set)",
      "  --at HOST:PORT        where the inviting device listens, when mDNS does not pass",
      "                        (the QR link carries it; a typed code is otherwise found by mDNS)",
      SYNC_HELP,
    ].join("\n"),
    options: { ...SYNC_OPTIONS, name: { type: "string" }, at: { type: "string" } },
    async run(values, positionals, io, signal) {
      if (positionals.length !== 1 || !positionals[0]) {
        io.err(`join takes one invite CODE (or the meitheal:join link).\nUsage: ${this.usage}`);
        return EXIT.usage;
      }
      const plan = planSync(values);
      if (!plan.ok || !plan.value) {
        io.err(
          `${plan.ok ? "Joining needs LAN sync; drop --no-lan." : plan.error.message}\nUsage: ${this.usage}`,
        );
        return EXIT.usage;
      }
      const node = await startWithSync(values, plan.value);
      try {
        const given = typeof values.name === "string" ? values.name : undefined;
        // Never the operating system's account name: only a name the person gave.
        const name = given ?? (node.profile.chosen ? node.profile.displayName : undefined);
        if (name === undefined) {
          io.err(
            `Give the name others in the community will see for this device: --name NAME. Nothing was sent.\nUsage: ${this.usage}`,
          );
          return EXIT.usage;
        }
        const at = typeof values.at === "string" ? values.at : undefined;
        const joined = await node.sync?.join({
          code: positionals[0],
          name,
          ...(at === undefined ? {} : { at }),
        });
        if (!joined?.ok) {
          io.err(joined?.error.message ?? "Sync is not running.");
          return joined?.error.code === ErrorCode.BadInput ? EXIT.usage : EXIT.failed;
        }
        io.out(`Paired. Joined community ${joined.value.id}; fetching its documents…`);
        return await untilInSync(node, joined.value.id, signal, io);
      } finally {
        await node.close();
      }
    },
  },
  communities: {
    summary: "List the communities on this device.",
    usage: "meitheal-peer communities [--json] [--data DIR]",
    options: {},
    async run(values, _p, io) {
      const list = await withPeer(dataDirOf(values), (node) =>
        Promise.resolve(node.listCommunities()),
      );
      if (values.json) io.out(JSON.stringify(list, null, 2));
      else if (list.length === 0)
        io.out("No communities yet. Create one with: meitheal-peer create-community NAME");
      else {
        for (const c of list) {
          const name = c.state === "ok" ? c.name : `(${c.state}) ${c.problems[0] ?? ""}`;
          io.out(`${c.id}  ${name}  ${c.entryCount} item${c.entryCount === 1 ? "" : "s"}`);
        }
      }
      return EXIT.ok;
    },
  },
  "create-community": {
    summary: "Create a community on this device.",
    usage:
      'meitheal-peer create-community NAME [--purpose TEXT] [--themes "a,b,c"] [--json] [--data DIR]',
    options: { purpose: { type: "string" }, themes: { type: "string" } },
    async run(values, positionals, io) {
      if (positionals.length !== 1) {
        io.err("create-community takes one NAME (quote it if it has spaces).");
        return EXIT.usage;
      }
      // Checked before the peer starts, so a typo does not create a data folder and a device key.
      const name = checkCommunityName(positionals[0]);
      if (!name.ok) {
        io.err(`${name.error.message}\nUsage: ${this.usage}`);
        return EXIT.usage;
      }
      const themes = typeof values.themes === "string" ? values.themes.split(",") : undefined;
      const result = await withPeer(dataDirOf(values), (node) =>
        node.createCommunity({ name: positionals[0], purpose: values.purpose, themes }),
      );
      if (!result.ok) {
        io.err(result.error.message);
        return result.error.code === ErrorCode.BadInput ? EXIT.usage : EXIT.failed;
      }
      io.out(
        values.json
          ? JSON.stringify(result.value, null, 2)
          : `Created "${result.value.name}" (${result.value.id}).`,
      );
      return EXIT.ok;
    },
  },
  info: {
    summary: "Show this device's key and data folder.",
    usage: "meitheal-peer info [--json] [--data DIR]",
    options: {},
    async run(values, _p, io) {
      const info = await withPeer(dataDirOf(values), (node) =>
        Promise.resolve({
          deviceKey: node.device.publicKey,
          dataDir: node.dataDir,
          appVersion: APP_VERSION,
          communities: node.communityIds().length,
        }),
      );
      io.out(
        values.json
          ? JSON.stringify(info, null, 2)
          : `Device key:  ${info.deviceKey}\nData folder: ${info.dataDir}\nCommunities: ${info.communities}\nVersion:     ${info.appVersion}`,
      );
      return EXIT.ok;
    },
  },
};

const topHelp = () =>
  [
    `meitheal-peer ${APP_VERSION} — the Meitheal peer without a window.`,
    "",
    "Usage: meitheal-peer <command> [options]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(18)} ${c.summary}`),
    "",
    "Options for every command:",
    `  --data DIR   data folder (default: ${defaultDataDir()})`,
    "  --json       machine-readable output",
    "  --help       help for a command",
    "",
    "MEITHEAL_DEBUG=1 in the environment adds stack traces to failures (for a bug report).",
    "",
    "Exit codes: 0 done, 1 failed, 2 usage error, 3 data folder unusable.",
  ].join("\n");

export async function runCli(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(topHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "--version") {
    io.out(APP_VERSION);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`Unknown command "${name}". Run meitheal-peer --help to see the commands.`);
    return EXIT.usage;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...common, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    io.err(`${(e as Error).message}\nUsage: ${command.usage}`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    io.out(
      `${command.summary}\n\nUsage: ${command.usage}\n\n  --data DIR   data folder (default: ${defaultDataDir()})${command.help ? `\n\n${command.help}` : ""}`,
    );
    return EXIT.ok;
  }
  // resolve("") is the current folder: an empty --data (an unset shell variable) must not turn it into a data folder.
  if (typeof parsed.values.data === "string" && parsed.values.data.trim() === "") {
    io.err(`--data needs a folder; it was empty.\nUsage: ${command.usage}`);
    return EXIT.usage;
  }
  try {
    return await command.run(parsed.values as Values, parsed.positionals, io, signal);
  } catch (e) {
    if (e instanceof MeithealFailure) {
      io.err(e.message);
      return e.code === ErrorCode.DataFolder ? EXIT.dataFolder : EXIT.failed;
    }
    // A message for people; the stack trace only when asked for (MEITHEAL_DEBUG=1).
    io.err(`meitheal-peer ${name} failed: ${(e as Error).message}`);
    if (debugging()) io.err(String((e as Error).stack ?? e));
    return EXIT.failed;
  }
}

/** MEITHEAL_DEBUG=1: failures print their stack traces too (for a bug report). */
const debugging = () => process.env.MEITHEAL_DEBUG === "1";

/** An error as people read it: its message; the stack trace too under MEITHEAL_DEBUG=1. */
const forPeople = (e: unknown): string =>
  debugging() ? String((e as Error)?.stack ?? e) : e instanceof Error ? e.message : String(e);

const isMain = process.argv[1] !== undefined && /cli\.(ts|js|mjs)$/.test(process.argv[1]);
if (isMain) {
  // A rejected promise inside a library (a handle whose wait timed out) must not take the peer,
  // and everyone's unsaved sync, down with it: report it and carry on.
  process.on("unhandledRejection", (e) =>
    console.error(
      `meitheal-peer: an internal task failed (${forPeople(e)}); the peer keeps running.`,
    ),
  );
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  process.once("SIGTERM", () => controller.abort());
  runCli(
    process.argv.slice(2),
    { out: (s) => console.log(s), err: (s) => console.error(s) },
    controller.signal,
  ).then(
    (code) => {
      process.exitCode = code;
      // Everything is saved and closed by now; a library timer left running (automerge-repo waits
      // up to a minute on handles that never loaded) must not hold the process open.
      setTimeout(() => process.exit(code), 2_000).unref();
    },
    (e: unknown) => {
      console.error(`meitheal-peer failed: ${forPeople(e)}`);
      process.exitCode = EXIT.failed;
    },
  );
}
