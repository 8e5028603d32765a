// #/restore: a community from a backup file, on this device. First "Check" reads the file without
// changing anything (which community, how many documents, when it was written, whether it is
// sealed, and who restoring it lets in: RestoreCheck), then "Restore" brings it in under the same
// document ids, so it merges with the other devices later rather than duplicating, and the
// community opens; "Cancel" leaves everything as it was. The restore carries consent to exactly
// what the check showed: the peer refuses one that would change more. A backup protected by a
// passphrase checks as "locked": the page asks for the passphrase (UnlockBackup) and checks again
// with it, and the restore sends it too; a wrong one is said at the field, and nothing changes. The file is chosen in the system dialog (desktop), or picked
// or dropped in a browser and sent to the peer (with progress); a path on the peer's computer may be
// typed under "Advanced" (the desktop app's file association opens #/restore/<path> with it).
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import type { FileSource } from "../../../shared/contract.ts";
import { ErrorCode } from "../../../shared/result.ts";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { navigate } from "../../route.ts";
import { FailureNotice, PageHeading } from "../../ui/kit.tsx";
import { formatBytes } from "../sync/format.ts";
import { formatWhen } from "./format.ts";
import { FileChooser } from "./FileChooser.tsx";
import { CANCELLED, sourcesOf, type ChosenFile, type Transferred } from "./files.ts";
import { ProgressBar, useTaskProgress } from "./progress.tsx";
import { consentTo, RestoreMembers, RestoreWarnings, type CheckedBackup } from "./RestoreCheck.tsx";
import { UnlockBackup } from "./UnlockBackup.tsx";

/** The file sent to the peer, as the person named it, and its passphrase once given. */
type Sent = { source: FileSource; name: string; passphrase: string | undefined };
type Phase =
  | { state: "path" }
  | { state: "checking" }
  | ({ state: "locked" | "unlocking" } & Sent)
  | ({ state: "checked" | "restoring"; summary: CheckedBackup } & Sent);

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
  const [passphraseError, setPassphraseError] = useState<string | null>(null);
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
    const sent = { source, name: file.name, passphrase: undefined };
    if (!answer.ok) {
      setPhase({ state: "path" });
      setFailure({ title: t("restore.checkFailed"), message: answer.error.message });
    } else if (answer.value.state === "locked") {
      setPassphraseError(null);
      setPhase({ ...sent, state: "locked" });
    } else setPhase({ ...sent, state: "checked", summary: answer.value });
  };

  // The passphrase opens the file for a check like any other; a wrong one is said at its field.
  // (Each new phase spreads the last one first: its own `state` must win.)
  const unlock = async (locked: Sent, passphrase: string) => {
    setFailure(null);
    setPassphraseError(null);
    setPhase({ ...locked, state: "unlocking" });
    const answer = await connection.rpc.call("backup:inspect", {
      source: locked.source,
      passphrase,
    });
    if (answer.ok && answer.value.state === "checked") {
      setPhase({ ...locked, state: "checked", summary: answer.value, passphrase });
      return;
    }
    setPhase({ ...locked, state: "locked" });
    if (answer.ok) setPassphraseError(t("restore.passphrase.empty"));
    else if (answer.error.code === ErrorCode.BadInput) setPassphraseError(answer.error.message);
    else setFailure({ title: t("restore.checkFailed"), message: answer.error.message });
  };

  const restore = async (checked: Sent & { summary: CheckedBackup }) => {
    setFailure(null);
    reset();
    setPhase({ ...checked, state: "restoring" });
    const answer = await connection.rpc.call("backup:restore", {
      source: checked.source,
      consent: consentTo(checked.summary),
      ...(checked.passphrase === undefined ? {} : { passphrase: checked.passphrase }),
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
    setPhase({ ...checked, state: "checked" });
    setFailure({ title: t("restore.failed"), message: answer.error.message });
  };

  // Nothing was restored: said, and the keyboard goes back to where the person chooses again.
  const cancel = () => {
    setPhase({ state: "path" });
    setCancelled(true);
    checkButton.current?.focus();
  };

  const busy =
    phase.state === "checking" || phase.state === "restoring" || phase.state === "unlocking";
  const checked = phase.state === "checked" || phase.state === "restoring" ? phase : null;
  const summary = checked?.summary ?? null;
  const locked = phase.state === "locked" || phase.state === "unlocking" ? phase : null;
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
            if (phase.state === "checked" || phase.state === "locked") setPhase({ state: "path" });
          }}
          error={pathError}
          busy={busy}
          pathLabel={t("restore.pathTyped")}
        />
        <div className="actions">
          <button
            type="submit"
            ref={checkButton}
            className={summary || locked ? "" : "primary"}
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
      {locked && (
        <UnlockBackup
          name={locked.name}
          busy={phase.state === "unlocking"}
          error={passphraseError}
          onUnlock={(passphrase) => void unlock(locked, passphrase)}
          onCancel={cancel}
        />
      )}
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
            {summary.protected && (
              <>
                <dt>{t("restore.protected")}</dt>
                <dd>{t("restore.protected.yes")}</dd>
              </>
            )}
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
