// The search field, its filters and its results, shared by the search dialog and the link picker.
// The field is a combobox over the results (ARIA 1.2): arrow keys move through them, Enter
// chooses, and the keyboard never leaves the field.
import { useId, useMemo, useState, type KeyboardEvent } from "react";
import type { ItemType, SearchHit } from "../../../shared/contract.ts";
import { parseRef } from "../../../shared/links/ref.ts";
import { t } from "../../i18n/index.ts";
import { Options } from "../../ui/fields.tsx";
import { Field, Modal, Notice } from "../../ui/kit.tsx";
import { HitView } from "./Hit.tsx";
import { shownResult, useSearch } from "./useSearch.ts";

const TYPES: readonly ItemType[] = ["story", "entry", "node"];

export type SearchBoxProps = {
  /** The field's label. */
  label: string;
  /** What the status line says before anything is typed. */
  hint: string;
  onChoose: (hit: SearchHit) => void;
  /** A link string never to offer (the item a link is being added to). */
  exclude?: string | undefined;
  /** The community's themes, to filter by; none: no theme filter. */
  themes?: readonly { id: string; label: string }[];
  limit: number;
};

export function SearchBox({ label, hint, onChoose, exclude, themes, limit }: SearchBoxProps) {
  const id = useId();
  const [text, setText] = useState("");
  const [type, setType] = useState<ItemType | "all">("all");
  const [theme, setTheme] = useState("");
  const search = useSearch(text, {
    types: type === "all" ? undefined : [type],
    theme: theme || null,
    limit,
  });
  const result = shownResult(search);
  const hits = useMemo(
    () => (result?.hits ?? []).filter((hit) => hit.ref !== exclude && parseRef(hit.ref) !== null),
    [result, exclude],
  );
  // New results: the first one is where Enter goes.
  const hitsKey = hits.map((h) => h.ref).join(" ");
  const [chosen, setChosen] = useState({ key: "", index: 0 });
  const active = chosen.key === hitsKey ? Math.min(chosen.index, hits.length - 1) : 0;
  const activeHit = hits[active];
  const optionId = (i: number) => `${id}-hit-${i}`;

  const move = (index: number) => {
    setChosen({ key: hitsKey, index });
    document.getElementById(optionId(index))?.scrollIntoView({ block: "nearest" });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (hits.length === 0) return;
      move((active + (e.key === "ArrowDown" ? 1 : -1) + hits.length) % hits.length);
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (activeHit) onChoose(activeHit);
    }
  };

  const trimmed = text.trim();
  const status =
    search.status === "idle"
      ? hint
      : search.status === "error"
        ? ""
        : search.status === "searching" && !result
          ? t("search.searching")
          : hits.length === 0
            ? t("search.none", { text: trimmed })
            : result && result.total > hits.length
              ? t("search.countOf", { count: hits.length, total: result.total })
              : hits.length === 1
                ? t("search.count.one")
                : t("search.count", { count: hits.length });

  return (
    <div className="search-box">
      <div className="search-controls">
        <div className="field search-field">
          <label htmlFor={`${id}-q`}>{label}</label>
          <input
            id={`${id}-q`}
            type="search"
            role="combobox"
            autoComplete="off"
            spellCheck={false}
            data-autofocus
            aria-autocomplete="list"
            aria-expanded={hits.length > 0}
            aria-controls={`${id}-list`}
            aria-activedescendant={activeHit ? optionId(active) : undefined}
            aria-describedby={`${id}-status`}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
          />
        </div>
        <Field label={t("search.filter.type")}>
          {({ id: typeId }) => (
            <select
              id={typeId}
              value={type}
              onChange={(e) => setType(e.target.value as ItemType | "all")}
            >
              <option value="all">{t("search.filter.allTypes")}</option>
              <Options of={TYPES} label={(value) => t(`search.filter.${value}`)} />
            </select>
          )}
        </Field>
        {themes && themes.length > 0 && (
          <Field label={t("search.filter.theme")}>
            {({ id: themeId }) => (
              <select id={themeId} value={theme} onChange={(e) => setTheme(e.target.value)}>
                <option value="">{t("search.filter.allThemes")}</option>
                <Options of={themes} value={(th) => th.id} label={(th) => th.label} />
              </select>
            )}
          </Field>
        )}
      </div>
      {search.status === "error" && (
        <Notice tone="error" title={t("search.error.title")}>
          <p>{search.message}</p>
          <p>{t("search.error.action")}</p>
        </Notice>
      )}
      {result?.indexing && (
        <div className="search-indexing">
          <label htmlFor={`${id}-indexing`}>
            {t("search.indexing", { done: result.indexing.done, total: result.indexing.total })}
          </label>
          <progress
            id={`${id}-indexing`}
            max={Math.max(1, result.indexing.total)}
            value={result.indexing.done}
          />
        </div>
      )}
      <p id={`${id}-status`} role="status" className="search-status">
        {status}
      </p>
      <ul id={`${id}-list`} role="listbox" aria-label={t("search.results")} className="hits">
        {hits.map((hit, i) => (
          <li
            key={hit.ref}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            className="hit"
            // Keeps focus in the field, so the keyboard path and the pointer path are one.
            onMouseDown={(e) => e.preventDefault()}
            onMouseMove={() => i !== active && setChosen({ key: hitsKey, index: i })}
            onClick={() => onChoose(hit)}
          >
            <HitView hit={hit} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The search field alone in a dialog (the search dialog, the link picker), with its way out. */
export function SearchDialog({
  title,
  className,
  closeLabel,
  onClose,
  ...box
}: SearchBoxProps & {
  title: string;
  className: string;
  closeLabel: string;
  onClose: () => void;
}) {
  const id = useId();
  return (
    <Modal labelledBy={`${id}-title`} onClose={onClose} className={className}>
      <h2 id={`${id}-title`}>{title}</h2>
      <SearchBox {...box} />
      <div className="actions modal-actions">
        <button type="button" onClick={onClose}>
          {closeLabel}
        </button>
      </div>
    </Modal>
  );
}
