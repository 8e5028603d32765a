// Who has the story open right now: a coloured circle with initials per person, this person first
// as "You". Each circle's name is its accessible name and its tooltip.
import { t } from "../../../i18n/index.ts";
import { initials, peopleOf, type Me, type RemotePeer } from "./state.ts";

/** More than this and the rest are counted, so the row stays one row at a large retreat. */
const MAX_SHOWN = 8;

export function PresenceAvatars({ me, peers }: { me: Me; peers: readonly RemotePeer[] }) {
  const others = peopleOf(peers, me.deviceKey);
  const shown = others.slice(0, MAX_SHOWN - 1);
  const hidden = others.slice(MAX_SHOWN - 1);
  const you = t("presence.youNamed", { name: me.name });
  return (
    <ul className="presence-avatars" aria-label={t("presence.label")}>
      <li>
        <span
          className="presence-avatar presence-you"
          role="img"
          aria-label={t("presence.you")}
          title={you}
          style={{ backgroundColor: me.colour }}
        >
          {initials(me.name)}
        </span>
      </li>
      {shown.map((p) => (
        <li key={p.deviceKey}>
          <span
            className="presence-avatar"
            role="img"
            aria-label={p.name}
            title={p.name}
            style={{ backgroundColor: p.colour }}
          >
            {initials(p.name)}
          </span>
        </li>
      ))}
      {hidden.length > 0 && (
        <li>
          <span
            className="presence-avatar presence-more"
            role="img"
            aria-label={t("presence.more", { count: hidden.length })}
            title={hidden.map((p) => p.name).join(", ")}
          >
            +{hidden.length}
          </span>
        </li>
      )}
    </ul>
  );
}
