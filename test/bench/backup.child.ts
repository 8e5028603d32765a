// One backup or one restore, in a fresh process, as the CLI runs it:
//   node --import tsx test/bench/backup.child.ts backup <dataDir> <communityId> <path>
//   node --import tsx test/bench/backup.child.ts restore <dataDir> <path>
// A fresh process per sample, because one process that opens 1,000 documents again and again gets
// slower each time (the peers closed before still hold their documents until a GC frees automerge's
// memory), which is not what a person running the command once sees. Prints one JSON line.
import { checkBackup, restoreBackup } from "../../peer/backup/backup.ts";
import { devicesOf } from "../../peer/backup/roster.ts";
import { PeerNode } from "../../peer/peerNode.ts";
import { asCommunityId } from "../../shared/ids.ts";
import { atPath } from "../../shared/contract.ts";

export type BackupSample = { ms: number; documents: number; bytes: number; path: string };

const [mode, dataDir, ...rest] = process.argv.slice(2);
if ((mode !== "backup" && mode !== "restore") || !dataDir) {
  process.stderr.write("usage: backup.child.ts backup|restore <dataDir> …\n");
  process.exit(2);
}
// The peer starts before the clock does: what is timed is the backup or the restore alone.
const node = await PeerNode.start({ dataDir });
let sample: BackupSample;
try {
  // The restore as a person makes it: after a check, which they read and agree to (not timed).
  const checked = mode === "backup" ? undefined : await checkBackup(node.backupHost(), rest[0] ?? "");
  if (checked && !checked.ok) throw new Error(checked.error.message);
  const consent =
    checked?.ok && checked.value.state === "checked"
      ? { devices: devicesOf(checked.value.roster), unsealed: !checked.value.sealed }
      : undefined;
  const started = performance.now();
  if (mode === "backup") {
    const [communityId, path] = rest;
    const written = await node.handlers["backup:write"]({
      communityId: asCommunityId(communityId ?? ""),
      target: atPath(path ?? ""),
    });
    if (!written.ok) throw new Error(written.error.message);
    sample = { ms: performance.now() - started, documents: written.value.documents, bytes: written.value.bytes, path: written.value.path ?? "" };
  } else {
    const restored = await restoreBackup(node.backupHost(), rest[0] ?? "", { consent });
    if (!restored.ok) throw new Error(restored.error.message);
    sample = { ms: performance.now() - started, documents: restored.value.documents, bytes: 0, path: restored.value.path ?? "" };
  }
} finally {
  await node.close();
}
process.stdout.write(`${JSON.stringify(sample)}\n`);
process.exit(0);
