// What every document kind has: a schema tag, a version, a runtime validator and migrations.
// A peer can write anything into a CRDT, so nothing read from a document is trusted until it passes
// `read`. `read` never mutates; `migrate` runs inside `handle.change` and is deterministic and
// idempotent (it is driven by the stored version, so a second run, or a run on another peer, finds
// nothing left to do).
import type { z } from "zod";

/** A document as read: usable, damaged (shown as such, never used), or written by a newer app. */
export type ReadResult<T> =
  | { readonly state: "ok"; readonly doc: T; readonly problems: readonly string[] }
  | { readonly state: "needs-migration"; readonly from: number }
  | { readonly state: "damaged"; readonly problems: readonly string[] }
  | { readonly state: "newer"; readonly version: number };

/** A migration step: `up` changes a document of version `from` into version `from + 1`. */
export type Migration = {
  readonly from: number;
  readonly describe: string;
  readonly up: (doc: Record<string, unknown>) => void;
};

export type DocKind<T> = {
  readonly schema: string;
  readonly version: number;
  read(raw: unknown): ReadResult<T>;
  /** Brings an older document up to `version`; call inside `handle.change`. Returns the steps run. */
  migrate(doc: Record<string, unknown>): string[];
};

const MAX_PROBLEMS = 8;

export const describeIssues = (issues: readonly z.core.$ZodIssue[]): string[] =>
  issues.slice(0, MAX_PROBLEMS).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "document";
    return `${where}: ${issue.message}`;
  });

// A peer can put anything in the tag: never let printing it throw (a bigint) or flood the message.
const describeValue = (value: unknown): string => {
  if (value === undefined) return "none";
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = typeof value;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

export function defineKind<T>(options: {
  schema: string;
  version: number;
  validator: z.ZodType<T>;
  migrations: readonly Migration[];
}): DocKind<T> {
  const { schema, version, validator, migrations } = options;
  for (let v = 1; v < version; v++) {
    if (!migrations.some((m) => m.from === v))
      throw new Error(`${schema}: no migration from version ${v}`);
  }
  return {
    schema,
    version,
    read(raw) {
      if (typeof raw !== "object" || raw === null)
        return { state: "damaged", problems: ["document: not an object"] };
      const tagged = raw as { schema?: unknown; version?: unknown };
      if (tagged.schema !== schema) {
        return {
          state: "damaged",
          problems: [
            `document: expected schema "${schema}", found ${describeValue(tagged.schema)}`,
          ],
        };
      }
      if (
        typeof tagged.version !== "number" ||
        !Number.isInteger(tagged.version) ||
        tagged.version < 1
      ) {
        return { state: "damaged", problems: ["version: not a positive whole number"] };
      }
      if (tagged.version > version) return { state: "newer", version: tagged.version };
      if (tagged.version < version) return { state: "needs-migration", from: tagged.version };
      const parsed = validator.safeParse(raw);
      if (!parsed.success)
        return { state: "damaged", problems: describeIssues(parsed.error.issues) };
      return { state: "ok", doc: parsed.data, problems: [] };
    },
    migrate(doc) {
      const ran: string[] = [];
      let current = doc.version;
      while (typeof current === "number" && current < version) {
        const step = migrations.find((m) => m.from === current);
        if (!step) break;
        step.up(doc);
        doc.version = current + 1;
        ran.push(step.describe);
        current = doc.version;
      }
      return ran;
    },
  };
}
