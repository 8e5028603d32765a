// The parts a section's list page shares (collections, logs, maps): the title field of the form that
// starts a new document, and the cards of the index's entries, each a link to its document. The
// list is drawn from the index alone, so no document is opened to show it.
import { useId, useState, type FormEvent } from "react";
import type { ListedEntry } from "../../shared/ops/community.ts";
import { checkTitle } from "../../shared/schema/input.ts";
import { useCommunityId } from "../communityContext.tsx";
import { t, timeAgo } from "../i18n/index.ts";
import { href, type Section } from "../route.ts";
import { Field } from "./kit.tsx";

/**
 * The state of a "new document" form: its title, and what `checkTitle` said of it. `submit` calls
 * `create` with the checked title (which then opens the new document).
 */
export function useNewTitle(create: (title: string) => void) {
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkTitle(title);
    if (!checked.ok) return setError(checked.error.message);
    setError(null);
    create(checked.value);
  };
  return { title, setTitle, error, submit };
}

/** The title of a new document; `error` is what `checkTitle` said of it, if anything. */
export function NewTitleField({
  label,
  hint,
  value,
  onChange,
  error,
}: {
  label: string;
  hint?: string;
  value: string;
  onChange: (title: string) => void;
  error: string | null;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          autoComplete="off"
        />
      )}
    </Field>
  );
}

/**
 * One card per entry (its title, a link to it, when it last changed). `label` names the list: as a
 * heading above it when `showLabel`, otherwise for screen readers only.
 */
export function EntryCards({
  entries,
  section,
  label,
  showLabel = false,
  className = "cards",
}: {
  entries: readonly ListedEntry[];
  section: Section;
  label: string;
  showLabel?: boolean;
  className?: string;
}) {
  const communityId = useCommunityId();
  const headingId = useId();
  return (
    <>
      {showLabel && <h2 id={headingId}>{label}</h2>}
      <ul
        className={className}
        {...(showLabel ? { "aria-labelledby": headingId } : { "aria-label": label })}
      >
        {entries.map((entry) => (
          <li key={entry.id} className="card">
            <a href={href({ page: "community", communityId, section, docId: entry.id })}>
              <span className="card-title">{entry.title}</span>
            </a>
            <span className="meta">{t("common.updated", { when: timeAgo(entry.updatedAt) })}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
