// The contract's calls about LAN sync (sync/service.ts), its members, and offline bundles.
import type { Handlers } from "../../shared/contract.ts";
import { exportBundle, importBundle } from "../sync/bundleFiles.ts";
import { withCommunity, withSync, type PeerServices } from "./context.ts";

type SyncMethods =
  | "sync:status"
  | "sync:invite"
  | "sync:join"
  | "sync:connect"
  | "sync:writeBundle"
  | "sync:readBundle"
  | "members:list"
  | "members:remove";

export const syncHandlers = (s: PeerServices): Pick<Handlers, SyncMethods> => ({
  "sync:status": withSync(s, (sync) =>
    withCommunity(s, (community) => Promise.resolve(sync.status(community))),
  ),
  "sync:invite": withSync(s, (sync) => withCommunity(s, (community) => sync.invite(community))),
  "sync:join": withSync(
    s,
    (sync) =>
      ({ code, name, at }) =>
        sync.join({ code, name, ...(at === undefined ? {} : { at }) }),
  ),
  "sync:connect": withSync(
    s,
    (sync) =>
      ({ address }) =>
        Promise.resolve(sync.connect(address)),
  ),
  // Bundles need no running sync: they are how devices sync without a network.
  "sync:writeBundle": withCommunity(s, (community, { path }) =>
    exportBundle(community, s.dataDir, path),
  ),
  // The bundle names its community itself (bundleFiles.ts reads it from the file).
  "sync:readBundle": ({ path }) => importBundle((id) => s.community(id), s.dataDir, path),
  "members:list": withSync(s, (sync) =>
    withCommunity(s, (community) => Promise.resolve(sync.members(community))),
  ),
  "members:remove": withSync(s, (sync) =>
    withCommunity(s, (community, { deviceKey }) =>
      Promise.resolve(sync.removeMember(community, deviceKey)),
    ),
  ),
});
