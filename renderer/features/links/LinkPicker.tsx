// Choosing what to link to: a story, a log entry or a map node, found by searching as in the search
// dialog (same field, filters and keyboard path).
import { useId } from "react";
import type { SearchHit } from "../../../shared/contract.ts";
import { parseRef, type LinkRef } from "../../../shared/links/ref.ts";
import { t } from "../../i18n/index.ts";
import { Modal } from "../../ui/kit.tsx";
import { SearchBox } from "../search/SearchBox.tsx";

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
  const id = useId();
  const pick = (hit: SearchHit) => {
    const ref = parseRef(hit.ref);
    if (!ref) return;
    onPick(ref, { title: hit.title });
    onClose();
  };
  return (
    <Modal labelledBy={`${id}-title`} onClose={onClose} className="link-picker search-dialog">
      <h2 id={`${id}-title`}>{title ?? t("links.picker.title")}</h2>
      <SearchBox
        label={t("links.picker.search")}
        hint={t("links.picker.hint")}
        onChoose={pick}
        exclude={exclude}
        limit={PICKER_LIMIT}
      />
      <div className="actions modal-actions">
        <button type="button" onClick={onClose}>
          {t("common.cancel")}
        </button>
      </div>
    </Modal>
  );
}
