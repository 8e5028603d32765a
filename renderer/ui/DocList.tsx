// The parts a section's list page shares (stories, logs, maps, collections): its heading, the form
// that starts a new document, and the cards of the index's entries, each a link to its document.
// The list is drawn from the index alone, so no document is opened to show it.
import { useId, useState, type FormEvent, type ReactNode } from "react";
import type { ListedEntry } from "../../shared/ops/community.ts";
import { checkTitle } from "../../shared/schema/input.ts";
import { useCommunityId } from "../communityContext.tsx";
import { t, timeAgo } from "../i18n/index.ts";
import { href, type Section } from "../route.ts";
import { TextField } from "./fields.tsx";
import { EmptyState, PageHeading } from "./kit.tsx";

/** A section's page heading, with its one action beside it (harvest, import) when it has one. */
export function ListHeading({ title, action }: { title: string; action?: ReactNode }) {
  if (!action) return <PageHeading>{title}</PageHeading>;
  return (
    <div className="heading-row">
      <PageHeading>{title}</PageHeading>
      {action}
    </div>
  );
}

/**
 * The form that starts a new document: its title (what `checkTitle` says of it shows under the
 * field), what else the kind asks for (`children`), and its button. `onCreate` gets the checked
 * title (and opens the new document, or leaves the person on the list with the field emptied).
 */
export function NewDocForm({
  label,
  className = "inline-form",
  titleLabel,
  titleHint,
  submitLabel,
  onCreate,
  children,
}: {
  /** The form's accessible name ("New map"). */
  label: string;
  className?: string;
  titleLabel: string;
  titleHint?: string;
  submitLabel: string;
  onCreate: (title: string) => void;
  children?: ReactNode;
}) {
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkTitle(title);
    if (!checked.ok) return setError(checked.error.message);
    setError(null);
    setTitle("");
    onCreate(checked.value);
  };
  return (
    <form className={className} onSubmit={submit} noValidate aria-label={label}>
      <TextField
        label={titleLabel}
        hint={titleHint}
        value={title}
        onChange={setTitle}
        error={error}
      />
      {children}
      <button type="submit" className="primary">
        {submitLabel}
      </button>
    </form>
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
  empty,
}: {
  entries: readonly ListedEntry[];
  section: Section;
  label: string;
  showLabel?: boolean;
  className?: string;
  /** What an empty list says instead. */
  empty: { title: string; body: string };
}) {
  const communityId = useCommunityId();
  const headingId = useId();
  if (entries.length === 0) return <EmptyState title={empty.title}>{empty.body}</EmptyState>;
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
