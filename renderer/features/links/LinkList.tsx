// The links an entry or a node keeps: each opens its target, shown by its title as it is now.
import { useId } from "react";
import type { LinkTarget } from "../../../shared/contract.ts";
import { parseRef } from "../../../shared/links/ref.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { typeLabel } from "../search/Hit.tsx";
import { LinkRow } from "./LinkRow.tsx";
import { useLinkTargets } from "./useLinkTargets.ts";

export type LinkListProps = {
  /** Link strings (shared/links/ref.ts), in the order to show them. */
  refs: string[];
  /** Given: each link has a remove button. */
  onRemove?: (ref: string) => void;
  label: string;
};

export function LinkList({ refs, onRemove, label }: LinkListProps) {
  const id = useId();
  const communityId = useCommunityId();
  const { connection } = usePeer();
  const key = refs.join(" ");
  const state = useLinkTargets(communityId, key, () =>
    refs.length === 0
      ? Promise.resolve({ ok: true as const, value: [] })
      : connection.rpc.call("links:describe", { communityId, refs }),
  );
  // Until titles arrive (or if they cannot), each link still shows, by kind, and still opens.
  const byRef = new Map<string, LinkTarget>(
    state.status === "ok" ? state.targets.map((target) => [target.ref, target]) : [],
  );
  const placeholder = (ref: string): LinkTarget => {
    const parsed = parseRef(ref);
    return {
      ref,
      type: parsed?.type ?? "story",
      title: state.status === "loading" ? t("common.loading") : "",
      context: null,
      missing: parsed === null,
    };
  };

  return (
    <div className="link-list">
      <p className="link-list-label" id={`${id}-label`}>
        {label}
      </p>
      {state.status === "error" && (
        <p className="error" role="alert">
          {t("links.describeFailed", { message: state.message })}
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
