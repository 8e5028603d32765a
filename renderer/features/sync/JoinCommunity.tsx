// Joining a community with an invite code (or the invite's link, from its QR code). Reached from
// the welcome screen and the community switcher — a new device has no community to open Sync in —
// and from the Sync page of any community.

import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { navigate } from "../../route.ts";
import { TextField } from "../../ui/fields.tsx";
import { PageHeading } from "../../ui/kit.tsx";
import { useTypedRequest } from "../../ui/useTypedRequest.ts";

export function JoinCommunity() {
  const { connection } = usePeer();
  const form = useTypedRequest({
    empty: t("join.empty"),
    run: async (code) => {
      const result = await connection.rpc.call("sync:join", { code });
      // To its Sync page: the documents follow the pairing, and that page shows them arriving.
      if (result.ok)
        navigate({ page: "community", communityId: result.value.id, section: "sync", docId: null });
      return result;
    },
  });
  const { busy } = form;

  return (
    <form onSubmit={form.submit} noValidate className="narrow" aria-busy={busy}>
      <TextField
        label={t("join.label")}
        hint={t("join.hint")}
        error={form.error ?? form.refusal?.message}
        value={form.text}
        onChange={form.setText}
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
