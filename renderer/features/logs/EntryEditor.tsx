// One entry, open for reading and editing: its day and kind, who took part (members of the
// community, or guests by name), the four co-edited texts, themes, links out and links in. Every
// control writes at once; the text fields merge as text with what others type at the same time.
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { formatRef } from "../../../shared/links/ref.ts";
import { checkName } from "../../../shared/schema/input.ts";
import {
  DAY,
  ENTRY_KINDS,
  ENTRY_TEXT_FIELDS,
  type EntryKindName,
  type EntryTextField,
  type LogEntry,
} from "../../../shared/schema/log.ts";
import type { MemberInfo } from "../../../shared/contract.ts";
import { t, timeAgo } from "../../i18n/index.ts";
import { Options } from "../../ui/fields.tsx";
import { usePeer } from "../../peerContext.ts";
import { valueConflicts } from "../../../shared/ops/conflicts.ts";
import { CoTextArea } from "../../ui/CoTextArea.tsx";
import { ConflictNotice } from "../../ui/Conflict.tsx";
import { Field, Modal } from "../../ui/kit.tsx";
import { ThemePicker } from "../../ui/ThemePicker.tsx";
import { Backlinks } from "../links/Backlinks.tsx";
import { LinkList } from "../links/LinkList.tsx";
import { LinkPicker } from "../links/LinkPicker.tsx";
import type { LogActions } from "./actions.ts";
import { formatDayLong } from "./format.ts";
import { useMembers } from "./useMembers.ts";

/** Where the keyboard lands when the editor opens: its heading, or (a new entry) the first text. */
export type EditorFocus = "heading" | "happened";

const NAME_LIMIT = 200;

const TEXT_ROWS: Record<EntryTextField, number> = { happened: 5, tried: 3, learned: 3, next: 2 };

const DAY_TEXT = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (v: unknown): v is string => typeof v === "string" && DAY_TEXT.test(v);
const isKind = (v: unknown): v is EntryKindName => (ENTRY_KINDS as readonly unknown[]).includes(v);

export function EntryEditor({
  raw,
  entryId,
  entry,
  actions,
  logId,
  themes,
  initialFocus,
  onClose,
  onDelete,
}: {
  /** The entry as Automerge holds it, where a value set on two devices apart keeps both. */
  raw: unknown;
  entryId: string;
  entry: LogEntry;
  actions: LogActions;
  logId: string;
  themes: { id: string; label: string }[];
  initialFocus: EditorFocus;
  onClose: () => void;
  onDelete: () => void;
}) {
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const happened = useRef<HTMLTextAreaElement>(null);
  const [confirming, setConfirming] = useState(false);
  const [picking, setPicking] = useState(false);
  const selfRef = formatRef({ type: "entry", docId: logId, itemId: entryId });

  useEffect(() => {
    const target = initialFocus === "happened" ? happened.current : heading.current;
    target?.focus();
    target?.scrollIntoView?.({ block: "nearest" });
    // Once, when this entry opens (the editor is keyed by entry).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const links = Object.keys(entry.links).sort();
  return (
    <section className="entry-editor" aria-labelledby={`${id}-title`}>
      <div className="entry-editor-head">
        <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
          {t("logs.entry.title", {
            kind: t(`logs.kind.${entry.kind}`),
            date: formatDayLong(entry.date),
          })}
        </h2>
        <button type="button" onClick={onClose}>
          {t("common.close")}
        </button>
      </div>
      <p className="meta">
        {t("logs.entry.by", { name: entry.byName || t("logs.entry.someone") })} ·{" "}
        {t("common.updated", { when: timeAgo(entry.updatedAt) })}
      </p>
      <div className="entry-when">
        <DateField
          date={entry.date}
          onDate={(date) => actions.setDate(entryId, date)}
          label={t("logs.entry.date")}
        />
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t("logs.entry.kind")}</label>
          <select
            id={`${id}-kind`}
            value={entry.kind}
            onChange={(e) => actions.setKind(entryId, e.target.value as EntryKindName)}
          >
            <Options of={ENTRY_KINDS} label={(k) => t(`logs.kind.${k}`)} />
          </select>
        </div>
      </div>
      {typeof raw === "object" && raw !== null && (
        <>
          <ConflictNotice
            field={t("logs.entry.date")}
            proposed={valueConflicts(raw, "date", isDay)}
            label={formatDayLong}
            onChoose={(date) => actions.setDate(entryId, date)}
          />
          <ConflictNotice
            field={t("logs.entry.kind")}
            proposed={valueConflicts(raw, "kind", isKind)}
            label={(k) => t(`logs.kind.${k}`)}
            onChoose={(k) => actions.setKind(entryId, k)}
          />
        </>
      )}
      <Participants
        participants={entry.participants}
        onAdd={(p) => actions.addParticipant(entryId, p)}
        onRemove={(pid) => actions.removeParticipant(entryId, pid)}
      />
      {ENTRY_TEXT_FIELDS.map((field) => (
        <Field key={field} label={t(`logs.field.${field}`)} hint={t(`logs.field.${field}.hint`)}>
          {({ id: fieldId, describedBy }) => (
            <CoTextArea
              id={fieldId}
              ref={field === "happened" ? happened : undefined}
              rows={TEXT_ROWS[field]}
              value={entry[field]}
              onText={(text) => actions.setText(entryId, field, text)}
              aria-describedby={describedBy}
            />
          )}
        </Field>
      ))}
      <ThemePicker
        legend={t("logs.entry.themes")}
        empty={t("logs.entry.noThemes")}
        themes={themes}
        chosen={entry.themes}
        onChange={(ids) => actions.setThemes(entryId, ids)}
      />
      <div className="entry-links">
        <LinkList
          refs={links}
          label={t("logs.entry.links")}
          onRemove={(ref) => actions.removeLink(entryId, ref)}
        />
        <button type="button" onClick={() => setPicking(true)}>
          {t("logs.entry.addLink")}
        </button>
        {picking && (
          <LinkPicker
            exclude={selfRef}
            title={t("logs.entry.linkTitle")}
            onPick={(ref) => actions.addLink(entryId, formatRef(ref))}
            onClose={() => setPicking(false)}
          />
        )}
        <Backlinks target={selfRef} />
      </div>
      <div className="actions entry-danger">
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          {t("logs.entry.delete")}
        </button>
      </div>
      {confirming && (
        <Modal labelledBy={`${id}-confirm`} onClose={() => setConfirming(false)}>
          <h2 id={`${id}-confirm`}>{t("logs.entry.deleteTitle")}</h2>
          <p>{t("logs.entry.deleteBody", { date: formatDayLong(entry.date) })}</p>
          <div className="actions modal-actions">
            <button type="button" data-autofocus onClick={() => setConfirming(false)}>
              {t("common.cancel")}
            </button>
            <button
              type="button"
              className="primary danger"
              onClick={() => {
                setConfirming(false);
                onDelete();
              }}
            >
              {t("logs.entry.deleteConfirm")}
            </button>
          </div>
        </Modal>
      )}
    </section>
  );
}

/** The day of an entry. A half-typed date is kept in the field, and only a whole day is written. */
function DateField({
  date,
  onDate,
  label,
}: {
  date: string;
  onDate: (date: string) => void;
  label: string;
}) {
  const id = useId();
  const [text, setText] = useState(date);
  const [shown, setShown] = useState(date);
  if (date !== shown) {
    setShown(date);
    setText(date);
  }
  const invalid = !DAY.test(text);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="date"
        value={text}
        required
        aria-invalid={invalid}
        aria-describedby={invalid ? `${id}-error` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (DAY.test(e.target.value)) onDate(e.target.value);
        }}
      />
      {invalid && (
        <p className="error" id={`${id}-error`} role="alert">
          {t("logs.dateInvalid")}
        </p>
      )}
    </div>
  );
}

function Participants({
  participants,
  onAdd,
  onRemove,
}: {
  participants: LogEntry["participants"];
  onAdd: (p: { name: string; member?: string }) => void;
  onRemove: (participantId: string) => void;
}) {
  const id = useId();
  const members = useMembers();
  const { profile } = usePeer();
  // This device's name on the roster is the one it joined with; its profile says how it is called now.
  const nameOf = (m: MemberInfo) => (m.self && profile.displayName ? profile.displayName : m.name);
  const [member, setMember] = useState("");
  const [guest, setGuest] = useState("");
  const [error, setError] = useState<string | null>(null);
  const legend = useRef<HTMLLegendElement>(null);
  const list = Object.entries(participants).sort(([, a], [, b]) => a.name.localeCompare(b.name));
  const inEntry = new Set(list.map(([, p]) => p.member).filter(Boolean));
  const choices =
    members.state === "ok" ? members.value.filter((m) => !inEntry.has(m.deviceKey)) : [];

  const addMember = () => {
    const m = choices.find((c) => c.deviceKey === member);
    if (!m) return;
    onAdd({ name: nameOf(m), member: m.deviceKey });
    setMember("");
  };
  const addGuest = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkName(guest, "name", NAME_LIMIT);
    if (!checked.ok) return setError(checked.error.message);
    setError(null);
    onAdd({ name: checked.value });
    setGuest("");
  };

  return (
    <fieldset className="participants">
      <legend ref={legend} tabIndex={-1}>
        {t("logs.entry.participants")}
      </legend>
      {list.length === 0 ? (
        <p className="hint">{t("logs.entry.noParticipants")}</p>
      ) : (
        <ul className="participant-list">
          {list.map(([pid, p]) => (
            <li key={pid} className="participant">
              <span>{p.member ? p.name : t("logs.participant.guest", { name: p.name })}</span>
              <button
                type="button"
                className="participant-remove"
                aria-label={t("logs.participant.remove", { name: p.name })}
                onClick={() => {
                  onRemove(pid);
                  // Its button is gone: land on the group, not nowhere.
                  legend.current?.focus();
                }}
              >
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="participant-add">
        <div className="field">
          <label htmlFor={`${id}-member`}>{t("logs.participant.member")}</label>
          <div className="participant-row">
            <select
              id={`${id}-member`}
              value={member}
              disabled={choices.length === 0}
              onChange={(e) => setMember(e.target.value)}
            >
              <option value="">
                {members.state === "loading"
                  ? t("common.loading")
                  : choices.length === 0
                    ? t("logs.participant.noMembers")
                    : t("logs.participant.choose")}
              </option>
              <Options
                of={choices}
                value={(m) => m.deviceKey}
                label={(m) => (m.self ? t("logs.participant.you", { name: nameOf(m) }) : m.name)}
              />
            </select>
            <button type="button" onClick={addMember} disabled={!member}>
              {t("logs.participant.add")}
            </button>
          </div>
          {members.state === "failed" && (
            <p className="error">
              {t("logs.participant.membersFailed", { message: members.error.message })}
            </p>
          )}
        </div>
        <form className="field" onSubmit={addGuest} noValidate>
          <label htmlFor={`${id}-guest`}>{t("logs.participant.guestLabel")}</label>
          <div className="participant-row">
            <input
              id={`${id}-guest`}
              value={guest}
              autoComplete="off"
              aria-invalid={Boolean(error)}
              aria-describedby={error ? `${id}-guest-error` : undefined}
              onChange={(e) => setGuest(e.target.value)}
            />
            <button type="submit">{t("logs.participant.addGuest")}</button>
          </div>
          {error && (
            <p className="error" id={`${id}-guest-error`} role="alert">
              {error}
            </p>
          )}
        </form>
      </div>
    </fieldset>
  );
}
