// English strings of the story editor, spread into en.ts.
export const editorEn = {
  // A toolbar button whose glyph is text (H1, 1.): the name people hear starts with what they see.
  "editor.glyphAndAction": "{glyph} {action}",
} as const;
