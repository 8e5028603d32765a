// The community's members (devices not removed), for naming who took part in an entry. Asked of the
// peer once per open log and again when its roster changes ("sync:changed").
import { useMemo } from "react";
import type { MemberInfo } from "../../../shared/contract.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { usePeerQuery, type PeerQuery } from "../../usePeerQuery.ts";

export function useMembers(): PeerQuery<MemberInfo[]> {
  const communityId = useCommunityId();
  const query = usePeerQuery("members:list", { communityId }, { refreshOn: ["sync:changed"] });
  return useMemo(
    () =>
      query.state === "ok"
        ? {
            ...query,
            value: query.value
              .filter((m) => !m.removed)
              .sort((a, b) => a.name.localeCompare(b.name)),
          }
        : query,
    [query],
  );
}
