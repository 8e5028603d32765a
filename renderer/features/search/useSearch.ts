// Searching as the person types: debounced, the newest answer only (an older, slower one never
// replaces it), and again when the community's search index changes (a peer's edit arrived, or
// the first indexing moved on), so results and progress stay live while the dialog is open.
import { useEffect, useState } from "react";
import type { ItemType, SearchResult } from "../../../shared/contract.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { usePeer } from "../../peerContext.ts";

export type SearchState =
  | { status: "idle" }
  /** `previous` is kept on screen meanwhile, so results do not flicker while typing. */
  | { status: "searching"; previous: SearchResult | null }
  | { status: "done"; result: SearchResult }
  | { status: "error"; message: string };

export type SearchFilters = { types?: readonly ItemType[]; theme?: string | null; limit?: number };

export const SEARCH_DELAY_MS = 100;

export function useSearch(
  text: string,
  filters: SearchFilters = {},
  delay = SEARCH_DELAY_MS,
): SearchState {
  const { connection } = usePeer();
  const communityId = useCommunityId();
  const [version, setVersion] = useState(0);
  const [answer, setAnswer] = useState<{
    key: string;
    result: SearchResult | null;
    error: string | null;
  } | null>(null);
  const query = text.trim();
  const types = filters.types ? [...filters.types].sort().join(",") : "";
  const theme = filters.theme ?? "";
  const limit = filters.limit ?? 0;
  // What is asked, and of which state of the index: an answer to anything else is out of date.
  const key =
    query === "" ? "" : JSON.stringify([communityId, query, types, theme, limit, version]);

  useEffect(
    () =>
      connection.rpc.on("search:changed", (data) => {
        if (data.communityId === communityId) setVersion((v) => v + 1);
      }),
    [connection, communityId],
  );

  useEffect(() => {
    if (key === "") return;
    let stale = false;
    const timer = setTimeout(() => {
      void connection.rpc
        .call("search:query", {
          communityId,
          text: query,
          ...(types ? { types: types.split(",") as ItemType[] } : {}),
          ...(theme ? { theme } : {}),
          ...(limit ? { limit } : {}),
        })
        .then((result) => {
          if (stale) return;
          setAnswer(
            result.ok
              ? { key, result: result.value, error: null }
              : { key, result: null, error: result.error.message },
          );
        });
    }, delay);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [connection, communityId, key, query, types, theme, limit, delay]);

  if (key === "") return { status: "idle" };
  if (answer?.key === key)
    return answer.error !== null
      ? { status: "error", message: answer.error }
      : { status: "done", result: answer.result ?? EMPTY };
  return { status: "searching", previous: answer?.result ?? null };
}

const EMPTY: SearchResult = { hits: [], total: 0, indexing: null };

/** The result to show in any state (the last one while a newer search runs). */
export const shownResult = (state: SearchState): SearchResult | null =>
  state.status === "done" ? state.result : state.status === "searching" ? state.previous : null;
