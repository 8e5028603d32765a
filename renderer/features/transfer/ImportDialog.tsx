// Stories from Markdown: paths typed one a line (files, folders, zips), a preview of what each would
// become (title, status, themes, words, warnings) with a checkbox each, then the import, its
// progress, and links to the new stories. Nothing is created before "Import".
import { useEffect, useId, useRef, useState, type FormEvent, type RefObject } from "react";
import { atPath, type ImportPreview } from "../../../shared/contract.ts";
import { sortedThemes } from "../../../shared/ops/community.ts";
import { t } from "../../i18n/index.ts";
import { useCommunity } from "../../communityContext.tsx";
import { usePeer } from "../../peerContext.ts";
import { href } from "../../route.ts";
import { Modal, Notice, FailureNotice } from "../../ui/kit.tsx";
import { parsePaths } from "./format.ts";
import { ProgressBar, useTaskProgress } from "./progress.tsx";

type Phase =
  | { state: "paths" }
  | { state: "previewing" }
  | { state: "preview"; paths: string[]; preview: ImportPreview }
  | { state: "importing"; paths: string[]; preview: ImportPreview }
  | { state: "done"; storyIds: string[]; titles: string[] };

export function ImportDialog({ onClose }: { onClose: () => void }) {
  const { connection } = usePeer();
  const { id: communityId, index } = useCommunity();
  const headingId = useId();
  const pathsId = useId();
  const [text, setText] = useState("");
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
    const paths = parsePaths(text);
    setFailure(null);
    if (paths.length === 0) return setPathsError(t("import.pathsEmpty"));
    setPathsError(null);
    setPhase({ state: "previewing" });
    const answer = await connection.rpc.call("import:preview", {
      communityId,
      files: paths.map(atPath),
    });
    if (!answer.ok) {
      setPhase({ state: "paths" });
      setFailure({ title: t("import.previewFailed"), message: answer.error.message });
      return;
    }
    setChosen(new Set(answer.value.candidates.map((c) => c.source)));
    setPhase({ state: "preview", paths, preview: answer.value });
  };

  const run = async () => {
    if (phase.state !== "preview") return;
    const { paths, preview } = phase;
    const picked = preview.candidates.filter((c) => chosen.has(c.source));
    if (picked.length === 0) return;
    setFailure(null);
    reset();
    setPhase({ state: "importing", paths, preview });
    const answer = await connection.rpc.call("import:run", {
      communityId,
      files: paths.map(atPath),
      sources: picked.map((c) => c.source),
    });
    if (answer.ok)
      setPhase({
        state: "done",
        storyIds: answer.value.storyIds,
        titles: picked.map((c) => c.title),
      });
    else {
      setPhase({ state: "preview", paths, preview });
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
            <div className="field">
              <label htmlFor={pathsId}>{t("import.paths")}</label>
              <textarea
                id={pathsId}
                rows={3}
                value={text}
                onChange={(e) => {
                  setText(e.target.value);
                  // What the preview shows is for the paths it was made from.
                  if (phase.state === "preview") setPhase({ state: "paths" });
                }}
                readOnly={busy}
                spellCheck={false}
                className="path-input"
                placeholder={t("import.placeholder")}
                aria-describedby={`${pathsId}-hint${pathsError ? ` ${pathsId}-error` : ""}`}
                aria-invalid={Boolean(pathsError)}
                data-autofocus
              />
              <p className="hint" id={`${pathsId}-hint`}>
                {t("import.pathsHint")}
              </p>
              {pathsError && (
                <p className="error" id={`${pathsId}-error`} role="alert">
                  {pathsError}
                </p>
              )}
            </div>
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
  const { candidates, problems } = preview;
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
