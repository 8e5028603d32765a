// Story templates: a scaffold of section headings a community starts a story from. Each section is
// a heading and an empty paragraph; the section's prompt ("What did you take part in…?") is never
// written into the story. The editor shows it as a placeholder while the section is empty
// (renderer/features/stories/editor/placeholders.ts), so it is never exported, counted, searched
// or synced, and nobody has to select and delete it.
//
// How the editor knows which prompt belongs to an empty paragraph, with nothing stored but the
// story's `template` id: the paragraph follows a heading whose text is that template section's
// heading, in any language Meitheal ships (`findPlaceholders`). This holds across the cases that
// matter: a renamed heading is the writers' own (its prompt no longer applies, and none shows); a
// story started in Irish and opened in an English window still matches its Irish heading and shows
// the English prompt; concurrent edits cannot conflict over a placeholder, because it is computed
// from the document each device already agrees on.
import { updateSpans } from "@automerge/automerge";
import type { Node as PmNode } from "prosemirror-model";
import { storySchemaAdapter } from "./schema.ts";
import { blocksToSpans, type BodyBlock } from "./text.ts";

/**
 * A section of a template. `key` names it for translations: the renderer's catalogue has
 * `editor.template.<key>.heading` and `editor.template.<key>.prompt` (English here is the default,
 * and a test keeps the two the same).
 */
export type TemplateSection = { key: string; heading: string; prompt: string };

export type StoryTemplate = {
  readonly id: TemplateId;
  /** i18n keys (renderer/i18n) for the template's name and one-line description. */
  readonly nameKey: string;
  readonly descriptionKey: string;
  readonly sections: readonly TemplateSection[];
};

export const TEMPLATE_IDS = [
  "blank",
  "value-creation",
  "new-narrative",
  "personal-change",
] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

const section = (key: string, heading: string, prompt: string): TemplateSection => ({
  key,
  heading,
  prompt,
});

export const TEMPLATES: Readonly<Record<TemplateId, StoryTemplate>> = {
  blank: {
    id: "blank",
    nameKey: "editor.template.blank.name",
    descriptionKey: "editor.template.blank.description",
    sections: [],
  },
  // The cycles of the Wenger-Trayner value-creation framework, from what people did to how it
  // changed what they count as success ("reframing value", here "What it changed").
  "value-creation": {
    id: "value-creation",
    nameKey: "editor.template.value-creation.name",
    descriptionKey: "editor.template.value-creation.description",
    sections: [
      section(
        "value-creation.activity",
        "The activity",
        "What did you take part in, with whom, and why?",
      ),
      section(
        "value-creation.immediate",
        "Immediate value",
        "What happened in the moment: what was it like, what did you notice?",
      ),
      section(
        "value-creation.applied",
        "Applied value",
        "What did you do differently afterwards because of it?",
      ),
      section(
        "value-creation.realised",
        "Realised value",
        "What difference did that make, for you or for others?",
      ),
      section(
        "value-creation.changed",
        "What it changed",
        "Did it change how you see things, or what counts as success?",
      ),
    ],
  },
  "new-narrative": {
    id: "new-narrative",
    nameKey: "editor.template.new-narrative.name",
    descriptionKey: "editor.template.new-narrative.description",
    sections: [
      section(
        "new-narrative.old",
        "The old story",
        "What story is usually told about this? Who tells it, and what does it leave out?",
      ),
      section(
        "new-narrative.new",
        "The new story",
        "What story do you want to tell instead? What makes it true?",
      ),
      section(
        "new-narrative.serves",
        "Who it serves",
        "Who gains when this story is told, and who is invited in?",
      ),
    ],
  },
  "personal-change": {
    id: "personal-change",
    nameKey: "editor.template.personal-change.name",
    descriptionKey: "editor.template.personal-change.description",
    sections: [
      section(
        "personal-change.start",
        "Where I started",
        "Where were you, and what did you believe, before this began?",
      ),
      section(
        "personal-change.happened",
        "What happened",
        "What happened, in the order it happened?",
      ),
      section(
        "personal-change.inside",
        "What changed in me",
        "What do you see, feel or do differently now?",
      ),
      section(
        "personal-change.forward",
        "What I carry forward",
        "What will you take into what comes next?",
      ),
    ],
  },
};

export const isTemplateId = (value: unknown): value is TemplateId =>
  typeof value === "string" && (TEMPLATE_IDS as readonly string[]).includes(value);

/**
 * The blocks of a template: each section's heading (passed through `translate`, English when it
 * has none; it is asked for `<section key>.heading`) and an empty paragraph for its text. A blank
 * template is one empty paragraph rather than nothing: the body then starts with a block marker, so
 * two people who both start typing structure into a new story do not each write a first one.
 */
export function templateBlocks(
  templateId: TemplateId,
  translate?: (key: string, english: string) => string,
): BodyBlock[] {
  const { sections } = TEMPLATES[templateId];
  if (sections.length === 0) return [{ type: "paragraph", text: "" }];
  return sections.flatMap(({ key, heading }): BodyBlock[] => [
    {
      type: "heading",
      level: 2,
      text: translate ? translate(`${key}.heading`, heading) : heading,
    },
    { type: "paragraph", text: "" },
  ]);
}

/**
 * Writes a template's scaffold into `doc.body`, replacing what is there, and records which
 * template the story started from. A pure operation for `handle.change`; `doc.body` must already be
 * a text (a story made by `initStory` has one).
 */
export function applyTemplate(
  doc: { body: string; template: string },
  templateId: TemplateId,
  translate?: (key: string, english: string) => string,
): void {
  updateSpans(
    doc,
    ["body"],
    blocksToSpans(templateBlocks(templateId, translate)),
    storySchemaAdapter.updateSpansConfig(),
  );
  if (doc.template !== templateId) doc.template = templateId;
}

/** A template section as the editor matches it: every heading text it may have, normalised. */
export type SectionMatcher = { key: string; headings: ReadonlySet<string> };

/** Heading text as it is compared: spacing and case do not make it another heading. */
export const normaliseHeading = (text: string): string =>
  text.replace(/\s+/g, " ").trim().toLocaleLowerCase();

/**
 * The sections of a template to match headings against: `headingsOf(key)` gives the texts a
 * section's heading has in every language shipped (the English default is always included).
 */
export function sectionMatchers(
  templateId: TemplateId,
  headingsOf: (sectionKey: string) => readonly string[] = () => [],
): SectionMatcher[] {
  return TEMPLATES[templateId].sections.map(({ key, heading }) => ({
    key,
    headings: new Set([heading, ...headingsOf(key)].map(normaliseHeading)),
  }));
}

/** Where a placeholder goes: the empty paragraph at `pos`, and the section whose prompt it shows. */
export type Placeholder = { pos: number; node: PmNode; section: string | null };

/** Nothing a person wrote: no text, no line break, no embed, in it or anything it holds. */
const isBlank = (node: PmNode): boolean =>
  node.content.size === 0 || (!node.isTextblock && allBlank(node));
const allBlank = (node: PmNode): boolean => {
  let blank = true;
  node.forEach((child) => {
    if (blank && !isBlank(child)) blank = false;
  });
  return blank;
};

/**
 * The empty paragraphs that show a prompt. A section of the story's template (a top-level heading
 * whose text is the section's heading) shows its prompt on the paragraph right after the heading
 * while that paragraph is empty and so is everything up to the next heading; a story with nothing
 * written in it at all shows the generic prompt (`section: null`) on its first paragraph. Only top
 * level blocks are looked at: the cost is one step per block, at every change.
 */
export function findPlaceholders(doc: PmNode, sections: readonly SectionMatcher[]): Placeholder[] {
  const out: Placeholder[] = [];
  const first = doc.firstChild;
  if (first && first.type.name === "paragraph" && allBlank(doc)) {
    out.push({ pos: 0, node: first, section: null });
    return out;
  }
  if (sections.length === 0) return out;
  let open: { section: string; candidate: Placeholder | null; blank: boolean } | null = null;
  const close = () => {
    if (open?.candidate && open.blank) out.push(open.candidate);
    open = null;
  };
  doc.forEach((node, pos) => {
    if (node.type.name === "heading") {
      close();
      const text = normaliseHeading(node.textContent);
      const match = sections.find((s) => s.headings.has(text));
      if (match) open = { section: match.key, candidate: null, blank: true };
      return;
    }
    if (!open) return;
    if (open.candidate === null && open.blank) {
      // The first block of the section: the one that shows the prompt, if it is an empty paragraph.
      if (node.type.name === "paragraph" && node.content.size === 0)
        open.candidate = { pos, node, section: open.section };
      else open.blank = false;
      return;
    }
    if (!isBlank(node)) open.blank = false;
  });
  close();
  return out;
}
