// Editing commands of the story editor, shared by the toolbar, the keymap and the tests, and the
// queries the toolbar uses to show what is active. Block changes use steps @automerge/prosemirror
// can translate (replace and replace-around); attribute-only steps (`setNodeAttribute`) would be
// ignored by it and undone by reconciliation, so none are used here.
import { lift, setBlockType, toggleMark, wrapIn } from "prosemirror-commands";
import { redo, undo } from "prosemirror-history";
import {
  Fragment,
  type Mark,
  type MarkType,
  type Node as PmNode,
  type NodeType,
  type ResolvedPos,
} from "prosemirror-model";
import { liftListItem, sinkListItem, splitListItem, wrapInList } from "prosemirror-schema-list";
import { TextSelection, type Command, type EditorState } from "prosemirror-state";
import {
  headingLevel,
  hrefFromInput,
  storySchema,
  type HeadingLevel,
} from "../../../../shared/richtext/schema.ts";

const nodes = storySchema.nodes;
const marks = storySchema.marks;

const need = <T>(value: T | undefined, name: string): T => {
  if (value === undefined) throw new Error(`the story schema has no ${name}`);
  return value;
};

export const schemaTypes = {
  paragraph: need(nodes.paragraph, "paragraph"),
  heading: need(nodes.heading, "heading"),
  blockquote: need(nodes.blockquote, "blockquote"),
  bulletList: need(nodes.bullet_list, "bullet_list"),
  orderedList: need(nodes.ordered_list, "ordered_list"),
  listItem: need(nodes.list_item, "list_item"),
  hardBreak: need(nodes.hard_break, "hard_break"),
  horizontalRule: need(nodes.horizontal_rule, "horizontal_rule"),
  codeBlock: need(nodes.code_block, "code_block"),
  strong: need(marks.strong, "strong"),
  em: need(marks.em, "em"),
  code: need(marks.code, "code"),
  link: need(marks.link, "link"),
} as const;

const T = schemaTypes;

/**
 * Undo and redo replay steps mapped through other people's edits; a step that no longer fits
 * throws a RangeError in some ProseMirror paths. Better an undo that does nothing than an editor
 * that stops.
 */
const forgiving =
  (command: Command): Command =>
  (state, dispatch, view) => {
    try {
      return command(state, dispatch, view);
    } catch (error) {
      if (error instanceof RangeError) return false;
      throw error;
    }
  };

export const undoCommand = forgiving(undo);
export const redoCommand = forgiving(redo);

export const toggleStrong = toggleMark(T.strong);
export const toggleEm = toggleMark(T.em);
export const toggleCode = toggleMark(T.code);

/** True when `nodes` may replace the textblock around `$pos` in its parent. */
const fitsInstead = ($pos: ResolvedPos, nodes: readonly PmNode[]): boolean => {
  const index = $pos.index(-1);
  return $pos.node(-1).canReplace(index, index + 1, Fragment.from(nodes));
};

/**
 * A rule between scenes, then an empty paragraph for the cursor: after the block the cursor is
 * in (or instead of it, when that block is an empty paragraph).
 */
export const insertRule: Command = (state, dispatch) => {
  const { $from } = state.selection;
  if (!$from.parent.isTextblock || $from.depth < 1) return false;
  const rule = T.horizontalRule.create();
  const empty = $from.parent.type === T.paragraph && $from.parent.content.size === 0;
  const after = T.paragraph.create();
  if (empty) {
    if (!fitsInstead($from, [rule, after])) return false;
    if (dispatch) {
      const tr = state.tr.replaceWith($from.before(), $from.after(), [rule, after]);
      dispatch(tr.setSelection(TextSelection.create(tr.doc, $from.before() + 2)).scrollIntoView());
    }
    return true;
  }
  const end = $from.after();
  const parent = $from.node(-1);
  const index = $from.indexAfter(-1);
  if (!parent.canReplace(index, index, Fragment.from([rule, after]))) return false;
  if (dispatch) {
    const tr = state.tr.insert(end, [rule, after]);
    dispatch(tr.setSelection(TextSelection.create(tr.doc, end + 2)).scrollIntoView());
  }
  return true;
};

/** `---` (or `***`) alone in a paragraph, then Enter: a rule, as Markdown writes one. */
export const ruleFromDashes: Command = (state, dispatch) => {
  const { $from, empty } = state.selection;
  const parent = $from.parent;
  if (!empty || parent.type !== T.paragraph || $from.parentOffset !== parent.content.size)
    return false;
  if (!/^(-{3,}|\*{3,}|_{3,})$/.test(parent.textContent)) return false;
  const rule = T.horizontalRule.create();
  const after = T.paragraph.create();
  if (!fitsInstead($from, [rule, after])) return false;
  if (dispatch) {
    const tr = state.tr.replaceWith($from.before(), $from.after(), [rule, after]);
    dispatch(tr.setSelection(TextSelection.create(tr.doc, $from.before() + 2)).scrollIntoView());
  }
  return true;
};
export const setParagraph = setBlockType(T.paragraph);
export const setHeading = (level: HeadingLevel): Command => setBlockType(T.heading, { level });
export const splitItem = splitListItem(T.listItem);
export const sinkItem = sinkListItem(T.listItem);
export const liftItem = liftListItem(T.listItem);

export const insertHardBreak: Command = (state, dispatch) => {
  dispatch?.(state.tr.replaceSelectionWith(T.hardBreak.create()).scrollIntoView());
  return true;
};

/** The nearest list around the selection, with its position, or null. */
function listAround($pos: ResolvedPos): { type: NodeType; pos: number } | null {
  for (let depth = $pos.depth; depth > 0; depth--) {
    const node = $pos.node(depth);
    if (node.type === T.bulletList || node.type === T.orderedList)
      return { type: node.type, pos: $pos.before(depth) };
  }
  return null;
}

/**
 * The list button: wraps in a list; in a list of this kind, lifts out of it; in the other kind,
 * turns that list into this kind (as word processors do).
 */
export const toggleList =
  (listType: NodeType): Command =>
  (state, dispatch, view) => {
    const around = listAround(state.selection.$from);
    if (around?.type === listType) return liftItem(state, dispatch, view);
    if (around) {
      dispatch?.(state.tr.setNodeMarkup(around.pos, listType).scrollIntoView());
      return true;
    }
    return wrapInList(listType)(state, dispatch, view);
  };

export const toggleBulletList = toggleList(T.bulletList);
export const toggleOrderedList = toggleList(T.orderedList);

export const toggleBlockquote: Command = (state, dispatch, view) =>
  inBlockquote(state) ? lift(state, dispatch, view) : wrapIn(T.blockquote)(state, dispatch, view);

/** The whole link around the cursor (or the selection's start), for editing or removing it. */
export function linkRange(state: EditorState): { from: number; to: number; href: string } | null {
  const { $from } = state.selection;
  const runs: { from: number; to: number; mark: Mark }[] = [];
  $from.parent.forEach((child, offset) => {
    const mark = T.link.isInSet(child.marks);
    if (!mark) return;
    const last = runs[runs.length - 1];
    if (last && last.to === offset && last.mark.eq(mark)) last.to = offset + child.nodeSize;
    else runs.push({ from: offset, to: offset + child.nodeSize, mark });
  });
  const at = $from.parentOffset;
  const run = runs.find((r) => r.from <= at && at <= r.to);
  if (!run) return null;
  const start = $from.start();
  return { from: start + run.from, to: start + run.to, href: String(run.mark.attrs.href ?? "") };
}

/**
 * Links the selection to what the person typed ("example.org" is fine); with nothing selected,
 * changes the link under the cursor or inserts `text` (by default the address itself) as a link.
 * False when the address is not one Meitheal allows (http, https, mailto and internal links).
 */
export const setLink =
  (input: string, text?: string): Command =>
  (state, dispatch) => {
    const href = hrefFromInput(input);
    if (href === null) return false;
    if (!dispatch) return true;
    const mark = T.link.create({ href });
    const { from, to, empty } = state.selection;
    const tr = state.tr;
    if (!empty) tr.removeMark(from, to, T.link).addMark(from, to, mark);
    else {
      const existing = linkRange(state);
      if (existing)
        tr.removeMark(existing.from, existing.to, T.link).addMark(existing.from, existing.to, mark);
      else {
        const label = text?.trim() || input.trim();
        tr.insertText(label, from).addMark(from, from + label.length, mark);
      }
    }
    dispatch(tr.scrollIntoView());
    return true;
  };

export const removeLink: Command = (state, dispatch) => {
  const { from, to, empty } = state.selection;
  const range = empty ? linkRange(state) : { from, to };
  if (!range || !state.doc.rangeHasMark(range.from, range.to, T.link)) return false;
  dispatch?.(state.tr.removeMark(range.from, range.to, T.link));
  return true;
};

export function markActive(state: EditorState, type: MarkType): boolean {
  const { from, to, empty, $from } = state.selection;
  if (empty) return Boolean(type.isInSet(state.storedMarks ?? $from.marks()));
  return state.doc.rangeHasMark(from, to, type);
}

export type BlockKind = "paragraph" | "heading1" | "heading2" | "heading3" | "other";

export function blockKind(state: EditorState): BlockKind {
  const parent = state.selection.$from.parent;
  if (parent.type === T.paragraph) return "paragraph";
  if (parent.type === T.heading) return `heading${headingLevel(parent.attrs.level)}`;
  return "other";
}

export function listKind(state: EditorState): "bullet" | "ordered" | null {
  const around = listAround(state.selection.$from);
  if (!around) return null;
  return around.type === T.bulletList ? "bullet" : "ordered";
}

export function inBlockquote(state: EditorState): boolean {
  const { $from } = state.selection;
  for (let depth = $from.depth; depth > 0; depth--)
    if ($from.node(depth).type === T.blockquote) return true;
  return false;
}
