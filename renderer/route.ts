// Hash routes, so a reload (or the desktop window restoring) opens the same place:
//   #/new · #/join · #/profile · #/restore[/<backup path>] · #/c/<community>/<section>[/<document>[/<focus>]]
// `focus` is a place inside the document: a log entry's id, a map node's id, or (for a story) the
// words a search matched, so a result or a link opens where it points.
import { useEffect, useState } from "react";

export const SECTIONS = ["stories", "logs", "maps", "collections", "sync", "settings"] as const;
export type Section = (typeof SECTIONS)[number];

export type Route =
  | { page: "home" }
  | { page: "new" }
  | { page: "join" }
  | { page: "profile" }
  /** Restore a community from a backup file (a path given by a file association, or typed). */
  | { page: "restore"; path: string | null }
  | {
      page: "community";
      communityId: string;
      section: Section;
      docId: string | null;
      focus?: string | null;
    };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "new") return { page: "new" };
  if (parts[0] === "join") return { page: "join" };
  if (parts[0] === "profile") return { page: "profile" };
  if (parts[0] === "restore") return { page: "restore", path: parts.slice(1).join("/") || null };
  if (parts[0] === "c" && parts[1]) {
    const section = (SECTIONS as readonly string[]).includes(parts[2] ?? "")
      ? (parts[2] as Section)
      : "stories";
    return {
      page: "community",
      communityId: parts[1],
      section,
      docId: parts[3] ?? null,
      focus: parts[3] ? (parts[4] ?? null) : null,
    };
  }
  return { page: "home" };
}

export function href(route: Route): string {
  switch (route.page) {
    case "home":
      return "#/";
    case "new":
      return "#/new";
    case "join":
      return "#/join";
    case "profile":
      return "#/profile";
    case "restore":
      return route.path ? `#/restore/${encodeURIComponent(route.path)}` : "#/restore";
    case "community":
      return `#/c/${encodeURIComponent(route.communityId)}/${route.section}${route.docId ? `/${encodeURIComponent(route.docId)}${route.focus ? `/${encodeURIComponent(route.focus)}` : ""}` : ""}`;
  }
}

export const navigate = (route: Route) => {
  window.location.hash = href(route);
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
