// The timeline: month headings and entries, newest first, as one virtualised list, so a log of
// thousands of entries draws only the rows in view. Each entry is a link to the log opened at it
// (Enter or a click opens it). The timeline is one Tab stop (a roving tabindex: five thousand stops
// would trap the keyboard): arrow keys, Home and End move between entries, scrolling rows into
// being as they go.
import { useVirtualizer } from "@tanstack/react-virtual";
import {
  memo,
  useEffect,
  useId,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from "react";
import type { TimelineRow } from "../../../shared/ops/log.ts";
import { t } from "../../i18n/index.ts";
import { ConflictBadge } from "../../ui/Conflict.tsx";
import { firstLine, formatDay, formatDayLong, formatMonth } from "./format.ts";

const MONTH_HEIGHT = 52;
const ENTRY_HEIGHT = 84;

export function Timeline({
  rows,
  themeLabels,
  openId,
  returnTo,
  entryHref,
  onOpen,
  footer,
  conflicts,
}: {
  rows: readonly TimelineRow[];
  /** Entries with a date or kind set on two devices while they were apart. */
  conflicts: ReadonlySet<string>;
  themeLabels: ReadonlyMap<string, string>;
  /** The entry open in the editor: scrolled into view when it changes. */
  openId: string | null;
  /** An entry whose row gets focus back (the editor closed). */
  returnTo: { id: string } | null;
  entryHref: (id: string) => string;
  onOpen: () => void;
  /** Shown below the last row (older entries still arriving). */
  footer?: ReactNode;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const hintId = useId();
  // The entry that holds the timeline's one Tab stop: the last one focused.
  const [active, setActive] = useState<string | null>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualiser keeps its own state; this component never memoises around it
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => (rows[i]?.type === "month" ? MONTH_HEIGHT : ENTRY_HEIGHT),
    getItemKey: (i) => {
      const row = rows[i];
      return !row ? i : row.type === "month" ? `month:${row.month}` : row.entry.id;
    },
    overscan: 6,
  });

  const indexOf = (id: string) =>
    rows.findIndex((row) => row.type === "entry" && row.entry.id === id);

  /** Scrolls an entry into being, then focuses its row. */
  const focusRow = (i: number) => {
    virtualizer.scrollToIndex(i, { align: "auto" });
    const tryFocus = (left: number) =>
      requestAnimationFrame(() => {
        const el = scroller.current?.querySelector<HTMLElement>(`[data-row="${i}"]`);
        if (el) el.focus();
        else if (left > 0) tryFocus(left - 1);
      });
    tryFocus(5);
  };

  // Opened from elsewhere (a link, a search result, a new entry): bring it into view.
  useEffect(() => {
    if (!openId) return;
    const i = indexOf(openId);
    if (i >= 0) virtualizer.scrollToIndex(i, { align: "auto" });
    // Only when the open entry changes, not on every edit of the log.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [openId]);

  useEffect(() => {
    if (!returnTo) return;
    const i = indexOf(returnTo.id);
    if (i >= 0) focusRow(i);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [returnTo]);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const from = Number((e.target as HTMLElement).dataset.row ?? NaN);
    if (Number.isNaN(from)) return;
    const step = (start: number, dir: 1 | -1) => {
      for (let i = start; i >= 0 && i < rows.length; i += dir)
        if (rows[i]?.type === "entry") return i;
      return -1;
    };
    const next =
      e.key === "ArrowDown"
        ? step(from + 1, 1)
        : e.key === "ArrowUp"
          ? step(from - 1, -1)
          : e.key === "Home"
            ? step(0, 1)
            : e.key === "End"
              ? step(rows.length - 1, -1)
              : -2;
    if (next === -2) return;
    e.preventDefault();
    if (next >= 0) focusRow(next);
  };

  const items = virtualizer.getVirtualItems();
  const rendered = items
    .map((item) => rows[item.index])
    .filter((row) => row?.type === "entry")
    .map((row) => row.entry.id);
  const preferred = active ?? openId;
  const tabStop = preferred && rendered.includes(preferred) ? preferred : (rendered[0] ?? null);
  return (
    <div className="timeline-scroll" ref={scroller}>
      <ul
        className="timeline"
        aria-labelledby="log-timeline-title"
        aria-describedby={hintId}
        style={{ height: virtualizer.getTotalSize() }}
        onKeyDown={onKeyDown}
      >
        {items.map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          return (
            <li
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className={row.type === "month" ? "timeline-month-row" : "timeline-entry-row"}
              style={{ transform: `translateY(${item.start}px)` }}
            >
              {row.type === "month" ? (
                <h3 className="timeline-month">
                  {formatMonth(row.month)}{" "}
                  <span className="meta">
                    ·{" "}
                    {row.count === 1
                      ? t("logs.entries.one")
                      : t("logs.entries.many", { count: row.count })}
                  </span>
                </h3>
              ) : (
                <EntryRow
                  row={item.index}
                  entry={row.entry}
                  themeLabels={themeLabels}
                  open={row.entry.id === openId}
                  conflict={conflicts.has(row.entry.id)}
                  tabbable={row.entry.id === tabStop}
                  href={entryHref(row.entry.id)}
                  onOpen={onOpen}
                  onActive={setActive}
                />
              )}
            </li>
          );
        })}
      </ul>
      {footer}
      <p id={hintId} className="visually-hidden">
        {t("logs.timelineHint")}
      </p>
    </div>
  );
}

// Memoised: typing in the open entry redraws the timeline, and every other row is unchanged (its
// entry keeps its object while nobody edits it, see shared/ops/log.ts liveEntriesIn).
const EntryRow = memo(function EntryRow({
  row,
  entry,
  themeLabels,
  open,
  conflict,
  tabbable,
  href,
  onOpen,
  onActive,
}: {
  row: number;
  conflict: boolean;
  entry: Extract<TimelineRow, { type: "entry" }>["entry"];
  themeLabels: ReadonlyMap<string, string>;
  open: boolean;
  tabbable: boolean;
  href: string;
  onOpen: () => void;
  onActive: (id: string) => void;
}) {
  const line = firstLine(entry.happened);
  const people = Object.values(entry.participants)
    .map((p) => p.name)
    .sort((a, b) => a.localeCompare(b));
  const themes = Object.keys(entry.themes)
    .map((id) => themeLabels.get(id))
    .filter((label): label is string => label !== undefined);
  return (
    <a
      className={`timeline-entry${open ? " is-open" : ""}`}
      href={href}
      data-row={row}
      data-entry-id={entry.id}
      aria-current={open ? "true" : undefined}
      tabIndex={tabbable ? 0 : -1}
      onClick={onOpen}
      onFocus={() => onActive(entry.id)}
    >
      <span className="entry-date">
        <span aria-hidden="true">{formatDay(entry.date)}</span>
        <span className="visually-hidden">{formatDayLong(entry.date)}</span>
      </span>
      <span className="entry-body">
        <span className={`entry-line${line ? "" : " is-empty"}`}>
          {line || t("logs.entry.nothingYet")}
        </span>
        <span className="entry-bottom">
          <span className={`entry-kind kind-${entry.kind}`}>{t(`logs.kind.${entry.kind}`)}</span>
          <ConflictBadge on={conflict} />
          {people.length > 0 && (
            <span className="entry-people meta">
              <span className="visually-hidden">{t("logs.entry.participants")}: </span>
              {people.join(", ")}
            </span>
          )}
          {themes.length > 0 && (
            <span className="entry-themes">
              <span className="visually-hidden">{t("logs.entry.themes")}: </span>
              {themes.map((label) => (
                <span key={label} className="entry-theme">
                  {label}
                </span>
              ))}
            </span>
          )}
        </span>
      </span>
    </a>
  );
});
