// The restore page's question for a backup protected by a passphrase: the passphrase, typed into a
// password field, to check the file with. Nothing is restored here: once it opens, the page shows
// what the backup holds and who it lets in, as for any backup (RestorePage).
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { t } from "../../i18n/index.ts";
import { TextField } from "../../ui/fields.tsx";

export function UnlockBackup({
  name,
  busy,
  error,
  onUnlock,
  onCancel,
}: {
  /** The file as the person knows it. */
  name: string;
  busy: boolean;
  /** Why the passphrase did not open it (the peer's words), said at the field. */
  error: string | null;
  onUnlock: (passphrase: string) => void;
  onCancel: () => void;
}) {
  const headingId = useId();
  const [passphrase, setPassphrase] = useState("");
  const [empty, setEmpty] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const section = useRef<HTMLElement>(null);

  // Asked below the file chooser: brought into view, the keyboard in the field; back in the field
  // after a wrong passphrase (emptied when it was sent), to type it afresh.
  useEffect(() => {
    section.current?.scrollIntoView({ block: "start" });
    field.current?.focus({ preventScroll: true });
  }, []);
  useEffect(() => {
    if (error !== null) field.current?.focus();
  }, [error]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (passphrase === "") return setEmpty(true);
    setEmpty(false);
    setPassphrase("");
    onUnlock(passphrase);
  };

  return (
    <section ref={section} className="transfer-summary" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("restore.locked.title")}</h2>
      <p className="hint">{t("restore.locked.body", { name })}</p>
      <form onSubmit={submit} noValidate aria-busy={busy}>
        <TextField
          inputRef={field}
          type="password"
          label={t("restore.passphrase")}
          value={passphrase}
          onChange={setPassphrase}
          error={empty ? t("restore.passphrase.empty") : error}
          autoComplete="current-password"
          disabled={busy}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t("restore.unlock")}
          </button>
          <button type="button" onClick={onCancel} disabled={busy}>
            {t("restore.cancel")}
          </button>
          {busy && <span role="status">{t("restore.unlocking")}</span>}
        </div>
      </form>
    </section>
  );
}
