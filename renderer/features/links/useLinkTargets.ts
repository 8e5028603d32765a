// Titles of links, looked up when shown (a link is a reference, so a renamed target shows its new
// name) and again whenever the community's search index changes: a target renamed, deleted or
// arriving from a peer, or a new backlink written elsewhere.
import { useEffect, useRef, useState } from "react";
import type { LinkTarget } from "../../../shared/contract.ts";
import type { Result } from "../../../shared/result.ts";
import { usePeer } from "../../peerContext.ts";

export type TargetsState =
  | { status: "loading" }
  | { status: "ok"; targets: LinkTarget[] }
  | { status: "error"; message: string };

/** `key` names what is asked (the call is made again when it changes, or the index does). */
export function useLinkTargets(
  communityId: string,
  key: string,
  load: () => Promise<Result<LinkTarget[]>>,
): TargetsState {
  const { connection } = usePeer();
  const [state, setState] = useState<TargetsState>({ status: "loading" });
  const [version, setVersion] = useState(0);
  const latestLoad = useRef(load);
  useEffect(() => {
    latestLoad.current = load;
  });

  useEffect(
    () =>
      connection.rpc.on("search:changed", (data) => {
        if (data.communityId === communityId) setVersion((v) => v + 1);
      }),
    [connection, communityId],
  );

  useEffect(() => {
    let stale = false;
    void latestLoad.current().then((result) => {
      if (stale) return;
      setState(
        result.ok
          ? { status: "ok", targets: result.value }
          : { status: "error", message: result.error.message },
      );
    });
    return () => {
      stale = true;
    };
  }, [communityId, key, version]);

  return state;
}
