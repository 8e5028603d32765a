// The contract's calls about stored data that failed its check and was quarantined (warnings.ts).
import type { Handlers } from "../../shared/contract.ts";
import { ok } from "../../shared/result.ts";
import type { PeerServices } from "./context.ts";

export const storageHandlers = (
  s: PeerServices,
): Pick<Handlers, "storage:warnings" | "storage:dismiss"> => ({
  "storage:warnings": () => Promise.resolve(ok(s.warnings.list())),
  "storage:dismiss": ({ id }) => s.warnings.dismiss(id),
});
