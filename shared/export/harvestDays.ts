// The calendar days of a harvest: checking a range, the day a time falls on in a zone, and a day
// written out in the report's language.
import { DAY } from "../schema/log.ts";
import { ErrorCode, err, ok, type Result } from "../result.ts";

/** The longest range a report covers: a year of days. */
export const MAX_HARVEST_DAYS = 366;

const DAY_MS = 86_400_000;
const dayNumber = (day: string): number => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/** A day that is on the calendar: not 2025-02-30, which Date.parse quietly takes for 2 March. */
const realDay = (day: string): boolean => {
  const n = dayNumber(day);
  return Number.isFinite(n) && new Date(n * DAY_MS).toISOString().slice(0, 10) === day;
};

/** Checks a range of calendar days; the message says what to fix. */
export function checkRange(from: unknown, to: unknown): Result<{ from: string; to: string }> {
  for (const [name, day] of [
    ["start", from],
    ["end", to],
  ] as const) {
    if (typeof day !== "string" || !DAY.test(day) || !realDay(day))
      return err(
        ErrorCode.BadInput,
        `The ${name} day "${String(day).slice(0, 20)}" is not a day written as YYYY-MM-DD (e.g. 2025-06-01).`,
      );
  }
  const a = from as string;
  const b = to as string;
  if (a > b)
    return err(ErrorCode.BadInput, `The range starts (${a}) after it ends (${b}). Swap them.`);
  if (dayNumber(b) - dayNumber(a) + 1 > MAX_HARVEST_DAYS)
    return err(
      ErrorCode.BadInput,
      `A harvest covers at most ${MAX_HARVEST_DAYS} days; ${a} to ${b} is longer. Choose a shorter range.`,
    );
  return ok({ from: a, to: b });
}

/** The calendar day (`YYYY-MM-DD`) of a time in a zone (undefined: this device's). */
export function dayIn(timeZone: string | undefined): (ms: number) => string {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  return (ms) => {
    const parts = format.formatToParts(new Date(ms));
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "00";
    return `${part("year")}-${part("month")}-${part("day")}`;
  };
}

/** Writes a `YYYY-MM-DD` day out in full in a language; in English when the language is unknown. */
export function dayWriter(locale: string): (day: string) => string {
  let longDay: Intl.DateTimeFormat;
  try {
    longDay = new Intl.DateTimeFormat(locale, {
      weekday: "long",
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    });
  } catch {
    longDay = new Intl.DateTimeFormat("en", { dateStyle: "full", timeZone: "UTC" });
  }
  return (day) => longDay.format(new Date(dayNumber(day) * DAY_MS));
}
