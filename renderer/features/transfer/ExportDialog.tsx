// Export a collection: the format, which stories, the page size for print, and where the file goes;
// then a progress bar from the peer's `task:progress`, and a summary (where the file went, how many
// stories, warnings). The peer writes the file atomically, so a failure leaves nothing behind.
import { useId, useState, type FormEvent } from "react";
import type { ExportFormat, PageSize, StoryStatusName } from "../../../shared/contract.ts";
import { STORY_STATUSES } from "../../../shared/schema/community.ts";
import { t, type MessageKey } from "../../i18n/index.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { usePeer } from "../../peerContext.ts";
import { Modal } from "../../ui/kit.tsx";
import { formatBytes } from "../sync/format.ts";
import { EXPORTED_BY_DEFAULT } from "../collections/order.ts";
import { defaultPath, EXTENSIONS, withExtension } from "./format.ts";
import { ExportDone, FileWriteFooter, PageSizeField, useFileWrite } from "./parts.tsx";

const FORMATS: readonly ExportFormat[] = ["html", "epub", "pdf", "markdown"];

export function ExportDialog({
  collectionId,
  title,
  counts,
  onClose,
}: {
  collectionId: string;
  title: string;
  /** Stories in the collection: all of them, and those an export includes by default. */
  counts: { all: number; ready: number };
  onClose: () => void;
}) {
  const { connection } = usePeer();
  const communityId = useCommunityId();
  const headingId = useId();
  const [format, setFormat] = useState<ExportFormat>("html");
  const [which, setWhich] = useState<"ready" | "all">("ready");
  const [pageSize, setPageSize] = useState<PageSize>("a4");
  const file = useFileWrite("export", () =>
    defaultPath(title, EXTENSIONS.html, t("export.fileFallback")),
  );
  const { phase, busy } = file;

  const pickFormat = (next: ExportFormat) => {
    setFormat(next);
    file.setPath((p) => withExtension(p, EXTENSIONS[next]));
  };

  const go = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const statuses: StoryStatusName[] =
      which === "all" ? [...STORY_STATUSES] : [...EXPORTED_BY_DEFAULT];
    await file.write((path) =>
      connection.rpc.call("export:collection", {
        communityId,
        collectionId,
        format,
        path,
        statuses,
        ...(format === "pdf" || format === "html" ? { pageSize } : {}),
      }),
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
          headingRef={file.summaryRef}
          onAgain={file.again}
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
            <PageSizeField
              id={`${headingId}-size`}
              value={pageSize}
              onChange={setPageSize}
              busy={busy}
              hint={t(format === "pdf" ? "export.pageSize.pdfHint" : "export.pageSize.htmlHint")}
            />
          )}
          <FileWriteFooter
            file={file}
            pathLabel={t("export.path")}
            busyLabel={t("export.busy")}
            failedTitle={t("export.failed")}
            submitLabel={t("export.submit")}
            onClose={onClose}
          />
        </form>
      )}
    </Modal>
  );
}
