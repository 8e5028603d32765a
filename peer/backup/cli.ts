// meitheal-peer commands of this feature (being written).
import type { Command } from "../cliKit.ts";

export const backupCommands: Record<string, Command> = {};
