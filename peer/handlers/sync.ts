// The contract's calls about LAN sync (sync/service.ts), its members, and offline bundles.
import type { Handlers } from "../../shared/contract.ts";
import { readingSource, writingTarget } from "../files/fileArgs.ts";
import { BUNDLE_EXTENSION } from "../sync/bundle/format.ts";
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
  // Bundles need no running sync: they are how devices sync without a network. The file is a path
  // on this device, an upload or a download (files/fileArgs.ts).
  "sync:writeBundle": withCommunity(s, (community, { target }) =>
    writingTarget(
      s.transfers,
      target,
      { extension: BUNDLE_EXTENSION.slice(1), fallbackName: "community" },
      (path) => exportBundle(community, s.dataDir, path),
    ),
  ),
  // The bundle names its community itself (bundleFiles.ts reads it from the file); an upload read
  // is merged, and removed.
  "sync:readBundle": ({ source }) =>
    readingSource(
      s.transfers,
      source,
      (path) => importBundle((id) => s.community(id), s.dataDir, path),
      { useUp: true },
    ),
  "members:list": withSync(s, (sync) =>
    withCommunity(s, (community) => Promise.resolve(sync.members(community))),
  ),
  "members:remove": withSync(s, (sync) =>
    withCommunity(s, (community, { deviceKey }) =>
      Promise.resolve(sync.removeMember(community, deviceKey)),
    ),
  ),
});
