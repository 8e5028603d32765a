// Comments beside a story: what people said about which passage, with replies, resolve and reopen.
// A comment's passage is found again through its Automerge cursors (shared/ops/comments.ts), so
// the list, the highlights in the editor and "show me the passage" all follow everyone's edits.
//
// The parts, a file each: a comment as a card and the lists of them (CommentThread.tsx), the form
// for writing (CommentForm.tsx), the editor's selection and events (useEditorSelection.ts).
import { getCursor } from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo";
import { useEffect, useId, useMemo, useRef, useState } from "react";
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
  type CommentAnchor,
} from "../../../../shared/ops/comments.ts";
import { systemContext } from "../../../../shared/ops/context.ts";
import type { Story } from "../../../../shared/schema/story.ts";
import { t } from "../../../i18n/index.ts";
import type { StoryPanelProps } from "../actions.ts";
import { CommentForm } from "./CommentForm.tsx";
import { CommentList, type CommentActions } from "./CommentThread.tsx";
import { refreshComments, selectPassage, setActiveComment } from "./commentsPlugin.ts";
import { useEditorSelection } from "./useEditorSelection.ts";

export type CommentsPanelProps = StoryPanelProps;

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

export function CommentsPanel({ handle, story, author, editor = null }: CommentsPanelProps) {
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
        <CommentForm
          quote={composing.quote}
          formLabel={t("comments.new")}
          fieldLabel={t("comments.yourComment")}
          submitLabel={t("comments.add")}
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
        <CommentList
          anchors={open}
          resolved={false}
          story={story}
          me={author}
          activeId={activeId}
          actions={actions}
        />
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
            <CommentList
              anchors={resolved}
              resolved
              story={story}
              me={author}
              activeId={activeId}
              actions={actions}
            />
          )}
        </>
      )}
    </section>
  );
}
