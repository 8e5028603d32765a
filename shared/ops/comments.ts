// Comments on passages of a story's body. A comment is anchored by two Automerge cursors, so it
// follows its passage through everyone's edits, and it keeps a quote of the passage so it still
// makes sense after the passage is deleted.
//
// Cursor semantics (automerge 3.5, checked by comments.test.ts): `getCursor(doc, path, i)` names the
// character at index i; `getCursorPosition` gives that character's index while it exists and, once
// it is deleted, the index of the next surviving character (the default `move: "after"`). So:
// - the start cursor names the first character of the passage: deleting that character moves the
//   start forwards onto the next one, which is still inside the passage;
// - the end cursor names the LAST character (end - 1), not the character after the passage: text
//   typed right after the passage then stays outside it, and a passage at the very end of the body
//   does not get an "end of text" cursor that would swallow everything appended later. When the last
//   character is deleted its cursor resolves to the next surviving character, which is exactly the
//   exclusive end of what is left of the passage; whether it still exists is told by asking for the
//   cursor of the character now at that index (cursors are element ids, equal iff same character).
// ("before" cursors were tried and rejected: after deleting everything up to the passage's end they
// resolve to 0, indistinguishable from a surviving character at index 0.)
import { getCursor, getCursorPosition, updateText, type Doc } from "@automerge/automerge";
import { ErrorCode, err, ok, type Result } from "../result.ts";
import type { Comment, Story } from "../schema/story.ts";
import type { OpContext } from "./context.ts";

const BODY = ["body"];
/** How @automerge/prosemirror stores a block boundary inside the text. */
export const BLOCK_MARKER = "\uFFFC";
export const COMMENT_LIMITS = { body: 4000, quote: 1000 } as const;

export type CommentAuthor = { readonly deviceKey: string; readonly name: string };

/** A comment's or reply's text, trimmed; line breaks are kept (people write paragraphs). */
export function checkCommentBody(value: unknown): Result<string> {
  if (typeof value !== "string") return err(ErrorCode.BadInput, "The comment must be text.");
  const body = value.normalize("NFC").trim();
  if (body.length === 0)
    return err(ErrorCode.BadInput, "The comment is empty. Write something first.");
  if (body.length > COMMENT_LIMITS.body)
    return err(
      ErrorCode.BadInput,
      `The comment is ${body.length} characters long; the limit is ${COMMENT_LIMITS.body}. Shorten it.`,
    );
  return ok(body);
}

/** The passage as a person reads it: block boundaries become line breaks. */
export function passageText(body: string, start: number, end: number): string {
  return body.slice(start, end).split(BLOCK_MARKER).join("\n").trim();
}

const hasText = (slice: string) => slice.split(BLOCK_MARKER).join("").length > 0;

export type NewComment = {
  /** Automerge text indexes into `body`, end exclusive. */
  readonly start: number;
  readonly end: number;
  readonly body: string;
  readonly author: CommentAuthor;
};

/** Adds a comment on body[start, end); returns its id. Makes no change when refused. */
export function addComment(doc: Story, args: NewComment, ctx: OpContext): Result<string> {
  const checked = checkCommentBody(args.body);
  if (!checked.ok) return checked;
  const text = doc.body;
  const { start, end } = args;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > text.length)
    return err(ErrorCode.BadInput, "The passage is no longer in the story. Select it again.");
  if (start >= end || !hasText(text.slice(start, end)))
    return err(ErrorCode.BadInput, "Select some text to comment on.");
  let quote = passageText(text, start, end);
  if (quote.length > COMMENT_LIMITS.quote) quote = `${quote.slice(0, COMMENT_LIMITS.quote - 1)}…`;
  const id = ctx.newId();
  const comment: Comment = {
    start: getCursor(doc, BODY, start),
    end: getCursor(doc, BODY, end - 1),
    quote,
    body: checked.value,
    by: args.author.deviceKey,
    byName: args.author.name,
    at: ctx.now(),
    resolved: false,
    replies: {},
  };
  doc.comments[id] = comment;
  return ok(id);
}

/** Adds a reply; returns its id, or an error when the comment is gone or the reply empty. */
export function replyToComment(
  doc: Story,
  args: { readonly commentId: string; readonly body: string; readonly author: CommentAuthor },
  ctx: OpContext,
): Result<string> {
  const comment = doc.comments[args.commentId];
  if (!comment) return err(ErrorCode.NotFound, "That comment was deleted.");
  const checked = checkCommentBody(args.body);
  if (!checked.ok) return checked;
  const id = ctx.newId();
  comment.replies[id] = {
    body: checked.value,
    by: args.author.deviceKey,
    byName: args.author.name,
    at: ctx.now(),
  };
  return ok(id);
}

export function resolveComment(doc: Story, commentId: string): void {
  const comment = doc.comments[commentId];
  if (comment && !comment.resolved) comment.resolved = true;
}

export function reopenComment(doc: Story, commentId: string): void {
  const comment = doc.comments[commentId];
  if (comment?.resolved) comment.resolved = false;
}

/** Changes only the text of a comment; merged as text so two devices of one author both land. */
export function editComment(doc: Story, commentId: string, body: string): Result<null> {
  const comment = doc.comments[commentId];
  if (!comment) return err(ErrorCode.NotFound, "That comment was deleted.");
  const checked = checkCommentBody(body);
  if (!checked.ok) return checked;
  if (comment.body !== checked.value)
    updateText(doc, ["comments", commentId, "body"], checked.value);
  return ok(null);
}

/** Deletes a comment and its replies. Only its author may: the UI offers it to them alone. */
export function deleteComment(doc: Story, commentId: string): void {
  if (doc.comments[commentId]) delete doc.comments[commentId];
}

export type CommentAnchor = {
  readonly id: string;
  readonly comment: Comment;
  /** Where the passage is now (Automerge indexes, end exclusive); null when it was deleted. */
  readonly range: { readonly start: number; readonly end: number } | null;
};

/** Where a comment's passage is now, or null when its text is gone. */
export function resolveAnchor(
  doc: Doc<Story>,
  comment: Pick<Comment, "start" | "end">,
): { start: number; end: number } | null {
  let start: number;
  let last: number;
  try {
    start = getCursorPosition(doc, BODY, comment.start);
    last = getCursorPosition(doc, BODY, comment.end);
  } catch {
    // A cursor this document does not know (written by a buggy peer) anchors nowhere.
    return null;
  }
  const text = doc.body;
  const lastSurvives = last < text.length && getCursor(doc, BODY, last) === comment.end;
  const end = lastSurvives ? last + 1 : last;
  if (start >= end || !hasText(text.slice(start, end))) return null;
  return { start, end };
}

/** Every comment with where its passage is now: by position, then time; removed passages last. */
export function commentAnchors(doc: Doc<Story>): CommentAnchor[] {
  const anchors = Object.entries(doc.comments).map(([id, comment]) => ({
    id,
    comment,
    range: resolveAnchor(doc, comment),
  }));
  return anchors.sort((a, b) => {
    if (a.range && b.range) {
      const byPlace = a.range.start - b.range.start || a.range.end - b.range.end;
      if (byPlace !== 0) return byPlace;
    } else if (a.range || b.range) return a.range ? -1 : 1;
    return a.comment.at - b.comment.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

/** Replies oldest first, for reading as a conversation. */
export function sortedReplies(
  comment: Comment,
): { id: string; reply: Comment["replies"][string] }[] {
  return Object.entries(comment.replies)
    .map(([id, reply]) => ({ id, reply }))
    .sort((a, b) => a.reply.at - b.reply.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
