// The map's keyboard shortcuts, listed in a panel the Help button (or "?") opens and closes.
import { t } from "../../i18n/index.ts";

const SHORTCUTS = [
  ["N", "maps.help.add"],
  ["Tab", "maps.help.tab"],
  ["← ↑ → ↓", "maps.help.move"],
  ["C", "maps.help.connect"],
  ["E / F2", "maps.help.edit"],
  ["Delete", "maps.help.delete"],
  ["Ctrl+Z", "maps.help.undo"],
  ["Escape", "maps.help.escape"],
  ["F", "maps.help.fit"],
  ["?", "maps.help.help"],
] as const;

export function ShortcutHelp({ id }: { id: string }) {
  return (
    <section id={id} className="map-help" aria-label={t("maps.help.title")}>
      <dl>
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys}>
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{t(what)}</dd>
          </div>
        ))}
      </dl>
      <p className="meta">{t("maps.help.outline")}</p>
    </section>
  );
}
