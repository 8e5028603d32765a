// Every practice log of the community, from the index (no log is opened to draw the list), and the
// form that starts a new one.
import { useMemo, useState } from "react";
import { listEntries } from "../../../shared/ops/community.ts";
import { useCommunity } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { navigate } from "../../route.ts";
import { EntryCards, NewTitleField, useNewTitle } from "../../ui/DocList.tsx";
import { EmptyState, Field, PageHeading } from "../../ui/kit.tsx";
import { HarvestDialog } from "../transfer/HarvestDialog.tsx";
import { createLog } from "./actions.ts";

const DESCRIPTION_LIMIT = 4000;

export function LogsList() {
  const community = useCommunity();
  const { id: communityId, index } = community;
  const logs = useMemo(() => listEntries(index.doc, "log"), [index.doc]);
  const [description, setDescription] = useState("");
  const [harvesting, setHarvesting] = useState(false);
  const { title, setTitle, error, submit } = useNewTitle((checked) => {
    const id = createLog(community, checked, description.trim());
    // Straight into the new log: adding its first entry is what comes next.
    navigate({ page: "community", communityId, section: "logs", docId: id });
  });

  return (
    <>
      <div className="heading-row">
        <PageHeading>{t("logs.title")}</PageHeading>
        <button type="button" onClick={() => setHarvesting(true)} aria-haspopup="dialog">
          {t("harvest.open")}
        </button>
      </div>
      {harvesting && <HarvestDialog onClose={() => setHarvesting(false)} />}
      <p className="lede">{t("logs.lede")}</p>
      <form className="log-create" onSubmit={submit} noValidate aria-label={t("logs.new")}>
        <NewTitleField
          label={t("logs.newTitle")}
          hint={t("logs.newTitleHint")}
          value={title}
          onChange={setTitle}
          error={error}
        />
        <Field label={t("logs.newDescription")} hint={t("logs.newDescriptionHint")}>
          {({ id, describedBy }) => (
            <textarea
              id={id}
              rows={2}
              maxLength={DESCRIPTION_LIMIT}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              aria-describedby={describedBy}
            />
          )}
        </Field>
        <button type="submit" className="primary">
          {t("logs.create")}
        </button>
      </form>
      {logs.length === 0 ? (
        <EmptyState title={t("logs.empty.title")}>{t("logs.empty.body")}</EmptyState>
      ) : (
        <EntryCards
          entries={logs}
          section="logs"
          label={
            logs.length === 1 ? t("logs.count.one") : t("logs.count.many", { count: logs.length })
          }
          showLabel
          className="cards log-cards"
        />
      )}
    </>
  );
}
