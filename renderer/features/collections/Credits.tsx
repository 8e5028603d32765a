// Who made the book: names with a role (editor, contributor…), listed the way the exports list them
// (editors first, then in the order added).
import { useId, useState, type FormEvent } from "react";
import { orderedCredits } from "../../../shared/ops/collection.ts";
import {
  CREDIT_ROLES,
  type Collection,
  type CreditRole,
} from "../../../shared/schema/collection.ts";
import { checkName } from "../../../shared/schema/input.ts";
import { t } from "../../i18n/index.ts";
import { Options, picked, TextField } from "../../ui/fields.tsx";
import { Field } from "../../ui/kit.tsx";
import type { CollectionActions } from "./actions.ts";

const NAME_LIMIT = 200;
const roleLabel = (role: CreditRole) => t(`credits.role.${role}`);

export function Credits({
  collection,
  actions,
}: {
  collection: Collection;
  actions: CollectionActions;
}) {
  const headingId = useId();
  const credits = orderedCredits(collection);
  const [name, setName] = useState("");
  const [role, setRole] = useState<CreditRole>("editor");
  const [error, setError] = useState<string | null>(null);

  const add = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkName(name, "name", NAME_LIMIT);
    if (!checked.ok) return setError(checked.error.message);
    setError(null);
    setName("");
    actions.addCredit({ name: checked.value, role });
  };

  return (
    <section aria-labelledby={headingId} className="collection-section collection-credits">
      <h2 id={headingId}>{t("credits.title")}</h2>
      {credits.length === 0 ? (
        <p className="hint">{t("credits.empty")}</p>
      ) : (
        <ul className="credits">
          {credits.map((credit) => (
            <li key={`${credit.id}:${credit.name}`}>
              <input
                aria-label={t("credits.nameOf", { name: credit.name })}
                defaultValue={credit.name}
                onBlur={(e) => {
                  const checked = checkName(e.target.value, "name", NAME_LIMIT);
                  if (checked.ok && checked.value !== credit.name)
                    actions.updateCredit(credit.id, { name: checked.value });
                  else if (!checked.ok) e.target.value = credit.name;
                }}
              />
              <select
                aria-label={t("credits.roleOf", { name: credit.name })}
                value={credit.role}
                onChange={(e) =>
                  actions.updateCredit(credit.id, { role: picked(CREDIT_ROLES, e.target.value) })
                }
              >
                <Options of={CREDIT_ROLES} label={roleLabel} />
              </select>
              <button
                type="button"
                aria-label={t("credits.remove", { name: credit.name })}
                title={t("credits.remove", { name: credit.name })}
                onClick={() => actions.removeCredit(credit.id)}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="inline-form credits-add"
        onSubmit={add}
        noValidate
        aria-label={t("credits.add")}
      >
        <TextField label={t("credits.name")} error={error} value={name} onChange={setName} />
        <Field label={t("credits.role")}>
          {({ id }) => (
            <select
              id={id}
              value={role}
              onChange={(e) => setRole(picked(CREDIT_ROLES, e.target.value))}
            >
              <Options of={CREDIT_ROLES} label={roleLabel} />
            </select>
          )}
        </Field>
        <button type="submit">{t("credits.add")}</button>
      </form>
    </section>
  );
}
