// Retreat harvest: a retreat's days (from, to) become one report, HTML or PDF, of the log entries
// of those days, the stories created or changed in them, and the inquiry maps. Progress, then the
// same summary an export ends with.
import { useState } from "react";
import type { PageSize } from "../../../shared/contract.ts";
import { currentLocale, t } from "../../i18n/index.ts";
import { useCommunity } from "../../communityContext.tsx";
import { usePeer } from "../../peerContext.ts";
import { Field } from "../../ui/kit.tsx";
import { formatBytes } from "../sync/format.ts";
import { defaultPath, isoDay, withExtension } from "./format.ts";
import { ChoiceGroup } from "../../ui/fields.tsx";
import { FileWriteDialog, formatChoices, PageSizeField, useFileWrite } from "./parts.tsx";
import { harvestLabels } from "./harvestLabels.ts";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
type Format = "html" | "pdf";

export function HarvestDialog({ onClose }: { onClose: () => void }) {
  const { connection } = usePeer();
  const { id: communityId, index } = useCommunity();
  const communityName = index.doc.name;
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 2 * 86_400_000)));
  const [to, setTo] = useState(() => isoDay(new Date()));
  const [dateError, setDateError] = useState<string | null>(null);
  const [format, setFormat] = useState<Format>("html");
  const [pageSize, setPageSize] = useState<PageSize>("a4");
  const file = useFileWrite("harvest", () =>
    defaultPath(t("harvest.fileName", { name: communityName }), "html", t("harvest.fileFallback")),
  );
  const { busy } = file;

  const write = async () => {
    if (!DAY.test(from) || !DAY.test(to)) return setDateError(t("harvest.datesMissing"));
    if (from > to) return setDateError(t("harvest.datesOrder"));
    setDateError(null);
    await file.write((target) =>
      connection.rpc.call("harvest:write", {
        communityId,
        from,
        to,
        format,
        target,
        pageSize,
        labels: harvestLabels(),
        locale: currentLocale(),
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      }),
    );
  };

  return (
    <FileWriteDialog
      file={file}
      messages="harvest"
      heading={t("harvest.title")}
      body={(summary) =>
        t(summary.stories === 1 ? "harvest.done.body.one" : "harvest.done.body", {
          count: summary.stories,
          size: formatBytes(summary.bytes),
        })
      }
      onSubmit={write}
      onClose={onClose}
    >
      <p className="lede">{t("harvest.intro")}</p>
      <fieldset className="date-range" disabled={busy}>
        <legend>{t("harvest.days")}</legend>
        {(["from", "to"] as const).map((end) => (
          <Field key={end} label={t(`harvest.${end}`)} error={null}>
            {({ id }) => (
              <input
                id={id}
                type="date"
                value={end === "from" ? from : to}
                // A range never turns inside out: each end is bounded by the other.
                {...(end === "from" ? { max: to || undefined } : { min: from || undefined })}
                onChange={(e) => (end === "from" ? setFrom : setTo)(e.target.value)}
                aria-invalid={Boolean(dateError)}
                {...(end === "from" ? { "data-autofocus": true } : {})}
              />
            )}
          </Field>
        ))}
        {dateError && (
          <p className="error" role="alert">
            {dateError}
          </p>
        )}
      </fieldset>
      <ChoiceGroup
        legend={t("export.format")}
        name="harvest-format"
        choices={formatChoices(["html", "pdf"] as const)}
        value={format}
        onChange={(f) => {
          setFormat(f);
          file.setPath((p) => withExtension(p, f));
        }}
        disabled={busy}
      />
      <PageSizeField value={pageSize} onChange={setPageSize} busy={busy} />
    </FileWriteDialog>
  );
}
