import { useState, type FormEvent } from "react";
import { DEFAULT_THEMES } from "../../../shared/schema/community.ts";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { navigate } from "../../route.ts";
import { TextAreaField, TextField } from "../../ui/fields.tsx";
import { PageHeading } from "../../ui/kit.tsx";

export function CreateCommunity() {
  const { connection } = usePeer();
  const [name, setName] = useState("");
  const [purpose, setPurpose] = useState("");
  const [themes, setThemes] = useState(DEFAULT_THEMES.join(", "));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const result = await connection.rpc.call("communities:create", {
      name,
      purpose,
      themes: themes.split(","),
    });
    setBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    navigate({ page: "community", communityId: result.value.id, section: "stories", docId: null });
  };

  return (
    <main id="main" className="page narrow">
      <PageHeading>{t("community.create.title")}</PageHeading>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label={t("community.create.name")}
          hint={t("community.create.nameHint")}
          error={error}
          value={name}
          onChange={setName}
          required
        />
        <TextAreaField
          label={t("community.create.purpose")}
          hint={t("community.create.purposeHint")}
          rows={3}
          value={purpose}
          onChange={setPurpose}
        />
        <TextField
          label={t("community.create.themes")}
          hint={t("community.create.themesHint")}
          value={themes}
          onChange={setThemes}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t("community.create.submit")}
          </button>
          <button type="button" onClick={() => window.history.back()}>
            {t("common.cancel")}
          </button>
        </div>
      </form>
    </main>
  );
}
