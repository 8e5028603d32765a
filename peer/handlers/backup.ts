// The contract's backup calls: writing a community to a file, checking one, restoring it
// (backup/backup.ts). The file is a path on this device, an upload or a download (files/fileArgs.ts).
import type { Handlers } from "../../shared/contract.ts";
import { ok } from "../../shared/result.ts";
import { checkBackup, restoreBackup, writeBackup } from "../backup/backup.ts";
import { BACKUP_EXTENSION } from "../backup/format.ts";
import { consentOf } from "../backup/roster.ts";
import { readingSource, writingTarget } from "../files/fileArgs.ts";
import { withCommunity, type PeerServices } from "./context.ts";

export const backupHandlers = (
  s: PeerServices,
): Pick<Handlers, "backup:write" | "backup:inspect" | "backup:restore"> => ({
  "backup:write": withCommunity(s, (community, { target, passphrase }) =>
    writingTarget(
      s.transfers,
      target,
      { extension: BACKUP_EXTENSION.slice(1), fallbackName: "community" },
      (path) => writeBackup(s.backupHost(), community, { path, passphrase }),
    ),
  ),
  "backup:inspect": ({ source, passphrase }) =>
    readingSource(s.transfers, source, (path) => checkBackup(s.backupHost(), path, passphrase)),
  // The backup names its community itself; restoring may add it to this device, and members to its
  // list when the person agreed (consent). A restored upload has done its work and is removed.
  "backup:restore": async ({ source, passphrase, consent }) => {
    const restored = await readingSource(
      s.transfers,
      source,
      (path) => restoreBackup(s.backupHost(), path, { passphrase, consent: consentOf(consent) }),
      { useUp: true },
    );
    return restored.ok ? ok(restored.value.community) : restored;
  },
});
