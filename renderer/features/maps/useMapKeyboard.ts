// The map's single-key shortcuts (listed in ShortcutHelp): which key means what, and where a key
// press counts. Keys typed as text (a text field, a text area, editable content, a dialog) and the
// outline's own keys are left alone; a select, a button or a checkbox with the focus does not stop
// a shortcut, and a key pressed while nothing has focus still reaches the map. What each shortcut does is the page's.
import { useEffect, useRef } from "react";

/** What the page's key handler reads of a key press, from React or straight from the document. */
export type KeyLike = Pick<
  globalThis.KeyboardEvent,
  "key" | "ctrlKey" | "metaKey" | "altKey" | "target" | "defaultPrevented" | "preventDefault"
>;

/** Each returns false when it does not apply now (the key is then left to the browser). */
export type MapShortcuts = {
  /** Ctrl/⌘+Z: bring back the node just deleted. */
  undo: () => boolean;
  /** N */
  add: () => void;
  /** C */
  connect: () => boolean;
  /** E or F2: into the selected node's text. */
  edit: () => boolean;
  /** Delete */
  remove: () => boolean;
  /** F */
  fit: () => void;
  /** ? */
  toggleHelp: () => void;
  /** Escape: close the help, or let go of the selected node. */
  escape: () => boolean;
};

/** Inputs that take no typed text: a key pressed in them is the map's. */
const NOT_TEXT = new Set([
  "checkbox",
  "radio",
  "button",
  "submit",
  "reset",
  "range",
  "color",
  "file",
]);

/** Where a typed key is text: a text field or text area, editable content, or a dialog. */
const isTyping = (el: EventTarget | null) =>
  el instanceof HTMLElement &&
  (el.isContentEditable ||
    el.closest("textarea, dialog") !== null ||
    (el instanceof HTMLInputElement && !NOT_TEXT.has(el.type)));

/**
 * In a select the shortcuts' keys are the map's too (a select must not swallow N), but its own
 * keys stay its own: arrows, Home/End, Space and Enter (none is a shortcut), Escape (closes its
 * list), and E (F2 with it), which picks "exploring" by its first letter. Letters that are no
 * shortcut still pick an option by its first letter; C, N and F no longer do.
 */
const SELECT_KEEPS = new Set(["e", "F2", "Escape"]);
const inSelect = (el: EventTarget | null) => el instanceof HTMLSelectElement;

/** Which shortcut a key press is, if any (the outline keeps E, F2 and Delete for its items). */
function shortcut(e: KeyLike, keys: MapShortcuts): boolean {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "z") return keys.undo();
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  const inTree = e.target instanceof HTMLElement && e.target.closest('[role="tree"]') !== null;
  switch (e.key.length === 1 ? e.key.toLowerCase() : e.key) {
    case "n":
      keys.add();
      return true;
    case "c":
      return keys.connect();
    case "e":
    case "F2":
      return !inTree && keys.edit();
    case "Delete":
      return !inTree && keys.remove();
    case "f":
      keys.fit();
      return true;
    case "?":
      keys.toggleHelp();
      return true;
    case "Escape":
      return keys.escape();
    default:
      return false;
  }
}

/**
 * The handler for the page's onKeyDown. It also hears keys pressed while nothing has focus (the
 * focused node was deleted by someone else, or the page was clicked on an empty spot).
 */
export function useMapKeyboard(keys: MapShortcuts): (e: KeyLike) => void {
  const onKeyDown = (e: KeyLike) => {
    if (e.defaultPrevented || isTyping(e.target)) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (inSelect(e.target) && SELECT_KEEPS.has(key)) return;
    if (shortcut(e, keys)) e.preventDefault();
  };
  const latest = useRef(onKeyDown);
  useEffect(() => {
    latest.current = onKeyDown;
  });
  useEffect(() => {
    const onDocumentKey = (e: globalThis.KeyboardEvent) => {
      if (e.target === document.body) latest.current(e);
    };
    document.addEventListener("keydown", onDocumentKey);
    return () => document.removeEventListener("keydown", onDocumentKey);
  }, []);
  return onKeyDown;
}
