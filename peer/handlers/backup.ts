// The contract's backup calls: writing a community to a file, checking one, restoring it
// (backup/backup.ts).
import type { Handlers } from "../../shared/contract.ts";
import { ok } from "../../shared/result.ts";
import { inspectBackup, restoreBackup, writeBackup } from "../backup/backup.ts";
import { withCommunity, type PeerServices } from "./context.ts";

export const backupHandlers = (
  s: PeerServices,
): Pick<Handlers, "backup:write" | "backup:inspect" | "backup:restore"> => ({
  "backup:write": withCommunity(s, (community, { path }) =>
    writeBackup(s.backupHost(), community, { path }),
  ),
  "backup:inspect": ({ path }) => inspectBackup(path),
  // The backup names its community itself; restoring may add it to this device.
  "backup:restore": async ({ path }) => {
    const restored = await restoreBackup(s.backupHost(), path);
    return restored.ok ? ok(restored.value.community) : restored;
  },
});
