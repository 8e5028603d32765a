// The links an entry or a node keeps: each opens its target, shown by its title as it is now.
import { useId } from "react";
import type { LinkTarget } from "../../../shared/contract.ts";
import { parseRef } from "../../../shared/links/ref.ts";
import { t } from "../../i18n/index.ts";
import { typeLabel } from "../search/Hit.tsx";
import { LinkRow } from "./LinkRow.tsx";
import { useLinkTargets } from "./useLinkTitles.ts";

export type LinkListProps = {
  /** Link strings (shared/links/ref.ts), in the order to show them. */
  refs: string[];
  /** Given: each link has a remove button. */
  onRemove?: (ref: string) => void;
  label: string;
};

export function LinkList({ refs, onRemove, label }: LinkListProps) {
  const id = useId();
  const { query: titles, byRef } = useLinkTargets(refs);
  // Until titles arrive (or if they cannot), each link still shows, by kind, and still opens.
  const placeholder = (ref: string): LinkTarget => {
    const parsed = parseRef(ref);
    return {
      ref,
      type: parsed?.type ?? "story",
      title: titles.state === "loading" ? t("common.loading") : "",
      context: null,
      missing: parsed === null,
    };
  };

  return (
    <div className="link-list">
      <p className="link-list-label" id={`${id}-label`}>
        {label}
      </p>
      {titles.state === "failed" && (
        <p className="error" role="alert">
          {t("links.describeFailed", { message: titles.error.message })}
        </p>
      )}
      {refs.length === 0 ? (
        <p className="link-empty">{t("links.none")}</p>
      ) : (
        <ul aria-labelledby={`${id}-label`}>
          {refs.map((ref) => {
            const target = byRef.get(ref) ?? placeholder(ref);
            return (
              <li key={ref}>
                <LinkRow target={target} />
                {onRemove && (
                  <button
                    type="button"
                    className="link-remove"
                    aria-label={t("links.remove", {
                      title: target.title || typeLabel(target.type),
                    })}
                    onClick={() => onRemove(ref)}
                  >
                    <span aria-hidden="true">×</span>
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
