// The one form for writing a comment, a reply or an edit: a labelled text area (Escape cancels,
// Mod-Enter sends), send and cancel, and the error that refused it.
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import { t } from "../../../i18n/index.ts";

/**
 * A new comment (with the quote of its passage), a reply or an edit: one text, send or cancel
 * (Escape). Refuses what `onSubmit` refuses, with its message.
 */
export function CommentForm({
  quote,
  initial = "",
  formLabel,
  fieldLabel,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  /** The passage a new comment is on, shown above the text. */
  quote?: string;
  initial?: string;
  formLabel: string;
  fieldLabel: string;
  submitLabel: string;
  /** Returns an error message to show, or null when done. */
  onSubmit: (body: string) => string | null;
  onCancel: () => void;
}) {
  const [body, setBody] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    setError(onSubmit(body));
  };
  return (
    <form className="comment-form" onSubmit={submit} noValidate aria-label={formLabel}>
      {quote !== undefined && <blockquote className="comment-quote">{quote}</blockquote>}
      <TextArea
        label={fieldLabel}
        value={body}
        onChange={setBody}
        error={error}
        autoFocus
        onEscape={onCancel}
        onSubmitShortcut={() => submit()}
      />
      <div className="actions">
        <button type="submit" className="primary">
          {submitLabel}
        </button>
        <button type="button" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

/** A labelled text area: Escape cancels, Mod-Enter submits, an error is tied to it. */
function TextArea({
  label,
  value,
  onChange,
  error,
  autoFocus,
  onEscape,
  onSubmitShortcut,
  hint,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error: string | null;
  autoFocus?: boolean;
  onEscape: () => void;
  onSubmitShortcut: () => void;
  hint?: ReactNode;
}) {
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (autoFocus) ref.current?.focus();
  }, [autoFocus]);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        ref={ref}
        rows={3}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={Boolean(error)}
        aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            onEscape();
          } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            onSubmitShortcut();
          }
        }}
      />
      {hint && !error && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
