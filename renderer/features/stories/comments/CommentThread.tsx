// One comment as a card in the panel: its passage (or a note that it was removed), who wrote it and
// when, its replies, and its controls (reply, resolve or reopen; edit and delete for its author).
import { useRef, useState, type RefObject } from "react";
import { sortedReplies, type CommentAnchor } from "../../../../shared/ops/comments.ts";
import { defaultColour } from "../../../../shared/palette.ts";
import type { Story } from "../../../../shared/schema/story.ts";
import { t, timeAgo } from "../../../i18n/index.ts";
import { CommentForm } from "./CommentForm.tsx";
import type { Me } from "../actions.ts";

/** What a comment's controls do; the panel carries them out on the story. */
export type CommentActions = {
  show: (anchor: CommentAnchor) => void;
  /** Each returns an error message to show, or null when done. */
  reply: (id: string, body: string) => string | null;
  edit: (id: string, body: string) => string | null;
  resolve: (id: string) => void;
  reopen: (id: string) => void;
  remove: (id: string, wasResolved: boolean) => void;
};

/** The colour people know someone by: their contributor colour, else a stable default. */
const colourOf = (story: Story, me: Me, deviceKey: string) =>
  deviceKey === me.deviceKey
    ? me.colour
    : (story.contributors[deviceKey]?.colour ?? defaultColour(deviceKey));

const Who = ({ name, colour, at }: { name: string; colour: string; at: number }) => (
  <p className="comment-meta">
    <span className="dot" style={{ background: colour }} aria-hidden="true" />
    <strong>{name || t("comments.someone")}</strong>{" "}
    <time dateTime={new Date(at).toISOString()} title={new Date(at).toLocaleString()}>
      {timeAgo(at)}
    </time>
  </p>
);

export function CommentThread({
  anchor,
  story,
  me,
  active,
  actions,
}: {
  anchor: CommentAnchor;
  story: Story;
  me: Me;
  active: boolean;
  actions: CommentActions;
}) {
  const { id, comment, range } = anchor;
  const mine = comment.by === me.deviceKey;
  const [mode, setMode] = useState<"read" | "reply" | "edit" | "confirm-delete">("read");
  const replyButton = useRef<HTMLButtonElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const back = (to: RefObject<HTMLButtonElement | null>) => {
    setMode("read");
    // The button is back in the page only after this render.
    setTimeout(() => to.current?.focus(), 0);
  };
  const replies = sortedReplies(comment);
  return (
    <li
      className={`comment${active ? " active" : ""}${comment.resolved ? " is-resolved" : ""}`}
      data-comment={id}
      tabIndex={-1}
      aria-current={active ? "true" : undefined}
      aria-label={t("comments.itemLabel", { name: comment.byName || t("comments.someone") })}
      // Anywhere on the card that is not a control shows the passage; the quote is the
      // keyboard's way in (a button), and Enter works on the card itself when it has focus.
      onClick={(e) => {
        if (!(e.target as HTMLElement).closest("button, a, input, textarea, form"))
          actions.show(anchor);
      }}
      onKeyDown={(e) => {
        if (e.key === "Enter" && e.target === e.currentTarget) {
          e.preventDefault();
          actions.show(anchor);
        }
      }}
    >
      {range ? (
        <button
          type="button"
          className="comment-quote"
          onClick={() => actions.show(anchor)}
          title={t("comments.showPassage")}
        >
          <span className="visually-hidden">{t("comments.showPassage")}: </span>
          <q>{comment.quote}</q>
        </button>
      ) : (
        <div className="comment-quote removed">
          <p className="comment-removed">{t("comments.passageRemoved")}</p>
          <del>
            <span className="visually-hidden">{t("comments.oldPassage")}: </span>
            {comment.quote}
          </del>
        </div>
      )}
      <Who name={comment.byName} colour={colourOf(story, me, comment.by)} at={comment.at} />
      {mode === "edit" ? (
        <CommentForm
          initial={comment.body}
          formLabel={t("comments.edit")}
          fieldLabel={t("comments.editLabel")}
          submitLabel={t("common.save")}
          onSubmit={(body) => {
            const error = actions.edit(id, body);
            if (!error) back(editButton);
            return error;
          }}
          onCancel={() => back(editButton)}
        />
      ) : (
        <p className="comment-body">{comment.body}</p>
      )}
      {replies.length > 0 && (
        <ol className="replies" aria-label={t("comments.replies", { count: replies.length })}>
          {replies.map(({ id: replyId, reply }) => (
            <li key={replyId}>
              <Who name={reply.byName} colour={colourOf(story, me, reply.by)} at={reply.at} />
              <p className="comment-body">{reply.body}</p>
            </li>
          ))}
        </ol>
      )}
      {mode === "reply" && (
        <CommentForm
          formLabel={t("comments.reply")}
          fieldLabel={t("comments.yourReply")}
          submitLabel={t("comments.sendReply")}
          onSubmit={(body) => {
            const error = actions.reply(id, body);
            if (!error) back(replyButton);
            return error;
          }}
          onCancel={() => back(replyButton)}
        />
      )}
      {mode === "confirm-delete" && (
        <div className="confirm" role="group" aria-label={t("comments.deleteConfirm")}>
          <p>{t("comments.deleteConfirm")}</p>
          <div className="actions">
            <button
              type="button"
              className="danger"
              onClick={() => actions.remove(id, comment.resolved)}
            >
              {t("comments.delete")}
            </button>
            {/* Focus starts on the safe choice: a second Enter must not delete. */}
            <button type="button" autoFocus onClick={() => back(deleteButton)}>
              {t("common.cancel")}
            </button>
          </div>
        </div>
      )}
      {mode === "read" && (
        <div className="actions comment-actions">
          <button type="button" ref={replyButton} onClick={() => setMode("reply")}>
            {t("comments.reply")}
          </button>
          {comment.resolved ? (
            <button type="button" onClick={() => actions.reopen(id)}>
              {t("comments.reopen")}
            </button>
          ) : (
            <button type="button" onClick={() => actions.resolve(id)}>
              {t("comments.resolve")}
            </button>
          )}
          {mine && (
            <>
              <button type="button" ref={editButton} onClick={() => setMode("edit")}>
                {t("comments.edit")}
              </button>
              <button type="button" ref={deleteButton} onClick={() => setMode("confirm-delete")}>
                {t("comments.delete")}
              </button>
            </>
          )}
        </div>
      )}
    </li>
  );
}

/** The open or the resolved comments of the panel, a card each. */
export function CommentList({
  anchors,
  resolved,
  story,
  me,
  activeId,
  actions,
}: {
  anchors: readonly CommentAnchor[];
  resolved: boolean;
  story: Story;
  me: Me;
  activeId: string | null;
  actions: CommentActions;
}) {
  return (
    <ol
      className={resolved ? "comment-list resolved" : "comment-list"}
      aria-label={t(resolved ? "comments.resolvedList" : "comments.openList")}
    >
      {anchors.map((a) => (
        <CommentThread
          key={a.id}
          anchor={a}
          story={story}
          me={me}
          active={a.id === activeId}
          actions={actions}
        />
      ))}
    </ol>
  );
}
