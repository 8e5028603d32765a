// Every handler of the contract, one slice per area, in one table: a method of Handlers that no
// slice answers fails to compile here (and test/peer/contract.test.ts calls each through the gate).
import type { Handlers } from "../../shared/contract.ts";
import { backupHandlers } from "./backup.ts";
import { communityHandlers } from "./communities.ts";
import type { PeerServices } from "./context.ts";
import { deviceHandlers } from "./device.ts";
import { exportHandlers } from "./export.ts";
import { harvestHandlers } from "./harvest.ts";
import { importHandlers } from "./import.ts";
import { searchHandlers } from "./search.ts";
import { storageHandlers } from "./storage.ts";
import { syncHandlers } from "./sync.ts";

export const allHandlers = (services: PeerServices): Handlers => ({
  ...deviceHandlers(services),
  ...communityHandlers(services),
  ...storageHandlers(services),
  ...syncHandlers(services),
  ...searchHandlers(services),
  ...exportHandlers(services),
  ...backupHandlers(services),
  ...importHandlers(services),
  ...harvestHandlers(services),
});
