// English strings of the story editor that came with placeholders and the toolbar's names, spread
// into en.ts. Each template section's heading and prompt are here by the section's key
// (shared/richtext/templates.ts keeps the English default, and a test keeps both the same): a
// heading is matched in every language shipped, and the prompt is shown in the window's language.
export const editorEn = {
  // A toolbar button whose glyph is text (H1, 1.): the name people hear starts with what they see.
  "editor.glyphAndAction": "{glyph} {action}",
  "editor.placeholder.start": "Start writing…",
  // Read by a screen reader when the caret is in an empty section: the prompt it would see.
  "editor.placeholder.hint": "Empty section. {prompt}",
  "editor.template.value-creation.activity.heading": "The activity",
  "editor.template.value-creation.activity.prompt":
    "What did you take part in, with whom, and why?",
  "editor.template.value-creation.immediate.heading": "Immediate value",
  "editor.template.value-creation.immediate.prompt":
    "What happened in the moment: what was it like, what did you notice?",
  "editor.template.value-creation.applied.heading": "Applied value",
  "editor.template.value-creation.applied.prompt":
    "What did you do differently afterwards because of it?",
  "editor.template.value-creation.realised.heading": "Realised value",
  "editor.template.value-creation.realised.prompt":
    "What difference did that make, for you or for others?",
  "editor.template.value-creation.changed.heading": "What it changed",
  "editor.template.value-creation.changed.prompt":
    "Did it change how you see things, or what counts as success?",
  "editor.template.new-narrative.old.heading": "The old story",
  "editor.template.new-narrative.old.prompt":
    "What story is usually told about this? Who tells it, and what does it leave out?",
  "editor.template.new-narrative.new.heading": "The new story",
  "editor.template.new-narrative.new.prompt":
    "What story do you want to tell instead? What makes it true?",
  "editor.template.new-narrative.serves.heading": "Who it serves",
  "editor.template.new-narrative.serves.prompt":
    "Who gains when this story is told, and who is invited in?",
  "editor.template.personal-change.start.heading": "Where I started",
  "editor.template.personal-change.start.prompt":
    "Where were you, and what did you believe, before this began?",
  "editor.template.personal-change.happened.heading": "What happened",
  "editor.template.personal-change.happened.prompt": "What happened, in the order it happened?",
  "editor.template.personal-change.inside.heading": "What changed in me",
  "editor.template.personal-change.inside.prompt": "What do you see, feel or do differently now?",
  "editor.template.personal-change.forward.heading": "What I carry forward",
  "editor.template.personal-change.forward.prompt": "What will you take into what comes next?",
} as const;
