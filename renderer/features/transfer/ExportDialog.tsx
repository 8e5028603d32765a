// Export a collection: the format, which stories, the page size for print, and where the file goes;
// then a progress bar from the peer's `task:progress`, and a summary (where the file went, how many
// stories, warnings). The peer writes the file atomically, so a failure leaves nothing behind.
import { useState } from "react";
import type { ExportFormat, PageSize, StoryStatusName } from "../../../shared/contract.ts";
import { STORY_STATUSES } from "../../../shared/schema/community.ts";
import { t, type MessageKey } from "../../i18n/index.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { usePeer } from "../../peerContext.ts";
import { formatBytes } from "../sync/format.ts";
import { EXPORTED_BY_DEFAULT } from "../collections/order.ts";
import { defaultPath, EXTENSIONS, withExtension } from "./format.ts";
import { ChoiceGroup } from "../../ui/fields.tsx";
import { FileWriteDialog, formatChoices, PageSizeField, useFileWrite } from "./parts.tsx";
import type { CollectionId } from "../../../shared/ids.ts";

const FORMATS: readonly ExportFormat[] = ["html", "epub", "pdf", "markdown"];

export function ExportDialog({
  collectionId,
  title,
  counts,
  onClose,
}: {
  collectionId: CollectionId;
  title: string;
  /** Stories in the collection: all of them, and those an export includes by default. */
  counts: { all: number; ready: number };
  onClose: () => void;
}) {
  const { connection } = usePeer();
  const communityId = useCommunityId();
  const [format, setFormat] = useState<ExportFormat>("html");
  const [which, setWhich] = useState<"ready" | "all">("ready");
  const [pageSize, setPageSize] = useState<PageSize>("a4");
  const file = useFileWrite("export", () =>
    defaultPath(title, EXTENSIONS.html, t("export.fileFallback")),
  );
  const { busy } = file;

  const pickFormat = (next: ExportFormat) => {
    setFormat(next);
    file.setPath((p) => withExtension(p, EXTENSIONS[next]));
  };

  const write = () => {
    const statuses: StoryStatusName[] =
      which === "all" ? [...STORY_STATUSES] : [...EXPORTED_BY_DEFAULT];
    return file.write((target) =>
      connection.rpc.call("export:collection", {
        communityId,
        collectionId,
        format,
        target,
        statuses,
        ...(format === "pdf" || format === "html" ? { pageSize } : {}),
      }),
    );
  };

  const printed = format === "pdf" || format === "html";
  return (
    <FileWriteDialog
      file={file}
      messages="export"
      heading={t("export.title", { title })}
      body={(summary) =>
        t(summary.stories === 1 ? "export.done.body.one" : "export.done.body", {
          count: summary.stories,
          format: t(`export.format.${summary.format}` as MessageKey),
          size: formatBytes(summary.bytes),
        })
      }
      onSubmit={write}
      onClose={onClose}
    >
      <ChoiceGroup
        legend={t("export.format")}
        name="export-format"
        choices={formatChoices(FORMATS)}
        value={format}
        onChange={pickFormat}
        disabled={busy}
        autoFocusChosen
      />
      <ChoiceGroup
        legend={t("export.which")}
        name="export-which"
        choices={[
          { value: "ready", label: t("export.which.ready", { count: counts.ready }) },
          { value: "all", label: t("export.which.all", { count: counts.all }) },
        ]}
        value={which}
        onChange={setWhich}
        disabled={busy}
      >
        {which === "ready" && counts.ready < counts.all && (
          <p className="hint">
            {counts.ready === 0
              ? t("export.which.noneReady")
              : t("export.which.leftOut", { count: counts.all - counts.ready })}
          </p>
        )}
      </ChoiceGroup>
      {printed && (
        <PageSizeField
          value={pageSize}
          onChange={setPageSize}
          busy={busy}
          hint={t(format === "pdf" ? "export.pageSize.pdfHint" : "export.pageSize.htmlHint")}
        />
      )}
    </FileWriteDialog>
  );
}
