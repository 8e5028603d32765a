// What links here: every story, entry and node with a link to `target`, each opening its source.
// It follows the search index, so a link written a moment ago on another laptop shows up here.
import { useId } from "react";
import { useCommunityId } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { LinkRow } from "./LinkRow.tsx";
import { usePeerQuery } from "../../usePeerQuery.ts";

export function Backlinks({
  target,
  heading = "h3",
}: {
  /** The link string of the item shown (shared/links/ref.ts). */
  target: string;
  /** The heading level that fits where the list sits. */
  heading?: "h2" | "h3" | "h4";
}) {
  const id = useId();
  const communityId = useCommunityId();
  // Asked again whenever the search index changes: a link written elsewhere shows up here.
  const state = usePeerQuery(
    "links:backlinks",
    { communityId, ref: target },
    { refreshOn: ["search:changed"] },
  );
  const Heading = heading;
  return (
    <section className="backlinks" aria-labelledby={`${id}-title`}>
      <Heading id={`${id}-title`} className="backlinks-title">
        {t("links.backlinks.title")}
      </Heading>
      {state.state === "loading" && <p role="status">{t("common.loading")}</p>}
      {state.state === "failed" && (
        <p className="error" role="alert">
          {t("links.backlinks.failed", { message: state.error.message })}
        </p>
      )}
      {state.state === "ok" &&
        (state.value.length === 0 ? (
          <p className="link-empty">{t("links.backlinks.none")}</p>
        ) : (
          <ul>
            {state.value.map((source) => (
              <li key={source.ref}>
                <LinkRow target={source} />
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
