// Sync without a network: write the community to one encrypted file (a USB stick), read one that
// another member device wrote. The file is chosen as every file is (transfer/files.ts): the system
// dialog in the desktop app; in a browser a download to save, and a file picked or dropped to send
// to the peer; a path on the peer's computer under "Advanced".
import { useId, useState, type FormEvent } from "react";
import type { BundleSummary, FileSource, FileTarget } from "../../../shared/contract.ts";
import type { Result } from "../../../shared/result.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { href } from "../../route.ts";
import { FileChooser } from "../transfer/FileChooser.tsx";
import {
  CANCELLED,
  chooseTarget,
  saveDownload,
  sourcesOf,
  type ChosenFile,
} from "../transfer/files.ts";
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
          write={(target) => connection.rpc.call("sync:writeBundle", { communityId, target })}
          done={(s) =>
            t(countKey(s.documents, "bundle.write.done", "bundle.write.done.one"), {
              count: s.documents,
              size: formatBytes(s.bytes),
              path: s.download ? t("bundle.downloads", { name: s.download.name }) : (s.path ?? ""),
            })
          }
        />
        <BundleForm
          heading={t("bundle.read.title")}
          label={t("bundle.read.label")}
          hint={t("bundle.read.hint")}
          submit={t("bundle.read.submit")}
          busyText={t("bundle.read.busy")}
          read={(source) => connection.rpc.call("sync:readBundle", { source })}
          done={(s) =>
            t(countKey(s.documents, "bundle.read.done", "bundle.read.done.one"), {
              count: s.documents,
              path: s.path ?? t("bundle.uploaded"),
            })
          }
          elsewhere={(s) => (s.communityId === communityId ? null : s.communityId)}
        />
      </div>
    </section>
  );
}

function BundleForm({
  write,
  read,
  heading,
  label,
  hint,
  submit,
  busyText,
  done,
  elsewhere,
}: {
  /** A form that writes a bundle (to a download, the dialog's path or a typed one)… */
  write?: (target: FileTarget) => Promise<Result<BundleSummary>>;
  /** …or one that reads one (an upload, the dialog's path or a typed one). */
  read?: (source: FileSource) => Promise<Result<BundleSummary>>;
  heading: string;
  label: string;
  hint: string;
  submit: string;
  busyText: string;
  done: (summary: BundleSummary) => string;
  /** The other community a bundle turned out to belong to, if it did. */
  elsewhere?: (summary: BundleSummary) => string | null;
}) {
  const [path, setPath] = useState(write ? t("bundle.fileName") : "");
  const [advanced, setAdvanced] = useState(false);
  const [chosen, setChosen] = useState<ChosenFile[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<BundleSummary | null>(null);
  const headingId = useId();

  const send = async () => {
    setResult(null);
    setError(null);
    let call: () => Promise<Result<BundleSummary>>;
    if (write) {
      const target = await chooseTarget({ advanced, typed: path, purpose: "bundle" });
      if (target === "empty") return setError(t("bundle.pathEmpty"));
      // Cancelled: nothing changes, and nothing is said.
      if (target === null) return;
      call = () => write(target);
    } else if (read) {
      if (chosen.length === 0) return setError(t("files.noneChosen"));
      setBusy(true);
      const sources = await sourcesOf(chosen, () => undefined);
      setBusy(false);
      const source = sources.ok ? sources.value[0] : undefined;
      if (!source) {
        if (!sources.ok && sources.error.message !== CANCELLED) setError(sources.error.message);
        return;
      }
      call = () => read(source);
    } else return;
    setBusy(true);
    try {
      const answer = await call();
      if (!answer.ok) return setError(answer.error.message);
      if (answer.value.download) {
        const saved = await saveDownload(answer.value.download, () => undefined);
        if (!saved.ok)
          return setError(`${saved.error.message} ${t("files.downloadFailed.detail")}`);
      }
      setResult(answer.value);
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) void send();
  };

  const other = result && elsewhere ? elsewhere(result) : null;
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-labelledby={headingId}
      aria-busy={busy}
      className="bundle-form"
    >
      <h3 id={headingId}>{heading}</h3>
      {read ? (
        <FileChooser
          label={label}
          hint={hint}
          purpose="bundle"
          accept=".meitheal-sync"
          chosen={chosen}
          onChange={(next) => {
            setChosen(next);
            setError(null);
          }}
          error={error}
          busy={busy}
          pathLabel={t("bundle.read.path")}
        />
      ) : (
        <>
          <p className="hint">{hint}</p>
          <details
            className="advanced-path"
            open={advanced}
            onToggle={(e) => setAdvanced(e.currentTarget.open)}
          >
            <summary>{t("files.advanced")}</summary>
            <PathField
              label={label}
              hint={t("files.pathHint")}
              value={path}
              onChange={setPath}
              placeholder={t("bundle.placeholder")}
              busy={busy}
            />
          </details>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </>
      )}
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
