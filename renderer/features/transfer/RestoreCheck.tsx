// What the restore page shows of a checked backup before anything is restored (#/restore): whether
// it is sealed, and who restoring it lets in — a new community's members, or the devices a merge
// adds to (or removes from) the member list here. Members' devices may sync with this device and
// read everything, so the person sees them by name and restores, or cancels (RestorePage).
import type { BackupCheck, RestoreConsent, RosterMember } from "../../../shared/contract.ts";

/** A backup checked and open (not locked by its passphrase). */
export type CheckedBackup = Extract<BackupCheck, { state: "checked" }>;
import { t } from "../../i18n/index.ts";
import { Notice } from "../../ui/kit.tsx";

/** Consent to exactly what the check showed: every device named, and an unsealed file. */
export const consentTo = (check: CheckedBackup): RestoreConsent => ({
  devices: [...check.roster.added, ...check.roster.removed].flatMap((m) => m.deviceKeys),
  unsealed: !check.sealed,
});

const deviceCount = (members: RosterMember[]) =>
  members.reduce((n, m) => n + m.deviceKeys.length, 0);

function Members({ members }: { members: RosterMember[] }) {
  return (
    <ul className="restore-members">
      {members.map((m) => (
        <li key={m.deviceKeys.join()}>
          {t(m.deviceKeys.length === 1 ? "restore.member.one" : "restore.member.many", {
            name: m.name === "" ? t("restore.member.noName") : m.name,
            count: m.deviceKeys.length,
          })}
        </li>
      ))}
    </ul>
  );
}

/** "1 device", "3 devices". */
const devices = (members: RosterMember[]) => {
  const count = deviceCount(members);
  return t(count === 1 ? "restore.devices.one" : "restore.devices.many", { count });
};

/** What needs a second look, first: an unsealed file, devices a merge adds or removes. */
export function RestoreWarnings({ check, name }: { check: CheckedBackup; name: string }) {
  const { added, removed } = check.roster;
  return (
    <>
      {!check.sealed && (
        <Notice tone="warning" title={t("restore.unsealed.title")}>
          <p>{t("restore.unsealed.body")}</p>
        </Notice>
      )}
      {check.merges && added.length > 0 && (
        <Notice tone="warning" title={t("restore.added.title", { devices: devices(added) })}>
          <p>{t("restore.added.body", { name })}</p>
          <Members members={added} />
        </Notice>
      )}
      {removed.length > 0 && (
        <Notice tone="warning" title={t("restore.removed.title", { devices: devices(removed) })}>
          <p>{t("restore.removed.body", { name })}</p>
          <Members members={removed} />
        </Notice>
      )}
    </>
  );
}

/** A community new to this device: the members whose devices restoring it lets in. */
export function RestoreMembers({ check }: { check: CheckedBackup }) {
  const { added } = check.roster;
  if (check.merges || added.length === 0) return null;
  return (
    <div className="restore-roster">
      <h3>{t("restore.members.title", { devices: devices(added) })}</h3>
      <p className="hint">{t("restore.members.body")}</p>
      <Members members={added} />
    </div>
  );
}
