// Internal links (`meitheal:story/…`) in a story open their target inside Meitheal, never in the
// browser (which knows no such scheme). In the editable text a plain click places the caret, as in
// every word processor, and the link's card offers to open it; Ctrl/⌘+click or Alt+Enter opens it
// directly. In read-only text a click opens it.
//
// This file is part of the editor's DOM-free setup (setup.ts, also built by Node tests), so events
// are read through the few fields it needs rather than the DOM's types.
import { Plugin, type EditorState } from "prosemirror-state";
import { hrefRef, type LinkRef } from "../../../../shared/links/ref.ts";
import { linkRange } from "./commands.ts";

type Modifiers = { altKey: boolean; ctrlKey: boolean; metaKey: boolean };
type ClickLike = Modifiers & { target: unknown; preventDefault(): void };
type KeyLike = Modifiers & { key: string };
type Closest = { closest(selector: string): { getAttribute(name: string): string | null } | null };

const hasClosest = (value: unknown): value is Closest =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { closest?: unknown }).closest === "function";

/** The internal link under the caret, with its range, or null. */
export function internalLinkAt(view: { state: EditorState }): {
  from: number;
  to: number;
  ref: LinkRef;
} | null {
  const range = linkRange(view.state);
  const ref = range ? hrefRef(range.href) : null;
  return range && ref ? { from: range.from, to: range.to, ref } : null;
}

export function internalLinksPlugin(onOpen: ((ref: LinkRef) => void) | undefined): Plugin {
  return new Plugin({
    props: {
      handleDOMEvents: {
        click(view, event) {
          const e = event as unknown as ClickLike;
          const anchor = hasClosest(e.target) ? e.target.closest("a[href]") : null;
          const ref = anchor ? hrefRef(anchor.getAttribute("href")) : null;
          if (!ref) return false;
          // The browser must never try to follow the scheme, whatever happens next.
          e.preventDefault();
          if (onOpen && (!view.editable || e.ctrlKey || e.metaKey)) {
            onOpen(ref);
            return true;
          }
          return false;
        },
      },
      handleKeyDown(view, event) {
        const e = event as unknown as KeyLike;
        if (e.key !== "Enter" || !e.altKey || e.ctrlKey || e.metaKey) return false;
        const link = internalLinkAt(view);
        if (!link || !onOpen) return false;
        onOpen(link.ref);
        return true;
      },
    },
  });
}
