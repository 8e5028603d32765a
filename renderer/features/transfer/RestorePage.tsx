// #/restore: a community from a backup file, on this device. First "Check" reads the file without
// changing anything (which community, how many documents, when it was written), then "Restore"
// brings it in under the same document ids, so it merges with the other devices later rather than
// duplicating, and the community opens.
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { atPath, type BackupSummary } from "../../../shared/contract.ts";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { navigate } from "../../route.ts";
import { FailureNotice, PageHeading } from "../../ui/kit.tsx";
import { formatBytes } from "../sync/format.ts";
import { formatWhen } from "./format.ts";
import { PathField } from "./PathField.tsx";
import { ProgressBar, useTaskProgress } from "./progress.tsx";

type Phase =
  | { state: "path" }
  | { state: "checking" }
  | { state: "checked"; summary: BackupSummary }
  | { state: "restoring"; summary: BackupSummary };

export function RestorePage({ initialPath }: { initialPath: string | null }) {
  const { connection } = usePeer();
  const [path, setPath] = useState(initialPath ?? "");
  const [pathError, setPathError] = useState<string | null>(null);
  const [failure, setFailure] = useState<{ title: string; message: string } | null>(null);
  const [phase, setPhase] = useState<Phase>({ state: "path" });
  const { progress, reset } = useTaskProgress("restore", null, phase.state === "restoring");
  const checkedHeading = useRef<HTMLHeadingElement>(null);
  const checkedId = useId();

  useEffect(() => {
    if (phase.state === "checked") checkedHeading.current?.focus();
  }, [phase.state]);

  const check = async (e: FormEvent) => {
    e.preventDefault();
    if (phase.state === "checking" || phase.state === "restoring") return;
    const typed = path.trim();
    setFailure(null);
    if (!typed) return setPathError(t("transfer.pathEmpty"));
    setPathError(null);
    setPhase({ state: "checking" });
    const answer = await connection.rpc.call("backup:inspect", { source: atPath(typed) });
    if (answer.ok) setPhase({ state: "checked", summary: answer.value });
    else {
      setPhase({ state: "path" });
      setFailure({ title: t("restore.checkFailed"), message: answer.error.message });
    }
  };

  const restore = async (summary: BackupSummary) => {
    setFailure(null);
    reset();
    setPhase({ state: "restoring", summary });
    const answer = await connection.rpc.call("backup:restore", {
      source: atPath(summary.path ?? ""),
    });
    if (answer.ok) {
      navigate({
        page: "community",
        communityId: answer.value.id,
        section: "stories",
        docId: null,
      });
      return;
    }
    setPhase({ state: "checked", summary });
    setFailure({ title: t("restore.failed"), message: answer.error.message });
  };

  const busy = phase.state === "checking" || phase.state === "restoring";
  const summary = phase.state === "checked" || phase.state === "restoring" ? phase.summary : null;
  return (
    <main id="main" className="page narrow restore-page">
      <PageHeading>{t("restore.title")}</PageHeading>
      <p className="lede">{t("restore.intro")}</p>
      <form onSubmit={(e) => void check(e)} noValidate aria-busy={phase.state === "checking"}>
        <PathField
          label={t("restore.path")}
          hint={t("restore.pathHint")}
          value={path}
          onChange={(next) => {
            setPath(next);
            // A checked file is no longer the one named: check again before restoring.
            if (phase.state === "checked") setPhase({ state: "path" });
          }}
          error={pathError}
          placeholder={t("restore.placeholder")}
          busy={busy}
        />
        <div className="actions">
          <button type="submit" className={summary ? "" : "primary"} disabled={busy}>
            {t("restore.check")}
          </button>
          {phase.state === "checking" && <span role="status">{t("restore.checking")}</span>}
        </div>
      </form>
      {failure && <FailureNotice {...failure} unchanged={t("restore.nothingChanged")} />}
      {summary && (
        <section className="transfer-summary" aria-labelledby={checkedId}>
          <h2 id={checkedId} ref={checkedHeading} tabIndex={-1}>
            {summary.name ?? t("restore.unnamed")}
          </h2>
          <dl className="facts">
            <dt>{t("restore.documents")}</dt>
            <dd>
              {t(summary.documents === 1 ? "restore.documents.one" : "restore.documents.many", {
                count: summary.documents,
              })}{" "}
              ({formatBytes(summary.bytes)})
            </dd>
            <dt>{t("restore.written")}</dt>
            <dd>{formatWhen(summary.createdAt)}</dd>
            <dt>{t("restore.file")}</dt>
            <dd>
              <code>{summary.path}</code>
            </dd>
          </dl>
          <p className="hint">{t("restore.explain")}</p>
          {phase.state === "restoring" ? (
            <ProgressBar progress={progress} label={t("restore.busy")} />
          ) : (
            <div className="actions">
              <button type="button" className="primary" onClick={() => void restore(summary)}>
                {t("restore.submit", { name: summary.name ?? t("restore.unnamed") })}
              </button>
            </div>
          )}
        </section>
      )}
    </main>
  );
}
