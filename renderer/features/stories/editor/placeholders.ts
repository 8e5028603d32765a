// Template prompts as placeholders: an empty section's paragraph shows its prompt ("What did you
// take part in…?") and a story with nothing in it shows "Start writing…", while nothing of either is
// in the document. The prompt is drawn by CSS from the paragraph's `data-placeholder` (stories.css,
// `.story-placeholder::before`, with empty alternative text, so a screen reader does not read it as
// the story's words), so it is not in the page's text, and a copy never takes it; the component
// tells assistive technology about it through the text box's description (`placeholderHint`).
// Which prompt goes where is decided by shared/richtext/templates.ts `findPlaceholders`, from the
// story's template id and its headings; see there why that is sound.
import type { Node as PmNode } from "prosemirror-model";
import { Plugin, PluginKey, type EditorState } from "prosemirror-state";
import { Decoration, DecorationSet } from "prosemirror-view";
import {
  findPlaceholders,
  isTemplateId,
  sectionMatchers,
  type Placeholder,
  type SectionMatcher,
} from "../../../../shared/richtext/templates.ts";

/**
 * The words of placeholders, in the window's language (placeholderWords.ts gives them from the
 * catalogue; kept apart so the editor's state, which Node tests build, needs no window).
 */
export type PlaceholderWords = {
  /** The prompt of a template section by its key, or the blank story's prompt for null. */
  prompt: (section: string | null) => string;
  /** A section's heading in every language shipped, so a heading any device wrote is matched. */
  headings: (section: string) => readonly string[];
};

export type PlaceholderOptions = {
  words: PlaceholderWords;
  /** The story's template id (the story's `template`); anything else shows only "Start writing…". */
  template: () => unknown;
  /** False while the editor is read-only: prompts are for writing. */
  enabled?: () => boolean;
};

type PlaceholderState = {
  found: readonly Placeholder[];
  decorations: DecorationSet;
};

export const placeholderKey = new PluginKey<PlaceholderState>("meitheal-placeholders");

export function placeholderPlugin({
  words,
  template,
  enabled = () => true,
}: PlaceholderOptions): Plugin {
  const matchersCache = new Map<string, SectionMatcher[]>();
  /** A template's sections with their headings in every language shipped. */
  const matchersOf = (id: unknown): SectionMatcher[] => {
    if (!isTemplateId(id)) return [];
    let matchers = matchersCache.get(id);
    if (!matchers) {
      matchers = sectionMatchers(id, words.headings);
      matchersCache.set(id, matchers);
    }
    return matchers;
  };
  const decorate = (doc: PmNode, found: readonly Placeholder[]): DecorationSet =>
    found.length === 0
      ? DecorationSet.empty
      : DecorationSet.create(
          doc,
          found.map(({ pos, node, section }) =>
            Decoration.node(pos, pos + node.nodeSize, {
              class: "story-placeholder",
              "data-placeholder": words.prompt(section),
            }),
          ),
        );
  const compute = (doc: PmNode): PlaceholderState => {
    const found = findPlaceholders(doc, matchersOf(template()));
    return { found, decorations: decorate(doc, found) };
  };
  return new Plugin<PlaceholderState>({
    key: placeholderKey,
    state: {
      init: (_config, state) => compute(state.doc),
      // One step per top-level block, only when the document changed.
      apply: (tr, value) => (tr.docChanged ? compute(tr.doc) : value),
    },
    props: {
      decorations: (state) =>
        enabled() ? placeholderKey.getState(state)?.decorations : DecorationSet.empty,
    },
  });
}

/** The placeholder of the empty paragraph the caret is in, if it shows one. */
export function placeholderAtCaret(state: EditorState): Placeholder | undefined {
  const found = placeholderKey.getState(state)?.found;
  if (!found || found.length === 0) return undefined;
  const { $head } = state.selection;
  const top = $head.depth >= 1 ? $head.before(1) : -1;
  return found.find((p) => p.pos === top);
}
