// The contract's import of Markdown files, folders and zips as stories (import/run.ts).
import type { Handlers } from "../../shared/contract.ts";
import type { OpenCommunity } from "../communities.ts";
import { previewImport, runImport, type ImportDeps } from "../import/run.ts";
import { withCommunity, type PeerServices } from "./context.ts";

const depsOf = (s: PeerServices, community: OpenCommunity): ImportDeps => ({
  community,
  ctx: s.ctx,
  progress: (p) => s.progress(p),
});

export const importHandlers = (
  s: PeerServices,
): Pick<Handlers, "import:preview" | "import:run"> => ({
  "import:preview": withCommunity(s, (community, { paths }) =>
    previewImport(depsOf(s, community), paths),
  ),
  "import:run": withCommunity(s, (community, { paths, sources }) =>
    runImport(depsOf(s, community), paths, sources),
  ),
});
