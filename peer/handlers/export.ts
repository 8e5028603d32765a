// The contract's export of a collection to a file (export/collection.ts).
import type { Handlers } from "../../shared/contract.ts";
import { exportCollection } from "../export/collection.ts";
import { withCommunity, type PeerServices } from "./context.ts";

export const exportHandlers = (s: PeerServices): Pick<Handlers, "export:collection"> => ({
  "export:collection": withCommunity(s, (community, { communityId: _named, ...args }) =>
    exportCollection(community, args, {
      printPdf: s.printPdf,
      progress: (done, total) =>
        s.progress({ communityId: community.id, task: "export", done, total }),
    }),
  ),
});
