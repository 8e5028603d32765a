import * as A from "@automerge/automerge";
import { pmDocFromSpans } from "@automerge/prosemirror";
import { describe, expect, it } from "vitest";
import { blocksMarkdown } from "../export/markdown.ts";
import { blocksToText, readBlocks } from "../export/book.ts";
import { initStory } from "../ops/story.ts";
import { storyKind, type Story } from "../schema/story.ts";
import { storySchemaAdapter as adapter } from "./schema.ts";
import {
  applyTemplate,
  findPlaceholders,
  isTemplateId,
  sectionMatchers,
  TEMPLATE_IDS,
  TEMPLATES,
  type TemplateId,
} from "./templates.ts";
import { spansToPlainText, wordCount } from "./text.ts";

const ctx = { now: () => 1_700_000_000_000, newId: () => "id" };

const storyWith = (templateId: TemplateId, translate?: (key: string, english: string) => string) =>
  A.change(A.init<Story>(), (d) => {
    initStory(d, { communityId: "c", title: "A story" }, ctx);
    applyTemplate(d, templateId, translate);
  });

/** The body as "h2:The activity / em:What…" lines: the structure a template promises. */
const outline = (doc: A.Doc<Story>): string[] => {
  const pm = pmDocFromSpans(adapter, A.spans(doc, ["body"]));
  const lines: string[] = [];
  pm.forEach((block) => {
    const tag = block.type.name === "heading" ? `h${String(block.attrs.level)}` : block.type.name;
    const italic = block.firstChild?.marks.some((m) => m.type.name === "em") ? "em:" : "";
    lines.push(`${tag}:${italic}${block.textContent}`);
  });
  return lines;
};

describe("story templates", () => {
  it("blank is one empty paragraph", () => {
    expect(outline(storyWith("blank"))).toEqual(["paragraph:"]);
  });

  it("value-creation has the five sections, each a heading and an empty paragraph", () => {
    const lines = outline(storyWith("value-creation"));
    expect(lines.filter((l) => l.startsWith("h2:"))).toEqual([
      "h2:The activity",
      "h2:Immediate value",
      "h2:Applied value",
      "h2:Realised value",
      "h2:What it changed",
    ]);
    expect(lines).toHaveLength(10);
    lines.forEach((line, i) => {
      if (i % 2 === 0) expect(line.startsWith("h2:")).toBe(true);
      else expect(line).toBe("paragraph:");
    });
  });

  it("stores no prompt: a fresh story's text, word count and export hold only its headings", () => {
    for (const id of TEMPLATE_IDS) {
      const doc = storyWith(id);
      const text = spansToPlainText(A.spans(doc, ["body"]));
      const markdown = blocksMarkdown(readBlocks(doc, ["body"], () => null));
      const headings = TEMPLATES[id].sections.map((s) => s.heading);
      for (const { prompt } of TEMPLATES[id].sections) {
        expect(text).not.toContain(prompt);
        expect(markdown).not.toContain(prompt);
      }
      expect(wordCount(text)).toBe(wordCount(headings.join(" ")));
      expect(blocksToText(readBlocks(doc, ["body"], () => null)).trim()).toBe(headings.join("\n"));
    }
  });

  it("new-narrative and personal-change have their sections", () => {
    expect(outline(storyWith("new-narrative")).filter((l) => l.startsWith("h2:"))).toEqual([
      "h2:The old story",
      "h2:The new story",
      "h2:Who it serves",
    ]);
    expect(outline(storyWith("personal-change")).filter((l) => l.startsWith("h2:"))).toEqual([
      "h2:Where I started",
      "h2:What happened",
      "h2:What changed in me",
      "h2:What I carry forward",
    ]);
  });

  it("records the template and leaves a valid story", () => {
    const doc = storyWith("personal-change");
    expect(doc.template).toBe("personal-change");
    expect(storyKind.read(doc).state).toBe("ok");
  });

  it("replaces what the body had, and applying it twice changes nothing more", () => {
    let doc = storyWith("new-narrative");
    doc = A.change(doc, (d) => applyTemplate(d, "value-creation"));
    const heads = A.getHeads(doc);
    doc = A.change(doc, (d) => applyTemplate(d, "value-creation"));
    expect(A.getHeads(doc)).toEqual(heads);
    expect(outline(doc)[0]).toBe("h2:The activity");
  });

  it("asks for a translation of each heading by key", () => {
    const keys: string[] = [];
    const doc = storyWith("new-narrative", (key, english) => {
      keys.push(key);
      return key === "new-narrative.old.heading" ? "An seanscéal" : english;
    });
    expect(keys).toEqual([
      "new-narrative.old.heading",
      "new-narrative.new.heading",
      "new-narrative.serves.heading",
    ]);
    expect(outline(doc)[0]).toBe("h2:An seanscéal");
  });

  it("lists every template with its i18n keys", () => {
    expect(Object.keys(TEMPLATES)).toEqual([...TEMPLATE_IDS]);
    for (const id of TEMPLATE_IDS) {
      expect(TEMPLATES[id].nameKey).toBe(`editor.template.${id}.name`);
      expect(TEMPLATES[id].descriptionKey).toBe(`editor.template.${id}.description`);
    }
    expect(isTemplateId("value-creation")).toBe(true);
    expect(isTemplateId("nope")).toBe(false);
    expect(spansToPlainText(A.spans(storyWith("value-creation"), ["body"]))).toContain(
      "Realised value",
    );
  });
});

describe("findPlaceholders", () => {
  const pmOf = (doc: A.Doc<Story>) => pmDocFromSpans(adapter, A.spans(doc, ["body"]));
  const found = (doc: A.Doc<Story>, id: TemplateId, headingsOf?: (key: string) => string[]) =>
    findPlaceholders(pmOf(doc), sectionMatchers(id, headingsOf)).map((p) => p.section);
  const typeAt = (doc: A.Doc<Story>, heading: string, text: string) =>
    A.change(doc, (d) => {
      const at = A.spans(d, ["body"]).reduce(
        (acc, span) => {
          if (acc.done) return acc;
          const length = span.type === "text" ? span.value.length : 1;
          if (acc.after) return { ...acc, at: acc.at + 1, done: true };
          return {
            ...acc,
            at: acc.at + length,
            after: span.type === "text" && span.value === heading,
          };
        },
        { at: 0, after: false, done: false },
      ).at;
      A.splice(d, ["body"], at, 0, text);
    });

  it("gives every empty section of a fresh story its prompt, and a blank story the generic one", () => {
    expect(found(storyWith("value-creation"), "value-creation")).toEqual(
      TEMPLATES["value-creation"].sections.map((s) => s.key),
    );
    expect(found(storyWith("blank"), "blank")).toEqual([null]);
  });

  it("drops a section's prompt once anything is written in it, and no other", () => {
    const doc = typeAt(storyWith("value-creation"), "Applied value", "We met again");
    expect(spansToPlainText(A.spans(doc, ["body"]))).toContain("We met again");
    expect(found(doc, "value-creation")).toEqual([
      "value-creation.activity",
      "value-creation.immediate",
      "value-creation.realised",
      "value-creation.changed",
    ]);
  });

  it("shows no prompt under a renamed heading, and matches a heading in another language", () => {
    const irish = storyWith("new-narrative", (key, english) =>
      key === "new-narrative.old.heading" ? "An seanscéal" : english,
    );
    expect(found(irish, "new-narrative")).toEqual(["new-narrative.new", "new-narrative.serves"]);
    expect(
      found(irish, "new-narrative", (key) => (key === "new-narrative.old" ? ["An Seanscéal"] : [])),
    ).toEqual(["new-narrative.old", "new-narrative.new", "new-narrative.serves"]);
  });
});
