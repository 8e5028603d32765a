import { en, type MessageKey } from "./en.ts";

export type { MessageKey };
type Catalogue = Record<MessageKey, string>;

const catalogues: Record<string, Partial<Catalogue>> = { en };
let current: Partial<Catalogue> = en;
let locale = "en";

/** Switches language; missing strings fall back to English. */
export function setLocale(next: string): void {
  current = catalogues[next] ?? en;
  locale = catalogues[next] ? next : "en";
  document.documentElement.lang = locale;
}

export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const template = current[key] ?? en[key];
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/**
 * A key's string in every language shipped, whichever the window shows: for recognising text a
 * person's device wrote in its language (a template's section heading).
 */
export function everyTranslation(key: MessageKey): string[] {
  const all = Object.values(catalogues).map((catalogue) => catalogue[key] ?? en[key]);
  return [...new Set(all)];
}

/** The language strings are shown in (a BCP 47 tag). */
export const currentLocale = (): string => locale;

// Made once per language: making one costs far more than using it (lists call timeAgo per row).
let relativeFormat: { locale: string; format: Intl.RelativeTimeFormat } | null = null;
const relative = () => {
  if (relativeFormat?.locale !== locale)
    relativeFormat = { locale, format: new Intl.RelativeTimeFormat(locale, { numeric: "auto" }) };
  return relativeFormat.format;
};

/** "3 minutes ago", "yesterday": for list metadata. */
export function timeAgo(ms: number, now = Date.now()): string {
  const seconds = Math.round((ms - now) / 1000);
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ["year", 31536000],
    ["month", 2592000],
    ["week", 604800],
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  for (const [unit, size] of steps) {
    if (Math.abs(seconds) >= size) return relative().format(Math.round(seconds / size), unit);
  }
  return relative().format(seconds, "second");
}
