// Searching as the person types: debounced, the newest answer only (an older, slower one never
// replaces it), and again when the community's search index changes (a peer's edit arrived, or
// the first indexing moved on), so results and progress stay live while the dialog is open.
import { useEffect, useState } from "react";
import type { ArgsOf, ItemType, SearchResult } from "../../../shared/contract.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { usePeerQuery } from "../../usePeerQuery.ts";

export type SearchState =
  | { status: "idle" }
  /** `previous` is kept on screen meanwhile, so results do not flicker while typing. */
  | { status: "searching"; previous: SearchResult | null }
  | { status: "done"; result: SearchResult }
  | { status: "error"; message: string };

export type SearchFilters = { types?: readonly ItemType[]; theme?: string | null; limit?: number };

export const SEARCH_DELAY_MS = 100;

/** `value`, once it has stayed the same for `delay` ms. */
function useSettled<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

export function useSearch(
  text: string,
  filters: SearchFilters = {},
  delay = SEARCH_DELAY_MS,
): SearchState {
  const communityId = useCommunityId();
  const query = text.trim();
  const types = filters.types ? [...filters.types].sort() : [];
  const theme = filters.theme ?? "";
  const limit = filters.limit ?? 0;
  const args: ArgsOf<"search:query"> | null =
    query === ""
      ? null
      : {
          communityId,
          text: query,
          ...(types.length > 0 ? { types } : {}),
          ...(theme ? { theme } : {}),
          ...(limit ? { limit } : {}),
        };
  // What is wanted now, and what is asked: the same once typing has paused.
  const wanted = args === null ? null : JSON.stringify(args);
  const asked = useSettled(wanted, delay);
  const answer = usePeerQuery(
    "search:query",
    asked === null ? null : (JSON.parse(asked) as ArgsOf<"search:query">),
    { refreshOn: ["search:changed"] },
  );

  if (wanted === null) return { status: "idle" };
  if (asked === wanted && answer.state === "ok") return { status: "done", result: answer.value };
  if (asked === wanted && answer.state === "failed")
    return { status: "error", message: answer.error.message };
  const previous =
    answer.state === "ok"
      ? answer.value
      : answer.state === "loading"
        ? answer.previous
        : answer.state === "failed"
          ? answer.last
          : null;
  return { status: "searching", previous };
}

/** The result to show in any state (the last one while a newer search runs). */
export const shownResult = (state: SearchState): SearchResult | null =>
  state.status === "done" ? state.result : state.status === "searching" ? state.previous : null;
