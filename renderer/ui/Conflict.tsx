// A value two devices set while they were apart (shared/ops/conflicts.ts): the banner where the
// value is edited, naming both values and who set each, with a way to settle it; and the badge a
// list shows on the item, read from what the list already holds.
import type { ProposedValue } from "../../shared/ops/conflicts.ts";
import { t } from "../i18n/index.ts";

/** Both values of a field, who set each, and "Use this" on each; nothing when there is no conflict. */
export function ConflictNotice<V>({
  proposed,
  field,
  label,
  onChoose,
}: {
  proposed: readonly ProposedValue<V>[];
  /** The field's name, when the banner is not beside its field (a node's kind). */
  field?: string;
  label: (value: V) => string;
  onChoose: (value: V) => void;
}) {
  if (proposed.length === 0) return null;
  return (
    <div className="conflict" role="status">
      <p className="conflict-heading">
        {field ? t("conflict.headingField", { field }) : t("conflict.heading")}
      </p>
      <p>{t("conflict.body")}</p>
      <ul>
        {proposed.map((p) => (
          <li key={JSON.stringify(p.value)}>
            <span className="conflict-value">“{label(p.value)}”</span>{" "}
            <span className="meta">
              {p.name ? t("conflict.by", { name: p.name }) : t("conflict.byUnknown")}
              {p.shown ? ` · ${t("conflict.shown")}` : ""}
            </span>{" "}
            <button type="button" onClick={() => onChoose(p.value)}>
              {t("conflict.choose")}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * "Conflict" on an item of a list (a story, a log entry, a map node), with what it means said to
 * screen readers and on hover. Nothing when `on` is false.
 */
export function ConflictBadge({ on }: { on: boolean }) {
  if (!on) return null;
  return (
    <span className="conflict-badge" title={t("conflict.badgeHint")}>
      {t("conflict.badge")}
      <span className="visually-hidden">: {t("conflict.badgeHint")}</span>
    </span>
  );
}
