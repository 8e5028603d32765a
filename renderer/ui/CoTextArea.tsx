// Plain text fields whose text is shared: a peer's edit can change `value` while the person is
// typing in it. A controlled React field would put the caret at the end on every such change, so
// the field is left uncontrolled and a change from outside is written into it by hand, with the
// caret and selection carried through the change (a common prefix / suffix diff: text inserted or
// removed before the caret moves it, text after it leaves it alone). `onText` gets every local edit.
import {
  useCallback,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  type InputHTMLAttributes,
  type Ref,
  type TextareaHTMLAttributes,
} from "react";

type TextElement = HTMLTextAreaElement | HTMLInputElement;

/** Where a position in `before` lands in `after`, when one region of `before` was replaced. */
export function mapPosition(before: string, after: string, position: number): number {
  const limit = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < limit && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < limit - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  )
    suffix++;
  if (position <= prefix) return position;
  // After the changed region: shift by how much the region grew or shrank.
  if (position >= before.length - suffix) return position + after.length - before.length;
  // Inside text that was replaced: the end of what replaced it.
  return after.length - suffix;
}

function useCoText<E extends TextElement>(
  value: string,
  onText: (text: string) => void,
  outer: Ref<E> | undefined,
) {
  const element = useRef<E | null>(null);
  const composing = useRef(false);
  const latest = useRef(value);

  const sync = useCallback(() => {
    const el = element.current;
    if (!el || composing.current) return;
    const next = latest.current;
    if (el.value === next) return;
    if (el.ownerDocument.activeElement !== el) {
      el.value = next;
      return;
    }
    const before = el.value;
    const start = el.selectionStart ?? before.length;
    const end = el.selectionEnd ?? start;
    const direction = el.selectionDirection ?? "none";
    el.value = next;
    el.setSelectionRange(
      mapPosition(before, next, start),
      mapPosition(before, next, end),
      direction,
    );
  }, []);

  // Before paint, so the person never sees the caret jump and come back.
  useLayoutEffect(() => {
    latest.current = value;
    sync();
  }, [value, sync]);

  // The caller's ref (to focus the field) gets the element itself.
  useImperativeHandle(outer, () => element.current as E, []);

  return {
    ref: element,
    defaultValue: value,
    onChange: (e: { currentTarget: E }) => {
      // While an input method composes, the text is not final yet; it is sent when composing ends.
      if (!composing.current) onText(e.currentTarget.value);
    },
    onCompositionStart: () => {
      composing.current = true;
    },
    onCompositionEnd: (e: { currentTarget: E }) => {
      composing.current = false;
      onText(e.currentTarget.value);
      // A peer's change that arrived while composing was held back; write it in now.
      sync();
    },
  };
}

type Shared = { value: string; onText: (text: string) => void };

export function CoTextArea({
  value,
  onText,
  ref,
  ...rest
}: Shared &
  Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "value" | "defaultValue" | "onChange"> & {
    ref?: Ref<HTMLTextAreaElement>;
  }) {
  const co = useCoText<HTMLTextAreaElement>(value, onText, ref);
  return <textarea {...rest} {...co} />;
}

export function CoTextInput({
  value,
  onText,
  ref,
  type = "text",
  ...rest
}: Shared &
  Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "defaultValue" | "onChange"> & {
    ref?: Ref<HTMLInputElement>;
  }) {
  const co = useCoText<HTMLInputElement>(value, onText, ref);
  return <input type={type} {...rest} {...co} />;
}
