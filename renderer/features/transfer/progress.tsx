// Long work in the peer (export, backup, restore, import, harvest) reports `task:progress`; these
// show it as a progress bar. A bar with no total yet is indeterminate (no aria-valuenow), so a
// screen reader never hears a made-up number.
import { useCallback, useEffect, useState } from "react";
import type { TaskProgress } from "../../../shared/contract.ts";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { percent } from "./format.ts";

/**
 * The latest progress of one kind of task (of one community, when given), while `active`; `reset`
 * forgets it before the next run.
 */
export function useTaskProgress(
  task: TaskProgress["task"],
  communityId: string | null,
  active: boolean,
): { progress: TaskProgress | null; reset: () => void } {
  const { connection } = usePeer();
  const [progress, setProgress] = useState<TaskProgress | null>(null);
  useEffect(() => {
    if (!active) return;
    return connection.rpc.on("task:progress", (event) => {
      if (event.task !== task) return;
      if (communityId !== null && event.communityId !== null && event.communityId !== communityId)
        return;
      setProgress(event);
    });
  }, [connection, task, communityId, active]);
  const reset = useCallback(() => setProgress(null), []);
  return { progress, reset };
}

export function ProgressBar({
  progress,
  label,
}: {
  progress: Pick<TaskProgress, "done" | "total"> | null;
  /** What is being done ("Exporting…"): the bar's accessible name and the line above it. */
  label: string;
}) {
  const value = percent(progress);
  return (
    <div className="task-progress">
      <p className="task-progress-label">
        {label}
        {progress && progress.total > 0 && (
          <span className="meta">
            {" "}
            {t("transfer.progress.count", { done: progress.done, total: progress.total })}
          </span>
        )}
      </p>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        {...(value === null ? {} : { "aria-valuenow": value, "aria-valuetext": `${value}%` })}
        className={`task-progress-track${value === null ? " indeterminate" : ""}`}
      >
        <div className="task-progress-fill" style={{ width: `${value ?? 100}%` }} />
      </div>
    </div>
  );
}
