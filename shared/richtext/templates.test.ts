import * as A from "@automerge/automerge";
import { pmDocFromSpans } from "@automerge/prosemirror";
import { describe, expect, it } from "vitest";
import { initStory } from "../ops/story.ts";
import { storyKind, type Story } from "../schema/story.ts";
import { storySchemaAdapter as adapter } from "./schema.ts";
import {
  applyTemplate,
  isTemplateId,
  TEMPLATE_IDS,
  TEMPLATES,
  type TemplateId,
} from "./templates.ts";
import { spansToPlainText } from "./text.ts";

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

  it("value-creation has the five sections, each a heading and an italic prompt", () => {
    const lines = outline(storyWith("value-creation"));
    expect(lines.filter((l) => l.startsWith("h2:"))).toEqual([
      "h2:The activity",
      "h2:Immediate value",
      "h2:Applied value",
      "h2:Realised value",
      "h2:What it changed",
    ]);
    expect(lines).toHaveLength(10);
    lines.forEach((line, i) =>
      expect(line.startsWith(i % 2 === 0 ? "h2:" : "paragraph:em:")).toBe(true),
    );
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

  it("asks for a translation of each block by key", () => {
    const keys: string[] = [];
    const doc = storyWith("new-narrative", (key, english) => {
      keys.push(key);
      return key === "new-narrative.old.heading" ? "An seanscéal" : english;
    });
    expect(keys).toContain("new-narrative.serves.prompt");
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
