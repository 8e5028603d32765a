import { useState } from "react";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { Notice } from "../../ui/kit.tsx";
import { shownValue, usePeerQuery } from "../../usePeerQuery.ts";

/** Stored data that failed its checks on load: named, explained, dismissible; never silent. */
export function StorageWarnings() {
  const { connection } = usePeer();
  // The peer lists a warning before it announces it, so each announcement is read from the list.
  const query = usePeerQuery("storage:warnings", {}, { refreshOn: ["storage:warning"] });
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  const warnings = (shownValue(query) ?? []).filter((w) => !dismissed.has(w.id));

  const failed = query.state === "failed" && (
    <div className="warnings">
      <Notice tone="warning" title={t("warnings.failed")}>
        <p>{query.error.message}</p>
      </Notice>
    </div>
  );
  if (warnings.length === 0) return failed || null;
  return (
    <>
      {failed}
      <section
        className="notice notice-warning warnings"
        role="alert"
        aria-labelledby="warnings-title"
      >
        <strong id="warnings-title">{t("warnings.title")}</strong>
        <ul>
          {warnings.map((w) => (
            <li key={w.id}>
              {t("warnings.item", {
                what: w.title ?? t("warnings.unknownDoc", { id: w.documentId }),
                reason: w.reason,
                path: w.quarantinedTo,
              })}{" "}
              <button
                type="button"
                onClick={() =>
                  void connection.rpc
                    .call("storage:dismiss", { id: w.id })
                    .then(() => setDismissed((ids) => new Set(ids).add(w.id)))
                }
              >
                {t("common.dismiss")}
              </button>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
