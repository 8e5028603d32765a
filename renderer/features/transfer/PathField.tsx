// A path typed by the person, on the computer the peer runs on (there is no file picker yet; `~/`
// means the home folder), with the same wording and care as the offline bundle's.
import { Field } from "../../ui/kit.tsx";

export function PathField({
  label,
  hint,
  value,
  onChange,
  error,
  placeholder,
  busy = false,
  autoFocus = false,
}: {
  label: string;
  hint: string;
  value: string;
  onChange: (path: string) => void;
  error?: string | null;
  placeholder?: string;
  busy?: boolean;
  /** The field the dialog opens on. */
  autoFocus?: boolean;
}) {
  return (
    <Field label={label} hint={hint} error={error ?? null}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          placeholder={placeholder}
          autoComplete="off"
          spellCheck={false}
          className="path-input"
          readOnly={busy}
          {...(autoFocus ? { "data-autofocus": true } : {})}
        />
      )}
    </Field>
  );
}
