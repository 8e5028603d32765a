// @vitest-environment jsdom
// The story editor as a person meets it: built over a real automerge-repo handle, driven through
// its toolbar, keymap and clipboard, read through its accessibility attributes.
import * as A from "@automerge/automerge";
import { Repo, type DocHandle } from "@automerge/automerge-repo";
import { createElement } from "react";
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { Plugin, TextSelection } from "prosemirror-state";
import type { EditorView } from "prosemirror-view";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { initStory } from "../../../../shared/ops/story.ts";
import { applyTemplate, TEMPLATES } from "../../../../shared/richtext/templates.ts";
import type { Story } from "../../../../shared/schema/story.ts";
import { en, type MessageKey } from "../../../i18n/en.ts";
import { StoryEditor, type EditorApi, type StoryEditorProps } from "./StoryEditor.tsx";

// jsdom has no ClipboardEvent; ProseMirror's pasteHTML/pasteText make one to hand to plugins.
(globalThis as { ClipboardEvent?: unknown }).ClipboardEvent ??= class extends Event {
  clipboardData = null;
};

// React's act() wants to know it runs in a test.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const ctx = { now: () => 1_700_000_000_000, newId: () => "id" };

let repo: Repo;
let container: HTMLDivElement;
let root: Root;

beforeEach(() => {
  repo = new Repo({ network: [] });
  container = document.createElement("div");
  document.body.append(container);
  root = createRoot(container);
});

afterEach(async () => {
  act(() => root.unmount());
  container.remove();
  await repo.shutdown();
  vi.useRealTimers();
});

function newStory(): DocHandle<Story> {
  const handle = repo.create<Story>();
  handle.change((d) => {
    initStory(d, { communityId: "c", title: "T" }, ctx);
    applyTemplate(d, "new-narrative");
  });
  return handle;
}

async function render(props: Partial<StoryEditorProps> & { handle: DocHandle<Story> }) {
  let api: EditorApi | null = null;
  await act(async () => {
    root.render(
      createElement(StoryEditor, {
        ...props,
        onReady: (a) => {
          api = a;
          props.onReady?.(a);
        },
      }),
    );
    await Promise.resolve();
  });
  if (!api) throw new Error("the editor did not call onReady");
  return api as EditorApi;
}

const text = () => container.querySelector<HTMLElement>("[role=textbox]")!;
const tool = (label: string) =>
  container.querySelector<HTMLButtonElement>(`[role=toolbar] button[aria-label="${label}"]`)!;
const body = (handle: DocHandle<Story>) =>
  A.spans(handle.doc(), ["body"])
    .map((s) => (s.type === "text" ? s.value : "|"))
    .join("");

function select(view: EditorView, from: number, to = from) {
  act(() =>
    view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, from, to))),
  );
}

function key(
  view: EditorView,
  key: string,
  mods: { mod?: boolean; shift?: boolean; alt?: boolean } = {},
) {
  const event = new KeyboardEvent("keydown", {
    key,
    ctrlKey: mods.mod ?? false,
    shiftKey: mods.shift ?? false,
    altKey: mods.alt ?? false,
    keyCode: key.length === 1 ? key.toUpperCase().charCodeAt(0) : 0,
    bubbles: true,
    cancelable: true,
  });
  act(() => void view.dom.dispatchEvent(event));
}

describe("story templates", () => {
  it("have their names and descriptions in the catalogue", () => {
    for (const template of Object.values(TEMPLATES)) {
      expect(en[template.nameKey as MessageKey]).toBeTruthy();
      expect(en[template.descriptionKey as MessageKey]).toBeTruthy();
      // The catalogue's English is the template's own, or a heading written by one would not match.
      for (const section of template.sections) {
        const key = `editor.template.${section.key}`;
        expect(en[`${key}.heading` as MessageKey]).toBe(section.heading);
        expect(en[`${key}.prompt` as MessageKey]).toBe(section.prompt);
      }
    }
  });
});

describe("StoryEditor", () => {
  it("is a labelled, multi-line text box with a toolbar of one tab stop", async () => {
    await render({ handle: newStory(), label: "Story: T" });
    expect(text().getAttribute("aria-label")).toBe("Story: T");
    expect(text().getAttribute("aria-multiline")).toBe("true");
    expect(text().getAttribute("contenteditable")).toBe("true");
    const buttons = [...container.querySelectorAll<HTMLButtonElement>("[role=toolbar] button")];
    expect(buttons.map((b) => b.getAttribute("aria-label"))).toEqual([
      en["editor.paragraph"],
      "H1 Heading 1",
      "H2 Heading 2",
      "H3 Heading 3",
      en["editor.bold"],
      en["editor.italic"],
      en["editor.code"],
      en["editor.link"],
      en["editor.bulletList"],
      `1. ${en["editor.orderedList"]}`,
      en["editor.quote"],
      en["editor.rule"],
      en["editor.undo"],
      en["editor.redo"],
      en["editor.focusMode"],
    ]);
    // Label in Name (WCAG 2.5.3): a button showing text ("H1", "1.") is named starting with it, and
    // its tooltip still says what it does.
    for (const button of buttons) {
      const visible = button.textContent?.trim() ?? "";
      if (/^[\p{L}\p{N}]/u.test(visible))
        expect(button.getAttribute("aria-label")?.startsWith(visible)).toBe(true);
    }
    expect(buttons[1]!.title).toContain("Heading 1");
    expect(buttons.filter((b) => b.tabIndex === 0)).toHaveLength(1);
    act(() => buttons[0]!.focus());
    act(() => {
      buttons[0]!.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    });
    expect(document.activeElement).toBe(buttons[1]);
    expect(buttons.filter((b) => b.tabIndex === 0)).toEqual([buttons[1]]);
  });

  it("writes what is typed into the story and tells the page, but not for others' edits", async () => {
    const handle = newStory();
    const onLocalChange = vi.fn();
    const api = await render({ handle, onLocalChange });
    select(api.view, 1);
    await act(async () => {
      api.view.dispatch(api.view.state.tr.insertText("Once, "));
      await Promise.resolve();
    });
    expect(body(handle)).toContain("Once, The old story");
    expect(onLocalChange).toHaveBeenCalledTimes(1);
    await act(async () => {
      handle.change((d) => A.splice(d, ["body"], 1, 0, "Remote: "));
      await Promise.resolve();
    });
    expect(api.view.state.doc.textContent).toContain("Remote: Once, The old story");
    expect(onLocalChange).toHaveBeenCalledTimes(1);
  });

  it("shows bold as pressed, and Mod-b and the button toggle it", async () => {
    const handle = newStory();
    const api = await render({ handle });
    select(api.view, 1, 4);
    expect(tool(en["editor.bold"]).getAttribute("aria-pressed")).toBe("false");
    key(api.view, "b", { mod: true });
    expect(tool(en["editor.bold"]).getAttribute("aria-pressed")).toBe("true");
    expect(A.marks(handle.doc(), ["body"]).some((m) => m.name === "strong")).toBe(true);
    act(() => tool(en["editor.bold"]).click());
    expect(tool(en["editor.bold"]).getAttribute("aria-pressed")).toBe("false");
    expect(tool("H2 Heading 2").getAttribute("aria-pressed")).toBe("true");
  });

  it("links through its own form, and refuses a javascript: address", async () => {
    const handle = newStory();
    const api = await render({ handle });
    select(api.view, 1, 4);
    key(api.view, "k", { mod: true });
    const input = container.querySelector<HTMLInputElement>(".editor-link-form input")!;
    expect(document.activeElement).toBe(input);
    const submit = (value: string) =>
      act(() => {
        // React tracks the value property; set it the way a browser does when someone types.
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(
          input,
          value,
        );
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.form!.requestSubmit();
      });
    submit("javascript:alert(1)");
    expect(container.querySelector("[role=alert]")?.textContent).toBe(en["editor.link.invalid"]);
    expect(A.marks(handle.doc(), ["body"]).some((m) => m.name === "link")).toBe(false);
    submit("example.org");
    expect(container.querySelector(".editor-link-form")).toBeNull();
    const link = A.marks(handle.doc(), ["body"]).find((m) => m.name === "link");
    // Upstream writes a mark's attributes as they are: a link without a title carries title null.
    expect(JSON.parse(String(link?.value))).toEqual({ href: "https://example.org/", title: null });
    expect(text().querySelector("a")?.getAttribute("href")).toBe("https://example.org/");
  });

  it("pastes simple HTML keeping what the schema has and dropping the rest, never throwing", async () => {
    const handle = newStory();
    const api = await render({ handle });
    select(api.view, 1);
    act(() => {
      api.view.pasteHTML(
        '<p>Hi <b>bold</b> <i>it</i> <a href="javascript:alert(1)">bad</a> <a href="https://ok.example/">good</a>' +
          '<script>alert(1)</script><img src=x onerror="alert(1)"><span style="color:red">red</span></p>' +
          "<h5>deep</h5><table><tr><td>cell</td></tr></table><ul><li>item</li></ul>",
      );
    });
    const html = text().innerHTML;
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<em>it</em>");
    expect(html).toContain('href="https://ok.example/"');
    expect(html).toContain("<h3>deep</h3>");
    expect(api.view.state.doc.textContent).toContain("bad");
    expect(api.view.state.doc.textContent).toContain("cell");
    expect(body(handle)).toContain("item");
    act(() => {
      api.view.pasteText("line one\nline two");
    });
    expect(api.view.state.doc.textContent).toContain("line two");
  });

  it("undoes and redoes its own edits, not others'", async () => {
    const handle = newStory();
    const api = await render({ handle });
    select(api.view, 1);
    act(() => api.view.dispatch(api.view.state.tr.insertText("Mine ")));
    await act(async () => {
      handle.change((d) => A.splice(d, ["body"], body(handle).length, 0, " theirs"));
      await Promise.resolve();
    });
    key(api.view, "z", { mod: true });
    expect(body(handle)).not.toContain("Mine");
    expect(body(handle)).toContain("theirs");
    key(api.view, "z", { mod: true, shift: true });
    expect(body(handle)).toContain("Mine The old story");
  });

  it("maps its selection to Automerge indexes and back", async () => {
    const handle = newStory();
    const api = await render({ handle });
    const view = api.view;
    const whole = body(handle);
    // "The new story" is the third heading; select "new".
    const at = whole.indexOf("The new story") + 4;
    const from = api.amToPm(at)!;
    select(view, from, from + 3);
    expect(view.state.doc.textBetween(from, from + 3)).toBe("new");
    expect(api.selectionAm()).toEqual({ start: at, end: at + 3 });
  });

  it("counts words as they change, politely", async () => {
    vi.useFakeTimers();
    const handle = newStory();
    const api = await render({ handle });
    const count = container.querySelector("[id$=-words]")!;
    const initial = Number(/\d+/.exec(count.textContent ?? "")?.[0]);
    // The three headings' words: the prompts are not in the story.
    expect(initial).toBe(9);
    select(api.view, 1);
    act(() => api.view.dispatch(api.view.state.tr.insertText("Tá fáilte ")));
    expect(count.textContent).toBe(`${initial} words`);
    act(() => {
      vi.advanceTimersByTime(2000);
    });
    expect(count.textContent).toBe(`${initial + 2} words`);
    expect(text().getAttribute("aria-describedby")?.split(" ")).toContain(count.id);
  });

  it("shows an empty section's prompt as a placeholder, not as text, and tells screen readers", async () => {
    const api = await render({ handle: newStory() });
    const prompt = en["editor.template.new-narrative.old.prompt"];
    const shown = () =>
      [...text().querySelectorAll("p.story-placeholder")].map((p) =>
        p.getAttribute("data-placeholder"),
      );
    expect(shown()).toEqual([
      prompt,
      en["editor.template.new-narrative.new.prompt"],
      en["editor.template.new-narrative.serves.prompt"],
    ]);
    expect(text().textContent).not.toContain(prompt);
    const described = () =>
      (text().getAttribute("aria-describedby") ?? "")
        .split(" ")
        .map((id) => document.getElementById(id)?.textContent ?? "")
        .join(" ");
    expect(described()).not.toContain(prompt);
    // The caret into the first section's empty paragraph (after the heading "The old story").
    const first = api.view.state.doc.child(0).nodeSize + 1;
    select(api.view, first);
    expect(described()).toContain(prompt);
    act(() => api.view.dispatch(api.view.state.tr.insertText("Once")));
    expect(shown()).toHaveLength(2);
    expect(described()).not.toContain(prompt);
  });

  it("turns focus mode on and off with Mod-Shift-F and its button", async () => {
    const onFocusModeChange = vi.fn();
    const api = await render({ handle: newStory(), onFocusModeChange });
    key(api.view, "F", { mod: true, shift: true });
    expect(onFocusModeChange).toHaveBeenLastCalledWith(true);
    expect(container.querySelector(".story-editor-focus")).not.toBeNull();
    expect(tool(en["editor.focusMode"]).getAttribute("aria-pressed")).toBe("true");
    act(() => tool(en["editor.focusMode"]).click());
    expect(onFocusModeChange).toHaveBeenLastCalledWith(false);
  });

  it("takes other features' plugins, and new ones without losing its history", async () => {
    const handle = newStory();
    const tagged = (value: string) =>
      new Plugin({ props: { attributes: { "data-extra": value } } });
    const api = await render({ handle, plugins: [tagged("one")] });
    expect(text().getAttribute("data-extra")).toBe("one");
    select(api.view, 1);
    act(() => api.view.dispatch(api.view.state.tr.insertText("Mine ")));
    await act(async () => {
      root.render(createElement(StoryEditor, { handle, plugins: [tagged("two")] }));
      await Promise.resolve();
    });
    expect(text().getAttribute("data-extra")).toBe("two");
    key(api.view, "z", { mod: true });
    expect(body(handle)).not.toContain("Mine");
  });

  it("read-only: no toolbar, not editable, and nothing written", async () => {
    const handle = newStory();
    const heads = handle.heads();
    await render({ handle, readOnly: true });
    expect(container.querySelector("[role=toolbar]")).toBeNull();
    expect(text().getAttribute("contenteditable")).toBe("false");
    expect(text().getAttribute("aria-readonly")).toBe("true");
    expect(handle.heads()).toEqual(heads);
  });

  describe("keyboard", () => {
    /** Types into an empty paragraph at the end, as the browser would, so input rules run. */
    function typeAtEnd(view: EditorView, typed: string) {
      const end = view.state.doc.content.size;
      act(() => {
        const tr = view.state.tr.insert(end, view.state.schema.nodes.paragraph!.create());
        view.dispatch(tr.setSelection(TextSelection.create(tr.doc, end + 1)));
      });
      for (const ch of typed) {
        const { from, to } = view.state.selection;
        act(() => {
          const handled = view.someProp("handleTextInput", (f) =>
            f(view, from, to, ch, () => view.state.tr.insertText(ch, from, to)),
          );
          if (!handled) view.dispatch(view.state.tr.insertText(ch, from, to));
        });
      }
    }
    const last = (view: EditorView) => view.state.doc.lastChild!;

    it.each([
      ["# ", "heading", 1],
      ["## ", "heading", 2],
      ["### ", "heading", 3],
      ["> ", "blockquote", null],
      ["- ", "bullet_list", null],
      ["* ", "bullet_list", null],
      ["1. ", "ordered_list", null],
    ])("%j starts a %s", async (typed, type, level) => {
      const api = await render({ handle: newStory() });
      typeAtEnd(api.view, typed);
      expect(last(api.view).type.name).toBe(type);
      if (level !== null) expect(last(api.view).attrs.level).toBe(level);
      expect(last(api.view).textContent).toBe("");
    });

    it("Enter splits a list item, Tab indents it, Shift-Tab brings it back", async () => {
      const handle = newStory();
      const api = await render({ handle });
      typeAtEnd(api.view, "- one");
      key(api.view, "Enter");
      act(() => api.view.dispatch(api.view.state.tr.insertText("two")));
      expect(last(api.view).childCount).toBe(2);
      key(api.view, "Tab");
      expect(last(api.view).childCount).toBe(1);
      expect(last(api.view).toString()).toBe(
        'bullet_list(list_item(paragraph("one"), bullet_list(list_item(paragraph("two")))))',
      );
      expect(
        A.spans(handle.doc(), ["body"]).some(
          (x) =>
            x.type === "block" &&
            JSON.stringify(x.value.parents) === JSON.stringify(["unordered-list-item"]),
        ),
      ).toBe(true);
      key(api.view, "Tab", { shift: true });
      expect(last(api.view).childCount).toBe(2);
    });

    it("Shift-Enter breaks the line inside the paragraph", async () => {
      const handle = newStory();
      const api = await render({ handle });
      typeAtEnd(api.view, "a");
      key(api.view, "Enter", { shift: true });
      act(() => api.view.dispatch(api.view.state.tr.insertText("b")));
      expect(last(api.view).toString()).toBe('paragraph("a", hard_break, "b")');
      expect(text().querySelector("br")).not.toBeNull();
    });

    it("Mod-Alt-1 to 3 set headings and Mod-Alt-0 a paragraph", async () => {
      const api = await render({ handle: newStory() });
      typeAtEnd(api.view, "x");
      key(api.view, "1", { mod: true, alt: true });
      expect(last(api.view).type.name).toBe("heading");
      key(api.view, "3", { mod: true, alt: true });
      expect(last(api.view).attrs.level).toBe(3);
      key(api.view, "0", { mod: true, alt: true });
      expect(last(api.view).type.name).toBe("paragraph");
    });

    it("Tab outside a list leaves the editor to the browser (no keyboard trap)", async () => {
      const api = await render({ handle: newStory() });
      select(api.view, 1);
      const event = new KeyboardEvent("keydown", { key: "Tab", bubbles: true, cancelable: true });
      act(() => void api.view.dom.dispatchEvent(event));
      expect(event.defaultPrevented).toBe(false);
    });
  });
});
