// The Sync screen of one community: whether it is safe to leave, who is here, how to bring in
// another device (invite, address, USB stick), who is a member, and this device's own facts.
import { useEffect, useId, useState, type ReactNode } from "react";
import type { SyncPeer, SyncStatus } from "../../../shared/contract.ts";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { TextField } from "../../ui/fields.tsx";
import { useTypedRequest } from "../../ui/useTypedRequest.ts";
import { Notice, PageHeading } from "../../ui/kit.tsx";
import { shownValue } from "../../usePeerQuery.ts";
import { Bundle } from "./Bundle.tsx";
import {
  describeGap,
  describeMissing,
  describeStatus,
  deviceName,
  formatClock,
  shortKey,
} from "./format.ts";
import { InviteDevice } from "./InviteDialog.tsx";
import { JoinCommunity } from "./JoinCommunity.tsx";
import { Members } from "./Members.tsx";
import { useSyncStatus } from "./useSyncStatus.ts";

/** How many missing documents the disclosure lists before "…and N more". */
const GAPS_SHOWN = 50;

export function SyncPage() {
  const { info } = usePeer();
  const state = useSyncStatus();
  const status = shownValue(state);
  const linked = status
    ? status.peers
        .map((p) => p.deviceKey)
        .sort()
        .join(",")
    : "";

  return (
    <div className="sync-page">
      <PageHeading>{t("sync.title")}</PageHeading>
      <p className="lede">{t("sync.intro")}</p>
      {state.state === "failed" && (
        <Notice tone="error" title={t("sync.statusFailed")}>
          {state.error.message}
        </Notice>
      )}
      {state.state === "loading" && <p role="status">{t("sync.checking")}</p>}
      <StatusPanel status={status} />
      {status && <Peers peers={status.peers} />}

      <Section title={t("invite.title")}>
        <p className="lede">
          {t("invite.intro")} {t("invite.explain")}
        </p>
        <InviteDevice />
      </Section>

      <Section title={t("sync.connect.title")}>
        <ConnectForm />
        {status &&
          (status.listening.length > 0 ? (
            <p className="hint">
              {t("sync.listening", { addresses: status.listening.join(", ") })}
            </p>
          ) : (
            <p className="hint">{t("sync.notListening")}</p>
          ))}
      </Section>

      <Members linked={linked} />
      <Bundle />

      <Section title={t("sync.join.title")}>
        <p className="lede">{t("join.intro")}</p>
        <JoinCommunity />
      </Section>

      <Section title={t("sync.device")}>
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
      </Section>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="sync-section">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

const ICONS = { "in-sync": "✓", partial: "!", syncing: "↻", alone: "○" } as const;

function StatusPanel({ status }: { status: SyncStatus | null }) {
  const view = status ? describeStatus(status) : null;
  const headlineId = useId();

  // Say the state out loud when it changes — not on arrival (the page is being read then), and
  // not every progress step (the counts change every second while syncing).
  const [lastState, setLastState] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  if (view && view.state !== lastState) {
    setLastState(view.state);
    if (lastState !== null) setAnnouncement(view.announcement);
  }

  return (
    <section className="sync-status-area" aria-label={t("sync.statusLabel")}>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      {view && status && (
        <div className={`sync-status sync-status-${view.state}`}>
          <div className="sync-status-line">
            {/* The badge repeats the sentence in a word, for the eye; the sentence carries it. */}
            <span className="sync-badge" aria-hidden="true">
              <span className="sync-badge-icon">{ICONS[view.state]}</span> {view.badge}
            </span>
            <h2 id={headlineId} className="sync-headline">
              {view.headline}
            </h2>
          </div>
          {view.progress && (
            <progress
              className="sync-progress"
              aria-labelledby={headlineId}
              max={view.progress.max > 0 ? view.progress.max : undefined}
              value={view.progress.max > 0 ? view.progress.value : undefined}
            >
              {status.documents.here} / {status.documents.total}
            </progress>
          )}
          <p className="sync-detail">{view.detail}</p>
          {status.missing.length > 0 && <Missing status={status} />}
          {status.state === "syncing" && status.gaps.length > 0 && <Gaps status={status} />}
          {status.discovery !== "on" && (
            <p className="hint">
              {t(status.discovery === "off" ? "sync.discovery.off" : "sync.discovery.failed")}
            </p>
          )}
        </div>
      )}
      {status && status.problems.length > 0 && (
        <Notice tone="warning" title={t("sync.problems")}>
          <ul>
            {status.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Notice>
      )}
    </section>
  );
}

/** Member devices linked a short while ago and not reachable now: why it is not "safe to leave". */
function Missing({ status }: { status: SyncStatus }) {
  const id = useId();
  // "linked a moment ago" becomes "linked 1 minute ago": the clock moves on between polls.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 15_000);
    return () => window.clearInterval(timer);
  }, []);
  return (
    <div className="sync-missing">
      <h3 id={id}>{t("sync.missing.title")}</h3>
      <ul aria-labelledby={id}>
        {describeMissing(status, now).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </div>
  );
}

function Gaps({ status }: { status: SyncStatus }) {
  const shown = status.gaps.slice(0, GAPS_SHOWN);
  const more = status.gaps.length - shown.length;
  return (
    <details className="sync-gaps">
      <summary>{t("sync.gaps.summary", { count: status.gaps.length })}</summary>
      <ul>
        {shown.map((gap) => {
          const { title, reason } = describeGap(gap, status.peers);
          return (
            <li key={gap.documentId}>
              <span className="sync-gap-title">{title}</span> — {reason}
            </li>
          );
        })}
      </ul>
      {more > 0 && <p className="hint">{t("sync.gaps.more", { count: more })}</p>}
    </details>
  );
}

function Peers({ peers }: { peers: SyncPeer[] }) {
  const headingId = useId();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    // "since 10:42" becomes "since 3 Mar, 10:42" after midnight: a minute's precision is plenty.
    const timer = window.setInterval(() => setNow(Date.now()), 60_000);
    return () => window.clearInterval(timer);
  }, []);
  return (
    <section aria-labelledby={headingId} className="sync-section">
      <h2 id={headingId}>{t("sync.peers.title")}</h2>
      {peers.length === 0 ? (
        <p>{t("sync.peers.empty")}</p>
      ) : (
        <table className="sync-peers" aria-labelledby={headingId}>
          <thead>
            <tr>
              <th scope="col">{t("sync.peers.device")}</th>
              <th scope="col">{t("sync.peers.address")}</th>
              <th scope="col">{t("sync.peers.since")}</th>
              <th scope="col">{t("sync.peers.direction")}</th>
            </tr>
          </thead>
          <tbody>
            {peers.map((p) => (
              <tr key={p.deviceKey}>
                <th scope="row">
                  {p.name ?? deviceName(null, p.deviceKey)}
                  {p.name && (
                    <>
                      {" "}
                      <code className="member-key">{shortKey(p.deviceKey)}</code>
                    </>
                  )}
                </th>
                <td>
                  <code>{p.address}</code>
                </td>
                <td>
                  <time dateTime={p.since}>
                    {t("sync.peers.sinceTime", { time: formatClock(p.since, now) })}
                  </time>
                </td>
                <td>
                  <span aria-hidden="true">{p.direction === "out" ? "↗ " : "↙ "}</span>
                  {t(p.direction === "out" ? "sync.peers.out" : "sync.peers.in")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ConnectForm() {
  const { connection } = usePeer();
  const form = useTypedRequest({
    empty: t("sync.connect.empty"),
    run: (address) => connection.rpc.call("sync:connect", { address }),
  });
  const { busy } = form;

  return (
    <form onSubmit={form.submit} noValidate aria-busy={busy} className="narrow">
      <TextField
        label={t("sync.connect.label")}
        hint={t("sync.connect.hint")}
        error={form.error ?? form.refusal?.message}
        value={form.text}
        onChange={(value) => {
          form.setText(value);
          form.forget();
        }}
        placeholder={t("sync.connect.placeholder")}
        spellCheck={false}
        inputMode="url"
        readOnly={busy}
      />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {t("sync.connect.submit")}
        </button>
        <span role="status">
          {busy ? t("sync.connect.busy") : form.answer ? t("sync.connect.started") : ""}
        </span>
      </div>
    </form>
  );
}
