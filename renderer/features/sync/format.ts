// What the Sync screen says, as pure functions of the contract's values: no DOM, no React, so the
// wording is tested in Node. Locale-dependent parts take a locale (undefined: the system's).
import type { SyncGap, SyncPeer, SyncStatus } from "../../../shared/contract.ts";
import { t } from "../../i18n/index.ts";

/** The first 8 hex characters of a device key: enough to tell devices apart by eye. */
export const shortKey = (key: string): string => key.slice(0, 8);

/** A device as people call it: its roster name, else "Unknown device 3f9a1c2b". */
export const deviceName = (name: string | null | undefined, key: string): string =>
  name?.trim() ? name : t("sync.unknownDevice", { key: shortKey(key) });

const BYTE_UNITS = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"] as const;

/** "512 bytes", "2.1 MB": decimal units (as file managers show them), in the locale's words. */
export function formatBytes(bytes: number, locale?: string): string {
  const value = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
  let unit = 0;
  let scaled = value;
  while (scaled >= 1000 && unit < BYTE_UNITS.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  // Rounding 999.96 kB to one decimal gives "1,000 kB": step up instead.
  if (unit > 0 && unit < BYTE_UNITS.length - 1 && Math.round(scaled * 10) / 10 >= 1000) {
    scaled /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(locale, {
    style: "unit",
    unit: BYTE_UNITS[unit],
    // "0 bytes", not "0 byte"; the larger units read best short ("2.1 MB").
    unitDisplay: unit === 0 ? "long" : "short",
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(scaled);
}

/** Time left as "9:41" (or "1:02:03"), rounded up so it reaches 0:00 only when time is up. */
export function formatCountdown(msLeft: number): string {
  const total = Number.isFinite(msLeft) && msLeft > 0 ? Math.ceil(msLeft / 1000) : 0;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}`
    : `${minutes}:${seconds}`;
}

/** Milliseconds until an ISO time (negative once past; 0 when the time cannot be read). */
export function msUntil(iso: string, now: number): number {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? 0 : at - now;
}

const sameDay = (a: Date, b: Date) =>
  a.getFullYear() === b.getFullYear() &&
  a.getMonth() === b.getMonth() &&
  a.getDate() === b.getDate();

/** "10:42" today, "3 Mar, 10:42" another day; "" when the time cannot be read. */
export function formatClock(iso: string, now: number, locale?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  const options: Intl.DateTimeFormatOptions = sameDay(at, new Date(now))
    ? { hour: "numeric", minute: "2-digit" }
    : { day: "numeric", month: "short", hour: "numeric", minute: "2-digit" };
  return new Intl.DateTimeFormat(locale, options).format(at);
}

/** "3 March 2026": when a member was added or removed. */
export function formatDate(iso: string, locale?: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime())
    ? ""
    : new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(at);
}

/** "Aoife, Brian and 3f9a1c2b": the devices a gap is about, by name where the peer list has one. */
export function peerNames(keys: readonly string[], peers: readonly SyncPeer[], locale?: string) {
  const names = keys.map((key) =>
    deviceName(peers.find((p) => p.deviceKey === key)?.name ?? null, key),
  );
  return new Intl.ListFormat(locale, { type: "conjunction" }).format(names);
}

/** One line of "What is still missing": what the document is and why it is not settled yet. */
export function describeGap(
  gap: SyncGap,
  peers: readonly SyncPeer[],
  locale?: string,
): { title: string; reason: string } {
  const title = gap.title?.trim()
    ? gap.title
    : t("sync.gaps.untitled", { id: gap.documentId.slice(0, 8) });
  const who = gap.peers.length > 0 ? peerNames(gap.peers, peers, locale) : null;
  const reason =
    gap.reason === "fetching"
      ? who
        ? t("sync.gaps.fetching", { peers: who })
        : t("sync.gaps.fetchingNoPeer")
      : who
        ? t("sync.gaps.differs", { peers: who })
        : t("sync.gaps.differsNoPeer");
  return { title, reason };
}

export type StatusView = {
  state: SyncStatus["state"];
  /** Short label in the badge (text, so colour is never the only signal). */
  badge: string;
  /** The one clear sentence. */
  headline: string;
  detail: string;
  /** What a screen reader hears when the state changes (not every progress step). */
  announcement: string;
  /** For the progress bar while syncing: documents here of the total. */
  progress: { value: number; max: number } | null;
};

/** The devices linked now, by name: "Brian and Máire". */
const linkedNames = (status: SyncStatus, locale?: string) =>
  peerNames(
    status.peers.map((p) => p.deviceKey),
    status.peers,
    locale,
  );

/** "10 minutes ago", "2 hours ago": how long since an ISO time, in the locale's words. */
export function formatAgo(iso: string, now: number, locale?: string): string {
  const at = Date.parse(iso);
  const seconds = Number.isNaN(at) ? 0 : Math.max(0, Math.round((now - at) / 1000));
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  if (seconds < 60) return t("sync.ago.moment");
  if (seconds < 3600) return format.format(-Math.floor(seconds / 60), "minute");
  return format.format(-Math.floor(seconds / 3600), "hour");
}

/**
 * One sentence per member device linked a short while ago and not reachable now: "Aoife's laptop,
 * linked 10 minutes ago, is not reachable: it may hold changes you don't have."
 */
export function describeMissing(status: SyncStatus, now: number, locale?: string): string[] {
  return status.missing.map((device) =>
    t("sync.missing.device", {
      name: deviceName(device.name, device.deviceKey),
      ago: formatAgo(device.lastLinked, now, locale),
    }),
  );
}

export function describeStatus(status: SyncStatus, locale?: string): StatusView {
  const { here, total } = status.documents;
  switch (status.state) {
    case "in-sync":
      return {
        state: status.state,
        badge: t("sync.badge.in-sync"),
        headline: t("sync.state.in-sync"),
        detail: t("sync.state.in-sync.detail", { devices: linkedNames(status, locale) }),
        announcement: t("sync.state.in-sync"),
        progress: null,
      };
    case "partial":
      return {
        state: status.state,
        badge: t("sync.badge.partial"),
        headline: t("sync.state.partial"),
        detail: t("sync.state.partial.detail", { devices: linkedNames(status, locale) }),
        announcement: t("sync.state.partial"),
        progress: null,
      };
    case "syncing":
      return {
        state: status.state,
        badge: t("sync.badge.syncing"),
        headline: t("sync.state.syncing", { here, total }),
        detail: t("sync.state.syncing.detail"),
        announcement: t("sync.announce.syncing"),
        progress: { value: Math.min(Math.max(here, 0), Math.max(total, 0)), max: total },
      };
    case "alone": {
      const alone = status.missing.length > 0 ? "sync.state.alone.left" : "sync.state.alone";
      return {
        state: status.state,
        badge: t("sync.badge.alone"),
        headline: t(alone),
        detail: t(
          status.missing.length > 0 ? "sync.state.alone.missing" : "sync.state.alone.detail",
        ),
        announcement: t(alone),
        progress: null,
      };
    }
  }
}

/** The key for a count: the ".one" variant for exactly one, as en.ts does elsewhere. */
export const countKey = <K extends string>(count: number, many: K, one: `${K}.one`) =>
  count === 1 ? one : many;
