// Days and months as people read them. An entry's date is a calendar day with no time zone, so it is
// read and shown in UTC: the day written is the day shown, wherever the laptop is.
import { t } from "../../i18n/index.ts";

const lang = () => document.documentElement.lang || undefined;

/** Today on this laptop's calendar, as `YYYY-MM-DD`. */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const utc = (day: string) => {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1));
};

// Making a formatter costs far more than using one (each timeline row uses three per render).
const formatters = new Map<string, Intl.DateTimeFormat>();
const formatter = (name: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat => {
  const key = `${lang() ?? ""}|${name}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat(lang(), { ...options, timeZone: "UTC" });
    formatters.set(key, made);
  }
  return made;
};

/** "Tue 14 May" (the month heading above it says the year). */
export const formatDay = (day: string): string =>
  formatter("day", { weekday: "short", day: "numeric", month: "short" }).format(utc(day));

/** "Tuesday 14 May 2025", for a screen reader and the editor. */
export const formatDayLong = (day: string): string =>
  formatter("long", { dateStyle: "full" }).format(utc(day));

/** "May 2025" for `2025-05`. */
export const formatMonth = (month: string): string =>
  formatter("month", { month: "long", year: "numeric" }).format(utc(`${month}-01`));

/** "2024 Q3" for `2024-Q3` (a volume of a log holds a quarter). */
export const formatQuarter = (quarter: string): string =>
  t("logs.quarter", { year: quarter.slice(0, 4), quarter: quarter.slice(-1) });

/** The first line with words in it, for a timeline row. */
export const firstLine = (text: string): string =>
  text
    .split("\n")
    .map((line) => line.trim())
    .find((line) => line.length > 0) ?? "";
