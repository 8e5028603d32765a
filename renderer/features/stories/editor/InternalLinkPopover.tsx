// When the caret is in an internal link, a small card under it names the target as it is now and
// opens it: a plain click in the text places the caret (as in every word processor), so this is
// the pointer's and the keyboard's way to follow the link (Tab from the text reaches it; Alt+Enter
// or Ctrl/⌘+click open it directly).
import type { EditorState } from "prosemirror-state";
import type { EditorView } from "prosemirror-view";
import { useMemo } from "react";
import { formatRef } from "../../../../shared/links/ref.ts";
import { useCommunityId } from "../../../communityContext.tsx";
import { t } from "../../../i18n/index.ts";
import { href } from "../../../route.ts";
import { refRoute } from "../../links/navigate.ts";
import { useLinkTitles } from "../../links/useLinkTitles.ts";
import { typeLabel } from "../../search/Hit.tsx";
import { internalLinkAt } from "./internalLinks.ts";

const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** Where the card goes: under the link's first character, inside the editor's box. */
function placement(view: EditorView, pos: number): { top: number; left: number } | null {
  const box = view.dom.closest(".story-editor");
  if (!box) return null;
  try {
    const at = view.coordsAtPos(pos, 1);
    const outer = box.getBoundingClientRect();
    return {
      top: at.bottom - outer.top + 4,
      left: Math.max(0, Math.min(at.left - outer.left, outer.width - 360)),
    };
  } catch {
    return null;
  }
}

export function InternalLinkPopover({
  view,
  state,
}: {
  view: EditorView;
  /** The editor's state now: the card follows the caret. */
  state: EditorState;
}) {
  const communityId = useCommunityId();
  const link = internalLinkAt({ state });
  if (!link || !state.selection.empty) return null;
  const where = placement(view, link.from);
  if (!where) return null;
  return (
    <LinkCard
      key={formatRef(link.ref)}
      refString={formatRef(link.ref)}
      route={href(refRoute(communityId, link.ref))}
      type={typeLabel(link.ref.type)}
      style={where}
    />
  );
}

function LinkCard({
  refString,
  route,
  type,
  style,
}: {
  refString: string;
  route: string;
  type: string;
  style: { top: number; left: number };
}) {
  const refs = useMemo(() => [refString], [refString]);
  const state = useLinkTitles(refs);
  const target = state.state === "ok" ? state.value[0] : undefined;
  const title =
    state.state === "loading" ? t("common.loading") : target?.title || t("links.untitled");
  return (
    <div className="link-popover" style={style} role="group" aria-label={t("links.popover")}>
      <span className="link-meta">{type}</span>
      {target?.missing ? (
        <span className="link-missing">{t("links.missing")}</span>
      ) : (
        <a href={route} aria-label={t("links.open", { title })}>
          {title}
        </a>
      )}
      <span className="hint">{t("links.openHint", { key: isMac() ? "⌘" : "Ctrl" })}</span>
    </div>
  );
}
