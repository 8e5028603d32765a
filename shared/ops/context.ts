// Operations are pure: `(doc, args, ctx) => void`, run inside `handle.change`. The clock and the id
// generator come in through `ctx`, so tests are repeatable and no operation reads global state.
export type OpContext = {
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** A new id for things inside a document (themes, comments); never for documents. */
  readonly newId: () => string;
};

export const systemContext = (): OpContext => ({
  now: () => Date.now(),
  newId: () => globalThis.crypto.randomUUID(),
});
