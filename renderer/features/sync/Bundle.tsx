// Sync without a network: write the community to one encrypted file (a USB stick), read one that
// another member device wrote. Paths are on the computer the peer runs on.
import { useId } from "react";
import { atPath, type BundleSummary } from "../../../shared/contract.ts";
import type { Result } from "../../../shared/result.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { href } from "../../route.ts";
import { useTypedRequest } from "../../ui/useTypedRequest.ts";
import { PathField } from "../transfer/PathField.tsx";
import { countKey, formatBytes } from "./format.ts";

export function Bundle() {
  const { connection } = usePeer();
  const communityId = useCommunityId();
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="sync-section">
      <h2 id={headingId}>{t("bundle.title")}</h2>
      <p className="lede">
        {t("bundle.intro")} {t("bundle.explain")}
      </p>
      <div className="bundle-forms">
        <BundleForm
          heading={t("bundle.write.title")}
          label={t("bundle.write.label")}
          hint={t("bundle.write.hint")}
          submit={t("bundle.write.submit")}
          busyText={t("bundle.write.busy")}
          run={(path) =>
            connection.rpc.call("sync:writeBundle", { communityId, target: atPath(path) })
          }
          done={(s) =>
            t(countKey(s.documents, "bundle.write.done", "bundle.write.done.one"), {
              count: s.documents,
              size: formatBytes(s.bytes),
              path: s.path ?? "",
            })
          }
        />
        <BundleForm
          heading={t("bundle.read.title")}
          label={t("bundle.read.label")}
          hint={t("bundle.read.hint")}
          submit={t("bundle.read.submit")}
          busyText={t("bundle.read.busy")}
          run={(path) => connection.rpc.call("sync:readBundle", { source: atPath(path) })}
          done={(s) =>
            t(countKey(s.documents, "bundle.read.done", "bundle.read.done.one"), {
              count: s.documents,
              path: s.path ?? "",
            })
          }
          elsewhere={(s) => (s.communityId === communityId ? null : s.communityId)}
        />
      </div>
    </section>
  );
}

function BundleForm({
  heading,
  label,
  hint,
  submit,
  busyText,
  run,
  done,
  elsewhere,
}: {
  heading: string;
  label: string;
  hint: string;
  submit: string;
  busyText: string;
  run: (path: string) => Promise<Result<BundleSummary>>;
  done: (summary: BundleSummary) => string;
  /** The other community a bundle turned out to belong to, if it did. */
  elsewhere?: (summary: BundleSummary) => string | null;
}) {
  const form = useTypedRequest({ empty: t("bundle.pathEmpty"), run });
  const { busy } = form;
  const result = form.answer?.value ?? null;
  const headingId = useId();

  const other = result && elsewhere ? elsewhere(result) : null;
  return (
    <form
      onSubmit={form.submit}
      noValidate
      aria-labelledby={headingId}
      aria-busy={busy}
      className="bundle-form"
    >
      <h3 id={headingId}>{heading}</h3>
      <PathField
        label={label}
        hint={hint}
        value={form.text}
        onChange={form.setText}
        error={form.error ?? form.refusal?.message}
        placeholder={t("bundle.placeholder")}
        busy={busy}
      />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {submit}
        </button>
      </div>
      <p role="status" className="bundle-result">
        {busy ? busyText : result ? done(result) : ""}
        {other && (
          <>
            {" "}
            {t("bundle.read.otherCommunity")}{" "}
            <a
              href={href({
                page: "community",
                communityId: other,
                section: "stories",
                docId: null,
              })}
            >
              {t("bundle.read.open")}
            </a>
          </>
        )}
      </p>
    </form>
  );
}
