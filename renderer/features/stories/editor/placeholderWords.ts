// The words of the editor's placeholders from the window's catalogue (placeholders.ts draws them).
import type { EditorState } from "prosemirror-state";
import { TEMPLATES } from "../../../../shared/richtext/templates.ts";
import { everyTranslation, t, type MessageKey } from "../../../i18n/index.ts";
import { placeholderAtCaret, type PlaceholderWords } from "./placeholders.ts";

const sectionKey = (section: string, part: "heading" | "prompt") =>
  `editor.template.${section}.${part}` as MessageKey;

/** The prompt a placeholder shows, in the window's language (English when it has none). */
function promptText(section: string | null): string {
  if (section === null) return t("editor.placeholder.start");
  const english = Object.values(TEMPLATES)
    .flatMap((template) => template.sections)
    .find((s) => s.key === section)?.prompt;
  // A key the catalogue lacks gives undefined at run time, whatever its type says.
  const translated: string | undefined = t(sectionKey(section, "prompt"));
  return translated ?? english ?? "";
}

export const placeholderWords: PlaceholderWords = {
  prompt: promptText,
  headings: (section) => everyTranslation(sectionKey(section, "heading")),
};

/**
 * What a screen reader is told while the caret is in a paragraph showing a prompt (the prompt, as
 * the text box's description), or "" elsewhere.
 */
export function placeholderHint(state: EditorState): string {
  const here = placeholderAtCaret(state);
  return here ? t("editor.placeholder.hint", { prompt: promptText(here.section) }) : "";
}
