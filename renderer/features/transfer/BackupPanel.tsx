// Community settings → Backup: the whole community in one file (its documents and its key), to keep
// or to restore on a new laptop (#/restore). Unlike the offline bundle it is not encrypted for a
// member: whoever holds it holds the community, and the panel says so plainly.
import { useId, useState } from "react";
import { atPath } from "../../../shared/contract.ts";
import { t } from "../../i18n/index.ts";
import { useCommunity } from "../../communityContext.tsx";
import { usePeer } from "../../peerContext.ts";
import { Notice, FailureNotice } from "../../ui/kit.tsx";
import { formatBytes } from "../sync/format.ts";
import { BACKUP_EXTENSION, defaultPath, isoDay } from "./format.ts";
import { useTypedRequest } from "../../ui/useTypedRequest.ts";
import { PathField } from "./PathField.tsx";
import { ProgressBar, useTaskProgress } from "./progress.tsx";

export function BackupPanel() {
  const { connection } = usePeer();
  const { id: communityId, index } = useCommunity();
  const name = index.doc.name;
  const headingId = useId();
  const [initial] = useState(() =>
    defaultPath(`${name} ${isoDay(new Date())}`, BACKUP_EXTENSION, t("backup.fileFallback")),
  );
  const form = useTypedRequest({
    initial,
    empty: t("transfer.pathEmpty"),
    run: (path) => connection.rpc.call("backup:write", { communityId, target: atPath(path) }),
    onStart: () => reset(),
  });
  const { busy, refusal: failure } = form;
  const done = form.answer?.value ?? null;
  const { progress, reset } = useTaskProgress("backup", communityId, busy);

  return (
    <section className="narrow backup-panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("backup.title")}</h2>
      <p className="lede">{t("backup.intro")}</p>
      <Notice tone="warning" title={t("backup.keepSafe.title")}>
        <p>{t("backup.keepSafe.body")}</p>
      </Notice>
      <form onSubmit={form.submit} noValidate aria-busy={busy} aria-label={t("backup.title")}>
        <PathField
          label={t("backup.path")}
          hint={t("transfer.pathHint")}
          value={form.text}
          onChange={form.setText}
          error={form.error}
          busy={busy}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t("backup.submit")}
          </button>
        </div>
      </form>
      {busy && <ProgressBar progress={progress} label={t("backup.busy")} />}
      {failure && (
        <FailureNotice
          title={t("backup.failed")}
          message={failure.message}
          unchanged={t("transfer.nothingWritten")}
        />
      )}
      {done && (
        <div className="transfer-summary">
          <p role="status">
            {t(done.documents === 1 ? "backup.done.one" : "backup.done", {
              count: done.documents,
              size: formatBytes(done.bytes),
            })}
          </p>
          <p className="transfer-path">
            <code>{done.path}</code>
          </p>
          <p className="hint">{t("backup.done.restoreHint")}</p>
        </div>
      )}
    </section>
  );
}
