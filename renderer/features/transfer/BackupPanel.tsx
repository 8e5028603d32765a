// Community settings → Backup: the whole community in one file (its documents and its key), to keep
// or to restore on a new laptop (#/restore). Unless protected by a passphrase it is not encrypted:
// whoever holds it holds the community, and the panel says so plainly where the choice is made.
// With a passphrase (typed twice) the peer encrypts it (Argon2id, peer/backup/protect.ts). The file
// goes where the system save dialog says (desktop), or to the browser's downloads; a path on the
// peer's computer may be typed under "Advanced".
import { useId, useState, type FormEvent } from "react";
import type { BackupSummary } from "../../../shared/contract.ts";
import type { MeithealError } from "../../../shared/result.ts";
import { t } from "../../i18n/index.ts";
import { useCommunity } from "../../communityContext.tsx";
import { usePeer } from "../../peerContext.ts";
import { ChoiceGroup, TextField } from "../../ui/fields.tsx";
import { Notice, FailureNotice } from "../../ui/kit.tsx";
import { formatBytes } from "../sync/format.ts";
import { chooseTarget, saveDownload, type Transferred } from "./files.ts";
import { BACKUP_EXTENSION, defaultPath, isoDay } from "./format.ts";
import { PathField } from "./PathField.tsx";
import { ProgressBar, useTaskProgress } from "./progress.tsx";

/** As the peer asks (peer/backup/protect.ts): a passphrase of fewer characters is refused. */
const MIN_PASSPHRASE_CHARS = 8;

type Protection = "none" | "passphrase";

export function BackupPanel() {
  const { connection } = usePeer();
  const { id: communityId, index } = useCommunity();
  const name = index.doc.name;
  const headingId = useId();
  const [path, setPath] = useState(() =>
    defaultPath(`${name} ${isoDay(new Date())}`, BACKUP_EXTENSION, t("backup.fileFallback")),
  );
  const [advanced, setAdvanced] = useState(false);
  const [pathError, setPathError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<MeithealError | null>(null);
  const [done, setDone] = useState<BackupSummary | null>(null);
  const [received, setReceived] = useState<Transferred | null>(null);
  const { progress, reset } = useTaskProgress("backup", communityId, busy);
  const [protection, setProtection] = useState<Protection>("none");
  const [passphrase, setPassphrase] = useState("");
  const [again, setAgain] = useState("");
  const [passphraseError, setPassphraseError] = useState<string | null>(null);
  const [againError, setAgainError] = useState<string | null>(null);

  /** The passphrase to send, checked here first; null when it is not fit (said at its field). */
  const chosenPassphrase = (): string | undefined | null => {
    if (protection === "none") return undefined;
    const short = [...passphrase].length < MIN_PASSPHRASE_CHARS;
    setPassphraseError(
      short ? t("backup.passphrase.short", { count: MIN_PASSPHRASE_CHARS }) : null,
    );
    setAgainError(!short && again !== passphrase ? t("backup.passphrase.different") : null);
    return short || again !== passphrase ? null : passphrase;
  };

  const write = async () => {
    setDone(null);
    setFailure(null);
    const secret = chosenPassphrase();
    if (secret === null) return;
    const target = await chooseTarget({ advanced, typed: path, purpose: "backup" });
    if (target === "empty") return setPathError(t("transfer.pathEmpty"));
    // Cancelled: nothing changes, and nothing is said.
    if (target === null) return;
    setPathError(null);
    reset();
    setReceived(null);
    setBusy(true);
    try {
      const answer = await connection.rpc.call("backup:write", {
        communityId,
        target,
        ...(secret === undefined ? {} : { passphrase: secret }),
      });
      if (!answer.ok) return setFailure(answer.error);
      const { download } = answer.value;
      if (download) {
        setReceived({ done: 0, total: download.bytes });
        const saved = await saveDownload(download, setReceived);
        if (!saved.ok)
          return setFailure({
            ...saved.error,
            message: `${saved.error.message} ${t("files.downloadFailed.detail")}`,
          });
      }
      setDone(answer.value);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) void write();
  };

  return (
    <section className="narrow backup-panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("backup.title")}</h2>
      <p className="lede">{t("backup.intro")}</p>
      <Notice tone="warning" title={t("backup.keepSafe.title")}>
        <p>{t("backup.keepSafe.body")}</p>
      </Notice>
      <form onSubmit={submit} noValidate aria-busy={busy} aria-label={t("backup.title")}>
        <ChoiceGroup
          legend={t("backup.protect.legend")}
          name={`${headingId}-protection`}
          choices={[
            {
              value: "none",
              label: t("backup.protect.none"),
              hint: t("backup.protect.none.hint"),
            },
            {
              value: "passphrase",
              label: t("backup.protect.passphrase"),
              hint: t("backup.protect.passphrase.hint"),
            },
          ]}
          value={protection}
          onChange={setProtection}
          disabled={busy}
        />
        {protection === "passphrase" && (
          <>
            <TextField
              type="password"
              label={t("backup.passphrase")}
              hint={t("backup.passphrase.hint", { count: MIN_PASSPHRASE_CHARS })}
              value={passphrase}
              onChange={(next) => {
                setPassphrase(next);
                setPassphraseError(null);
              }}
              error={passphraseError}
              autoComplete="new-password"
              disabled={busy}
            />
            <TextField
              type="password"
              label={t("backup.passphrase.again")}
              value={again}
              onChange={(next) => {
                setAgain(next);
                setAgainError(null);
              }}
              error={againError}
              autoComplete="new-password"
              disabled={busy}
            />
          </>
        )}
        <details
          className="advanced-path"
          open={advanced}
          onToggle={(e) => setAdvanced(e.currentTarget.open)}
        >
          <summary>{t("files.advanced")}</summary>
          <PathField
            label={t("backup.path")}
            hint={t("files.pathHint")}
            value={path}
            onChange={setPath}
            error={pathError}
            busy={busy}
          />
        </details>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t("backup.submit")}
          </button>
        </div>
      </form>
      {busy &&
        (received ? (
          <ProgressBar progress={received} label={t("files.receiving")} />
        ) : (
          <ProgressBar progress={progress} label={t("backup.busy")} />
        ))}
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
            {done.download ? (
              t("files.downloaded", { name: done.download.name })
            ) : (
              <code>{done.path}</code>
            )}
          </p>
          {done.protected && <p>{t("backup.done.protected")}</p>}
          <p className="hint">{t("backup.done.restoreHint")}</p>
        </div>
      )}
    </section>
  );
}
