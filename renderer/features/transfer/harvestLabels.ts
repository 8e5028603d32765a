// The words of a harvest report in the window's language: the peer prints them around what people
// wrote (shared/export/harvest.ts), so the report reads in the language the app is shown in.
import type { HarvestLabels } from "../../../shared/export/harvest.ts";
import { STORY_STATUSES } from "../../../shared/schema/community.ts";
import { ENTRY_KINDS, ENTRY_TEXT_FIELDS } from "../../../shared/schema/log.ts";
import { NODE_KINDS, QUESTION_STATUSES, RELATIONS } from "../../../shared/schema/map.ts";
import { t } from "../../i18n/index.ts";
import { kindLabel, relationLabel, statusLabel } from "../maps/labels.ts";

const record = <K extends string>(keys: readonly K[], label: (k: K) => string) =>
  Object.fromEntries(keys.map((k) => [k, label(k)])) as Record<K, string>;

export function harvestLabels(): HarvestLabels {
  return {
    title: t("harvest.report.title"),
    range: t("harvest.report.range"),
    oneDay: t("harvest.report.oneDay"),
    contents: t("harvest.report.contents"),
    logs: t("harvest.report.logs"),
    entries: t("harvest.report.entries"),
    stories: t("harvest.report.stories"),
    maps: t("harvest.report.maps"),
    noEntries: t("harvest.report.noEntries"),
    noStories: t("harvest.report.noStories"),
    noMaps: t("harvest.report.noMaps"),
    participants: t("harvest.report.participants"),
    themes: t("harvest.report.themes"),
    created: t("harvest.report.created"),
    changed: t("harvest.report.changed"),
    untitled: t("harvest.report.untitled"),
    fields: record(ENTRY_TEXT_FIELDS, (f) => t(`logs.field.${f}`)),
    entryKinds: record(ENTRY_KINDS, (k) => t(`logs.kind.${k}`)),
    statuses: record(STORY_STATUSES, (s) => t(`status.${s}`)),
    map: {
      kind: record(NODE_KINDS, kindLabel),
      relation: record(RELATIONS, relationLabel),
      status: record(QUESTION_STATUSES, statusLabel),
      empty: t("maps.export.empty"),
    },
  };
}
