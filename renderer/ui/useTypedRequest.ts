// A form that sends one typed value to the peer (a join code, an address, a path): nothing typed is
// said under the field; while the peer works the form is busy and sends nothing more; its refusal
// comes back to show, and its answer to say what was done.
import { useState, type FormEvent } from "react";
import type { MeithealError, Result } from "../../shared/result.ts";

export function useTypedRequest<T>({
  initial = "",
  empty,
  run,
  onStart,
}: {
  initial?: string;
  /** What to say when nothing (or only spaces) is typed. */
  empty: string;
  /** Sends the trimmed value. */
  run: (typed: string) => Promise<Result<T>>;
  /** Just before sending (a progress bar starts afresh). */
  onStart?: () => void;
}) {
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<MeithealError | null>(null);
  // Boxed: an answer may itself be null ("done, nothing to report").
  const [answer, setAnswer] = useState<{ value: T } | null>(null);

  const send = async () => {
    const typed = text.trim();
    setAnswer(null);
    setRefusal(null);
    if (!typed) return setError(empty);
    setError(null);
    onStart?.();
    setBusy(true);
    const result = await run(typed);
    setBusy(false);
    if (result.ok) setAnswer({ value: result.value });
    else setRefusal(result.error);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) void send();
  };
  return {
    text,
    setText,
    busy,
    /** Nothing was typed. */
    error,
    /** The peer said no (its words). */
    refusal,
    /** The peer's answer, until the next send or `forget`. */
    answer,
    forget: () => setAnswer(null),
    submit,
  };
}
