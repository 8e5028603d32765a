// One search hit as the search dialog and the link picker show it: what kind of thing it is, its
// title, where it lives, and the passage that matched with the matched words marked.
import type { ItemType, SearchHit } from "../../../shared/contract.ts";
import { t, type MessageKey } from "../../i18n/index.ts";
import { highlightParts } from "./highlight.ts";

const TYPE_LABEL: Record<ItemType, MessageKey> = {
  story: "links.type.story",
  entry: "links.type.entry",
  node: "links.type.node",
};

export const typeLabel = (type: ItemType): string => t(TYPE_LABEL[type]);

export function Snippet({ text, terms }: { text: string; terms: readonly string[] }) {
  return (
    <>
      {highlightParts(text, terms).map((part, i) =>
        part.hit ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
      )}
    </>
  );
}

export function HitView({ hit }: { hit: SearchHit }) {
  return (
    <>
      <span className="hit-head">
        <span className={`hit-type hit-type-${hit.type}`}>{typeLabel(hit.type)}</span>
        <span className="hit-title">
          <Snippet text={hit.title || t("links.untitled")} terms={hit.terms} />
        </span>
        {hit.context && <span className="hit-context">{hit.context}</span>}
      </span>
      {/* An entry's or node's title is its first line: the same passage is not shown twice. */}
      {hit.snippet && hit.snippet.trim() !== hit.title.trim() && (
        <span className="hit-snippet">
          <Snippet text={hit.snippet} terms={hit.terms} />
        </span>
      )}
    </>
  );
}
