// Export a collection: the format, which stories, the page size for print, and where the file goes;
// then a progress bar from the peer's `task:progress`, and a summary (where the file went, how many
// stories, warnings). The peer writes the file atomically, so a failure leaves nothing behind.
import { useEffect, useId, useRef, useState, type FormEvent, type RefObject } from "react";
import type {
  ExportFormat,
  ExportSummary,
  PageSize,
  StoryStatusName,
} from "../../../shared/contract.ts";
import { STORY_STATUSES } from "../../../shared/schema/community.ts";
import { t, type MessageKey } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { Modal, Notice } from "../../ui/kit.tsx";
import { formatBytes } from "../sync/format.ts";
import { EXPORTED_BY_DEFAULT } from "../collections/order.ts";
import { defaultPath, EXTENSIONS, withExtension } from "./format.ts";
import { PathField } from "./PathField.tsx";
import { ProgressBar, useTaskProgress } from "./progress.tsx";

const FORMATS: readonly ExportFormat[] = ["html", "epub", "pdf", "markdown"];
const PAGE_SIZES: readonly PageSize[] = ["a4", "a5"];

type Phase =
  | { state: "form"; error: string | null }
  | { state: "busy" }
  | { state: "done"; summary: ExportSummary };

export function ExportDialog({
  communityId,
  collectionId,
  title,
  counts,
  onClose,
}: {
  communityId: string;
  collectionId: string;
  title: string;
  /** Stories in the collection: all of them, and those an export includes by default. */
  counts: { all: number; ready: number };
  onClose: () => void;
}) {
  const { connection } = usePeer();
  const headingId = useId();
  const [format, setFormat] = useState<ExportFormat>("html");
  const [which, setWhich] = useState<"ready" | "all">("ready");
  const [pageSize, setPageSize] = useState<PageSize>("a4");
  const [path, setPath] = useState(() =>
    defaultPath(title, EXTENSIONS.html, t("export.fileFallback")),
  );
  const [pathError, setPathError] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>({ state: "form", error: null });
  const busy = phase.state === "busy";
  const { progress, reset } = useTaskProgress("export", communityId, busy);
  const summaryRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (phase.state === "done") summaryRef.current?.focus();
  }, [phase.state]);

  const pickFormat = (next: ExportFormat) => {
    setFormat(next);
    setPath((p) => withExtension(p, EXTENSIONS[next]));
  };

  const go = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const typed = path.trim();
    if (!typed) return setPathError(t("transfer.pathEmpty"));
    setPathError(null);
    reset();
    setPhase({ state: "busy" });
    const statuses: StoryStatusName[] =
      which === "all" ? [...STORY_STATUSES] : [...EXPORTED_BY_DEFAULT];
    const answer = await connection.rpc.call("export:collection", {
      communityId,
      collectionId,
      format,
      path: typed,
      statuses,
      ...(format === "pdf" || format === "html" ? { pageSize } : {}),
    });
    setPhase(
      answer.ok
        ? { state: "done", summary: answer.value }
        : { state: "form", error: answer.error.message },
    );
  };

  const printed = format === "pdf" || format === "html";
  return (
    <Modal labelledBy={headingId} onClose={() => !busy && onClose()} className="transfer-dialog">
      {phase.state === "done" ? (
        <ExportDone
          summary={phase.summary}
          heading={t("export.done.title")}
          body={t(phase.summary.stories === 1 ? "export.done.body.one" : "export.done.body", {
            count: phase.summary.stories,
            format: t(`export.format.${phase.summary.format}` as MessageKey),
            size: formatBytes(phase.summary.bytes),
          })}
          againLabel={t("export.again")}
          headingId={headingId}
          headingRef={summaryRef}
          onAgain={() => setPhase({ state: "form", error: null })}
          onClose={onClose}
        />
      ) : (
        <form onSubmit={(e) => void go(e)} noValidate aria-busy={busy}>
          <h2 id={headingId}>{t("export.title", { title })}</h2>
          <fieldset className="choice-group" disabled={busy}>
            <legend>{t("export.format")}</legend>
            {FORMATS.map((f) => (
              <label key={f} className="choice">
                <input
                  type="radio"
                  name="export-format"
                  value={f}
                  checked={format === f}
                  onChange={() => pickFormat(f)}
                  {...(f === format ? { "data-autofocus": true } : {})}
                />
                <span>
                  <strong>{t(`export.format.${f}` as MessageKey)}</strong>
                  <span className="hint">{t(`export.format.${f}.hint` as MessageKey)}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <fieldset className="choice-group" disabled={busy}>
            <legend>{t("export.which")}</legend>
            <label className="choice">
              <input
                type="radio"
                name="export-which"
                checked={which === "ready"}
                onChange={() => setWhich("ready")}
              />
              <span>{t("export.which.ready", { count: counts.ready })}</span>
            </label>
            <label className="choice">
              <input
                type="radio"
                name="export-which"
                checked={which === "all"}
                onChange={() => setWhich("all")}
              />
              <span>{t("export.which.all", { count: counts.all })}</span>
            </label>
            {which === "ready" && counts.ready < counts.all && (
              <p className="hint">
                {counts.ready === 0
                  ? t("export.which.noneReady")
                  : t("export.which.leftOut", { count: counts.all - counts.ready })}
              </p>
            )}
          </fieldset>
          {printed && (
            <div className="field">
              <label htmlFor={`${headingId}-size`}>{t("export.pageSize")}</label>
              <select
                id={`${headingId}-size`}
                value={pageSize}
                disabled={busy}
                onChange={(e) => setPageSize(e.target.value as PageSize)}
                aria-describedby={`${headingId}-size-hint`}
              >
                {PAGE_SIZES.map((s) => (
                  <option key={s} value={s}>
                    {t(`export.pageSize.${s}` as MessageKey)}
                  </option>
                ))}
              </select>
              <p className="hint" id={`${headingId}-size-hint`}>
                {t(format === "pdf" ? "export.pageSize.pdfHint" : "export.pageSize.htmlHint")}
              </p>
            </div>
          )}
          <PathField
            label={t("export.path")}
            hint={t("transfer.pathHint")}
            value={path}
            onChange={setPath}
            error={pathError}
            busy={busy}
          />
          {busy && <ProgressBar progress={progress} label={t("export.busy")} />}
          {phase.state === "form" && phase.error && (
            <Notice tone="error" title={t("export.failed")}>
              <p>{phase.error}</p>
              <p>{t("transfer.nothingWritten")}</p>
            </Notice>
          )}
          <div className="actions modal-actions">
            <button type="button" onClick={onClose} disabled={busy}>
              {t("common.cancel")}
            </button>
            <button type="submit" className="primary" disabled={busy}>
              {t("export.submit")}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}

/** Where the file went, what it holds, and any warnings: the end of an export or a harvest. */
export function ExportDone({
  summary,
  heading,
  body,
  againLabel,
  headingId,
  headingRef,
  onAgain,
  onClose,
}: {
  summary: ExportSummary;
  heading: string;
  body: string;
  againLabel: string;
  headingId: string;
  headingRef: RefObject<HTMLHeadingElement | null>;
  onAgain: () => void;
  onClose: () => void;
}) {
  return (
    <div className="transfer-summary">
      <h2 id={headingId} ref={headingRef} tabIndex={-1}>
        {heading}
      </h2>
      <p role="status">{body}</p>
      <p className="transfer-path">
        <code>{summary.path}</code>
      </p>
      {summary.warnings.length > 0 && (
        <Notice
          tone="warning"
          title={t(summary.warnings.length === 1 ? "transfer.warnings.one" : "transfer.warnings", {
            count: summary.warnings.length,
          })}
        >
          <ul>
            {summary.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </Notice>
      )}
      <div className="actions modal-actions">
        <button type="button" onClick={onAgain}>
          {againLabel}
        </button>
        <button type="button" className="primary" onClick={onClose} data-autofocus>
          {t("common.close")}
        </button>
      </div>
    </div>
  );
}
