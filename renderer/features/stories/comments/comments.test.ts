// @vitest-environment jsdom
// The comments panel and plugin against a real ProseMirror view and a real automerge-repo handle.
// The editor here is a bare view over a one-paragraph body, where an Automerge index and a
// ProseMirror position coincide (block marker at 0 ↔ paragraph opening at 0), so the EditorApi
// stand-in can map one to one; the real editor's mapping is tested with the editor.
import { Repo, type DocHandle } from "@automerge/automerge-repo";
import { pmDocFromSpans } from "@automerge/prosemirror";
import * as Automerge from "@automerge/automerge";
import { EditorState, TextSelection } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { act, createElement, useEffect, useState } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commentAnchors } from "../../../../shared/ops/comments.ts";
import { initStory } from "../../../../shared/ops/story.ts";
import { storySchema, storySchemaAdapter } from "../../../../shared/richtext/schema.ts";
import { storyKind, type Story } from "../../../../shared/schema/story.ts";
import type { EditorApi } from "../editor/StoryEditor.tsx";
import { CommentsPanel } from "./CommentsPanel.tsx";
import { commentsPlugin, commentsPluginKey, refreshComments } from "./commentsPlugin.ts";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
/** Runs `fn` inside act, then lets React's effects and pending microtasks run. */
const settle = (fn: () => void) =>
  act(async () => {
    fn();
    await Promise.resolve();
  });
// jsdom does no layout; ProseMirror asks for rectangles when it scrolls a selection into view.
const noRects = () => Object.assign([], { item: () => null }) as unknown as DOMRectList;
const zeroRect = () => new DOMRect(0, 0, 0, 0);
for (const proto of [Element.prototype, Range.prototype]) {
  Object.assign(proto, { getClientRects: noRects, getBoundingClientRect: zeroRect });
}
Element.prototype.scrollIntoView = () => {};

const TEXT = "The river rose at dawn and we met by the bridge.";
const me = { deviceKey: "dev-aoife", name: "Aoife", colour: "#1f6f5c" };
const ctx = { now: () => 1_000, newId: () => crypto.randomUUID() };

let repo: Repo;
let handle: DocHandle<Story>;
let view: EditorView;
let host: HTMLElement;
let root: Root;

const editorApi = () => ({
  view,
  selectionAm: () => {
    const { from, to } = view.state.selection;
    return { start: from, end: to };
  },
  amToPm: (i: number) => i,
  focus: () => view.focus(),
});

const select = (word: string) => {
  const at = TEXT.indexOf(word) + 1;
  view.dispatch(
    view.state.tr.setSelection(TextSelection.create(view.state.doc, at, at + word.length)),
  );
};

/** Renders the panel the way the story page does: a new validated story on every change. */
function Harness({ editor }: { editor: EditorApi }) {
  const [story, setStory] = useState(() => readStory());
  useEffect(() => {
    const update = () => setStory(readStory());
    handle.on("change", update);
    return () => void handle.off("change", update);
  }, []);
  return createElement(CommentsPanel, { handle, story, author: me, editor });
}
const readStory = (): Story => {
  const read = storyKind.read(handle.doc());
  if (read.state !== "ok") throw new Error("story does not validate");
  return read.doc;
};

/** Which EditorApi the panel gets: the one-to-one stand-in, or the real editor's. */
let makeApi: () => EditorApi = editorApi;
const render = async () => {
  await settle(() => root.render(createElement(Harness, { editor: makeApi() })));
};

const byText = (text: string, selector = "button") =>
  [...host.querySelectorAll<HTMLElement>(selector)].find((b) => b.textContent?.trim() === text);

const typeInto = (el: HTMLTextAreaElement, value: string) => {
  // The native setter, so that React\'s value tracker sees a change and fires onChange.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!;
  setter.call(el, value);
  el.dispatchEvent(new Event("input", { bubbles: true }));
};

const click = async (el: HTMLElement | undefined) => {
  if (!el) throw new Error("nothing to click");
  await settle(() => el.click());
  await render();
};

const highlighted = () =>
  (commentsPluginKey.getState(view.state)?.decorations.find() ?? []).map((d) =>
    view.state.doc.textBetween(d.from, d.to),
  );

beforeEach(async () => {
  makeApi = editorApi;
  repo = new Repo({ network: [] });
  handle = repo.create<Story>();
  handle.change((d) => {
    initStory(d, { communityId: "c", title: "T" }, ctx);
    Automerge.splitBlock(d, ["body"], 0, { type: "paragraph", parents: [], attrs: {} });
    Automerge.splice(d, ["body"], 1, 0, TEXT);
  });
  host = document.createElement("div");
  document.body.append(host);
  const place = document.createElement("div");
  document.body.append(place);
  view = new EditorView(place, {
    state: EditorState.create({
      schema: storySchema,
      doc: pmDocFromSpans(storySchemaAdapter, Automerge.spans(handle.doc(), ["body"])),
      plugins: [commentsPlugin(() => commentAnchors(handle.doc()))],
    }),
  });
  root = createRoot(host);
  await render();
});

afterEach(async () => {
  await settle(() => root.unmount());
  view.destroy();
  document.body.innerHTML = "";
  await repo.shutdown();
});

describe("CommentsPanel", () => {
  it("offers Comment for a selection, refuses an empty comment, adds one on the passage", async () => {
    expect(byText("Comment")).toBeUndefined();
    await settle(() => select("river rose"));
    await render();
    await click(byText("Comment"));
    const form = host.querySelector("form")!;
    expect(form.querySelector("blockquote")!.textContent).toBe("river rose");
    const textarea = form.querySelector("textarea")!;
    expect(document.activeElement).toBe(textarea);
    await click(byText("Add comment"));
    expect(host.querySelector('[role="alert"]')!.textContent).toMatch(/empty/);
    expect(Object.keys(handle.doc().comments)).toHaveLength(0);
    await settle(() => typeInto(textarea, "Which river?"));
    await click(byText("Add comment"));
    const [anchor] = commentAnchors(handle.doc());
    expect(anchor!.comment).toMatchObject({
      body: "Which river?",
      quote: "river rose",
      by: "dev-aoife",
    });
    expect(host.querySelector(".comment .comment-body")!.textContent).toBe("Which river?");
    expect(host.querySelector(".comment q")!.textContent).toBe("river rose");
    // Focus goes back to the writing, and the passage is highlighted there.
    expect(document.activeElement).toBe(view.dom);
    expect(highlighted()).toEqual(["river rose"]);
  });

  it("opens the form from the editor with Mod-Alt-m", async () => {
    await settle(() => select("dawn"));
    await render();
    await settle(() => {
      view.dom.dispatchEvent(
        new KeyboardEvent("keydown", {
          key: "m",
          code: "KeyM",
          ctrlKey: true,
          altKey: true,
          bubbles: true,
        }),
      );
    });
    await render();
    expect(host.querySelector("form blockquote")?.textContent).toBe("dawn");
  });

  it("replies, resolves (the comment moves under the toggle, unhighlighted) and reopens", async () => {
    await settle(() => select("bridge"));
    await render();
    await click(byText("Comment"));
    await settle(() => typeInto(host.querySelector("textarea")!, "Which bridge?"));
    await click(byText("Add comment"));
    await click(byText("Reply"));
    await settle(() => typeInto(host.querySelector("textarea")!, "The stone one"));
    await click(byText("Send reply"));
    expect(host.querySelector(".replies")!.textContent).toContain("The stone one");
    expect(document.activeElement?.textContent).toBe("Reply");

    await click(byText("Resolve"));
    expect(host.querySelector(".comment")).toBeNull();
    // Nothing open is left, so focus lands on the panel's heading rather than on nothing.
    expect(document.activeElement?.tagName).toBe("H2");
    expect(highlighted()).toEqual([]);
    const toggle = byText("Show 1 resolved")!;
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    await click(toggle);
    expect(host.querySelector(".comment.is-resolved q")!.textContent).toBe("bridge");
    await click(byText("Reopen"));
    expect(host.querySelectorAll(".comment:not(.is-resolved)")).toHaveLength(1);
    expect(document.activeElement?.classList.contains("comment")).toBe(true);
    expect(highlighted()).toEqual(["bridge"]);
  });

  it("selects the passage in the editor from the comment, and shows a deleted passage as removed", async () => {
    await settle(() => select("rose at"));
    await render();
    await click(byText("Comment"));
    await settle(() => typeInto(host.querySelector("textarea")!, "Rose or rises?"));
    await click(byText("Add comment"));
    await settle(() => select("we"));
    await click(host.querySelector<HTMLElement>(".comment-quote")!);
    const { from, to } = view.state.selection;
    expect(view.state.doc.textBetween(from, to)).toBe("rose at");
    expect(document.activeElement).toBe(view.dom);
    // The rest of the card does the same; Enter on the focused card too.
    await settle(() => select("we"));
    await click(host.querySelector<HTMLElement>(".comment .comment-body")!);
    expect(view.state.doc.textBetween(view.state.selection.from, view.state.selection.to)).toBe(
      "rose at",
    );
    await settle(() => select("we"));
    const card = host.querySelector<HTMLElement>(".comment")!;
    card.focus();
    await settle(() => {
      card.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    });
    expect(view.state.doc.textBetween(view.state.selection.from, view.state.selection.to)).toBe(
      "rose at",
    );

    // Someone deletes the passage: the comment stays, with its quote, marked as removed.
    await settle(() =>
      handle.change((d) => Automerge.splice(d, ["body"], TEXT.indexOf("rose at") + 1, 8)),
    );
    await render();
    expect(host.querySelector(".comment-removed")!.textContent).toBe("Passage removed");
    expect(host.querySelector(".comment del")!.textContent).toContain("rose at");
    expect(host.querySelector("button.comment-quote")).toBeNull();
  });

  it("lets only the author edit or delete, and deleting asks first", async () => {
    await settle(() =>
      handle.change((d) => {
        d.comments["theirs"] = {
          start: Automerge.getCursor(d, ["body"], 5),
          end: Automerge.getCursor(d, ["body"], 9),
          quote: "river",
          body: "Not mine",
          by: "dev-bram",
          byName: "Bram",
          at: 500,
          resolved: false,
          replies: {},
        };
      }),
    );
    await render();
    expect(byText("Edit")).toBeUndefined();
    expect(byText("Delete")).toBeUndefined();
    await settle(() => select("dawn"));
    await render();
    await click(byText("Comment"));
    await settle(() => typeInto(host.querySelector("textarea")!, "Mine"));
    await click(byText("Add comment"));
    await click(byText("Delete"));
    expect(host.querySelector(".confirm")!.textContent).toMatch(/Delete this comment/);
    await click(host.querySelector<HTMLElement>(".confirm button.danger")!);
    expect(Object.values(handle.doc().comments).map((c) => c.body)).toEqual(["Not mine"]);
  });
});

describe("commentsPlugin", () => {
  it("moves highlights with local typing and recomputes them on refresh", async () => {
    await settle(() => select("river"));
    await render();
    await click(byText("Comment"));
    await settle(() => typeInto(host.querySelector("textarea")!, "x"));
    await click(byText("Add comment"));
    expect(highlighted()).toEqual(["river"]);
    // Typing before the passage: the highlight moves with it at once, before any refresh.
    await settle(() => view.dispatch(view.state.tr.insertText("wide ", 5)));
    expect(highlighted()).toEqual(["river"]);
    // Refresh reads the anchors again (the Automerge text was not edited here, so it maps back).
    await settle(() => refreshComments(view, (i) => i));
    expect(highlighted()).toEqual(["wide "]);
  });
});

describe("with the real editor (its sync plugin and EditorApi)", () => {
  it("comments on a selection in the second paragraph, highlights it, follows typing above it", async () => {
    const { createStoryEditorState } = await import("../editor/setup.ts");
    const { makeEditorApi } = await import("../editor/api.ts");
    await settle(() =>
      handle.change((d) => {
        const heading = { type: "heading", parents: [], attrs: { level: 2 } };
        Automerge.splitBlock(d, ["body"], d.body.length, heading);
        Automerge.splice(d, ["body"], d.body.length, 0, "Later");
        Automerge.splitBlock(d, ["body"], d.body.length, {
          type: "paragraph",
          parents: [],
          attrs: {},
        });
        Automerge.splice(d, ["body"], d.body.length, 0, "The tide turned at noon.");
      }),
    );
    view.destroy();
    const place = document.createElement("div");
    document.body.append(place);
    view = new EditorView(place, {
      state: createStoryEditorState({
        handle,
        plugins: [commentsPlugin(() => commentAnchors(handle.doc()))],
      }),
      dispatchTransaction(tr) {
        view.updateState(view.state.apply(tr));
      },
    });
    const api = makeEditorApi(view, handle);
    makeApi = () => api;
    await render();
    // Select "tide turned" with ProseMirror positions, as a person would.
    let from = -1;
    view.state.doc.descendants((node, pos) => {
      if (node.isText && node.text?.includes("tide turned"))
        from = pos + node.text.indexOf("tide turned");
    });
    await settle(() =>
      view.dispatch(
        view.state.tr.setSelection(TextSelection.create(view.state.doc, from, from + 11)),
      ),
    );
    await render();
    await click(byText("Comment"));
    await settle(() => typeInto(host.querySelector("textarea")!, "Which tide?"));
    await click(byText("Add comment"));
    const [anchor] = commentAnchors(handle.doc());
    expect(anchor!.comment.quote).toBe("tide turned");
    expect(highlighted()).toEqual(["tide turned"]);

    // Typing in the first paragraph goes through the editor into Automerge; the anchor follows.
    await settle(() => view.dispatch(view.state.tr.insertText("Once, ", 1)));
    expect(handle.doc().body.startsWith("\uFFFCOnce, The river")).toBe(true);
    await render();
    expect(highlighted()).toEqual(["tide turned"]);
    await settle(() => select("we"));
    await click(host.querySelector<HTMLElement>("button.comment-quote")!);
    const sel = view.state.selection;
    expect(view.state.doc.textBetween(sel.from, sel.to)).toBe("tide turned");
  });
});
