// @vitest-environment jsdom
// The versions panel against a real automerge-repo handle. The read-only editor is replaced by a
// stand-in that prints the body it was given, so this test is about the panel, not the editor.
import * as Automerge from "@automerge/automerge";
import { Repo, type DocHandle } from "@automerge/automerge-repo";
import { act, createElement, useEffect, useState } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { initStory } from "../../../../shared/ops/story.ts";
import { storyKind, type Story } from "../../../../shared/schema/story.ts";
import { VersionsPanel } from "./VersionsPanel.tsx";

vi.mock("../editor/StoryEditor.tsx", () => ({
  StoryEditor: ({ handle }: { handle: DocHandle<Story> }) =>
    createElement("div", { className: "stand-in-editor" }, handle.doc().body),
}));

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
/** Runs `fn` inside act, then lets React's effects and pending microtasks run. */
const settle = (fn: () => void) =>
  act(async () => {
    fn();
    await Promise.resolve();
  });
// jsdom has <dialog> but not its modal methods.
Object.assign(HTMLDialogElement.prototype, {
  showModal(this: HTMLDialogElement) {
    this.setAttribute("open", "");
  },
  close(this: HTMLDialogElement) {
    this.removeAttribute("open");
  },
});

const me = { deviceKey: "dev-aoife", name: "Aoife", colour: "#1f6f5c" };
const ctx = { now: () => 1_000, newId: () => crypto.randomUUID() };
const BODY = ["body"];

let repo: Repo;
let handle: DocHandle<Story>;
let host: HTMLElement;
let root: Root;
let restored = 0;

const readStory = (): Story => {
  const read = storyKind.read(handle.doc());
  if (read.state !== "ok") throw new Error("story does not validate");
  return read.doc;
};

/** Renders the panel the way the story page does: a new validated story on every change. */
function Harness() {
  const [story, setStory] = useState(readStory);
  useEffect(() => {
    const update = () => setStory(readStory());
    handle.on("change", update);
    return () => void handle.off("change", update);
  }, []);
  return createElement(VersionsPanel, {
    handle,
    story,
    author: me,
    editor: null,
    onRestored: () => restored++,
  });
}

const buttons = (text: string) =>
  [...host.querySelectorAll<HTMLElement>("button")].filter((b) => b.textContent?.trim() === text);
const click = async (el: HTMLElement | undefined) => {
  if (!el) throw new Error("nothing to click");
  await settle(() => el.click());
};
const typeInto = (el: HTMLInputElement, value: string) => {
  // The native setter, so that React\'s value tracker sees a change and fires onChange.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!;
  setter.call(el, value);
  el.dispatchEvent(new Event("input", { bubbles: true }));
};
const saveNamed = async (name: string) => {
  await settle(() => typeInto(host.querySelector<HTMLInputElement>(".version-form input")!, name));
  await click(buttons("Save a version")[0]);
};
const edit = (fn: (d: Story) => void) => settle(() => handle.change(fn));

beforeEach(async () => {
  restored = 0;
  repo = new Repo({ network: [] });
  handle = repo.create<Story>();
  handle.change((d) => {
    initStory(d, { communityId: "c", title: "Low tide" }, ctx);
    Automerge.splitBlock(d, BODY, 0, { type: "paragraph", parents: [], attrs: {} });
    Automerge.splice(d, BODY, 1, 0, "The river rose at dawn.");
  });
  host = document.createElement("div");
  document.body.append(host);
  root = createRoot(host);
  await settle(() => root.render(createElement(Harness)));
});

afterEach(async () => {
  await settle(() => root.unmount());
  document.body.innerHTML = "";
  await repo.shutdown();
});

describe("VersionsPanel", () => {
  it("refuses an empty name, saves a named version of the story as it was, lists it", async () => {
    const input = host.querySelector<HTMLInputElement>(".version-form input")!;
    expect(input.placeholder).toBe("Day 2 evening");
    const headsBefore = Automerge.getHeads(handle.doc());
    await saveNamed("   ");
    expect(host.querySelector('[role="alert"]')!.textContent).toMatch(/empty/);
    expect(handle.doc().versions).toEqual({});
    await saveNamed("Day 2 evening");
    const [version] = Object.values(handle.doc().versions);
    expect(version).toMatchObject({ name: "Day 2 evening", by: "dev-aoife", byName: "Aoife" });
    expect([...version!.heads]).toEqual(headsBefore);
    expect(input.value).toBe("");
    expect(host.querySelector(".version-name")!.textContent).toBe("Day 2 evening");
    expect(host.querySelector('[role="status"]')!.textContent).toMatch(/Saved the version/);
  });

  it("views a version read-only and shows the changes since, labelled for screen readers", async () => {
    await saveNamed("Morning");
    await edit((d) => {
      Automerge.splice(d, BODY, d.body.indexOf("river"), 0, "wide ");
      Automerge.splice(d, BODY, d.body.indexOf("dawn"), 4, "noon");
    });
    await click(buttons("View")[0]);
    const dialog = host.querySelector("dialog")!;
    expect(dialog.open).toBe(true);
    expect(dialog.querySelector("h2")!.textContent).toBe("Version “Morning”");
    expect(dialog.querySelector(".stand-in-editor")!.textContent).toBe(
      "\uFFFCThe river rose at dawn.",
    );
    const toggle = buttons("Changes since this version")[0]!;
    expect(toggle.getAttribute("aria-pressed")).toBe("false");
    await click(toggle);
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    const ins = [...dialog.querySelectorAll("ins")].map((e) => e.textContent);
    const del = [...dialog.querySelectorAll("del")].map((e) => e.textContent);
    expect(ins).toEqual(["added: wide ", "added: noon"]);
    expect(del).toEqual(["removed: dawn"]);
    expect(dialog.querySelector("ins .visually-hidden")!.textContent).toBe("added: ");
    // The comparison follows the story while it is open.
    await edit((d) => Automerge.splice(d, BODY, d.body.indexOf("rose "), 5));
    expect([...dialog.querySelectorAll("del")].map((e) => e.textContent)).toEqual([
      "removed: rose ",
      "removed: dawn",
    ]);
    await click(buttons("Close")[0]);
    expect(host.querySelector("dialog")).toBeNull();
  });

  it("restores after a confirmation that says nothing is lost, keeping the current story as a version", async () => {
    await saveNamed("Morning");
    await edit((d) => {
      d.title = "High tide";
      Automerge.splice(d, BODY, d.body.indexOf("dawn"), 4, "noon");
    });
    const current = handle.doc().body;
    await click(buttons("Restore")[0]);
    const dialog = host.querySelector("dialog")!;
    expect(dialog.textContent).toMatch(/adds a new change/);
    expect(dialog.textContent).toMatch(/nothing is lost/);
    await click(buttons("Cancel")[0]);
    expect(handle.doc().title).toBe("High tide");
    expect(restored).toBe(0);

    await click(buttons("Restore")[0]);
    await click(buttons("Restore this version")[0]);
    expect(handle.doc().title).toBe("Low tide");
    expect(handle.doc().body).toBe("\uFFFCThe river rose at dawn.");
    expect(restored).toBe(1);
    expect(host.querySelector("dialog")).toBeNull();
    // The story as it was before the restore is a version now, newest first.
    const names = [...host.querySelectorAll(".version-name")].map((e) => e.textContent);
    expect(names).toEqual(["Before restoring “Morning”", "Morning"]);
    await click(buttons("View")[0]);
    expect(host.querySelector(".stand-in-editor")!.textContent).toBe(current);
  });
});
