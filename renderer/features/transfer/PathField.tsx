// A path typed by the person, on the computer the peer runs on (there is no file picker yet; `~/`
// means the home folder), with the same wording and care as the offline bundle's.
import { TextField } from "../../ui/fields.tsx";

export function PathField({
  label,
  hint,
  value,
  onChange,
  error,
  placeholder,
  busy = false,
}: {
  label: string;
  hint: string;
  value: string;
  onChange: (path: string) => void;
  error?: string | null;
  placeholder?: string;
  busy?: boolean;
}) {
  return (
    <TextField
      label={label}
      hint={hint}
      error={error ?? null}
      value={value}
      onChange={onChange}
      placeholder={placeholder}
      spellCheck={false}
      className="path-input"
      readOnly={busy}
    />
  );
}
