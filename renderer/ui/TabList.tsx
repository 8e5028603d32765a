// A row of tabs (ARIA tabs pattern): one tab in the tab order, arrow keys move between them and
// wrap round, and each says which panel it controls. The panel is the page's own.
import type { KeyboardEvent, ReactNode } from "react";

export function TabList<T extends string>({
  tabs,
  current,
  onChange,
  label,
  tabId,
  panelId,
  className = "tabs",
  children,
}: {
  tabs: readonly T[];
  current: T;
  onChange: (tab: T) => void;
  /** The accessible name of the row. */
  label: string;
  tabId: (tab: T) => string;
  /** The element a tab controls (its panel's id). */
  panelId: (tab: T) => string;
  className?: string;
  /** What a tab says. */
  children: (tab: T) => ReactNode;
}) {
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (step === 0) return;
    e.preventDefault();
    const next = tabs[(tabs.indexOf(current) + step + tabs.length) % tabs.length] ?? current;
    onChange(next);
    document.getElementById(tabId(next))?.focus();
  };
  return (
    <div role="tablist" aria-label={label} className={className}>
      {tabs.map((tab) => (
        <button
          key={tab}
          type="button"
          role="tab"
          id={tabId(tab)}
          aria-selected={current === tab}
          aria-controls={panelId(tab)}
          tabIndex={current === tab ? 0 : -1}
          onClick={() => onChange(tab)}
          onKeyDown={onKeyDown}
        >
          {children(tab)}
        </button>
      ))}
    </div>
  );
}
