// The community's roster: who is in it, who added whom, and removing a device (with what that can
// and cannot do said plainly before it happens).
import { useId, useRef, useState } from "react";
import type { MemberInfo } from "../../../shared/contract.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { Notice } from "../../ui/kit.tsx";
import { usePeerQuery } from "../../usePeerQuery.ts";
import { deviceName, formatDate, shortKey } from "./format.ts";

/**
 * `linked` is the keys of the devices linked now (from the sync status): when it changes, the
 * "linked now" marks are read again, as is the whole list on the peer's "sync:changed".
 */
export function Members({ linked }: { linked: string }) {
  const communityId = useCommunityId();
  const load = usePeerQuery(
    "members:list",
    { communityId },
    { refreshOn: ["sync:changed"], refreshKey: linked },
  );
  const [said, setSaid] = useState("");
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);

  const members = load.state === "ok" ? load.value : [];
  const current = members.filter((m) => !m.removed);
  const removed = members.filter((m) => m.removed);
  // Names on the roster, for "added by" when the peer did not resolve one.
  const nameOf = (key: string, given: string | null) =>
    given ?? members.find((m) => m.deviceKey === key)?.name ?? deviceName(null, key);

  return (
    <section aria-labelledby={headingId} className="sync-section">
      <h2 id={headingId} ref={heading} tabIndex={-1}>
        {t("members.title")}
      </h2>
      <p className="lede">{t("members.intro")}</p>
      {load.state === "loading" && <p role="status">{t("common.loading")}</p>}
      {load.state === "failed" && (
        <Notice tone="error" title={t("members.failed")}>
          {load.error.message}
        </Notice>
      )}
      {load.state === "ok" && current.length === 0 && <p>{t("members.empty")}</p>}
      {current.length > 0 && (
        <ul className="members">
          {current.map((m) => (
            <Member
              key={m.deviceKey}
              member={m}
              addedBy={nameOf(m.addedBy, m.addedByName)}
              onRemoved={(name) => {
                setSaid(t("members.removed", { name }));
                if (load.state === "ok") load.refresh();
                // Its button is gone with it: land on the list's heading, not nowhere.
                heading.current?.focus();
              }}
            />
          ))}
        </ul>
      )}
      <p role="status" className="members-said">
        {said}
      </p>
      {removed.length > 0 && (
        <>
          <h3>{t("members.removedGroup")}</h3>
          <ul className="members members-removed">
            {removed.map((m) => (
              <li key={m.deviceKey} className="member">
                <div className="member-main">
                  <span className="member-name">{m.name || deviceName(null, m.deviceKey)}</span>{" "}
                  <code className="member-key">{shortKey(m.deviceKey)}</code>
                </div>
                {m.removed && (
                  <p className="meta">
                    {t("members.removedBy", {
                      name: nameOf(m.removed.by, m.removed.byName),
                      when: formatDate(m.removed.at),
                    })}
                  </p>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Member({
  member,
  addedBy,
  onRemoved,
}: {
  member: MemberInfo;
  addedBy: string;
  onRemoved: (name: string) => void;
}) {
  const { connection } = usePeer();
  const communityId = useCommunityId();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const removeButton = useRef<HTMLButtonElement>(null);
  const confirmId = useId();
  const name = member.name || deviceName(null, member.deviceKey);
  const when = formatDate(member.addedAt);

  const cancel = () => {
    setConfirming(false);
    setError(null);
    // Back to where the keyboard was, after React has put the button back.
    queueMicrotask(() => removeButton.current?.focus());
  };
  const remove = async () => {
    setBusy(true);
    setError(null);
    const result = await connection.rpc.call("members:remove", {
      communityId,
      deviceKey: member.deviceKey,
    });
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    setConfirming(false);
    onRemoved(name);
  };

  return (
    <li className="member">
      <div className="member-main">
        <span className="member-name">{name}</span>{" "}
        <code className="member-key">{shortKey(member.deviceKey)}</code>
        {member.self && <span className="tag tag-self">{t("members.self")}</span>}
        {member.connected && (
          <span className="tag tag-linked">
            <span aria-hidden="true">● </span>
            {t("members.linked")}
          </span>
        )}
      </div>
      <p className="meta">
        {member.addedBy === member.deviceKey
          ? t("members.founded", { when })
          : t("members.added", { name: addedBy, when })}
      </p>
      {!member.self && !confirming && (
        <button
          type="button"
          ref={removeButton}
          className="member-remove"
          aria-label={t("members.removeNamed", { name })}
          onClick={() => setConfirming(true)}
        >
          {t("members.remove")}
        </button>
      )}
      {confirming && (
        <div className="confirm" role="group" aria-labelledby={confirmId} aria-busy={busy}>
          <p id={confirmId}>
            <strong>{t("members.confirmTitle", { name })}</strong>
          </p>
          <p>{t("members.confirm", { name })}</p>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
              {t("members.confirmButton", { name })}
            </button>
            {/* Focus starts on the safe choice: a second Enter must not remove. */}
            <button type="button" autoFocus onClick={cancel}>
              {t("common.cancel")}
            </button>
          </div>
        </div>
      )}
    </li>
  );
}
