// The editor's state and plugins, without any DOM or React: the component, the convergence test
// and the benchmark all build the editor through `createStoryEditorState`, so they test the
// editor people use.
import { spans as amSpans, type Doc, type Prop } from "@automerge/automerge";
import type { DocHandle } from "@automerge/prosemirror";
import { baseKeymap, chainCommands } from "prosemirror-commands";
import { history } from "prosemirror-history";
import {
  InputRule,
  inputRules,
  textblockTypeInputRule,
  undoInputRule,
  wrappingInputRule,
} from "prosemirror-inputrules";
import { keymap } from "prosemirror-keymap";
import { Fragment, Slice, type Node as PmNode } from "prosemirror-model";
import { EditorState, Plugin, type Command } from "prosemirror-state";
import type { EditorView } from "prosemirror-view";
import type { LinkRef } from "../../../../shared/links/ref.ts";
import { readBody, repairBody } from "../../../../shared/richtext/body.ts";
import {
  headingLevel,
  listStart,
  sanitizeHref,
  storySchema,
  storySchemaAdapter,
} from "../../../../shared/richtext/schema.ts";
import {
  insertHardBreak,
  liftItem,
  redoCommand,
  schemaTypes as T,
  setHeading,
  setParagraph,
  sinkItem,
  splitItem,
  ruleFromDashes,
  toggleBulletList,
  toggleCode,
  toggleEm,
  toggleOrderedList,
  toggleStrong,
  undoCommand,
} from "./commands.ts";
import { internalLinksPlugin } from "./internalLinks.ts";
import { placeholderPlugin, type PlaceholderWords } from "./placeholders.ts";
import { storySyncPlugin, type SyncStats } from "./sync.ts";

export const BODY_PATH: Prop[] = ["body"];

export type StoryEditorHooks = {
  /** Mod-k: the component opens its link form. */
  onLinkRequest?: () => void;
  /** Mod-Shift-f: the component toggles focus mode. */
  onFocusModeToggle?: () => void;
  /** Ctrl/⌘+click or Alt+Enter on an internal link (a click when read-only): open its target. */
  onInternalLink?: (ref: LinkRef) => void;
};

const callback =
  (fn: (() => void) | undefined): Command =>
  () => {
    if (!fn) return false;
    fn();
    return true;
  };

export function storyKeymap(hooks: StoryEditorHooks): Plugin {
  return keymap({
    "Mod-z": undoCommand,
    "Shift-Mod-z": redoCommand,
    "Mod-y": redoCommand,
    "Mod-b": toggleStrong,
    "Mod-i": toggleEm,
    "Mod-e": toggleCode,
    "Mod-k": callback(hooks.onLinkRequest),
    "Shift-Mod-f": callback(hooks.onFocusModeToggle),
    Enter: chainCommands(ruleFromDashes, splitItem),
    "Shift-Enter": insertHardBreak,
    "Mod-Enter": insertHardBreak,
    // Tab only indents inside a list; elsewhere it leaves the editor, so keyboard users are never
    // trapped in it.
    Tab: sinkItem,
    "Shift-Tab": liftItem,
    "Mod-Alt-0": setParagraph,
    "Mod-Alt-1": setHeading(1),
    "Mod-Alt-2": setHeading(2),
    "Mod-Alt-3": setHeading(3),
    "Shift-Mod-7": toggleOrderedList,
    "Shift-Mod-8": toggleBulletList,
    Backspace: undoInputRule,
  });
}

/**
 * `text` typed between backticks becomes inline code (the backticks go), as in Markdown. The
 * code keeps the marks the text around it has; what is typed after it is not code.
 */
const inlineCodeRule = new InputRule(/(?:^|[^`])`([^`]+)`$/, (state, match, _start, end) => {
  const text = match[1] ?? "";
  const from = end - text.length - 1;
  const $from = state.doc.resolve(from);
  if (!$from.parent.type.allowsMarkType(T.code) || T.code.isInSet($from.marks())) return null;
  const marks = T.code.create().addToSet($from.marks());
  return state.tr.replaceWith(from, end, storySchema.text(text, marks)).removeStoredMark(T.code);
});

/**
 * Markdown habits: "# " to "### " headings, "> " a quote, "- " or "* " a list, "1. " a numbered
 * list ("3. " one that starts at 3), `code` inline code; "---" and Enter a rule (storyKeymap).
 */
export function storyInputRules(): Plugin {
  const rules: InputRule[] = [
    inlineCodeRule,
    textblockTypeInputRule(/^(#{1,3})\s$/, T.heading, (match) => ({
      level: headingLevel(match[1]?.length ?? 1),
    })),
    wrappingInputRule(/^\s*>\s$/, T.blockquote),
    wrappingInputRule(/^\s*([-+*])\s$/, T.bulletList),
    wrappingInputRule(
      /^\s*(\d{1,9})[.)]\s$/,
      T.orderedList,
      (match) => ({ order: listStart(match[1]) }),
      (match, node) => node.childCount + listStart(node.attrs.order) === listStart(match[1]),
    ),
  ];
  return inputRules({ rules });
}

/**
 * What a paste may bring in. The clipboard parser already reads HTML through the schema (unknown
 * tags become their text, `javascript:` links lose their link but keep their words); this also
 * covers a slice copied from another ProseMirror, which can carry the adapter's unknown nodes and
 * marks, or a link the schema's parse rule never saw.
 */
export function cleanPastedSlice(slice: Slice): Slice {
  const cleanFragment = (fragment: Fragment): Fragment => {
    const out: PmNode[] = [];
    fragment.forEach((node) => {
      if (node.type === storySchemaAdapter.unknownLeaf) return;
      if (node.type === storySchemaAdapter.unknownBlock) {
        cleanFragment(node.content).forEach((child) => void out.push(child));
        return;
      }
      if (node.isText) {
        const marks = node.marks.filter(
          (m) =>
            m.type !== storySchemaAdapter.unknownMark &&
            (m.type !== T.link || sanitizeHref(m.attrs.href) !== null),
        );
        out.push(node.mark(marks));
        return;
      }
      // Pasted blocks are new here: they must not claim to be existing Automerge blocks.
      const attrs = { ...node.attrs, isAmgBlock: false, unknownAttrs: null };
      out.push(node.type.create(attrs, cleanFragment(node.content), node.marks));
    });
    return Fragment.from(out);
  };
  try {
    return new Slice(cleanFragment(slice.content), slice.openStart, slice.openEnd);
  } catch {
    // A slice that no longer fits its open depths after cleaning: paste its text instead.
    const text = slice.content.textBetween(0, slice.content.size, "\n\n");
    return new Slice(Fragment.from(storySchema.text(text || " ")), 0, 0);
  }
}

export type StoryStateOptions<T> = StoryEditorHooks & {
  handle: DocHandle<T>;
  path?: Prop[];
  /** Other features' plugins (comments, presence), after the editor's own. */
  plugins?: readonly Plugin[];
  stats?: SyncStats;
  /** False for a read-only editor: it never writes, not even repairs (see sync.ts). */
  canWrite?: () => boolean;
  onSyncError?: (error: unknown, where: "local" | "remote") => void;
  /** Before the sync plugin dispatches a change from elsewhere (see sync.ts `beforeDispatch`). */
  beforeSyncDispatch?: (view: EditorView) => void;
  /** The words of empty sections' prompts (placeholderWords.ts); none shown without them. */
  placeholders?: PlaceholderWords;
};

export function storyPlugins<T>(options: StoryStateOptions<T>): Plugin[] {
  return [
    storyInputRules(),
    storyKeymap(options),
    keymap(baseKeymap),
    history(),
    new Plugin({ props: { transformPasted: cleanPastedSlice } }),
    internalLinksPlugin(options.onInternalLink),
    ...(options.placeholders
      ? [
          placeholderPlugin({
            words: options.placeholders,
            // A story records the template it started from; a collection's introduction has none.
            template: () => (options.handle.doc() as { template?: unknown } | undefined)?.template,
            enabled: options.canWrite ?? (() => true),
          }),
        ]
      : []),
    storySyncPlugin({
      adapter: storySchemaAdapter,
      handle: options.handle,
      path: options.path ?? BODY_PATH,
      ...(options.stats ? { stats: options.stats } : {}),
      ...(options.canWrite ? { canWrite: options.canWrite } : {}),
      ...(options.onSyncError ? { onError: options.onSyncError } : {}),
      ...(options.beforeSyncDispatch ? { beforeDispatch: options.beforeSyncDispatch } : {}),
    }),
    ...(options.plugins ?? []),
  ];
}

/**
 * The document the editor shows for a handle's body: the canonical reading of its spans. When a
 * merge left block markers unreadable and `repair` allows, the repairs are written first, so the
 * editor starts on a document whose indexes upstream can map.
 */
export function pmDocOf<T>(handle: DocHandle<T>, path: Prop[] = BODY_PATH, repair = false): PmNode {
  const reading = readBody(storySchemaAdapter, amSpans(handle.doc() as Doc<T>, path));
  if (repair && reading.repairs.length > 0)
    handle.change((doc) => void repairBody(storySchemaAdapter, doc as Doc<T>, path));
  return reading.doc;
}

export function createStoryEditorState<T>(options: StoryStateOptions<T>): EditorState {
  const canWrite = options.canWrite?.() ?? true;
  return EditorState.create({
    schema: storySchema,
    doc: pmDocOf(options.handle, options.path, canWrite),
    plugins: storyPlugins(options),
  });
}
