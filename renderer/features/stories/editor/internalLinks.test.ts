// @vitest-environment jsdom
// Internal links in the story editor: inserted through the link command, opened inside Meitheal
// (Ctrl/⌘+click, Alt+Enter, or a click when read-only), never followed by the browser.
import { EditorState, TextSelection } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { afterEach, describe, expect, it, vi } from "vitest";
import { refHref, type LinkRef } from "../../../../shared/links/ref.ts";
import { storySchema } from "../../../../shared/richtext/schema.ts";
import { linkRange, setLink } from "./commands.ts";
import { internalLinkAt, internalLinksPlugin } from "./internalLinks.ts";

const DOC = "ULfvzSdMs2gjWUQwaS5tqGCkV24";
const target: LinkRef = { type: "story", docId: DOC };
const s = storySchema;

let views: EditorView[] = [];
afterEach(() => {
  views.forEach((v) => v.destroy());
  views = [];
  document.body.innerHTML = "";
});

function editor(text: string, onOpen: (ref: LinkRef) => void, editable = true): EditorView {
  const place = document.createElement("div");
  document.body.append(place);
  const state = EditorState.create({
    schema: s,
    doc: s.node("doc", null, [s.node("paragraph", null, text ? [s.text(text)] : [])]),
    plugins: [internalLinksPlugin(onOpen)],
  });
  const view = new EditorView(place, { state, editable: () => editable });
  views.push(view);
  return view;
}

function linkTo(view: EditorView, title: string) {
  setLink(refHref(target), title)(view.state, view.dispatch, view);
}

const click = (el: Element, init: MouseEventInit = {}) => {
  const event = new MouseEvent("click", { bubbles: true, cancelable: true, ...init });
  el.dispatchEvent(event);
  return event;
};

describe("internal links in the editor", () => {
  it("insert the target's title as the link's text where nothing is selected", () => {
    const view = editor("See ", () => undefined);
    view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, 5)));
    linkTo(view, "Seed swap");
    expect(view.state.doc.textContent).toBe("See Seed swap");
    const anchor = view.dom.querySelector("a")!;
    expect(anchor.getAttribute("href")).toBe(`meitheal:story/${DOC}`);
    expect(anchor.textContent).toBe("Seed swap");
  });

  it("link the selected words, keeping them", () => {
    const view = editor("our garden day", () => undefined);
    view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, 5, 11)));
    linkTo(view, "Ignored title");
    expect(view.state.doc.textContent).toBe("our garden day");
    expect(view.dom.querySelector("a")!.textContent).toBe("garden");
  });

  it("open on Ctrl/⌘+click, and are never followed by the browser", () => {
    const onOpen = vi.fn();
    const view = editor("", onOpen);
    linkTo(view, "Seed swap");
    const anchor = view.dom.querySelector("a")!;
    const plain = click(anchor);
    expect(plain.defaultPrevented).toBe(true);
    expect(onOpen).not.toHaveBeenCalled();
    expect(click(anchor, { ctrlKey: true }).defaultPrevented).toBe(true);
    click(anchor, { metaKey: true });
    expect(onOpen).toHaveBeenCalledTimes(2);
    expect(onOpen).toHaveBeenCalledWith(target);
  });

  it("open on a plain click when the text is read-only", () => {
    const onOpen = vi.fn();
    const view = editor("", onOpen);
    linkTo(view, "Seed swap");
    view.setProps({ editable: () => false });
    click(view.dom.querySelector("a")!);
    expect(onOpen).toHaveBeenCalledWith(target);
  });

  it("leave web links to the browser", () => {
    const onOpen = vi.fn();
    const view = editor("", onOpen);
    setLink("https://example.org", "web")(view.state, view.dispatch, view);
    // What the editor did, seen last; then jsdom is kept from trying to navigate.
    let preventedByEditor: boolean | null = null;
    const stop = (e: Event) => {
      preventedByEditor = e.defaultPrevented;
      e.preventDefault();
    };
    window.addEventListener("click", stop);
    click(view.dom.querySelector("a")!, { ctrlKey: true });
    window.removeEventListener("click", stop);
    expect(preventedByEditor).toBe(false);
    expect(onOpen).not.toHaveBeenCalled();
  });

  it("open with Alt+Enter when the caret is in one, and are found under the caret", () => {
    const onOpen = vi.fn();
    const view = editor("", onOpen);
    linkTo(view, "Seed swap");
    view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, 3)));
    expect(internalLinkAt(view)).toEqual({ from: 1, to: 10, ref: target });
    expect(linkRange(view.state)?.href).toBe(refHref(target));
    view.dom.dispatchEvent(
      new KeyboardEvent("keydown", { key: "Enter", altKey: true, bubbles: true, cancelable: true }),
    );
    expect(onOpen).toHaveBeenCalledWith(target);
  });
});
