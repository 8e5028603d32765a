// The story migration to version 3: template prompts written into older stories are emptied when
// nobody touched them, and anything a person wrote is kept (docs/DESIGN.md, a test per migration).
import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { initStory } from "../ops/story.ts";
import { storyKind, type Story } from "../schema/story.ts";
import { LEGACY_PROMPTS } from "./legacyPrompts.ts";
import { storySchemaAdapter as adapter } from "./schema.ts";
import { TEMPLATES } from "./templates.ts";
import { blocksToSpans, spansToPlainText, type BodyBlock } from "./text.ts";

const ctx = { now: () => 1_700_000_000_000, newId: () => "id" };
const VALUE = "value-creation";
const prompts = LEGACY_PROMPTS[VALUE]!;

/** A value-creation story as version 2 wrote it: each section a heading and an italic prompt. */
const legacyBlocks = (): BodyBlock[] =>
  TEMPLATES[VALUE].sections.flatMap((s, i): BodyBlock[] => [
    { type: "heading", level: 2, text: s.heading },
    { type: "paragraph", text: prompts[i]!, marks: { em: true } },
  ]);

const legacyStory = (blocks: BodyBlock[] = legacyBlocks()) =>
  A.change(A.init<Story>({ actor: "cc".repeat(16) }), (d) => {
    initStory(d, { communityId: "c", title: "Old", template: VALUE }, ctx);
    A.updateSpans(d, ["body"], blocksToSpans(blocks), adapter.updateSpansConfig());
    (d as { version: number }).version = 2;
  });

const migrate = (doc: A.Doc<Story>) => A.change(doc, (d) => void storyKind.migrate(d));
const text = (doc: A.Doc<Story>) => spansToPlainText(A.spans(doc, ["body"]));
const paragraphs = (doc: A.Doc<Story>) => text(doc).split("\n");

describe("story migration 2 → 3: untouched template prompts", () => {
  it("empties every untouched prompt and keeps the headings and their paragraphs", () => {
    const before = legacyStory();
    expect(storyKind.read(before)).toEqual({ state: "needs-migration", from: 2 });
    const after = migrate(before);
    expect(storyKind.read(after).state).toBe("ok");
    for (const prompt of prompts) expect(text(after)).not.toContain(prompt);
    const blocks = A.spans(after, ["body"]).filter((s) => s.type === "block");
    expect(blocks).toHaveLength(10);
    expect(text(after)).toContain("Realised value");
  });

  it("keeps a prompt anyone edited, made bold, un-italicised, or moved into a list", () => {
    const blocks = legacyBlocks();
    const edited = [
      { type: "paragraph", text: `${prompts[0]!} With Máire.`, marks: { em: true } },
      { type: "paragraph", text: prompts[1]!, marks: { em: true, strong: true } },
      { type: "paragraph", text: prompts[2]! },
      { type: "bullet", text: prompts[3]!, marks: { em: true } },
    ] as const;
    edited.forEach((block, i) => (blocks[2 * i + 1] = block));
    const after = migrate(legacyStory(blocks));
    expect(storyKind.read(after).state).toBe("ok");
    for (const block of edited) expect(text(after)).toContain(block.text);
    // Only the last section's prompt was untouched.
    expect(text(after)).not.toContain(prompts[4]);
  });

  it("leaves a prompt's words alone in a story of another template, and a prompt inside words", () => {
    const blank = A.change(legacyStory(), (d) => void (d.template = "blank"));
    expect(text(migrate(blank))).toContain(prompts[0]);
    const inWords = legacyStory([
      { type: "paragraph", text: `I asked: ${prompts[0]!}`, marks: { em: true } },
    ]);
    expect(text(migrate(inWords))).toContain(prompts[0]);
  });

  it("is idempotent: a second run changes nothing, not even the history", () => {
    const first = migrate(legacyStory());
    const second = migrate(first);
    expect(A.getHeads(second)).toEqual(A.getHeads(first));
  });

  it("is deterministic: two peers migrating at once merge to one emptied story", () => {
    const base = legacyStory();
    const onA = migrate(A.clone(base, { actor: "aa".repeat(16) }));
    const onB = migrate(A.clone(base, { actor: "bb".repeat(16) }));
    const ab = A.merge(A.clone(onA), onB);
    const ba = A.merge(A.clone(onB), onA);
    expect(A.toJS(ab)).toEqual(A.toJS(ba));
    expect(text(ab)).toBe(text(onA));
    expect(storyKind.read(ab).state).toBe("ok");
    expect(A.getHeads(migrate(ab))).toEqual(A.getHeads(ab));
  });

  it("keeps what a peer typed into a prompt while another device migrated", () => {
    const base = legacyStory();
    const migrated = migrate(A.clone(base, { actor: "aa".repeat(16) }));
    const typed = A.change(A.clone(base, { actor: "bb".repeat(16) }), (d) => {
      const at = text(d).indexOf(prompts[0]!) + prompts[0]!.length;
      A.splice(d, ["body"], at, 0, " With Máire.");
    });
    const merged = A.merge(A.clone(migrated), typed);
    expect(paragraphs(merged)).toContain(" With Máire.");
    expect(storyKind.read(merged).state).toBe("ok");
  });
});
