// The contract's import of Markdown files, folders and zips as stories (import/run.ts). Each file is
// a path on this device or an upload (files/fileArgs.ts); an upload is named by the name it had on
// the person's computer, and is removed once its stories are imported.
import type { Handlers } from "../../shared/contract.ts";
import type { OpenCommunity } from "../communities.ts";
import { readingSources, type SourceFile } from "../files/fileArgs.ts";
import type { ImportInput } from "../import/files.ts";
import { previewImport, runImport, type ImportDeps } from "../import/run.ts";
import { withCommunity, type PeerServices } from "./context.ts";

const depsOf = (s: PeerServices, community: OpenCommunity): ImportDeps => ({
  community,
  dataDir: s.dataDir,
  ctx: s.ctx,
  progress: (p) => s.progress(p),
});

const inputs = (files: SourceFile[]): ImportInput[] =>
  files.map((f) => (f.upload === null ? f.path : { path: f.path, name: f.label }));

export const importHandlers = (
  s: PeerServices,
): Pick<Handlers, "import:preview" | "import:run"> => ({
  "import:preview": withCommunity(s, (community, { files }) =>
    readingSources(s.transfers, files, (read) => previewImport(depsOf(s, community), inputs(read))),
  ),
  "import:run": withCommunity(s, (community, { files, sources }) =>
    readingSources(
      s.transfers,
      files,
      (read) => runImport(depsOf(s, community), inputs(read), sources),
      { useUp: true },
    ),
  ),
});
