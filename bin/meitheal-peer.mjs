#!/usr/bin/env node
// Runs the TypeScript peer CLI through tsx, so `meitheal-peer` works straight from a checkout.
import { register } from "tsx/esm/api";
import { fileURLToPath } from "node:url";

register();
process.argv[1] = fileURLToPath(new URL("../peer/cli.ts", import.meta.url));
await import("../peer/cli.ts");
