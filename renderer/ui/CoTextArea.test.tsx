// @vitest-environment jsdom
// Shared text fields: a peer's edit arriving while the person types keeps their caret and selection
// where they were; local edits reach `onText`; other props reach the element.
import { act } from "react";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { testRoot } from "../testing/dom.ts";
import { CoTextArea, CoTextInput, mapPosition } from "./CoTextArea.tsx";

const dom = testRoot();

/** Types as a browser does: the element's value changes, then an input event. */
function type(el: HTMLTextAreaElement | HTMLInputElement, text: string) {
  // React watches the element's own value setter; the prototype's one is what a browser uses.
  const proto = Object.getPrototypeOf(el) as object;
  Reflect.set(proto, "value", text, el);
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

describe("mapPosition", () => {
  it("moves a position after an insertion before it, and leaves one before it", () => {
    expect(mapPosition("hello world", "hello big world", 8)).toBe(12);
    expect(mapPosition("hello world", "hello big world", 3)).toBe(3);
    expect(mapPosition("hello world", "hello world!", 5)).toBe(5);
  });
  it("moves back after a deletion, and lands at the end of text that replaced it", () => {
    expect(mapPosition("hello big world", "hello world", 12)).toBe(8);
    expect(mapPosition("hello big world", "hello world", 8)).toBe(6);
    expect(mapPosition("abcdef", "aXYf", 3)).toBe(3);
  });
  it("keeps the words around the caret on either side of it, for any single replacement", () => {
    const text = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(text, text, text, text, fc.nat(), (a, b, removed, inserted, at) => {
        // The caret sits in `b`, which nobody touched; the change is just before `b`. Where the
        // diff is ambiguous (an insertion right at the caret) either side is right, but what
        // was before the caret in `b` stays before it and what was after stays after.
        const k = at % (b.length + 1);
        const before = a + removed + b;
        const after = a + inserted + b;
        const mapped = mapPosition(before, after, a.length + removed.length + k);
        expect(after.slice(0, mapped).endsWith(b.slice(0, k))).toBe(true);
        expect(after.slice(mapped).endsWith(b.slice(k))).toBe(true);
        expect(after.slice(mapped).length).toBeGreaterThanOrEqual(b.length - k);
      }),
    );
  });
});

describe("CoTextArea", () => {
  it("writes a peer's change into the field and keeps the person's caret where it was", () => {
    const onText = vi.fn();
    const render = (value: string) =>
      act(() => dom.root.render(<CoTextArea aria-label="Notes" value={value} onText={onText} />));
    render("We met at the hall.");
    const el = dom.host.querySelector("textarea")!;
    el.focus();
    // The caret is after "met" (position 6).
    el.setSelectionRange(6, 6);
    render("Today we met at the hall.");
    expect(el.value).toBe("Today we met at the hall.");
    expect([el.selectionStart, el.selectionEnd]).toEqual([12, 12]);
    // A change after the caret leaves it alone.
    render("Today we met at the old hall.");
    expect([el.selectionStart, el.selectionEnd]).toEqual([12, 12]);
    expect(onText).not.toHaveBeenCalled();
  });

  it("carries a selection through a change before it", () => {
    const render = (value: string) =>
      act(() => dom.root.render(<CoTextArea aria-label="Notes" value={value} onText={() => {}} />));
    render("one two three");
    const el = dom.host.querySelector("textarea")!;
    el.focus();
    el.setSelectionRange(4, 7, "backward");
    render("zero one two three");
    expect(el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0)).toBe("two");
    expect(el.selectionDirection).toBe("backward");
  });

  it("sends each local edit, and the echo of it does not move the caret", () => {
    let value = "abc";
    const onText = vi.fn((text: string) => {
      value = text;
    });
    const render = () =>
      act(() => dom.root.render(<CoTextArea aria-label="Notes" value={value} onText={onText} />));
    render();
    const el = dom.host.querySelector("textarea")!;
    el.focus();
    act(() => type(el, "abXc"));
    el.setSelectionRange(3, 3);
    expect(onText).toHaveBeenLastCalledWith("abXc");
    render();
    expect(el.value).toBe("abXc");
    expect(el.selectionStart).toBe(3);
  });

  it("replaces the text of a field that is not focused", () => {
    const render = (value: string) =>
      act(() => dom.root.render(<CoTextArea aria-label="Notes" value={value} onText={() => {}} />));
    render("first");
    render("second");
    expect(dom.host.querySelector("textarea")!.value).toBe("second");
  });

  it("holds a peer's change back while an input method composes, and writes it in after", () => {
    const onText = vi.fn();
    const render = (value: string) =>
      act(() => dom.root.render(<CoTextArea aria-label="Notes" value={value} onText={onText} />));
    render("abc");
    const el = dom.host.querySelector("textarea")!;
    el.focus();
    act(() => {
      el.dispatchEvent(new CompositionEvent("compositionstart", { bubbles: true }));
    });
    act(() => type(el, "abcé"));
    expect(onText).not.toHaveBeenCalled();
    render("Zabc");
    expect(el.value).toBe("abcé");
    act(() => {
      el.dispatchEvent(new CompositionEvent("compositionend", { bubbles: true }));
    });
    expect(onText).toHaveBeenLastCalledWith("abcé");
    expect(el.value).toBe("Zabc");
  });

  it("passes other props through to the element", () => {
    act(() =>
      dom.root.render(
        <CoTextArea
          id="what"
          aria-describedby="what-hint"
          rows={7}
          className="big"
          value="x"
          onText={() => {}}
        />,
      ),
    );
    const el = dom.host.querySelector("textarea")!;
    expect(el.id).toBe("what");
    expect(el.getAttribute("aria-describedby")).toBe("what-hint");
    expect(el.rows).toBe(7);
    expect(el.className).toBe("big");
  });
});

describe("CoTextInput", () => {
  it("is an input that keeps the caret through a peer's change and passes props", () => {
    const onText = vi.fn();
    const render = (value: string) =>
      act(() =>
        dom.root.render(<CoTextInput id="title" maxLength={200} value={value} onText={onText} />),
      );
    render("Harvest");
    const el = dom.host.querySelector("input")!;
    expect(el.type).toBe("text");
    expect(el.id).toBe("title");
    expect(el.maxLength).toBe(200);
    el.focus();
    el.setSelectionRange(7, 7);
    render("Autumn Harvest");
    expect(el.selectionStart).toBe(14);
    act(() => type(el, "Autumn Harvest!"));
    expect(onText).toHaveBeenLastCalledWith("Autumn Harvest!");
  });
});
