// Reading documents that hold many items (a log's entries, a map's nodes and edges) leniently: the
// header must be right or the document is damaged, but one malformed item (a buggy peer) is left
// out and named, and the rest stays usable. Validation of an item is remembered by the item's
// object: Automerge keeps unchanged sub-objects identical across changes, so a document of 5,000
// entries re-validates only the entry that changed.
import type { z } from "zod";
import { defineKind, describeIssues, type DocKind, type Migration } from "./kind.ts";

type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

// Inside `change` Automerge hands out one proxy per object for the whole change, and writes go
// through it: remembering a proxy would answer for what it held before the write. The symbol is
// Automerge's own (`Symbol.for`, so no import from its internals).
const IS_PROXY = Symbol.for("_am_isProxy");
const cacheable = (value: unknown): value is object =>
  typeof value === "object" &&
  value !== null &&
  (value as Record<symbol, unknown>)[IS_PROXY] !== true;

export function itemReader<T>(validator: z.ZodType<T>) {
  const cache = new WeakMap<object, Checked<T>>();
  const check = (value: unknown): Checked<T> => {
    if (cacheable(value)) {
      const hit = cache.get(value);
      if (hit) return hit;
    }
    const parsed = validator.safeParse(value);
    const result: Checked<T> = parsed.success
      ? { ok: true, value: parsed.data }
      : { ok: false, problem: describeIssues(parsed.error.issues).join("; ") };
    if (cacheable(value)) cache.set(value, result);
    return result;
  };
  /** The items that read, and a problem per item that did not. */
  return (record: Record<string, unknown>, what: string, problems: string[]) => {
    const out: Record<string, T> = {};
    for (const [id, value] of Object.entries(record)) {
      const checked = check(value);
      if (checked.ok) out[id] = checked.value;
      else problems.push(`${what} ${id}: ${checked.problem}`);
    }
    return out;
  };
}

/**
 * A kind whose header is validated whole (a bad header: the document is damaged) and whose items
 * are then read by `items`, which leaves out and names what does not read.
 */
export function kindWithItems<T, H>(options: {
  schema: string;
  version: number;
  header: z.ZodType<H>;
  migrations?: readonly Migration[];
  items: (header: H, problems: string[]) => T;
}): DocKind<T> {
  const base = defineKind<H>({
    schema: options.schema,
    version: options.version,
    validator: options.header,
    migrations: options.migrations ?? [],
  });
  return {
    schema: base.schema,
    version: base.version,
    migrate: (doc) => base.migrate(doc),
    read(raw) {
      const first = base.read(raw);
      if (first.state !== "ok") return first;
      const problems: string[] = [];
      const doc = options.items(first.doc, problems);
      return { state: "ok", doc, problems };
    },
  };
}
