// Choose stories to add to a collection: the community's stories that are not in it yet, with their
// status (an export leaves out what is not ready or published), narrowed by typing.
import { useId, useMemo, useState, type FormEvent } from "react";
import { listEntries } from "../../../shared/ops/community.ts";
import { useCommunity } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { Modal } from "../../ui/kit.tsx";
import { EXPORTED_BY_DEFAULT } from "./order.ts";

export function AddStoriesDialog({
  inCollection,
  onAdd,
  onClose,
}: {
  inCollection: readonly string[];
  onAdd: (ids: string[]) => void;
  onClose: () => void;
}) {
  const { index } = useCommunity();
  const headingId = useId();
  const all = useMemo(() => listEntries(index.doc, "story"), [index.doc]);
  const already = useMemo(() => new Set(inCollection), [inCollection]);
  const candidates = useMemo(() => all.filter((s) => !already.has(s.id)), [all, already]);
  const [query, setQuery] = useState("");
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const words = query.trim().toLocaleLowerCase();
  const shown = words
    ? candidates.filter((s) => s.title.toLocaleLowerCase().includes(words))
    : candidates;

  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // In the order of the list the person chose from.
    const ids = candidates.filter((s) => chosen.has(s.id)).map((s) => s.id);
    if (ids.length === 0) return;
    onAdd(ids);
    onClose();
  };

  return (
    <Modal labelledBy={headingId} onClose={onClose} className="add-stories-dialog">
      <form onSubmit={submit} noValidate>
        <h2 id={headingId}>{t("collection.addTitle")}</h2>
        {candidates.length === 0 ? (
          <p className="empty-inline">
            {all.length === 0 ? t("collection.addNoStories") : t("collection.addAllIn")}
          </p>
        ) : (
          <>
            <div className="field">
              <label htmlFor={`${headingId}-filter`}>{t("collection.addFilter")}</label>
              <input
                id={`${headingId}-filter`}
                type="search"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                autoComplete="off"
                data-autofocus
              />
            </div>
            <fieldset className="story-picker">
              <legend className="visually-hidden">{t("collection.addTitle")}</legend>
              {shown.length === 0 ? (
                <p className="meta" role="status">
                  {t("collection.addNoMatch")}
                </p>
              ) : (
                <ul>
                  {shown.map((s) => {
                    const status = s.status ?? "seed";
                    return (
                      <li key={s.id}>
                        <label className="check">
                          <input
                            type="checkbox"
                            checked={chosen.has(s.id)}
                            onChange={(e) => toggle(s.id, e.target.checked)}
                          />
                          <span className="story-picker-title">{s.title}</span>
                          <span className={`status status-${status}`}>{t(`status.${status}`)}</span>
                          {!EXPORTED_BY_DEFAULT.includes(status) && (
                            <span className="meta">{t("collection.addLeftOut")}</span>
                          )}
                        </label>
                      </li>
                    );
                  })}
                </ul>
              )}
            </fieldset>
          </>
        )}
        <div className="actions modal-actions">
          <button type="button" onClick={onClose}>
            {candidates.length > 0 ? t("common.cancel") : t("common.close")}
          </button>
          {candidates.length > 0 && (
            <button type="submit" className="primary" disabled={chosen.size === 0}>
              {chosen.size === 1
                ? t("collection.addSubmit.one")
                : t("collection.addSubmit", { count: chosen.size })}
            </button>
          )}
        </div>
      </form>
    </Modal>
  );
}
