// Search anywhere in a community: a button in the side navigation and a shortcut (Mod+Shift+K, or
// "/" outside a text field; Mod+K is the editor's link and Mod+Shift+F its focus mode). A result
// opens where it matched: a story with the matched words selected, an entry or a node in view.
import { useEffect, useMemo, useState } from "react";
import type { SearchHit } from "../../../shared/contract.ts";
import { parseRef } from "../../../shared/links/ref.ts";
import { sortedThemes } from "../../../shared/ops/community.ts";
import { useCommunity } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { Icon } from "../../ui/Icon.tsx";
import { navigate, type Route } from "../../route.ts";
import { refRoute } from "../links/navigate.ts";
import { SearchDialog } from "./SearchBox.tsx";

const DIALOG_LIMIT = 30;

const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** Where focus is typing text: "/" belongs to the text there. */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement)
    return !["button", "checkbox", "radio", "submit", "reset", "range", "color", "file"].includes(
      target.type,
    );
  return false;
}

/** True for the keys that open search: Mod+Shift+K anywhere, "/" where it types nothing. */
export function isSearchShortcut(e: KeyboardEvent, mac = isMac()): boolean {
  if (e.defaultPrevented || e.isComposing) return false;
  const mod = mac ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey;
  if (mod && e.shiftKey && !e.altKey && e.key.toLowerCase() === "k") return true;
  return e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey && !typingIn(e.target);
}

/** Where a hit opens: for a story, the matched words go along so the story selects them. */
export function hitRoute(communityId: string, hit: SearchHit): Route | null {
  const ref = parseRef(hit.ref);
  if (!ref) return null;
  const route = refRoute(communityId, ref);
  if (ref.type === "story" && route.page === "community" && hit.terms.length > 0)
    return { ...route, focus: hit.terms.join(" ") };
  return route;
}

export function SearchLauncher() {
  const [open, setOpen] = useState(false);
  const keys = isMac() ? "⌘⇧K" : "Ctrl+Shift+K";

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Another dialog open (a version, an invite): search waits until it is closed.
      if (open || document.querySelector("dialog[open]") || !isSearchShortcut(e)) return;
      e.preventDefault();
      setOpen(true);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);

  return (
    <>
      <button
        type="button"
        className="search-launch"
        aria-keyshortcuts={isMac() ? "Meta+Shift+K /" : "Control+Shift+K /"}
        title={t("search.shortcut", { keys })}
        onClick={() => setOpen(true)}
      >
        <Icon hidden>
          <circle cx="7" cy="7" r="4.5" />
          <path d="M10.5 10.5L14 14" />
        </Icon>
        <span>{t("search.button")}</span>
        <kbd aria-hidden="true">{keys}</kbd>
      </button>
      {open && <CommunitySearch onClose={() => setOpen(false)} />}
    </>
  );
}

function CommunitySearch({ onClose }: { onClose: () => void }) {
  const { id: communityId, index } = useCommunity();
  const themes = useMemo(() => sortedThemes(index.doc), [index.doc]);
  const open = (hit: SearchHit) => {
    const route = hitRoute(communityId, hit);
    if (!route) return;
    // Closed first, so focus goes back before the new page takes it to what was found.
    onClose();
    navigate(route);
  };
  return (
    <SearchDialog
      title={t("search.title")}
      className="search-dialog"
      label={t("search.field")}
      hint={t("search.hint")}
      onChoose={open}
      themes={themes}
      limit={DIALOG_LIMIT}
      closeLabel={t("common.close")}
      onClose={onClose}
    />
  );
}
