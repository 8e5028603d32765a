import type { CommunitySummary } from "../../../shared/contract.ts";
import { t } from "../../i18n/index.ts";
import { navigate } from "../../route.ts";

const NEW = "__new__";
const JOIN = "__join__";
const RESTORE = "__restore__";

export function CommunitySwitcher({
  communities,
  currentId,
}: {
  communities: CommunitySummary[];
  currentId: string | null;
}) {
  const label = (c: CommunitySummary) => {
    const name = c.name ?? c.id.slice(0, 8);
    if (c.state === "damaged") return t("switcher.damaged", { name });
    if (c.state === "newer") return t("switcher.newer", { name });
    if (c.state === "arriving") return t("switcher.arriving");
    return name;
  };
  return (
    <label className="switcher">
      <span className="visually-hidden">{t("switcher.label")}</span>
      <select
        value={currentId ?? ""}
        onChange={(e) => {
          const value = e.target.value;
          if (value === NEW) navigate({ page: "new" });
          else if (value === JOIN) navigate({ page: "join" });
          else if (value === RESTORE) navigate({ page: "restore", path: null });
          else if (value)
            navigate({ page: "community", communityId: value, section: "stories", docId: null });
        }}
      >
        {currentId === null && <option value="">{t("switcher.label")}</option>}
        {communities.map((c) => (
          <option key={c.id} value={c.id}>
            {label(c)}
          </option>
        ))}
        <option value={NEW}>{t("switcher.new")}</option>
        <option value={JOIN}>{t("switcher.join")}</option>
        <option value={RESTORE}>{t("switcher.restore")}</option>
      </select>
    </label>
  );
}
