// Joining a community with an invite code (or the invite's link, from its QR code). Reached from
// the welcome screen and the community switcher — a new device has no community to open Sync in —
// and from the Sync page of any community.
import { useState, type FormEvent } from "react";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { navigate } from "../../route.ts";
import { TextField } from "../../ui/fields.tsx";
import { PageHeading } from "../../ui/kit.tsx";

export function JoinCommunity() {
  const { connection } = usePeer();
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const typed = code.trim();
    if (!typed) return setError(t("join.empty"));
    setBusy(true);
    setError(null);
    const result = await connection.rpc.call("sync:join", { code: typed });
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    // To its Sync page: the documents follow the pairing, and that page shows them arriving.
    navigate({ page: "community", communityId: result.value.id, section: "sync", docId: null });
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="narrow" aria-busy={busy}>
      <TextField
        label={t("join.label")}
        hint={t("join.hint")}
        error={error}
        value={code}
        onChange={setCode}
        autoCapitalize="characters"
        spellCheck={false}
        className="code-input"
        readOnly={busy}
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {t("join.submit")}
        </button>
        <span role="status">{busy ? t("join.pairing") : ""}</span>
      </div>
    </form>
  );
}

/** The page of its own (#/join), next to "Create a community". */
export function JoinPage() {
  return (
    <main id="main" className="page narrow">
      <PageHeading>{t("join.title")}</PageHeading>
      <p className="lede">{t("join.intro")}</p>
      <JoinCommunity />
    </main>
  );
}
