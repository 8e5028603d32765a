// The community's themes as chips to tick, for whatever can carry them (a story, a log entry).
// Each tick writes the whole new set.
import { useId } from "react";

export function ThemePicker({
  legend,
  themes,
  chosen,
  onChange,
  hint,
  empty,
}: {
  legend: string;
  themes: readonly { id: string; label: string }[];
  /** The themes ticked now (a document's `themes`). */
  chosen: Readonly<Record<string, true>>;
  onChange: (ids: string[]) => void;
  hint?: string;
  /** What it says when the community has no themes yet. */
  empty?: string;
}) {
  const hintId = useId();
  return (
    <fieldset className="theme-picker" {...(hint ? { "aria-describedby": hintId } : {})}>
      <legend>{legend}</legend>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {themes.length === 0 && empty && <p className="hint">{empty}</p>}
      {themes.map((theme) => (
        <label key={theme.id} className="chip">
          <input
            type="checkbox"
            checked={chosen[theme.id] === true}
            onChange={(e) => {
              const next = new Set(Object.keys(chosen));
              if (e.target.checked) next.add(theme.id);
              else next.delete(theme.id);
              onChange([...next]);
            }}
          />
          <span>{theme.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
