// Story templates: a scaffold of headings and prompts a community starts a story from. The prompts
// are italic paragraphs in the body itself (not placeholders), so every device shows the same
// scaffold and the writers replace the prompts as they go.
import { updateSpans } from "@automerge/automerge";
import { storySchemaAdapter } from "./schema.ts";
import { blocksToSpans, type BodyBlock } from "./text.ts";

/**
 * A block of a template. `key` names it for a translation: `applyTemplate` asks `translate` for
 * the text of each key, so a community writing in Irish gets an Irish scaffold.
 */
export type TemplateBlock = BodyBlock & { key: string };

export type StoryTemplate = {
  readonly id: TemplateId;
  /** i18n keys (renderer/i18n) for the template's name and one-line description. */
  readonly nameKey: string;
  readonly descriptionKey: string;
  readonly blocks: readonly TemplateBlock[];
};

export const TEMPLATE_IDS = [
  "blank",
  "value-creation",
  "new-narrative",
  "personal-change",
] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

const section = (key: string, heading: string, prompt: string): [TemplateBlock, TemplateBlock] => [
  { key: `${key}.heading`, type: "heading", level: 2, text: heading },
  { key: `${key}.prompt`, type: "paragraph", text: prompt, marks: { em: true } },
];

export const TEMPLATES: Readonly<Record<TemplateId, StoryTemplate>> = {
  blank: {
    id: "blank",
    nameKey: "editor.template.blank.name",
    descriptionKey: "editor.template.blank.description",
    // One empty paragraph rather than nothing: the body then starts with a block marker, so two
    // people who both start typing structure into a new story do not each write a first one.
    blocks: [{ key: "blank.paragraph", type: "paragraph", text: "" }],
  },
  // The cycles of the Wenger-Trayner value-creation framework, from what people did to how it
  // changed what they count as success ("reframing value", here "What it changed").
  "value-creation": {
    id: "value-creation",
    nameKey: "editor.template.value-creation.name",
    descriptionKey: "editor.template.value-creation.description",
    blocks: [
      ...section(
        "value-creation.activity",
        "The activity",
        "What did you take part in, with whom, and why?",
      ),
      ...section(
        "value-creation.immediate",
        "Immediate value",
        "What happened in the moment: what was it like, what did you notice?",
      ),
      ...section(
        "value-creation.applied",
        "Applied value",
        "What did you do differently afterwards because of it?",
      ),
      ...section(
        "value-creation.realised",
        "Realised value",
        "What difference did that make, for you or for others?",
      ),
      ...section(
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
    blocks: [
      ...section(
        "new-narrative.old",
        "The old story",
        "What story is usually told about this? Who tells it, and what does it leave out?",
      ),
      ...section(
        "new-narrative.new",
        "The new story",
        "What story do you want to tell instead? What makes it true?",
      ),
      ...section(
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
    blocks: [
      ...section(
        "personal-change.start",
        "Where I started",
        "Where were you, and what did you believe, before this began?",
      ),
      ...section(
        "personal-change.happened",
        "What happened",
        "What happened, in the order it happened?",
      ),
      ...section(
        "personal-change.inside",
        "What changed in me",
        "What do you see, feel or do differently now?",
      ),
      ...section(
        "personal-change.forward",
        "What I carry forward",
        "What will you take into what comes next?",
      ),
    ],
  },
};

export const isTemplateId = (value: unknown): value is TemplateId =>
  typeof value === "string" && (TEMPLATE_IDS as readonly string[]).includes(value);

/** The blocks of a template, each text passed through `translate` (English when it has none). */
export function templateBlocks(
  templateId: TemplateId,
  translate?: (key: string, english: string) => string,
): BodyBlock[] {
  return TEMPLATES[templateId].blocks.map(({ key, ...block }) =>
    translate ? { ...block, text: translate(key, block.text) } : block,
  );
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
  // The adapter's config: marks must extend as the editor extends them, or its first edit would
  // rewrite every prompt's italics.
  updateSpans(
    doc,
    ["body"],
    blocksToSpans(templateBlocks(templateId, translate)),
    storySchemaAdapter.updateSpansConfig(),
  );
  if (doc.template !== templateId) doc.template = templateId;
}
