// The collection's stories in order. Three ways to reorder, all ending in the same moveStory: drag a
// row (HTML5 drag and drop; the drop line shows where it lands), focus a row and press Alt+↑/↓, or
// the row's move buttons. Every move is announced ("Moved Tide to position 3 of 7") and the keyboard
// stays on the story that moved.
import { useEffect, useRef, useState, type DragEvent, type KeyboardEvent } from "react";
import { useCommunityId } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { href } from "../../route.ts";
import { dropTarget, stepTarget, type StoryRow } from "./order.ts";

const DRAG_TYPE = "application/x-meitheal-story";

/** What gets the keyboard after a move: the row, or the same button when it can still be used. */
type Refocus = { id: string; control: "row" | "up" | "down" };

export function StoryOrder({
  rows,
  labelledBy,
  onMove,
  onRemove,
}: {
  rows: readonly StoryRow[];
  labelledBy: string;
  onMove: (from: number, to: number) => boolean;
  onRemove: (id: string) => void;
}) {
  const communityId = useCommunityId();
  const [announcement, setAnnouncement] = useState("");
  const [dragging, setDragging] = useState<number | null>(null);
  const [drop, setDrop] = useState<{ over: number; before: boolean } | null>(null);
  // Set by a move or a removal, used once the list has redrawn.
  const refocus = useRef<Refocus | null>(null);
  const list = useRef<HTMLOListElement>(null);

  const name = (row: StoryRow) => row.title ?? t("collection.story.missingTitle");

  useEffect(() => {
    const target = refocus.current;
    if (!target) return;
    const item = list.current?.querySelector<HTMLElement>(
      `[data-story="${CSS.escape(target.id)}"]`,
    );
    const button =
      target.control === "row"
        ? null
        : item?.querySelector<HTMLButtonElement>(`[data-move="${target.control}"]`);
    if (button && !button.disabled) button.focus();
    else item?.focus();
    refocus.current = null;
  }, [rows]);

  const move = (from: number, to: number | null, control: Refocus["control"]) => {
    const row = rows[from];
    if (!row || to === null) return;
    if (!onMove(from, to)) return;
    setAnnouncement(
      t("collection.moved", { title: name(row), position: to + 1, count: rows.length }),
    );
    refocus.current = { id: row.id, control };
  };

  const onKey = (e: KeyboardEvent<HTMLLIElement>, i: number) => {
    if (e.target !== e.currentTarget || !e.altKey) return;
    if (e.key !== "ArrowUp" && e.key !== "ArrowDown") return;
    e.preventDefault();
    move(i, stepTarget(i, rows.length, e.key === "ArrowUp" ? -1 : 1), "row");
  };

  const onDragStart = (e: DragEvent<HTMLLIElement>, i: number) => {
    const row = rows[i];
    if (!row) return;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData(DRAG_TYPE, row.id);
    e.dataTransfer.setData("text/plain", name(row));
    setDragging(i);
  };
  const onDragOver = (e: DragEvent<HTMLLIElement>, i: number) => {
    if (dragging === null) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    const box = e.currentTarget.getBoundingClientRect();
    const before = e.clientY < box.top + box.height / 2;
    if (drop?.over !== i || drop.before !== before) setDrop({ over: i, before });
  };
  const onDrop = (e: DragEvent<HTMLLIElement>, i: number) => {
    e.preventDefault();
    const from = dragging;
    const box = e.currentTarget.getBoundingClientRect();
    const before = e.clientY < box.top + box.height / 2;
    setDragging(null);
    setDrop(null);
    if (from === null) return;
    move(from, dropTarget(from, i, before), "row");
  };
  const endDrag = () => {
    setDragging(null);
    setDrop(null);
  };

  return (
    <>
      <p className="hint" id={`${labelledBy}-how`}>
        {t("collection.reorderHint")}
      </p>
      <ol
        ref={list}
        className="collection-stories"
        aria-labelledby={labelledBy}
        aria-describedby={`${labelledBy}-how`}
      >
        {rows.map((row, i) => {
          const classes = ["collection-story"];
          if (dragging === i) classes.push("dragging");
          if (drop?.over === i) classes.push(drop.before ? "drop-before" : "drop-after");
          if (row.title === null) classes.push("missing");
          return (
            <li
              key={row.id}
              data-story={row.id}
              className={classes.join(" ")}
              tabIndex={0}
              draggable
              aria-label={t("collection.story.label", {
                position: i + 1,
                count: rows.length,
                title: name(row),
                status:
                  row.title === null
                    ? t("collection.story.missingStatus")
                    : t(`status.${row.status}`),
              })}
              onKeyDown={(e) => onKey(e, i)}
              onDragStart={(e) => onDragStart(e, i)}
              onDragOver={(e) => onDragOver(e, i)}
              onDrop={(e) => onDrop(e, i)}
              onDragEnd={endDrag}
            >
              <span className="drag-handle" aria-hidden="true">
                ⠿
              </span>
              <span className="collection-story-position" aria-hidden="true">
                {i + 1}
              </span>
              <span className="collection-story-main">
                {row.title === null ? (
                  <span className="collection-story-title">{name(row)}</span>
                ) : (
                  <a
                    className="collection-story-title"
                    draggable={false}
                    href={href({
                      page: "community",
                      communityId,
                      section: "stories",
                      docId: row.id,
                    })}
                  >
                    {row.title}
                  </a>
                )}
                {row.title === null ? (
                  <span className="collection-story-note">{t("collection.story.missing")}</span>
                ) : (
                  row.leftOut && (
                    <span className="collection-story-note">
                      {t("collection.story.leftOut", { status: t(`status.${row.status}`) })}
                    </span>
                  )
                )}
              </span>
              {row.title !== null && (
                <span className={`status status-${row.status}`}>{t(`status.${row.status}`)}</span>
              )}
              <span className="collection-story-tools">
                <button
                  type="button"
                  data-move="up"
                  disabled={i === 0}
                  aria-label={t("collection.moveUp", { title: name(row) })}
                  title={t("collection.moveUp", { title: name(row) })}
                  onClick={() => move(i, stepTarget(i, rows.length, -1), "up")}
                >
                  ↑
                </button>
                <button
                  type="button"
                  data-move="down"
                  disabled={i === rows.length - 1}
                  aria-label={t("collection.moveDown", { title: name(row) })}
                  title={t("collection.moveDown", { title: name(row) })}
                  onClick={() => move(i, stepTarget(i, rows.length, 1), "down")}
                >
                  ↓
                </button>
                <button
                  type="button"
                  aria-label={t("collection.remove", { title: name(row) })}
                  title={t("collection.remove", { title: name(row) })}
                  onClick={() => {
                    onRemove(row.id);
                    setAnnouncement(t("collection.removed", { title: name(row) }));
                    // The keyboard goes to the next story, or the one before when it was the last.
                    const next = rows[i + 1] ?? rows[i - 1];
                    if (next) refocus.current = { id: next.id, control: "row" };
                  }}
                >
                  ✕
                </button>
              </span>
            </li>
          );
        })}
      </ol>
      <p className="visually-hidden" aria-live="polite" role="status">
        {announcement}
      </p>
    </>
  );
}
