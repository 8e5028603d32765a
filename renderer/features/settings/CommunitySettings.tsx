import { useState, type FormEvent } from "react";
import {
  addTheme,
  removeTheme,
  renameCommunity,
  renameTheme,
  setPurpose,
  sortedThemes,
} from "../../../shared/ops/community.ts";
import { systemContext } from "../../../shared/ops/context.ts";
import { checkCommunityName, checkPurpose, checkThemeLabel } from "../../../shared/schema/input.ts";
import { useCommunity } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { SaveActions, TextAreaField, TextField } from "../../ui/fields.tsx";
import { PageHeading } from "../../ui/kit.tsx";
import { BackupPanel } from "../transfer/BackupPanel.tsx";

export function CommunitySettings() {
  const { index } = useCommunity();
  const [name, setName] = useState(index.doc.name);
  const [purpose, setPurposeText] = useState(index.doc.purpose);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const save = (e: FormEvent) => {
    e.preventDefault();
    const n = checkCommunityName(name);
    if (!n.ok) return setError(n.error.message);
    const p = checkPurpose(purpose);
    if (!p.ok) return setError(p.error.message);
    setError(null);
    index.handle.change((d) => {
      renameCommunity(d, n.value);
      setPurpose(d, p.value);
    });
    setSaved(true);
  };

  return (
    <>
      <PageHeading>{t("settings.title")}</PageHeading>
      <form onSubmit={save} noValidate className="narrow" onChange={() => setSaved(false)}>
        <TextField label={t("settings.name")} error={error} value={name} onChange={setName} />
        <TextAreaField
          label={t("settings.purpose")}
          rows={3}
          value={purpose}
          onChange={setPurposeText}
        />
        <SaveActions saved={saved} />
      </form>
      <Themes />
      <BackupPanel />
    </>
  );
}

function Themes() {
  const { index } = useCommunity();
  const themes = sortedThemes(index.doc);
  const [label, setLabel] = useState("");
  const [error, setError] = useState<string | null>(null);
  const add = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkThemeLabel(label);
    if (!checked.ok) return setError(checked.error.message);
    setError(null);
    setLabel("");
    index.handle.change((d) => void addTheme(d, checked.value, systemContext()));
  };
  return (
    <section className="narrow" aria-labelledby="themes-heading">
      <h2 id="themes-heading">{t("settings.themes")}</h2>
      <ul className="themes">
        {themes.map((theme, i) => (
          <li key={theme.id}>
            <input
              aria-label={t("settings.themeLabel", { n: i + 1 })}
              defaultValue={theme.label}
              onBlur={(e) => {
                const checked = checkThemeLabel(e.target.value);
                if (checked.ok && checked.value !== theme.label)
                  index.handle.change((d) => renameTheme(d, theme.id, checked.value));
              }}
            />
            <button
              type="button"
              onClick={() => index.handle.change((d) => removeTheme(d, theme.id))}
              aria-label={t("settings.removeTheme", { label: theme.label })}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
      <form className="inline-form" onSubmit={add} noValidate>
        <TextField label={t("settings.newTheme")} error={error} value={label} onChange={setLabel} />
        <button type="submit">{t("settings.addTheme")}</button>
      </form>
    </section>
  );
}
