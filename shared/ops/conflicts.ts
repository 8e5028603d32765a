// Concurrent sets of one field (two people retitling a story at the same moment) are kept by
// Automerge as conflicting values: one is shown as the value, the others are only hidden. This
// reads them out, with who proposed each, so the UI can show them and let anyone pick one.
import { getConflicts, type Doc } from "@automerge/automerge";

export type ProposedValue = {
  value: string;
  /** The device that wrote it, when the story's actor map knows it. */
  deviceKey: string | null;
  name: string | null;
  /** Whether this is the value Automerge shows (the deterministic winner). */
  shown: boolean;
};

type WithActors = {
  actors?: Record<string, string>;
  contributors?: Record<string, { name: string }>;
};

/** The values proposed concurrently for `field`, or [] when there is no conflict. */
export function fieldConflicts<T extends WithActors>(
  doc: Doc<T>,
  field: string & keyof T,
): ProposedValue[] {
  const conflicts = getConflicts(doc, field);
  if (!conflicts || Object.keys(conflicts).length < 2) return [];
  const shown = String(doc[field]);
  const seen = new Set<string>();
  const out: ProposedValue[] = [];
  for (const [opId, raw] of Object.entries(conflicts)) {
    const value = typeof raw === "string" ? raw : JSON.stringify(raw);
    // Two people proposing the same words is agreement, not a conflict.
    if (seen.has(value)) continue;
    seen.add(value);
    const actor = opId.slice(opId.indexOf("@") + 1);
    const deviceKey = doc.actors?.[actor] ?? null;
    const name = deviceKey ? (doc.contributors?.[deviceKey]?.name ?? null) : null;
    out.push({ value, deviceKey, name, shown: value === shown });
  }
  return out.length < 2
    ? []
    : out.sort((a, b) => Number(b.shown) - Number(a.shown) || (a.value < b.value ? -1 : 1));
}
