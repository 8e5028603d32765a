// The parts an export and a harvest share: both write one file the person names, show the peer's
// `task:progress` while it is written, and end on the same summary (where the file went, how many
// stories, warnings). The peer writes atomically, so a failure goes back to the form with nothing
// left behind.
import { useEffect, useRef, useState, type RefObject } from "react";
import type { ExportSummary, PageSize, TaskProgress } from "../../../shared/contract.ts";
import type { Result } from "../../../shared/result.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { Options } from "../../ui/fields.tsx";
import { Notice } from "../../ui/kit.tsx";
import { PathField } from "./PathField.tsx";
import { ProgressBar, useTaskProgress } from "./progress.tsx";

const PAGE_SIZES: readonly PageSize[] = ["a4", "a5"];

type Phase =
  | { state: "form"; error: string | null }
  | { state: "busy" }
  | { state: "done"; summary: ExportSummary };

export type FileWrite = ReturnType<typeof useFileWrite>;

/**
 * The typed path, the phase (form, busy, done) and the progress of one file-writing task. `write`
 * checks the path and hands the trimmed one to `call`; the summary heading takes focus when done.
 */
export function useFileWrite(task: TaskProgress["task"], initialPath: () => string) {
  const communityId = useCommunityId();
  const [path, setPath] = useState(initialPath);
  const [pathError, setPathError] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>({ state: "form", error: null });
  const busy = phase.state === "busy";
  const { progress, reset } = useTaskProgress(task, communityId, busy);
  const summaryRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (phase.state === "done") summaryRef.current?.focus();
  }, [phase.state]);

  const write = async (call: (path: string) => Promise<Result<ExportSummary>>) => {
    const typed = path.trim();
    if (!typed) return setPathError(t("transfer.pathEmpty"));
    setPathError(null);
    reset();
    setPhase({ state: "busy" });
    const answer = await call(typed);
    setPhase(
      answer.ok
        ? { state: "done", summary: answer.value }
        : { state: "form", error: answer.error.message },
    );
  };
  const again = () => setPhase({ state: "form", error: null });

  return { path, setPath, pathError, phase, busy, progress, summaryRef, write, again };
}

/** The page size for printed formats (HTML, PDF), with an optional hint below it. */
export function PageSizeField({
  id,
  value,
  onChange,
  busy,
  hint,
}: {
  id: string;
  value: PageSize;
  onChange: (size: PageSize) => void;
  busy: boolean;
  hint?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{t("export.pageSize")}</label>
      <select
        id={id}
        value={value}
        disabled={busy}
        onChange={(e) => onChange(e.target.value as PageSize)}
        {...(hint === undefined ? {} : { "aria-describedby": `${id}-hint` })}
      >
        <Options of={PAGE_SIZES} label={(s) => t(`export.pageSize.${s}`)} />
      </select>
      {hint !== undefined && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** The end of a file-writing form: where the file goes, progress, what went wrong, and the buttons. */
export function FileWriteFooter({
  file,
  pathLabel,
  busyLabel,
  failedTitle,
  submitLabel,
  onClose,
}: {
  file: FileWrite;
  pathLabel: string;
  busyLabel: string;
  failedTitle: string;
  submitLabel: string;
  onClose: () => void;
}) {
  const { phase, busy } = file;
  return (
    <>
      <PathField
        label={pathLabel}
        hint={t("transfer.pathHint")}
        value={file.path}
        onChange={file.setPath}
        error={file.pathError}
        busy={busy}
      />
      {busy && <ProgressBar progress={file.progress} label={busyLabel} />}
      {phase.state === "form" && phase.error && (
        <Notice tone="error" title={failedTitle}>
          <p>{phase.error}</p>
          <p>{t("transfer.nothingWritten")}</p>
        </Notice>
      )}
      <div className="actions modal-actions">
        <button type="button" onClick={onClose} disabled={busy}>
          {t("common.cancel")}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </>
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
