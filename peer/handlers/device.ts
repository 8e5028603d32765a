// The contract's calls about this device: who it is (peer:info) and its person's profile.
import type { Handlers } from "../../shared/contract.ts";
import { ok } from "../../shared/result.ts";
import type { PeerServices } from "./context.ts";

export const deviceHandlers = (
  s: PeerServices,
): Pick<Handlers, "peer:info" | "profile:get" | "profile:set"> => ({
  "peer:info": () =>
    Promise.resolve(
      ok({ deviceKey: s.deviceKey, dataDir: s.dataDir, appVersion: s.appVersion, mode: s.mode }),
    ),
  "profile:get": () => Promise.resolve(ok(s.profile)),
  "profile:set": (args) => s.saveProfile(args),
});
