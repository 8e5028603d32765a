// Joining a community with an invite code (or the invite's link, from its QR code). Reached from
// the welcome screen and the community switcher — a new device has no community to open Sync in —
// and from the Sync page of any community.
//
// It asks for the name others will see before anything is sent: prefilled only with a name the
// person chose (the profile's, once saved), never with the computer's account name. The peer finds
// the inviting device by the code's mDNS hint; where that does not pass (some networks block it),
// the folded "address" field takes the host:port the invite dialog shows. A pasted QR link carries
// the address itself.
import { useState, type FormEvent } from "react";
import type { MeithealError } from "../../../shared/result.ts";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { navigate } from "../../route.ts";
import { TextField } from "../../ui/fields.tsx";
import { PageHeading } from "../../ui/kit.tsx";

export function JoinCommunity() {
  const { connection, profile, setProfile } = usePeer();
  const [code, setCode] = useState("");
  const [name, setName] = useState(profile.chosen ? profile.displayName : "");
  const [at, setAt] = useState("");
  const [missing, setMissing] = useState<{ code?: string; name?: string }>({});
  const [refusal, setRefusal] = useState<MeithealError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setRefusal(null);
    const wanted = {
      ...(code.trim() ? {} : { code: t("join.empty") }),
      ...(name.trim() ? {} : { name: t("join.nameEmpty") }),
    };
    setMissing(wanted);
    if (wanted.code || wanted.name) return;
    setBusy(true);
    const result = await connection.rpc.call("sync:join", {
      code: code.trim(),
      name: name.trim(),
      ...(at.trim() ? { at: at.trim() } : {}),
    });
    setBusy(false);
    if (!result.ok) return setRefusal(result.error);
    // The peer took the name as the profile's when none was chosen yet: the windows say so too.
    if (!profile.chosen) setProfile({ ...profile, displayName: name.trim(), chosen: true });
    // To its Sync page: the documents follow the pairing, and that page shows them arriving.
    navigate({ page: "community", communityId: result.value.id, section: "sync", docId: null });
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="narrow" aria-busy={busy}>
      <TextField
        label={t("join.label")}
        hint={t("join.hint")}
        error={missing.code ?? refusal?.message ?? null}
        value={code}
        onChange={(value) => {
          setCode(value);
          setMissing(({ name: nameMissing }) => (nameMissing ? { name: nameMissing } : {}));
          setRefusal(null);
        }}
        autoCapitalize="characters"
        spellCheck={false}
        className="code-input"
        readOnly={busy}
      />
      <TextField
        label={t("join.name")}
        hint={t("join.nameHint")}
        error={missing.name ?? null}
        value={name}
        onChange={(value) => {
          setName(value);
          setMissing(({ code: codeMissing }) => (codeMissing ? { code: codeMissing } : {}));
        }}
        autoComplete="nickname"
        maxLength={60}
        readOnly={busy}
      />
      <details className="join-advanced">
        <summary>{t("join.advanced")}</summary>
        <TextField
          label={t("join.at")}
          hint={t("join.atHint")}
          value={at}
          onChange={setAt}
          spellCheck={false}
          className="code-input"
          readOnly={busy}
        />
      </details>
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
