// Every practice log of the community, from the index (no log is opened to draw the list), and the
// form that starts a new one.
import { useMemo, useState } from "react";
import { listEntries } from "../../../shared/ops/community.ts";
import { useCommunity } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { openNewDoc } from "../../newDoc.ts";
import { EntryCards, ListHeading, NewDocForm } from "../../ui/DocList.tsx";
import { TextAreaField } from "../../ui/fields.tsx";
import { DialogButton } from "../../ui/kit.tsx";
import { HarvestDialog } from "../transfer/HarvestDialog.tsx";
import { createLog } from "./actions.ts";

const DESCRIPTION_LIMIT = 4000;

export function LogsList() {
  const community = useCommunity();
  const logs = useMemo(() => listEntries(community.index.doc, "log"), [community.index.doc]);
  const [description, setDescription] = useState("");

  return (
    <>
      <ListHeading
        title={t("logs.title")}
        action={
          <DialogButton label={t("harvest.open")}>
            {(close) => <HarvestDialog onClose={close} />}
          </DialogButton>
        }
      />
      <p className="lede">{t("logs.lede")}</p>
      <NewDocForm
        label={t("logs.new")}
        className="log-create"
        titleLabel={t("logs.newTitle")}
        titleHint={t("logs.newTitleHint")}
        submitLabel={t("logs.create")}
        onCreate={(title) => {
          // Straight into the new log: adding its first entry is what comes next.
          openNewDoc(community.id, "logs", createLog(community, title, description.trim()));
        }}
      >
        <TextAreaField
          label={t("logs.newDescription")}
          hint={t("logs.newDescriptionHint")}
          rows={2}
          maxLength={DESCRIPTION_LIMIT}
          value={description}
          onChange={setDescription}
        />
      </NewDocForm>
      <EntryCards
        entries={logs}
        section="logs"
        label={
          logs.length === 1 ? t("logs.count.one") : t("logs.count.many", { count: logs.length })
        }
        showLabel
        className="cards log-cards"
        empty={{ title: t("logs.empty.title"), body: t("logs.empty.body") }}
      />
    </>
  );
}
