import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { PageHeading } from "../../ui/kit.tsx";

export function SyncPage() {
  const { info } = usePeer();
  return (
    <>
      <PageHeading>{t("sync.title")}</PageHeading>
      <p className="lede">{t("sync.empty.body")}</p>
      <h2>{t("sync.device")}</h2>
      <dl className="facts">
        <dt>{t("sync.deviceKey")}</dt>
        <dd>
          <code>{info.deviceKey}</code>
        </dd>
        <dt>{t("sync.dataDir")}</dt>
        <dd>
          <code>{info.dataDir}</code>
        </dd>
      </dl>
    </>
  );
}
