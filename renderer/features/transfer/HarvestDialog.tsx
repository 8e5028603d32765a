// Retreat harvest: a retreat's days (from, to) become one report, HTML or PDF, of the log entries
// of those days, the stories created or changed in them, and the inquiry maps. Progress, then the
// same summary an export ends with.
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import type { ExportSummary, PageSize } from "../../../shared/contract.ts";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { Field, Modal, Notice } from "../../ui/kit.tsx";
import { formatBytes } from "../sync/format.ts";
import { ExportDone } from "./ExportDialog.tsx";
import { defaultPath, isoDay, withExtension } from "./format.ts";
import { PathField } from "./PathField.tsx";
import { ProgressBar, useTaskProgress } from "./progress.tsx";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
type Format = "html" | "pdf";

type Phase =
  | { state: "form"; error: string | null }
  | { state: "busy" }
  | { state: "done"; summary: ExportSummary };

export function HarvestDialog({
  communityId,
  communityName,
  onClose,
}: {
  communityId: string;
  communityName: string;
  onClose: () => void;
}) {
  const { connection } = usePeer();
  const headingId = useId();
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 2 * 86_400_000)));
  const [to, setTo] = useState(() => isoDay(new Date()));
  const [dateError, setDateError] = useState<string | null>(null);
  const [format, setFormat] = useState<Format>("html");
  const [pageSize, setPageSize] = useState<PageSize>("a4");
  const [path, setPath] = useState(() =>
    defaultPath(t("harvest.fileName", { name: communityName }), "html", t("harvest.fileFallback")),
  );
  const [pathError, setPathError] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>({ state: "form", error: null });
  const busy = phase.state === "busy";
  const { progress, reset } = useTaskProgress("harvest", communityId, busy);
  const summaryRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (phase.state === "done") summaryRef.current?.focus();
  }, [phase.state]);

  const go = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!DAY.test(from) || !DAY.test(to)) return setDateError(t("harvest.datesMissing"));
    if (from > to) return setDateError(t("harvest.datesOrder"));
    setDateError(null);
    const typed = path.trim();
    if (!typed) return setPathError(t("transfer.pathEmpty"));
    setPathError(null);
    reset();
    setPhase({ state: "busy" });
    const answer = await connection.rpc.call("harvest:write", {
      communityId,
      from,
      to,
      format,
      path: typed,
      pageSize,
    });
    setPhase(
      answer.ok
        ? { state: "done", summary: answer.value }
        : { state: "form", error: answer.error.message },
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
          headingRef={summaryRef}
          onAgain={() => setPhase({ state: "form", error: null })}
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
                    setPath((p) => withExtension(p, f));
                  }}
                />
                <span>
                  <strong>{t(`export.format.${f}`)}</strong>
                  <span className="hint">{t(`export.format.${f}.hint`)}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor={`${headingId}-size`}>{t("export.pageSize")}</label>
            <select
              id={`${headingId}-size`}
              value={pageSize}
              disabled={busy}
              onChange={(e) => setPageSize(e.target.value as PageSize)}
            >
              <option value="a4">{t("export.pageSize.a4")}</option>
              <option value="a5">{t("export.pageSize.a5")}</option>
            </select>
          </div>
          <PathField
            label={t("harvest.path")}
            hint={t("transfer.pathHint")}
            value={path}
            onChange={setPath}
            error={pathError}
            busy={busy}
          />
          {busy && <ProgressBar progress={progress} label={t("harvest.busy")} />}
          {phase.state === "form" && phase.error && (
            <Notice tone="error" title={t("harvest.failed")}>
              <p>{phase.error}</p>
              <p>{t("transfer.nothingWritten")}</p>
            </Notice>
          )}
          <div className="actions modal-actions">
            <button type="button" onClick={onClose} disabled={busy}>
              {t("common.cancel")}
            </button>
            <button type="submit" className="primary" disabled={busy}>
              {t("harvest.submit")}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
