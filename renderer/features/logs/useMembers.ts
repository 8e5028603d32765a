// The community's members (devices not removed), for naming who took part in an entry. Asked of the
// peer once per open log and again when its roster changes ("sync:changed").
import { useEffect, useState } from "react";
import type { MemberInfo } from "../../../shared/contract.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { usePeer } from "../../peerContext.ts";

export type MembersLoad =
  { kind: "loading" } | { kind: "ok"; members: MemberInfo[] } | { kind: "failed"; message: string };

export function useMembers(): MembersLoad {
  const { connection } = usePeer();
  const communityId = useCommunityId();
  const [load, setLoad] = useState<MembersLoad>({ kind: "loading" });
  useEffect(() => {
    let live = true;
    const reload = () =>
      void connection.rpc.call("members:list", { communityId }).then((result) => {
        if (!live) return;
        setLoad(
          result.ok
            ? {
                kind: "ok",
                members: result.value
                  .filter((m) => !m.removed)
                  .sort((a, b) => a.name.localeCompare(b.name)),
              }
            : { kind: "failed", message: result.error.message },
        );
      });
    reload();
    const off = connection.rpc.on("sync:changed", (e) => {
      if (e.communityId === communityId) reload();
    });
    return () => {
      live = false;
      off();
    };
  }, [connection, communityId]);
  return load;
}
