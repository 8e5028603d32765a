// The contract's harvest report of a retreat's days (harvest/write.ts).
import type { Handlers } from "../../shared/contract.ts";
import { writeHarvest } from "../harvest/write.ts";
import { withCommunity, type PeerServices } from "./context.ts";

export const harvestHandlers = (s: PeerServices): Pick<Handlers, "harvest:write"> => ({
  "harvest:write": withCommunity(s, (community, args) =>
    writeHarvest({ community, printPdf: s.printPdf, progress: (p) => s.progress(p) }, args),
  ),
});
