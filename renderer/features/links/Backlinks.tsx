// What links here: every story, entry and node with a link to `target`, each opening its source.
// It follows the search index, so a link written a moment ago on another laptop shows up here.
import { useId } from "react";
import { useCommunityId } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { LinkRow } from "./LinkRow.tsx";
import { useLinkTargets } from "./useLinkTargets.ts";

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
  const { connection } = usePeer();
  const state = useLinkTargets(communityId, target, () =>
    connection.rpc.call("links:backlinks", { communityId, ref: target }),
  );
  const Heading = heading;
  return (
    <section className="backlinks" aria-labelledby={`${id}-title`}>
      <Heading id={`${id}-title`} className="backlinks-title">
        {t("links.backlinks.title")}
      </Heading>
      {state.status === "loading" && <p role="status">{t("common.loading")}</p>}
      {state.status === "error" && (
        <p className="error" role="alert">
          {t("links.backlinks.failed", { message: state.message })}
        </p>
      )}
      {state.status === "ok" &&
        (state.targets.length === 0 ? (
          <p className="link-empty">{t("links.backlinks.none")}</p>
        ) : (
          <ul>
            {state.targets.map((source) => (
              <li key={source.ref}>
                <LinkRow target={source} />
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
