// A path typed by the person, on the computer the peer runs on (`~/` means the home folder there):
// the advanced way to name a file, folded under "Advanced" (files are chosen with FileChooser and
// saved as downloads or through the save dialog; files.ts).
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
