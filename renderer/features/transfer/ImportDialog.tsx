// Stories from Markdown: files chosen (the system dialog, or in a browser a file input or a drop,
// sent to the peer first; a typed path under "Advanced"), a preview of what each would become
// (title, status, themes, words, warnings) with a checkbox each, then the import, its progress, and
// links to the new stories. Nothing is created before "Import".
import { useEffect, useId, useRef, useState, type FormEvent, type RefObject } from "react";
import type { FileSource, ImportPreview } from "../../../shared/contract.ts";
import { sortedThemes } from "../../../shared/ops/community.ts";
import { t } from "../../i18n/index.ts";
import { useCommunity } from "../../communityContext.tsx";
import { usePeer } from "../../peerContext.ts";
import { href } from "../../route.ts";
import { Modal, Notice, FailureNotice } from "../../ui/kit.tsx";
import { FileChooser } from "./FileChooser.tsx";
import { CANCELLED, sourcesOf, type ChosenFile, type Transferred } from "./files.ts";
import { ProgressBar, useTaskProgress } from "./progress.tsx";

type Phase =
  | { state: "paths" }
  | { state: "previewing" }
  | { state: "preview"; files: FileSource[]; preview: ImportPreview }
  | { state: "importing"; files: FileSource[]; preview: ImportPreview }
  | { state: "done"; storyIds: string[]; titles: string[] };

export function ImportDialog({ onClose }: { onClose: () => void }) {
  const { connection } = usePeer();
  const { id: communityId, index } = useCommunity();
  const headingId = useId();
  const [chosenFiles, setChosenFiles] = useState<ChosenFile[]>([]);
  const [sent, setSent] = useState<Transferred | null>(null);
  const [pathsError, setPathsError] = useState<string | null>(null);
  const [failure, setFailure] = useState<{ title: string; message: string } | null>(null);
  const [phase, setPhase] = useState<Phase>({ state: "paths" });
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const { progress, reset } = useTaskProgress("import", communityId, phase.state === "importing");
  const resultRef = useRef<HTMLHeadingElement>(null);
  const busy = phase.state === "previewing" || phase.state === "importing";

  useEffect(() => {
    if (phase.state === "preview" || phase.state === "done") resultRef.current?.focus();
  }, [phase.state]);

  const preview = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setFailure(null);
    if (chosenFiles.length === 0) return setPathsError(t("files.noneChosen.many"));
    setPathsError(null);
    setPhase({ state: "previewing" });
    setSent(null);
    const files = await sourcesOf(chosenFiles, setSent);
    if (!files.ok) {
      setPhase({ state: "paths" });
      if (files.error.message !== CANCELLED)
        setFailure({ title: t("import.previewFailed"), message: files.error.message });
      return;
    }
    const answer = await connection.rpc.call("import:preview", { communityId, files: files.value });
    if (!answer.ok) {
      setPhase({ state: "paths" });
      setFailure({ title: t("import.previewFailed"), message: answer.error.message });
      return;
    }
    setChosen(new Set(answer.value.candidates.map((c) => c.source)));
    setPhase({ state: "preview", files: files.value, preview: answer.value });
  };

  const run = async () => {
    if (phase.state !== "preview") return;
    const { files, preview } = phase;
    const picked = preview.candidates.filter((c) => chosen.has(c.source));
    if (picked.length === 0) return;
    setFailure(null);
    reset();
    setPhase({ state: "importing", files, preview });
    const answer = await connection.rpc.call("import:run", {
      communityId,
      files,
      sources: picked.map((c) => c.source),
    });
    if (answer.ok)
      setPhase({
        state: "done",
        storyIds: answer.value.storyIds,
        titles: picked.map((c) => c.title),
      });
    else {
      setPhase({ state: "preview", files, preview });
      setFailure({ title: t("import.failed"), message: answer.error.message });
    }
  };

  const themeLabels = new Map(sortedThemes(index.doc).map((th) => [th.id, th.label]));
  const label = (theme: string) => themeLabels.get(theme) ?? theme;

  return (
    <Modal
      labelledBy={headingId}
      onClose={() => !busy && onClose()}
      className="transfer-dialog import-dialog"
    >
      <h2 id={headingId}>{t("import.title")}</h2>
      {phase.state === "done" ? (
        <div className="transfer-summary">
          <div role="status">
            <h3 ref={resultRef} tabIndex={-1}>
              {phase.storyIds.length === 1
                ? t("import.done.one")
                : t("import.done", { count: phase.storyIds.length })}
            </h3>
          </div>
          <ul className="import-done">
            {phase.storyIds.map((id, i) => (
              <li key={id}>
                <a
                  href={href({ page: "community", communityId, section: "stories", docId: id })}
                  onClick={onClose}
                >
                  {index.doc.entries[id]?.title ?? phase.titles[i] ?? t("import.newStory")}
                </a>
              </li>
            ))}
          </ul>
          <div className="actions modal-actions">
            <button type="button" className="primary" onClick={onClose} data-autofocus>
              {t("common.close")}
            </button>
          </div>
        </div>
      ) : (
        <>
          <p className="lede">{t("import.intro")}</p>
          <form onSubmit={(e) => void preview(e)} noValidate aria-busy={busy}>
            <FileChooser
              label={t("import.files")}
              hint={t("import.filesHint")}
              purpose="import"
              accept=".md,.markdown,.txt,.zip,text/markdown,text/plain,application/zip"
              multiple
              chosen={chosenFiles}
              onChange={(next) => {
                setChosenFiles(next);
                setPathsError(null);
                // What the preview shows is for the files it was made from.
                if (phase.state === "preview") setPhase({ state: "paths" });
              }}
              error={pathsError}
              busy={busy}
              pathLabel={t("import.paths")}
            />
            <div className="actions">
              <button
                type="submit"
                className={phase.state === "preview" ? "" : "primary"}
                disabled={busy}
              >
                {t("import.preview")}
              </button>
              {phase.state === "previewing" && <span role="status">{t("import.previewing")}</span>}
            </div>
            {phase.state === "previewing" && sent && sent.total > 0 && (
              <ProgressBar progress={sent} label={t("files.sending")} />
            )}
          </form>
          {failure && <FailureNotice {...failure} unchanged={t("import.nothingCreated")} />}
          {(phase.state === "preview" || phase.state === "importing") && (
            <PreviewTable
              preview={phase.preview}
              chosen={chosen}
              setChosen={setChosen}
              disabled={phase.state === "importing"}
              headingRef={resultRef}
              themeLabel={label}
            />
          )}
          {phase.state === "importing" && (
            <ProgressBar progress={progress} label={t("import.busy")} />
          )}
          <div className="actions modal-actions">
            <button type="button" onClick={onClose} disabled={busy}>
              {t("common.cancel")}
            </button>
            {(phase.state === "preview" || phase.state === "importing") &&
              phase.preview.candidates.length > 0 && (
                <button
                  type="button"
                  className="primary"
                  disabled={busy || chosen.size === 0}
                  onClick={() => void run()}
                >
                  {chosen.size === 1
                    ? t("import.submit.one")
                    : t("import.submit", { count: chosen.size })}
                </button>
              )}
          </div>
        </>
      )}
    </Modal>
  );
}

function PreviewTable({
  preview,
  chosen,
  setChosen,
  disabled,
  headingRef,
  themeLabel,
}: {
  preview: ImportPreview;
  chosen: ReadonlySet<string>;
  setChosen: (next: ReadonlySet<string>) => void;
  disabled: boolean;
  headingRef: RefObject<HTMLHeadingElement | null>;
  themeLabel: (theme: string) => string;
}) {
  const { candidates, problems, notes } = preview;
  const all = candidates.length > 0 && candidates.every((c) => chosen.has(c.source));
  const toggle = (source: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(source);
    else next.delete(source);
    setChosen(next);
  };
  const captionId = useId();
  return (
    <section className="import-preview" aria-labelledby={captionId}>
      <h3 id={captionId} ref={headingRef} tabIndex={-1}>
        {candidates.length === 1
          ? t("import.found.one")
          : t("import.found", { count: candidates.length })}
      </h3>
      {notes.length > 0 && (
        <Notice tone="info" title={t("import.notes")}>
          <ul>
            {notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        </Notice>
      )}
      {problems.length > 0 && (
        <Notice tone="warning" title={t("import.problems", { count: problems.length })}>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </Notice>
      )}
      {candidates.length > 0 && (
        <div className="table-scroll">
          <table className="import-table">
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    checked={all}
                    disabled={disabled}
                    aria-label={t("import.chooseAll")}
                    onChange={(e) =>
                      setChosen(new Set(e.target.checked ? candidates.map((c) => c.source) : []))
                    }
                  />
                </th>
                <th scope="col">{t("import.col.title")}</th>
                <th scope="col">{t("import.col.status")}</th>
                <th scope="col">{t("import.col.themes")}</th>
                <th scope="col" className="num">
                  {t("import.col.words")}
                </th>
                <th scope="col">{t("import.col.warnings")}</th>
              </tr>
            </thead>
            <tbody>
              {candidates.map((c) => (
                <tr key={c.source}>
                  <td>
                    <input
                      type="checkbox"
                      checked={chosen.has(c.source)}
                      disabled={disabled}
                      aria-label={t("import.choose", { title: c.title })}
                      onChange={(e) => toggle(c.source, e.target.checked)}
                    />
                  </td>
                  <th scope="row">
                    <span className="import-title">{c.title}</span>
                    <span className="meta import-source">{c.source}</span>
                  </th>
                  <td>
                    <span className={`status status-${c.status}`}>{t(`status.${c.status}`)}</span>
                  </td>
                  <td>{c.themes.map(themeLabel).join(", ")}</td>
                  <td className="num">{c.words.toLocaleString()}</td>
                  <td>
                    {c.warnings.length > 0 && (
                      <ul className="import-warnings">
                        {c.warnings.map((w, i) => (
                          <li key={i}>{w}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
