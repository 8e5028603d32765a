// A link from a story, a log entry or a map node to any other of them. A link is a reference, never
// a copy: the target's title is looked up when the link is shown, so renaming never breaks it.
// In a story a link is an ordinary link mark whose href is `meitheal:<ref>`; in entries and nodes
// it is kept in their `links` set, keyed by the same string, so adding one twice is a no-op.
import { isDocumentId } from "../ids.ts";

export type LinkRef =
  | { readonly type: "story"; readonly docId: string }
  | { readonly type: "entry"; readonly docId: string; readonly itemId: string }
  | { readonly type: "node"; readonly docId: string; readonly itemId: string };
export type LinkType = LinkRef["type"];

/** Ids of things inside a document (entries, nodes): short, no separators, nothing to escape. */
const ITEM_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const isItemId = (value: unknown): value is string =>
  typeof value === "string" && ITEM_ID.test(value);

/** The string form: `story/<doc>`, `entry/<log>/<entry>`, `node/<map>/<node>`. */
export function formatRef(ref: LinkRef): string {
  return ref.type === "story" ? `story/${ref.docId}` : `${ref.type}/${ref.docId}/${ref.itemId}`;
}

/** Reads a string form back; anything else (a buggy peer, a hand-typed href) is null. */
export function parseRef(text: unknown): LinkRef | null {
  if (typeof text !== "string" || text.length > 200) return null;
  const parts = text.split("/");
  const [type, docId, itemId] = parts;
  if (!isDocumentId(docId)) return null;
  if (type === "story" && parts.length === 2) return { type, docId };
  if ((type === "entry" || type === "node") && parts.length === 3 && isItemId(itemId))
    return { type, docId, itemId };
  return null;
}

export const LINK_SCHEME = "meitheal:";

/** The href a story's link mark carries for an internal link. */
export const refHref = (ref: LinkRef): string => `${LINK_SCHEME}${formatRef(ref)}`;

/** The internal link an href names, or null for an ordinary web link. */
export const hrefRef = (href: unknown): LinkRef | null =>
  typeof href === "string" && href.startsWith(LINK_SCHEME)
    ? parseRef(href.slice(LINK_SCHEME.length))
    : null;

export const sameRef = (a: LinkRef, b: LinkRef): boolean => formatRef(a) === formatRef(b);
