// Choosing what to link to: a story, a log entry or a map node, found by searching as in the search
// dialog (same field, filters and keyboard path).
import type { SearchHit } from "../../../shared/contract.ts";
import { parseRef, type LinkRef } from "../../../shared/links/ref.ts";
import { t } from "../../i18n/index.ts";
import { SearchDialog } from "../search/SearchBox.tsx";

const PICKER_LIMIT = 30;

export type LinkPickerProps = {
  /** Called with what was picked (and its title now); the picker then closes itself (onClose). */
  onPick: (ref: LinkRef, picked: { title: string }) => void;
  onClose: () => void;
  /** A link string not to offer: the item the link is being added to. */
  exclude?: string;
  /** The dialog's title; "Link to…" by default. */
  title?: string;
};

export function LinkPicker({ onPick, onClose, exclude, title }: LinkPickerProps) {
  const pick = (hit: SearchHit) => {
    const ref = parseRef(hit.ref);
    if (!ref) return;
    onPick(ref, { title: hit.title });
    onClose();
  };
  return (
    <SearchDialog
      title={title ?? t("links.picker.title")}
      className="link-picker search-dialog"
      label={t("links.picker.search")}
      hint={t("links.picker.hint")}
      onChoose={pick}
      exclude={exclude}
      limit={PICKER_LIMIT}
      closeLabel={t("common.cancel")}
      onClose={onClose}
    />
  );
}
