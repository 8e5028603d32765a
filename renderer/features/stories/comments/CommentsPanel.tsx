// Comments beside a story: what people said about which passage, with replies, resolve and reopen.
// A comment's passage is found again through its Automerge cursors (shared/ops/comments.ts), so
// the list, the highlights in the editor and "show me the passage" all follow everyone's edits.
import { getCursor } from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo";
import {
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type FormEvent,
  type ReactNode,
  type RefObject,
} from "react";
import {
  addComment,
  checkCommentBody,
  commentAnchors,
  deleteComment,
  editComment,
  passageText,
  reopenComment,
  replyToComment,
  resolveAnchor,
  resolveComment,
  sortedReplies,
  type CommentAnchor,
} from "../../../../shared/ops/comments.ts";
import { systemContext } from "../../../../shared/ops/context.ts";
import { defaultColour } from "../../../../shared/palette.ts";
import type { Story } from "../../../../shared/schema/story.ts";
import { t, timeAgo } from "../../../i18n/index.ts";
import type { EditorApi } from "../editor/StoryEditor.tsx";
import {
  hasCommentsPlugin,
  refreshComments,
  selectPassage,
  setActiveComment,
  watchCommentsEditor,
  type CommentsEditorEvent,
} from "./commentsPlugin.ts";

export type CommentsAuthor = { deviceKey: string; name: string; colour: string };

export type CommentsPanelProps = {
  handle: DocHandle<Story>;
  story: Story;
  author: CommentsAuthor;
  editor: EditorApi | null;
};

const BODY = ["body"];
const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
/** For `aria-keyshortcuts` and for what the button says. */
const shortcut = () =>
  isMac() ? { aria: "Meta+Alt+M", label: "⌘⌥M" } : { aria: "Control+Alt+M", label: "Ctrl+Alt+M" };

/** Comments as the story has them now, with the validated data and where each passage is. */
function useAnchors(handle: DocHandle<Story>, story: Story): CommentAnchor[] {
  return useMemo(() => {
    // Cursors can only be resolved on the Automerge document; what is shown comes from `story`,
    // which passed the validator.
    const raw = commentAnchors(handle.doc());
    return raw.flatMap((a) => {
      const comment = story.comments[a.id];
      return comment ? [{ ...a, comment }] : [];
    });
  }, [handle, story]);
}

type EditorHandlers = {
  /** Mod-Alt-m in the editor. */
  onCommentRequest: () => void;
  /** A click on a highlighted passage. */
  onActivate: (id: string) => void;
};

/** The editor's current selection, kept up to date through the comments plugin (or DOM events). */
function useEditorSelection(editor: EditorApi | null, handlers: EditorHandlers) {
  const [selection, setSelection] = useState<{ start: number; end: number } | null>(null);
  // The listener is set up once per editor and calls whatever the latest handlers are.
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    if (!editor) return;
    const read = () => {
      const s = editor.selectionAm();
      setSelection((old) =>
        s && s.end > s.start
          ? old?.start === s.start && old.end === s.end
            ? old
            : { start: s.start, end: s.end }
          : null,
      );
    };
    const onEvent = (event: CommentsEditorEvent) => {
      if (event.type === "selection") read();
      else if (event.type === "comment-request") latest.current.onCommentRequest();
      else latest.current.onActivate(event.id);
    };
    const timer = setTimeout(read, 0);
    if (hasCommentsPlugin(editor.view)) {
      const stop = watchCommentsEditor(editor.view, onEvent);
      return () => {
        clearTimeout(timer);
        stop();
      };
    }
    // Without the plugin: DOM selection events, read once ProseMirror has taken them in.
    const later = () => setTimeout(read, 0);
    document.addEventListener("selectionchange", later);
    return () => {
      clearTimeout(timer);
      document.removeEventListener("selectionchange", later);
    };
  }, [editor]);
  return editor ? selection : null;
}

/** A comment's element in the panel (ids come from peers: compared, never put in a selector). */
const commentElement = (panel: HTMLElement | null, id: string) =>
  [...(panel?.querySelectorAll<HTMLElement>("[data-comment]") ?? [])].find(
    (el) => el.dataset.comment === id,
  ) ?? null;

/** Runs an op inside one change and hands back what it returned. */
function changeWith<R>(handle: DocHandle<Story>, op: (d: Story) => R): R {
  const out: R[] = [];
  handle.change((d) => void out.push(op(d)));
  return out[0]!;
}

/** The colour people know someone by: their contributor colour, else a stable default. */
const colourOf = (story: Story, me: CommentsAuthor, deviceKey: string) =>
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

export function CommentsPanel({ handle, story, author, editor }: CommentsPanelProps) {
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const listRef = useRef<HTMLElement>(null);
  const anchors = useAnchors(handle, story);
  const open = anchors.filter((a) => !a.comment.resolved);
  const resolved = anchors.filter((a) => a.comment.resolved);
  const [showResolved, setShowResolved] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const [activeId, setActiveId] = useState<string | null>(null);
  const [composing, setComposing] = useState<{ start: string; end: string; quote: string } | null>(
    null,
  );
  const selection = useEditorSelection(editor, {
    onCommentRequest: () => startComposing(),
    onActivate: (id) => {
      // A click on a highlighted passage makes its comment the current one, shown in the list.
      if (!anchors.some((a) => a.id === id)) return;
      setActiveId(id);
      if (story.comments[id]?.resolved) setShowResolved(true);
      setTimeout(() => {
        commentElement(listRef.current, id)?.scrollIntoView({ block: "nearest" });
      }, 0);
    },
  });
  // Where focus goes once the list has re-rendered after an action: a comment, or the heading.
  const [focusTarget, setFocusTarget] = useState<{ id: string | null; n: number } | null>(null);

  // Highlights follow the story: recompute them whenever it (or the editor) changes.
  useEffect(() => {
    if (editor) refreshComments(editor.view, (i) => editor.amToPm(i));
  }, [editor, story]);

  useEffect(() => {
    if (editor) setActiveComment(editor.view, activeId);
  }, [editor, activeId]);

  useEffect(() => {
    if (!focusTarget) return;
    const target = focusTarget.id ? commentElement(listRef.current, focusTarget.id) : null;
    (target ?? headingRef.current)?.focus();
  }, [focusTarget]);

  const startComposing = () => {
    if (!selection) {
      setAnnouncement(t("comments.selectFirst"));
      return;
    }
    const doc = handle.doc();
    // Cursors, not indexes: the passage is found again when the comment is saved, however the
    // text moved while it was being written.
    setComposing({
      start: getCursor(doc, BODY, selection.start),
      end: getCursor(doc, BODY, selection.end - 1),
      quote: passageText(doc.body, selection.start, selection.end),
    });
  };

  const ctx = () => systemContext();
  const me = { deviceKey: author.deviceKey, name: author.name };

  const showPassage = (anchor: CommentAnchor) => {
    setActiveId(anchor.id);
    if (!editor || !anchor.range) return;
    if (selectPassage(editor.view, anchor.range, (i) => editor.amToPm(i))) editor.focus();
  };

  /** After a comment leaves the open list, focus the one that took its place, or the heading. */
  const focusAfterLeaving = (id: string) => {
    const list = anchors.filter((a) => !a.comment.resolved);
    const at = list.findIndex((a) => a.id === id);
    const next = list[at + 1] ?? list[at - 1];
    setFocusTarget((f) => ({ id: next?.id ?? null, n: (f?.n ?? 0) + 1 }));
  };

  const actions: CommentActions = {
    show: showPassage,
    reply: (id, body) => {
      const r = changeWith(handle, (d) =>
        replyToComment(d, { commentId: id, body, author: me }, ctx()),
      );
      if (!r.ok) return r.error.message;
      setAnnouncement(t("comments.replied"));
      return null;
    },
    resolve: (id) => {
      focusAfterLeaving(id);
      handle.change((d) => resolveComment(d, id));
      setAnnouncement(t("comments.resolvedNow"));
    },
    reopen: (id) => {
      handle.change((d) => reopenComment(d, id));
      setFocusTarget((f) => ({ id, n: (f?.n ?? 0) + 1 }));
      setAnnouncement(t("comments.reopenedNow"));
    },
    edit: (id, body) => {
      const r = changeWith(handle, (d) => editComment(d, id, body));
      return r.ok ? null : r.error.message;
    },
    remove: (id, wasResolved) => {
      if (!wasResolved) focusAfterLeaving(id);
      else setFocusTarget((f) => ({ id: null, n: (f?.n ?? 0) + 1 }));
      handle.change((d) => deleteComment(d, id));
      setAnnouncement(t("comments.deleted"));
    },
  };

  const submitNew = (body: string): string | null => {
    if (!composing) return null;
    const checked = checkCommentBody(body);
    if (!checked.ok) return checked.error.message;
    const range = resolveAnchor(handle.doc(), composing);
    if (!range) return t("comments.passageGoneWhileWriting");
    const r = changeWith(handle, (d) =>
      addComment(d, { ...range, body: checked.value, author: me }, ctx()),
    );
    if (!r.ok) return r.error.message;
    setComposing(null);
    setAnnouncement(t("comments.added"));
    editor?.focus();
    return null;
  };

  return (
    <section className="side-panel comments-panel" aria-labelledby={headingId} ref={listRef}>
      <h2 id={headingId} ref={headingRef} tabIndex={-1}>
        {t("comments.title")}
        {open.length > 0 && <span className="count"> ({open.length})</span>}
      </h2>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      {composing ? (
        <NewCommentForm
          quote={composing.quote}
          onSubmit={submitNew}
          onCancel={() => {
            setComposing(null);
            editor?.focus();
          }}
        />
      ) : (
        selection && (
          <p className="comment-start">
            <button
              type="button"
              className="primary"
              onClick={startComposing}
              aria-keyshortcuts={shortcut().aria}
            >
              {t("comments.comment")}
            </button>{" "}
            <span className="hint">{t("comments.shortcut", { keys: shortcut().label })}</span>
          </p>
        )
      )}
      {open.length === 0 && !composing && (
        <p className="hint">{t("comments.empty", { keys: shortcut().label })}</p>
      )}
      {open.length > 0 && (
        <ol className="comment-list" aria-label={t("comments.openList")}>
          {open.map((a) => (
            <CommentItem
              key={a.id}
              anchor={a}
              story={story}
              me={author}
              active={a.id === activeId}
              actions={actions}
            />
          ))}
        </ol>
      )}
      {resolved.length > 0 && (
        <>
          <button
            type="button"
            className="link-button"
            aria-expanded={showResolved}
            onClick={() => setShowResolved((s) => !s)}
          >
            {t(showResolved ? "comments.hideResolved" : "comments.showResolved", {
              count: resolved.length,
            })}
          </button>
          {showResolved && (
            <ol className="comment-list resolved" aria-label={t("comments.resolvedList")}>
              {resolved.map((a) => (
                <CommentItem
                  key={a.id}
                  anchor={a}
                  story={story}
                  me={author}
                  active={a.id === activeId}
                  actions={actions}
                />
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}

type CommentActions = {
  show: (anchor: CommentAnchor) => void;
  /** Each returns an error message to show, or null when done. */
  reply: (id: string, body: string) => string | null;
  edit: (id: string, body: string) => string | null;
  resolve: (id: string) => void;
  reopen: (id: string) => void;
  remove: (id: string, wasResolved: boolean) => void;
};

/** The form for a new comment on the selected passage. Refuses an empty comment, with a message. */
export function NewCommentForm({
  quote,
  onSubmit,
  onCancel,
}: {
  quote: string;
  /** Returns an error message to show, or null when the comment was added. */
  onSubmit: (body: string) => string | null;
  onCancel: () => void;
}) {
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(onSubmit(body));
  };
  return (
    <form className="comment-form" onSubmit={submit} noValidate aria-label={t("comments.new")}>
      <blockquote className="comment-quote">{quote}</blockquote>
      <TextArea
        label={t("comments.yourComment")}
        value={body}
        onChange={setBody}
        error={error}
        autoFocus
        onEscape={onCancel}
        onSubmitShortcut={() => setError(onSubmit(body))}
      />
      <div className="actions">
        <button type="submit" className="primary">
          {t("comments.add")}
        </button>
        <button type="button" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

/** A labelled text area: Escape cancels, Mod-Enter submits, an error is tied to it. */
function TextArea({
  label,
  value,
  onChange,
  error,
  autoFocus,
  onEscape,
  onSubmitShortcut,
  hint,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error: string | null;
  autoFocus?: boolean;
  onEscape: () => void;
  onSubmitShortcut: () => void;
  hint?: ReactNode;
}) {
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (autoFocus) ref.current?.focus();
  }, [autoFocus]);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        ref={ref}
        rows={3}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={Boolean(error)}
        aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            onEscape();
          } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            onSubmitShortcut();
          }
        }}
      />
      {hint && !error && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function CommentItem({
  anchor,
  story,
  me,
  active,
  actions,
}: {
  anchor: CommentAnchor;
  story: Story;
  me: CommentsAuthor;
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
        <BodyForm
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
        <BodyForm
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

/** The form for a reply or for editing a comment: one text, send or cancel (Escape). */
function BodyForm({
  initial = "",
  formLabel,
  fieldLabel,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial?: string;
  formLabel: string;
  fieldLabel: string;
  submitLabel: string;
  onSubmit: (body: string) => string | null;
  onCancel: () => void;
}) {
  const [body, setBody] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    setError(onSubmit(body));
  };
  return (
    <form className="comment-form" onSubmit={submit} noValidate aria-label={formLabel}>
      <TextArea
        label={fieldLabel}
        value={body}
        onChange={setBody}
        error={error}
        autoFocus
        onEscape={onCancel}
        onSubmitShortcut={() => submit()}
      />
      <div className="actions">
        <button type="submit" className="primary">
          {submitLabel}
        </button>
        <button type="button" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
