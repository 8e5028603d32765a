import { useEffect, useState } from "react";
import type { StorageWarning } from "../../../shared/contract.ts";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";

/** Stored data that failed its checks on load: named, explained, dismissible; never silent. */
export function StorageWarnings() {
  const { connection } = usePeer();
  const [warnings, setWarnings] = useState<StorageWarning[]>([]);

  useEffect(() => {
    void connection.rpc.call("storage:warnings", {}).then((r) => r.ok && setWarnings(r.value));
    return connection.rpc.on("storage:warning", (w) =>
      setWarnings((list) => (list.some((x) => x.id === w.id) ? list : [w, ...list])),
    );
  }, [connection]);

  if (warnings.length === 0) return null;
  return (
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
                  .then(() => setWarnings((list) => list.filter((x) => x.id !== w.id)))
              }
            >
              {t("common.dismiss")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
