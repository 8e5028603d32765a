// One text value edited in a small form of its own (a title, a summary): typed, checked, then saved
// with its button, which is off while nothing has changed. A change made elsewhere (another
// laptop) shows in the field unless the person is changing it here.
import { useState, type FormEvent, type Ref } from "react";
import { TextAreaField, TextField } from "./fields.tsx";

type Check = (
  value: string,
) => { ok: true; value: string } | { ok: false; error: { message: string } };

export function TextForm({
  label,
  hint,
  current,
  multiline = false,
  allowEmpty = false,
  check,
  submitLabel,
  onSubmit,
  inputRef,
}: {
  label: string;
  hint?: string;
  /** The value as saved now. */
  current: string;
  multiline?: boolean;
  /** Saving the same (or no) value again is a choice too (a summary cleared). */
  allowEmpty?: boolean;
  check: Check;
  submitLabel: string;
  onSubmit: (value: string) => void;
  /** The one-line field, for a page that puts the focus in it (a document just made). */
  inputRef?: Ref<HTMLInputElement>;
}) {
  const [value, setValue] = useState(current);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState(current);
  if (current !== shown) {
    setShown(current);
    if (value === shown) setValue(current);
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = check(value);
    if (!checked.ok) return setError(checked.error.message);
    setError(null);
    setValue(checked.value);
    if (checked.value !== current || allowEmpty) onSubmit(checked.value);
  };
  const field = { label, hint, error, value, onChange: setValue };
  return (
    <form className="inline-form" onSubmit={submit} noValidate>
      {multiline ? (
        <TextAreaField {...field} rows={2} />
      ) : (
        <TextField {...field} inputRef={inputRef} />
      )}
      <button type="submit" disabled={value === current}>
        {submitLabel}
      </button>
    </form>
  );
}
