// Small building blocks used across features: calm, accessible, keyboard-first.
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { t } from "../i18n/index.ts";

export function EmptyState({
  title,
  children,
  action,
  heading: Heading = "h2",
}: {
  title: string;
  children: ReactNode;
  action?: ReactNode;
  /** "h1" where the empty state is the whole page (the welcome screen): its heading is the page's. */
  heading?: "h1" | "h2";
}) {
  return (
    <section className="empty" aria-label={title}>
      <Heading>{title}</Heading>
      <p>{children}</p>
      {action}
    </section>
  );
}

export function Field({
  label,
  hint,
  error,
  className,
  children,
}: {
  label: string;
  hint?: string | undefined;
  error?: string | null;
  /** Beside "field", for a field laid out its own way. */
  className?: string;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={className ? `field ${className}` : "field"}>
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Moves focus to the page heading when the page changes, so keyboard and screen-reader users land at the top. */
export function PageHeading({ children, id }: { children: ReactNode; id?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [children]);
  return (
    <h1 ref={ref} tabIndex={-1} id={id}>
      {children}
    </h1>
  );
}

export function Notice({
  tone,
  title,
  children,
}: {
  tone: "warning" | "error" | "info";
  title: string;
  children?: ReactNode;
}) {
  return (
    <div className={`notice notice-${tone}`} role={tone === "info" ? "status" : "alert"}>
      <strong>{title}</strong>
      {children && <div>{children}</div>}
    </div>
  );
}

/** Something asked for failed: what went wrong, and what it left as it was (nothing written…). */
export function FailureNotice({
  title,
  message,
  unchanged,
}: {
  title: string;
  message: string;
  unchanged: string;
}) {
  return (
    <Notice tone="error" title={title}>
      <p>{message}</p>
      <p>{unchanged}</p>
    </Notice>
  );
}

/**
 * A modal dialog (the platform's <dialog>: focus stays inside, Escape closes). Focus returns to
 * whatever had it before, so closing lands the keyboard where it started.
 */
export function Modal({
  labelledBy,
  onClose,
  className,
  children,
}: {
  labelledBy: string;
  onClose: () => void;
  className?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  });
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    // showModal focuses the first control; a dialog may name a better starting point.
    dialog?.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    const onCancel = (e: Event) => {
      // Escape: let React unmount the dialog rather than the browser closing it under React.
      e.preventDefault();
      close.current();
    };
    dialog?.addEventListener("cancel", onCancel);
    return () => {
      dialog?.removeEventListener("cancel", onCancel);
      if (dialog?.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog ref={ref} aria-labelledby={labelledBy} className={`modal ${className ?? ""}`}>
      {children}
    </dialog>
  );
}

/** Something the window cannot go on without went wrong: what, and the way out (a reload). */
export function ReloadNotice({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Notice tone="error" title={title}>
      {children && <p>{children}</p>}
      <button type="button" onClick={() => window.location.reload()}>
        {t("app.reload")}
      </button>
    </Notice>
  );
}

/** A button that opens a dialog, and the dialog while it is open (`close` shuts it). */
export function DialogButton({
  label,
  className,
  children,
}: {
  label: string;
  className?: string;
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className={className}
        onClick={() => setOpen(true)}
        aria-haspopup="dialog"
      >
        {label}
      </button>
      {open && children(() => setOpen(false))}
    </>
  );
}
