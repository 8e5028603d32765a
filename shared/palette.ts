// Member colours: each dark enough for white text and readable as text on white (WCAG AA ≥ 4.5:1).
export const MEMBER_COLOURS = [
  { value: "#1f6f5c", name: "Moss" },
  { value: "#2b5d9b", name: "Lough" },
  { value: "#8a3b7a", name: "Heather" },
  { value: "#a2461f", name: "Turf" },
  { value: "#5b5a1a", name: "Gorse" },
  { value: "#6b4aa0", name: "Bilberry" },
  { value: "#9b2f3f", name: "Haw" },
  { value: "#2f6470", name: "Slate" },
] as const;

/** A stable default colour for a device key, so two new devices rarely look alike. */
export function defaultColour(deviceKey: string): string {
  let h = 0;
  for (const ch of deviceKey) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return MEMBER_COLOURS[h % MEMBER_COLOURS.length]!.value;
}
