// The "Practice logs" section: the community's logs, or one log (opened at an entry when the route
// names one: links and search results point at entries).
import { LogPage } from "./LogPage.tsx";
import { LogsList } from "./LogsList.tsx";

export function LogsSection({
  logId,
  focus,
}: {
  logId: string | null;
  /** An entry's id: the log opens with that entry open and in view. */
  focus: string | null;
}) {
  return logId ? <LogPage key={logId} logId={logId} focus={focus} /> : <LogsList />;
}
