// The contract's calls about the list of communities on this device.
import type { Handlers } from "../../shared/contract.ts";
import { ok } from "../../shared/result.ts";
import type { PeerServices } from "./context.ts";

export const communityHandlers = (
  s: PeerServices,
): Pick<Handlers, "communities:list" | "communities:create"> => ({
  "communities:list": () => Promise.resolve(ok(s.listCommunities())),
  "communities:create": (args) => s.createCommunity(args),
});
