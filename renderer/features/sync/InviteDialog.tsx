// "Invite a device": a one-time invite to this community, shown as a short typed code (20
// characters, read aloud across a room) and a QR code (the code and this device's addresses), with
// the time it has left. When someone joins with it the peer says so ("sync:joined"): the dialog
// shows "<name> joined" at once, stops the countdown and offers another invite. Closing the dialog
// does not withdraw the invite (the contract has no call for that); it lapses after ten minutes.
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import type { InviteInfo } from "../../../shared/contract.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { Modal } from "../../ui/kit.tsx";
import { formatCountdown, msUntil } from "./format.ts";
import { qrImageSrc } from "./qr.ts";

type InviteState =
  | { kind: "closed" }
  | { kind: "making" }
  | { kind: "ready"; invite: InviteInfo }
  | { kind: "joined"; invite: InviteInfo; name: string }
  | { kind: "failed"; message: string };

export function InviteDevice() {
  const communityId = useCommunityId();
  const { connection } = usePeer();
  const [state, setState] = useState<InviteState>({ kind: "closed" });
  const [attempt, setAttempt] = useState(0);
  // Each request is numbered, so an answer that arrives after the dialog closed (or after a newer
  // request) is dropped. Requests start from clicks, not effects: one click, one invite.
  const request = useRef(0);

  const make = async () => {
    const mine = ++request.current;
    setState({ kind: "making" });
    setAttempt(mine);
    const result = await connection.rpc.call("sync:invite", { communityId });
    if (mine !== request.current) return;
    setState(
      result.ok
        ? { kind: "ready", invite: result.value }
        : { kind: "failed", message: result.error.message },
    );
  };
  const close = () => {
    request.current++;
    setState({ kind: "closed" });
  };
  const open = state.kind === "ready";
  useEffect(() => {
    if (!open) return;
    return connection.rpc.on("sync:joined", (event) => {
      if (event.communityId !== communityId) return;
      setState((now) =>
        now.kind === "ready" ? { kind: "joined", invite: now.invite, name: event.name } : now,
      );
    });
  }, [open, connection, communityId]);

  return (
    <>
      <button type="button" className="primary" onClick={() => void make()}>
        {t("invite.open")}
      </button>
      {state.kind !== "closed" && (
        <Dialog
          title={t("invite.title")}
          onClose={close}
          focusKey={attempt}
          className="invite-dialog"
        >
          {state.kind !== "joined" && <p>{t("invite.explain")}</p>}
          {state.kind === "making" && (
            <p role="status" aria-busy="true">
              {t("invite.making")}
            </p>
          )}
          {state.kind === "failed" && (
            <div className="notice notice-error" role="alert">
              <strong>{t("invite.failed")}</strong>
              <p>{state.message}</p>
              <button type="button" onClick={() => void make()}>
                {t("invite.retry")}
              </button>
            </div>
          )}
          {/* Present from the start, so screen readers announce what is put in it. */}
          <p
            role="status"
            className={state.kind === "joined" ? "invite-joined" : "visually-hidden"}
          >
            {state.kind === "joined" ? t("invite.joined", { name: state.name }) : ""}
          </p>
          {state.kind === "ready" && (
            <InviteBody key={state.invite.code} invite={state.invite} onRenew={() => void make()} />
          )}
          <div className="actions modal-actions">
            {state.kind === "joined" && (
              <button type="button" className="primary" onClick={() => void make()}>
                {t("invite.another")}
              </button>
            )}
            <button type="button" onClick={close}>
              {state.kind === "joined" ? t("invite.done") : t("common.close")}
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

function InviteBody({ invite, onRenew }: { invite: InviteInfo; onRenew: () => void }) {
  const left = useTimeLeft(invite.expiresAt);
  const expired = left <= 0;
  const renew = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    // The button that had focus may have gone with the code: do not leave the keyboard nowhere.
    if (expired && (document.activeElement === document.body || !document.activeElement))
      renew.current?.focus();
  }, [expired]);

  return (
    <>
      <p role="status" className={expired ? "invite-expired" : "visually-hidden"}>
        {expired ? t("invite.expired") : ""}
      </p>
      {expired ? (
        <button type="button" className="primary" ref={renew} onClick={onRenew}>
          {t("invite.new")}
        </button>
      ) : (
        <InviteCode invite={invite} left={left} />
      )}
    </>
  );
}

function InviteCode({ invite, left }: { invite: InviteInfo; left: number }) {
  const qr = useQr(invite.uri);
  const codeRef = useRef<HTMLElement>(null);
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");

  const copyCode = async () => {
    try {
      await navigator.clipboard.writeText(invite.code);
      setCopy("copied");
    } catch {
      // No clipboard (an insecure origin, a denied permission): select the code for Ctrl+C.
      const code = codeRef.current;
      const selection = window.getSelection();
      if (code && selection) {
        const range = document.createRange();
        range.selectNodeContents(code);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      setCopy("failed");
    }
  };

  return (
    <div className="invite">
      <div className="invite-qr">
        {qr.kind === "ok" && (
          <img
            src={qr.src}
            alt={t("invite.qrAlt")}
            width={220}
            height={220}
            data-invite-uri={invite.uri}
          />
        )}
        {qr.kind === "failed" && <p className="hint">{t("invite.qrFailed")}</p>}
      </div>
      <div className="invite-details">
        <p>{t("invite.typeIt")}</p>
        <p className="invite-code-row">
          <code ref={codeRef} className="invite-code" data-testid="invite-code">
            {invite.code}
          </code>
        </p>
        <div className="actions">
          <button type="button" onClick={() => void copyCode()}>
            {t("invite.copy")}
          </button>
          <span role="status" className="hint">
            {copy === "copied"
              ? t("invite.copied")
              : copy === "failed"
                ? t("invite.copyFailed")
                : ""}
          </span>
        </div>
        <p className="invite-expires">{t("invite.expiresIn", { time: formatCountdown(left) })}</p>
        {invite.addresses.length > 0 ? (
          <>
            <p className="invite-addresses-label">{t("invite.addresses")}</p>
            <p className="hint">{t("invite.addressesWhy")}</p>
            <ul className="invite-addresses">
              {invite.addresses.map((a) => (
                <li key={a}>
                  <code>{a}</code>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p className="hint">{t("invite.noAddresses")}</p>
        )}
      </div>
    </div>
  );
}

/** Milliseconds until `expiresAt`, updated every second (and 0 once past). */
function useTimeLeft(expiresAt: string): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return Math.max(0, msUntil(expiresAt, now));
}

type Qr = { kind: "drawing" } | { kind: "ok"; src: string } | { kind: "failed" };

function useQr(text: string): Qr {
  const [held, setHeld] = useState<{ text: string; qr: Qr }>({ text, qr: { kind: "drawing" } });
  useEffect(() => {
    let live = true;
    qrImageSrc(text).then(
      (src) => live && setHeld({ text, qr: { kind: "ok", src } }),
      () => live && setHeld({ text, qr: { kind: "failed" } }),
    );
    return () => {
      live = false;
    };
  }, [text]);
  return held.text === text ? held.qr : { kind: "drawing" };
}

/** The invite's dialog: focus starts on its title, and returns there when a new invite begins. */
function Dialog({
  title,
  onClose,
  focusKey,
  className,
  children,
}: {
  title: string;
  onClose: () => void;
  /** When this changes (a new request began), focus goes back to the title. */
  focusKey: number;
  className?: string;
  children: ReactNode;
}) {
  const titleId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  // Runs after Modal has opened the dialog (a child's effects run first).
  useEffect(() => {
    heading.current?.focus();
  }, [focusKey]);
  return (
    <Modal labelledBy={titleId} onClose={onClose} {...(className ? { className } : {})}>
      <h2 id={titleId} ref={heading} tabIndex={-1} data-autofocus>
        {title}
      </h2>
      {children}
    </Modal>
  );
}
