// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import type { SearchHit } from "../../../shared/contract.ts";
import { hitRoute, isSearchShortcut } from "./SearchLauncher.tsx";

const DOC = "ULfvzSdMs2gjWUQwaS5tqGCkV24";
const C = "3Gwjs9RPQoaMBZjedhDJbtXWbpdr";

function keyOn(target: HTMLElement, init: KeyboardEventInit): KeyboardEvent {
  document.body.append(target);
  let seen: KeyboardEvent | null = null;
  target.addEventListener("keydown", (e) => (seen = e), { once: true });
  target.dispatchEvent(new KeyboardEvent("keydown", { bubbles: true, ...init }));
  target.remove();
  return seen!;
}

describe("isSearchShortcut", () => {
  const div = () => document.createElement("div");

  it("opens on Ctrl+Shift+K (⌘⇧K on a Mac), not on the editor's Ctrl+K", () => {
    expect(isSearchShortcut(keyOn(div(), { key: "K", ctrlKey: true, shiftKey: true }), false)).toBe(
      true,
    );
    expect(isSearchShortcut(keyOn(div(), { key: "k", ctrlKey: true }), false)).toBe(false);
    expect(isSearchShortcut(keyOn(div(), { key: "K", metaKey: true, shiftKey: true }), true)).toBe(
      true,
    );
    expect(isSearchShortcut(keyOn(div(), { key: "K", ctrlKey: true, shiftKey: true }), true)).toBe(
      false,
    );
  });

  it("opens on / only where / types nothing", () => {
    expect(isSearchShortcut(keyOn(div(), { key: "/" }), false)).toBe(true);
    expect(isSearchShortcut(keyOn(document.createElement("input"), { key: "/" }), false)).toBe(
      false,
    );
    expect(isSearchShortcut(keyOn(document.createElement("textarea"), { key: "/" }), false)).toBe(
      false,
    );
    const checkbox = document.createElement("input");
    checkbox.type = "checkbox";
    expect(isSearchShortcut(keyOn(checkbox, { key: "/" }), false)).toBe(true);
    const editable = div();
    editable.contentEditable = "true";
    // jsdom does not compute isContentEditable; the real check is the browser's.
    Object.defineProperty(editable, "isContentEditable", { value: true });
    expect(isSearchShortcut(keyOn(editable, { key: "/" }), false)).toBe(false);
  });
});

describe("hitRoute", () => {
  const hit = (ref: string, terms: string[]): SearchHit => ({
    ref,
    type: "story",
    title: "T",
    context: null,
    snippet: "",
    terms,
    themes: [],
    score: 1,
  });

  it("opens a story with the matched words as its focus", () => {
    expect(hitRoute(C, hit(`story/${DOC}`, ["seed", "swap"]))).toEqual({
      page: "community",
      communityId: C,
      section: "stories",
      docId: DOC,
      focus: "seed swap",
    });
  });

  it("opens an entry or a node at itself, and nothing for a bad ref", () => {
    expect(hitRoute(C, { ...hit(`entry/${DOC}/e1`, ["x"]), type: "entry" })).toMatchObject({
      section: "logs",
      focus: "e1",
    });
    expect(hitRoute(C, { ...hit(`node/${DOC}/n1`, ["x"]), type: "node" })).toMatchObject({
      section: "maps",
      focus: "n1",
    });
    expect(hitRoute(C, hit("story/bad", ["x"]))).toBeNull();
  });
});
