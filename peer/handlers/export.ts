// The contract's export of a collection to a file (export/collection.ts): a path on this device or
// a download (files/fileArgs.ts).
import type { Handlers } from "../../shared/contract.ts";
import { exportCollection, EXTENSIONS } from "../export/collection.ts";
import { writingTarget } from "../files/fileArgs.ts";
import { withCommunity, type PeerServices } from "./context.ts";

export const exportHandlers = (s: PeerServices): Pick<Handlers, "export:collection"> => ({
  "export:collection": withCommunity(s, (community, { communityId: _named, target, ...args }) =>
    writingTarget(
      s.transfers,
      target,
      {
        // An unknown format is refused by exportCollection, and the place made for it removed.
        extension: EXTENSIONS[args.format] ?? "bin",
        fallbackName: "collection",
      },
      (path) =>
        exportCollection(
          community,
          { ...args, path },
          {
            printPdf: s.printPdf,
            progress: (done, total) =>
              s.progress({ communityId: community.id, task: "export", done, total }),
          },
        ),
    ),
  ),
});
