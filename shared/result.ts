// Errors cross the renderer ↔ peer boundary as values, not exceptions: each has a stable code a
// program can branch on and a message a person can read (what happened, what to do).

export const ErrorCode = {
  BadInput: "bad-input",
  NotFound: "not-found",
  DataFolder: "data-folder",
  Storage: "storage",
  Damaged: "damaged",
  NewerVersion: "newer-version",
  Unavailable: "unavailable",
  Internal: "internal",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export type MeithealError = { readonly code: ErrorCode; readonly message: string };
export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: MeithealError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T = never>(code: ErrorCode, message: string): Result<T> => ({
  ok: false,
  error: { code, message },
});

/** Thrown inside the peer and turned into an `err` at the contract boundary. */
export class MeithealFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "MeithealFailure";
  }
}
