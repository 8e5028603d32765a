// Connecting without a mouse: from the selected node to one chosen from a list (narrowed by typing)
// with a relation. Enter in any field connects.
import { useId, useMemo, useState, type FormEvent, type KeyboardEvent } from "react";
import type { ConnectRefusal } from "../../../shared/ops/map.ts";
import { RELATIONS, type InquiryMap, type Relation } from "../../../shared/schema/map.ts";
import { t } from "../../i18n/index.ts";
import { Options, TextField } from "../../ui/fields.tsx";
import { Field, Modal } from "../../ui/kit.tsx";
import { kindLabel, nodeText, relationLabel, shortText } from "./labels.ts";

export function ConnectDialog({
  map,
  from,
  relation: initialRelation,
  onConnect,
  onClose,
}: {
  map: InquiryMap;
  from: string;
  relation: Relation;
  /** Returns why not, or null once connected (the dialog then closes). */
  onConnect: (to: string, relation: Relation) => ConnectRefusal | null;
  onClose: () => void;
}) {
  const id = useId();
  const [filter, setFilter] = useState("");
  const [relation, setRelation] = useState<Relation>(initialRelation);
  const [error, setError] = useState<string | null>(null);
  const others = useMemo(() => {
    const words = filter.trim().toLocaleLowerCase();
    return Object.entries(map.nodes)
      .filter(([nid]) => nid !== from)
      .filter(([, n]) => !words || n.text.toLocaleLowerCase().includes(words))
      .sort(([, a], [, b]) => nodeText(a).localeCompare(nodeText(b)));
  }, [map.nodes, from, filter]);
  const [chosen, setChosen] = useState<string | null>(null);
  // What Enter connects to: the chosen node while it is still listed, else the first match.
  const to = others.some(([nid]) => nid === chosen) ? chosen : (others[0]?.[0] ?? null);
  const source = map.nodes[from];

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!to) return;
    const refusal = onConnect(to, relation);
    if (refusal) setError(t(`maps.connect.${refusal}`));
  };
  const enterSubmits = (e: KeyboardEvent<HTMLSelectElement>) => {
    if (e.key === "Enter") {
      e.preventDefault();
      submit();
    }
  };
  const target = to ? map.nodes[to] : undefined;

  return (
    <Modal labelledBy={`${id}-title`} onClose={onClose} className="map-connect">
      <h2 id={`${id}-title`}>
        {t("maps.connect.title", { text: source ? shortText(source) : "" })}
      </h2>
      <form onSubmit={submit} noValidate>
        <TextField
          label={t("maps.connect.filter")}
          type="search"
          data-autofocus
          value={filter}
          onChange={(value) => {
            setFilter(value);
            setError(null);
          }}
        />
        <Field label={t("maps.connect.to")}>
          {({ id: toId }) =>
            others.length === 0 ? (
              <p className="meta" id={toId}>
                {t("maps.connect.none")}
              </p>
            ) : (
              <select
                id={toId}
                size={Math.min(8, Math.max(2, others.length))}
                value={to ?? ""}
                onChange={(e) => {
                  setChosen(e.target.value);
                  setError(null);
                }}
                onKeyDown={enterSubmits}
              >
                <Options
                  of={others}
                  value={([nid]) => nid}
                  label={([, n]) => `${kindLabel(n.kind)}: ${shortText(n)}`}
                />
              </select>
            )
          }
        </Field>
        <Field label={t("maps.connect.relation")}>
          {({ id: relationId }) => (
            <select
              id={relationId}
              value={relation}
              onChange={(e) => setRelation(e.target.value as Relation)}
              onKeyDown={enterSubmits}
            >
              <Options of={RELATIONS} label={relationLabel} />
            </select>
          )}
        </Field>
        {source && target && (
          <p className="map-connect-preview" aria-live="polite">
            “{shortText(source)}” {relationLabel(relation)} “{shortText(target)}”
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions modal-actions">
          <button type="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary" disabled={!to}>
            {t("maps.connect.submit")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
