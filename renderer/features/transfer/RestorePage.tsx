// #/restore: a community from a backup file, on this device. First "Check" reads the file without
// changing anything (which community, how many documents, when it was written, whether it is
// sealed, and who restoring it lets in: RestoreCheck), then "Restore" brings it in under the same
// document ids, so it merges with the other devices later rather than duplicating, and the
// community opens; "Cancel" leaves everything as it was. The restore carries consent to exactly
// what the check showed: the peer refuses one that would change more. The file is chosen in the system dialog (desktop), or picked
// or dropped in a browser and sent to the peer (with progress); a path on the peer's computer may be
// typed under "Advanced" (the desktop app's file association opens #/restore/<path> with it).
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import type { BackupCheck, FileSource } from "../../../shared/contract.ts";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { navigate } from "../../route.ts";
import { FailureNotice, PageHeading } from "../../ui/kit.tsx";
import { formatBytes } from "../sync/format.ts";
import { formatWhen } from "./format.ts";
import { FileChooser } from "./FileChooser.tsx";
import { CANCELLED, sourcesOf, type ChosenFile, type Transferred } from "./files.ts";
import { ProgressBar, useTaskProgress } from "./progress.tsx";
import { consentTo, RestoreMembers, RestoreWarnings } from "./RestoreCheck.tsx";

type Phase =
  | { state: "path" }
  | { state: "checking" }
  | { state: "checked"; summary: BackupCheck; source: FileSource; name: string }
  | { state: "restoring"; summary: BackupCheck; source: FileSource; name: string };

export function RestorePage({ initialPath }: { initialPath: string | null }) {
  const { connection } = usePeer();
  const [chosen, setChosen] = useState<ChosenFile[]>(() =>
    initialPath ? [{ kind: "path", path: initialPath, name: initialPath }] : [],
  );
  const [sent, setSent] = useState<Transferred | null>(null);
  const [pathError, setPathError] = useState<string | null>(null);
  const [failure, setFailure] = useState<{ title: string; message: string } | null>(null);
  const [phase, setPhase] = useState<Phase>({ state: "path" });
  const { progress, reset } = useTaskProgress("restore", null, phase.state === "restoring");
  const [cancelled, setCancelled] = useState(false);
  const checkedHeading = useRef<HTMLHeadingElement>(null);
  const checkButton = useRef<HTMLButtonElement>(null);
  const checkedId = useId();

  // What a check found comes into view whole (it is below the file chooser), its heading focused.
  // Not when a failed restore returns here: its message, above, must stay in sight.
  const previous = useRef(phase.state);
  useEffect(() => {
    const from = previous.current;
    previous.current = phase.state;
    if (phase.state !== "checked") return;
    if (from === "checking") checkedHeading.current?.scrollIntoView({ block: "start" });
    checkedHeading.current?.focus({ preventScroll: true });
  }, [phase.state]);

  const check = async (e: FormEvent) => {
    e.preventDefault();
    if (phase.state === "checking" || phase.state === "restoring") return;
    const file = chosen[0];
    setFailure(null);
    setCancelled(false);
    if (!file) return setPathError(t("files.noneChosen"));
    setPathError(null);
    setPhase({ state: "checking" });
    setSent(null);
    const sources = await sourcesOf([file], setSent);
    const source = sources.ok ? sources.value[0] : undefined;
    if (!source) {
      setPhase({ state: "path" });
      if (!sources.ok && sources.error.message !== CANCELLED)
        setFailure({ title: t("restore.checkFailed"), message: sources.error.message });
      return;
    }
    const answer = await connection.rpc.call("backup:inspect", { source });
    if (answer.ok) setPhase({ state: "checked", summary: answer.value, source, name: file.name });
    else {
      setPhase({ state: "path" });
      setFailure({ title: t("restore.checkFailed"), message: answer.error.message });
    }
  };

  const restore = async (checked: { summary: BackupCheck; source: FileSource; name: string }) => {
    setFailure(null);
    reset();
    setPhase({ state: "restoring", ...checked });
    const answer = await connection.rpc.call("backup:restore", {
      source: checked.source,
      consent: consentTo(checked.summary),
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
    setPhase({ state: "checked", ...checked });
    setFailure({ title: t("restore.failed"), message: answer.error.message });
  };

  // Nothing was restored: said, and the keyboard goes back to where the person chooses again.
  const cancel = () => {
    setPhase({ state: "path" });
    setCancelled(true);
    checkButton.current?.focus();
  };

  const busy = phase.state === "checking" || phase.state === "restoring";
  const checked = phase.state === "checked" || phase.state === "restoring" ? phase : null;
  const summary = checked?.summary ?? null;
  return (
    <main id="main" className="page narrow restore-page">
      <PageHeading>{t("restore.title")}</PageHeading>
      <p className="lede">{t("restore.intro")}</p>
      <form onSubmit={(e) => void check(e)} noValidate aria-busy={phase.state === "checking"}>
        <FileChooser
          label={t("restore.path")}
          hint={t("restore.fileHint")}
          purpose="backup"
          accept=".meitheal-backup"
          chosen={chosen}
          onChange={(next) => {
            setChosen(next);
            setPathError(null);
            // A checked file is no longer the one named: check again before restoring.
            if (phase.state === "checked") setPhase({ state: "path" });
          }}
          error={pathError}
          busy={busy}
          pathLabel={t("restore.pathTyped")}
        />
        <div className="actions">
          <button
            type="submit"
            ref={checkButton}
            className={summary ? "" : "primary"}
            disabled={busy}
          >
            {t("restore.check")}
          </button>
          {phase.state === "checking" && <span role="status">{t("restore.checking")}</span>}
          <span role="status">{cancelled ? t("restore.cancelled") : ""}</span>
        </div>
        {phase.state === "checking" && sent && sent.total > 0 && (
          <ProgressBar progress={sent} label={t("files.sending")} />
        )}
      </form>
      {failure && <FailureNotice {...failure} unchanged={t("restore.nothingChanged")} />}
      {summary && (
        <section className="transfer-summary" aria-labelledby={checkedId}>
          <h2 id={checkedId} ref={checkedHeading} tabIndex={-1}>
            {summary.name ?? t("restore.unnamed")}
          </h2>
          <RestoreWarnings check={summary} name={summary.name ?? t("restore.unnamed")} />
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
            <dd>{summary.path === null ? checked?.name : <code>{summary.path}</code>}</dd>
            {summary.sealed && (
              <>
                <dt>{t("restore.seal")}</dt>
                <dd>{t("restore.seal.yes")}</dd>
              </>
            )}
          </dl>
          <p className="hint">
            {summary.merges
              ? t("restore.explain.merge", { name: summary.name ?? t("restore.unnamed") })
              : t("restore.explain")}
          </p>
          <RestoreMembers check={summary} />
          {phase.state === "restoring" ? (
            <ProgressBar progress={progress} label={t("restore.busy")} />
          ) : (
            <div className="actions">
              <button
                type="button"
                className="primary"
                onClick={() => checked && void restore(checked)}
              >
                {t("restore.submit", { name: summary.name ?? t("restore.unnamed") })}
              </button>
              <button type="button" onClick={cancel}>
                {t("restore.cancel")}
              </button>
            </div>
          )}
        </section>
      )}
    </main>
  );
}
