import { useState, type FormEvent } from "react";
import { MEMBER_COLOURS } from "../../../shared/palette.ts";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { SaveActions, TextField } from "../../ui/fields.tsx";
import { PageHeading } from "../../ui/kit.tsx";

export function ProfilePage() {
  const { connection, profile, setProfile } = usePeer();
  const [name, setName] = useState(profile.displayName);
  const [colour, setColour] = useState<string>(profile.colour);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const r = await connection.rpc.call("profile:set", { displayName: name, colour });
    setError(r.ok ? null : r.error.message);
    setSaved(r.ok);
    if (r.ok) setProfile(r.value);
  };

  return (
    <main id="main" className="page narrow">
      <PageHeading>{t("profile.title")}</PageHeading>
      <p className="lede">{t("profile.intro")}</p>
      <form onSubmit={(e) => void save(e)} noValidate onChange={() => setSaved(false)}>
        <TextField
          label={t("profile.name")}
          error={error}
          value={name}
          onChange={setName}
          autoComplete="nickname"
        />
        <fieldset className="colours">
          <legend>{t("profile.colour")}</legend>
          {MEMBER_COLOURS.map((c) => (
            <label
              key={c.value}
              className="swatch"
              style={{ "--swatch": c.value } as React.CSSProperties}
            >
              <input
                type="radio"
                name="colour"
                value={c.value}
                checked={colour === c.value}
                onChange={() => setColour(c.value)}
              />
              <span>{c.name}</span>
            </label>
          ))}
        </fieldset>
        <SaveActions saved={saved} />
      </form>
    </main>
  );
}
