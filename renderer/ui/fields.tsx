// Labelled form fields, written once: a text box or a text area under its label, with its hint and
// its error tied to it for screen readers (Field), the options of a select, a choice of radio
// buttons, and the end of a settings form (Save, then "Saved").
import type {
  ChangeEvent,
  InputHTMLAttributes,
  ReactNode,
  Ref,
  TextareaHTMLAttributes,
} from "react";
import { t } from "../i18n/index.ts";
import { Field } from "./kit.tsx";

type Labelled = {
  label: string;
  hint?: string | undefined;
  /** What is wrong with the value, said under the field and announced. */
  error?: string | null;
  value: string;
  onChange: (value: string) => void;
};

type InputRest = Omit<
  InputHTMLAttributes<HTMLInputElement>,
  "id" | "value" | "onChange" | "aria-describedby" | "aria-invalid"
>;
type TextAreaRest = Omit<
  TextareaHTMLAttributes<HTMLTextAreaElement>,
  "id" | "value" | "onChange" | "aria-describedby" | "aria-invalid"
>;

/** Field's ids on a text control: its value, its label, its hint and error, whether it is wrong. */
const textControl =
  (value: string, onChange: (value: string) => void) =>
  (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ({
    id: ids.id,
    value,
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => onChange(e.target.value),
    "aria-describedby": ids.describedBy,
    "aria-invalid": ids.invalid,
  });

/** A one-line text field; anything else an input takes (placeholder, readOnly…) passes through. */
export function TextField({
  label,
  hint,
  error = null,
  value,
  onChange,
  autoComplete = "off",
  inputRef,
  ...rest
}: Labelled & InputRest & { inputRef?: Ref<HTMLInputElement> | undefined }) {
  const control = textControl(value, onChange);
  return (
    <Field label={label} hint={hint} error={error}>
      {(ids) => <input ref={inputRef} {...control(ids)} autoComplete={autoComplete} {...rest} />}
    </Field>
  );
}

/** A text field of several lines. */
export function TextAreaField({
  label,
  hint,
  error = null,
  value,
  onChange,
  ...rest
}: Labelled & TextAreaRest) {
  const control = textControl(value, onChange);
  return (
    <Field label={label} hint={hint} error={error}>
      {(ids) => <textarea {...control(ids)} {...rest} />}
    </Field>
  );
}

/** The options of a select: one per item, its value and its words. */
export function Options<T>({
  of,
  value = String,
  label,
}: {
  of: readonly T[];
  value?: (item: T) => string;
  label: (item: T) => string;
}) {
  return of.map((item) => (
    <option key={value(item)} value={value(item)}>
      {label(item)}
    </option>
  ));
}

/** One filter of a list: a select whose first option, "any", filters nothing. */
export type FilterSelect<K extends string> = {
  key: K;
  label: string;
  /** What "no filter" is called here ("Any", "Anyone"). */
  any: string;
  options: readonly { value: string; label: string }[];
};

/** A filter's options, "any" first (its value is ""). */
export function FilterOptions({ filter }: { filter: FilterSelect<string> }) {
  return (
    <>
      <option value="">{filter.any}</option>
      <Options of={filter.options} value={(o) => o.value} label={(o) => o.label} />
    </>
  );
}

/** The item of `of` a select's value names (a select only ever gives back one of its options). */
export const picked = <T,>(of: readonly T[], chosen: string, value: (item: T) => string = String) =>
  of.find((item) => value(item) === chosen) ?? of[0]!;

/** Radio buttons in a group with a legend: one choice of several, each with an optional hint. */
export function ChoiceGroup<T extends string>({
  legend,
  name,
  choices,
  value,
  onChange,
  disabled,
  autoFocusChosen = false,
  children,
}: {
  legend: string;
  name: string;
  choices: readonly { value: T; label: string; hint?: string }[];
  value: T;
  onChange: (value: T) => void;
  disabled?: boolean;
  /** The chosen one is where the dialog opens (Modal's data-autofocus). */
  autoFocusChosen?: boolean;
  /** Said after the choices (why some are left out…). */
  children?: ReactNode;
}) {
  return (
    <fieldset className="choice-group" disabled={disabled}>
      <legend>{legend}</legend>
      {choices.map((choice) => (
        <label key={choice.value} className="choice">
          <input
            type="radio"
            name={name}
            value={choice.value}
            checked={value === choice.value}
            onChange={() => onChange(choice.value)}
            {...(autoFocusChosen && value === choice.value ? { "data-autofocus": true } : {})}
          />
          {choice.hint === undefined ? (
            <span>{choice.label}</span>
          ) : (
            <span>
              <strong>{choice.label}</strong>
              <span className="hint">{choice.hint}</span>
            </span>
          )}
        </label>
      ))}
      {children}
    </fieldset>
  );
}

/** The end of a form that saves in place: its button, then "Saved" once it has. */
export function SaveActions({ saved, primary = true }: { saved: boolean; primary?: boolean }) {
  return (
    <div className="actions">
      <button type="submit" {...(primary ? { className: "primary" } : {})}>
        {t("common.save")}
      </button>
      {saved && <span role="status">{t("common.saved")}</span>}
    </div>
  );
}

/** A list of sentences (problems, warnings), one item each. */
export function Lines({ items }: { items: readonly string[] }) {
  return (
    <ul>
      {items.map((item, i) => (
        <li key={`${i}:${item}`}>{item}</li>
      ))}
    </ul>
  );
}
