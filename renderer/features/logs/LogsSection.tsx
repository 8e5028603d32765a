// The "Practice logs" section: the community's logs, or one log (opened at an entry when the route
// names one: links and search results point at entries).
import type { Repo } from "@automerge/automerge-repo";
import type { CommunityIndex } from "../../../shared/schema/community.ts";
import type { DocView } from "../../repo.ts";
import { LogPage } from "./LogPage.tsx";
import { LogsList } from "./LogsList.tsx";

export type IndexView = Extract<DocView<CommunityIndex>, { status: "ok" }>;

export function LogsSection({
  repo,
  index,
  communityId,
  logId,
  focus,
}: {
  repo: Repo;
  index: IndexView;
  communityId: string;
  logId: string | null;
  /** An entry's id: the log opens with that entry open and in view. */
  focus: string | null;
}) {
  return logId ? (
    <LogPage
      key={logId}
      repo={repo}
      index={index}
      communityId={communityId}
      logId={logId}
      focus={focus}
    />
  ) : (
    <LogsList repo={repo} index={index} communityId={communityId} />
  );
}
