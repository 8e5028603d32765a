// The contract's harvest report of a retreat's days (harvest/write.ts): a path on this device or a
// download (files/fileArgs.ts).
import type { Handlers } from "../../shared/contract.ts";
import { writingTarget } from "../files/fileArgs.ts";
import { writeHarvest } from "../harvest/write.ts";
import { withCommunity, type PeerServices } from "./context.ts";

export const harvestHandlers = (s: PeerServices): Pick<Handlers, "harvest:write"> => ({
  "harvest:write": withCommunity(s, (community, { target, ...args }) =>
    writingTarget(
      s.transfers,
      target,
      // An unknown format is refused by writeHarvest, and the place made for it removed.
      { extension: args.format === "pdf" ? "pdf" : "html", fallbackName: "harvest" },
      (path) =>
        writeHarvest(
          { community, printPdf: s.printPdf, progress: (p) => s.progress(p) },
          { ...args, path },
        ),
    ),
  ),
});
