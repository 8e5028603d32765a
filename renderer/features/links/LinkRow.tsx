// One link as lists show it: its target's title opening the target, what kind of thing it is and
// where it lives; a target not on this device (not arrived yet, or deleted) says so instead.
import type { LinkTarget } from "../../../shared/contract.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { href } from "../../route.ts";
import { typeLabel } from "../search/Hit.tsx";
import { refStringRoute } from "./navigate.ts";

export function LinkRow({ target }: { target: LinkTarget }) {
  const communityId = useCommunityId();
  const route = target.missing ? null : refStringRoute(communityId, target.ref);
  const title = target.title || t("links.untitled");
  return (
    <span className="link-row">
      {route ? (
        <a href={href(route)}>{title}</a>
      ) : (
        <span className="link-missing">
          {target.title ? t("links.missingNamed", { title: target.title }) : t("links.missing")}
        </span>
      )}
      <span className="link-meta">
        {typeLabel(target.type)}
        {target.context ? ` · ${target.context}` : ""}
      </span>
    </span>
  );
}
