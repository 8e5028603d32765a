// A small line drawing in the text's colour, for a button beside (or instead of) its words. Drawn,
// not an emoji: Linux machines often have no emoji font.
import type { ReactNode } from "react";

export function Icon({
  children,
  strokeWidth = 1.8,
  roundJoins = false,
  hidden = false,
}: {
  /** Paths in a 16 × 16 box. */
  children: ReactNode;
  strokeWidth?: number;
  roundJoins?: boolean;
  /** Hidden from screen readers (the words next to it say it all). */
  hidden?: boolean;
}) {
  return (
    <svg
      {...(hidden ? { "aria-hidden": true } : {})}
      width="16"
      height="16"
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth={strokeWidth}
      strokeLinecap="round"
      {...(roundJoins ? { strokeLinejoin: "round" as const } : {})}
    >
      {children}
    </svg>
  );
}
