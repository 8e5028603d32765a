// Retreat harvest: a retreat's days (from, to) become one report, HTML or PDF, of the log entries
// of those days, the stories created or changed in them, and the inquiry maps. Progress, then the
// same summary an export ends with.
import { useId, useState, type FormEvent } from "react";
import type { PageSize } from "../../../shared/contract.ts";
import { currentLocale, t } from "../../i18n/index.ts";
import { useCommunity } from "../../communityContext.tsx";
import { usePeer } from "../../peerContext.ts";
import { Field, Modal } from "../../ui/kit.tsx";
import { formatBytes } from "../sync/format.ts";
import { defaultPath, isoDay, withExtension } from "./format.ts";
import { ExportDone, FileWriteFooter, PageSizeField, useFileWrite } from "./parts.tsx";
import { harvestLabels } from "./harvestLabels.ts";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
type Format = "html" | "pdf";

export function HarvestDialog({ onClose }: { onClose: () => void }) {
  const { connection } = usePeer();
  const { id: communityId, index } = useCommunity();
  const communityName = index.doc.name;
  const headingId = useId();
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 2 * 86_400_000)));
  const [to, setTo] = useState(() => isoDay(new Date()));
  const [dateError, setDateError] = useState<string | null>(null);
  const [format, setFormat] = useState<Format>("html");
  const [pageSize, setPageSize] = useState<PageSize>("a4");
  const file = useFileWrite("harvest", () =>
    defaultPath(t("harvest.fileName", { name: communityName }), "html", t("harvest.fileFallback")),
  );
  const { phase, busy } = file;

  const go = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!DAY.test(from) || !DAY.test(to)) return setDateError(t("harvest.datesMissing"));
    if (from > to) return setDateError(t("harvest.datesOrder"));
    setDateError(null);
    await file.write((path) =>
      connection.rpc.call("harvest:write", {
        communityId,
        from,
        to,
        format,
        path,
        pageSize,
        labels: harvestLabels(),
        locale: currentLocale(),
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      }),
    );
  };

  return (
    <Modal labelledBy={headingId} onClose={() => !busy && onClose()} className="transfer-dialog">
      {phase.state === "done" ? (
        <ExportDone
          summary={phase.summary}
          heading={t("harvest.done.title")}
          body={t(phase.summary.stories === 1 ? "harvest.done.body.one" : "harvest.done.body", {
            count: phase.summary.stories,
            size: formatBytes(phase.summary.bytes),
          })}
          againLabel={t("harvest.again")}
          headingId={headingId}
          headingRef={file.summaryRef}
          onAgain={file.again}
          onClose={onClose}
        />
      ) : (
        <form onSubmit={(e) => void go(e)} noValidate aria-busy={busy}>
          <h2 id={headingId}>{t("harvest.title")}</h2>
          <p className="lede">{t("harvest.intro")}</p>
          <fieldset className="date-range" disabled={busy}>
            <legend>{t("harvest.days")}</legend>
            <Field label={t("harvest.from")} error={null}>
              {({ id }) => (
                <input
                  id={id}
                  type="date"
                  value={from}
                  max={to || undefined}
                  onChange={(e) => setFrom(e.target.value)}
                  aria-invalid={Boolean(dateError)}
                  data-autofocus
                />
              )}
            </Field>
            <Field label={t("harvest.to")} error={null}>
              {({ id }) => (
                <input
                  id={id}
                  type="date"
                  value={to}
                  min={from || undefined}
                  onChange={(e) => setTo(e.target.value)}
                  aria-invalid={Boolean(dateError)}
                />
              )}
            </Field>
            {dateError && (
              <p className="error" role="alert">
                {dateError}
              </p>
            )}
          </fieldset>
          <fieldset className="choice-group" disabled={busy}>
            <legend>{t("export.format")}</legend>
            {(["html", "pdf"] as const).map((f) => (
              <label key={f} className="choice">
                <input
                  type="radio"
                  name="harvest-format"
                  checked={format === f}
                  onChange={() => {
                    setFormat(f);
                    file.setPath((p) => withExtension(p, f));
                  }}
                />
                <span>
                  <strong>{t(`export.format.${f}`)}</strong>
                  <span className="hint">{t(`export.format.${f}.hint`)}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <PageSizeField
            id={`${headingId}-size`}
            value={pageSize}
            onChange={setPageSize}
            busy={busy}
          />
          <FileWriteFooter
            file={file}
            pathLabel={t("harvest.path")}
            busyLabel={t("harvest.busy")}
            failedTitle={t("harvest.failed")}
            submitLabel={t("harvest.submit")}
            onClose={onClose}
          />
        </form>
      )}
    </Modal>
  );
}
