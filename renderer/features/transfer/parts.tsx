// The parts an export and a harvest share: both write one file, show the peer's `task:progress`
// while it is written, and end on the same summary (where the file went, how many stories,
// warnings). Where it goes: in the desktop app the system save dialog says; in a browser the peer
// writes a download the page then fetches and the browser saves (files.ts); under "Advanced" a path
// on the peer's computer may be typed instead. The peer writes atomically, so a failure goes back to
// the form with nothing left behind; a cancelled save dialog changes nothing.
import type { FormEvent, ReactNode, RefObject } from "react";
import { useEffect, useId, useRef, useState } from "react";
import {
  type ExportFormat,
  type ExportSummary,
  type FileTarget,
  type PageSize,
} from "../../../shared/contract.ts";
import type { Result } from "../../../shared/result.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { Options } from "../../ui/fields.tsx";
import { FailureNotice, Field, Modal, Notice } from "../../ui/kit.tsx";
import { PathField } from "./PathField.tsx";
import { ProgressBar, useTaskProgress } from "./progress.tsx";
import { chooseTarget, saveDownload, type Transferred } from "./files.ts";

const PAGE_SIZES: readonly PageSize[] = ["a4", "a5"];

type Phase =
  | { state: "form"; error: string | null }
  | { state: "busy" }
  | { state: "done"; summary: ExportSummary };

export type FileWrite = ReturnType<typeof useFileWrite>;

/**
 * Where the file goes, the phase (form, busy, done) and the progress of one file-writing task.
 * `write` works out the target (a typed path under "Advanced", the save dialog's path, or a
 * download named after the path's last part), hands it to `call`, and saves a download; the
 * summary heading takes focus when done.
 */
export function useFileWrite(task: "export" | "harvest", initialPath: () => string) {
  const communityId = useCommunityId();
  const [path, setPath] = useState(initialPath);
  const [advanced, setAdvanced] = useState(false);
  const [received, setReceived] = useState<Transferred | null>(null);
  const [pathError, setPathError] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>({ state: "form", error: null });
  const busy = phase.state === "busy";
  const { progress, reset } = useTaskProgress(task, communityId, busy);
  const summaryRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (phase.state === "done") summaryRef.current?.focus();
  }, [phase.state]);

  const write = async (call: (target: FileTarget) => Promise<Result<ExportSummary>>) => {
    const target = await chooseTarget({ advanced, typed: path, purpose: task });
    if (target === "empty") return setPathError(t("transfer.pathEmpty"));
    // Cancelled: nothing changes, and nothing is said.
    if (target === null) return;
    setPathError(null);
    reset();
    setReceived(null);
    setPhase({ state: "busy" });
    const answer = await call(target);
    if (!answer.ok) return setPhase({ state: "form", error: answer.error.message });
    const { download } = answer.value;
    if (download) {
      setReceived({ done: 0, total: download.bytes });
      const saved = await saveDownload(download, setReceived);
      if (!saved.ok)
        return setPhase({
          state: "form",
          error: `${saved.error.message} ${t("files.downloadFailed.detail")}`,
        });
    }
    setPhase({ state: "done", summary: answer.value });
  };
  const again = () => setPhase({ state: "form", error: null });

  return {
    path,
    setPath,
    pathError,
    advanced,
    setAdvanced,
    received,
    phase,
    busy,
    progress,
    summaryRef,
    write,
    again,
  };
}

/** File formats as radio choices: each format's name and what it is good for. */
export const formatChoices = <F extends ExportFormat>(formats: readonly F[]) =>
  formats.map((f) => ({
    value: f,
    label: t(`export.format.${f}`),
    hint: t(`export.format.${f}.hint`),
  }));

/** The page size for printed formats (HTML, PDF), with an optional hint below it. */
export function PageSizeField({
  value,
  onChange,
  busy,
  hint,
}: {
  value: PageSize;
  onChange: (size: PageSize) => void;
  busy: boolean;
  hint?: string;
}) {
  return (
    <Field label={t("export.pageSize")} hint={hint}>
      {({ id, describedBy }) => (
        <select
          id={id}
          value={value}
          disabled={busy}
          onChange={(e) => onChange(e.target.value as PageSize)}
          aria-describedby={describedBy}
        >
          <Options of={PAGE_SIZES} label={(s) => t(`export.pageSize.${s}`)} />
        </select>
      )}
    </Field>
  );
}

/**
 * A dialog that writes one file (an export, a harvest): the form (`children`, under `heading`)
 * ending in where the file goes, progress, what went wrong and the buttons; then, once written, the
 * summary. Closing waits while the file is being written.
 */
export function FileWriteDialog({
  file,
  messages,
  heading,
  body,
  onSubmit,
  onClose,
  children,
}: {
  file: FileWrite;
  /** Whose words the dialog uses: "export" says "export.path", "export.busy", … */
  messages: "export" | "harvest";
  heading: string;
  /** What the summary says of a written file. */
  body: (summary: ExportSummary) => string;
  onSubmit: () => Promise<void>;
  onClose: () => void;
  children: ReactNode;
}) {
  const headingId = useId();
  const { phase, busy } = file;
  const labels = {
    path: t(`${messages}.path`),
    busy: t(`${messages}.busy`),
    failed: t(`${messages}.failed`),
    submit: t(`${messages}.submit`),
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) void onSubmit();
  };
  return (
    <Modal labelledBy={headingId} onClose={() => !busy && onClose()} className="transfer-dialog">
      {phase.state === "done" ? (
        <ExportDone
          summary={phase.summary}
          heading={t(`${messages}.done.title`)}
          body={body(phase.summary)}
          again={t(`${messages}.again`)}
          headingId={headingId}
          headingRef={file.summaryRef}
          onAgain={file.again}
          onClose={onClose}
        />
      ) : (
        <form onSubmit={submit} noValidate aria-busy={busy}>
          <h2 id={headingId}>{heading}</h2>
          {children}
          <FileWriteFooter file={file} labels={labels} onClose={onClose} />
        </form>
      )}
    </Modal>
  );
}

/** The end of a file-writing form: where the file goes, progress, what went wrong, and the buttons. */
function FileWriteFooter({
  file,
  labels,
  onClose,
}: {
  file: FileWrite;
  labels: { path: string; busy: string; failed: string; submit: string };
  onClose: () => void;
}) {
  const { phase, busy } = file;
  return (
    <>
      <details
        className="advanced-path"
        open={file.advanced}
        onToggle={(e) => file.setAdvanced(e.currentTarget.open)}
      >
        <summary>{t("files.advanced")}</summary>
        <PathField
          label={labels.path}
          hint={t("files.pathHint")}
          value={file.path}
          onChange={file.setPath}
          error={file.pathError}
          busy={busy}
        />
      </details>
      {busy &&
        (file.received ? (
          <ProgressBar progress={file.received} label={t("files.receiving")} />
        ) : (
          <ProgressBar progress={file.progress} label={labels.busy} />
        ))}
      {phase.state === "form" && phase.error && (
        <FailureNotice
          title={labels.failed}
          message={phase.error}
          unchanged={t("transfer.nothingWritten")}
        />
      )}
      <div className="actions modal-actions">
        <button type="button" onClick={onClose} disabled={busy}>
          {t("common.cancel")}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {labels.submit}
        </button>
      </div>
    </>
  );
}

/** Where the file went, what it holds, and any warnings: the end of an export or a harvest. */
function ExportDone({
  summary,
  heading,
  body,
  again,
  headingId,
  headingRef,
  onAgain,
  onClose,
}: {
  summary: ExportSummary;
  heading: string;
  body: string;
  again: string;
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
      {summary.download ? (
        <p className="transfer-path">{t("files.downloaded", { name: summary.download.name })}</p>
      ) : (
        <p className="transfer-path">
          <code>{summary.path}</code>
        </p>
      )}
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
          {again}
        </button>
        <button type="button" className="primary" onClick={onClose} data-autofocus>
          {t("common.close")}
        </button>
      </div>
    </div>
  );
}
