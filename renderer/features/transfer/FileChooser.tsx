// Choosing files to read (an import, a backup to restore, a bundle), the way people choose files:
// in the desktop app a button opens the system dialog; in a browser a labelled file input and a
// drop zone around it take files from this computer. Under "Advanced", a path on the peer's
// computer may be typed instead (how headless use works); it stays collapsed in a browser.
// A cancelled dialog or an empty choice changes nothing.
import { useId, useState, type DragEvent } from "react";
import type { FilePurpose } from "../../../shared/bridge.ts";
import { t } from "../../i18n/index.ts";
import { baseName, chooseWithDialog, desktopFiles, type ChosenFile } from "./files.ts";
import { parsePaths } from "./format.ts";

export function FileChooser({
  label,
  hint,
  purpose,
  accept,
  multiple = false,
  chosen,
  onChange,
  error,
  busy = false,
  pathLabel,
}: {
  label: string;
  hint: string;
  purpose: FilePurpose;
  /** The file input's `accept` (".md,.zip"). */
  accept: string;
  multiple?: boolean;
  chosen: readonly ChosenFile[];
  onChange: (files: ChosenFile[]) => void;
  error?: string | null;
  busy?: boolean;
  /** The label of the typed path field under "Advanced". */
  pathLabel: string;
}) {
  const id = useId();
  const [dragging, setDragging] = useState(false);
  const [announce, setAnnounce] = useState("");
  const [typed, setTyped] = useState("");
  const desktop = desktopFiles() !== undefined;

  const take = (files: ChosenFile[], how: "dropped" | "chosen") => {
    if (files.length === 0) return;
    const kept = multiple ? files : files.slice(0, 1);
    onChange(kept);
    setTyped("");
    setAnnounce(
      t(how === "dropped" ? "files.dropped" : "files.chosen", {
        names: kept.map((f) => f.name).join(", "),
      }),
    );
  };
  const fromBrowser = (list: FileList | null) =>
    [...(list ?? [])].map((file): ChosenFile => ({
      kind: "browser",
      file,
      name: file.name,
      bytes: file.size,
    }));
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (!busy) take(fromBrowser(e.dataTransfer.files), "dropped");
  };
  const openDialog = async () => {
    const paths = await chooseWithDialog({ mode: "open", purpose, multiple });
    // Cancelled: nothing changes, and nothing is said.
    if (paths)
      take(
        paths.map((path) => ({ kind: "path", path, name: baseName(path) })),
        "chosen",
      );
  };
  const typedPaths = (text: string) => {
    setTyped(text);
    const paths = parsePaths(text);
    onChange(paths.map((path) => ({ kind: "path", path, name: path })));
  };
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ""].filter(Boolean).join(" ");

  return (
    <div className="field file-chooser">
      <div
        className={`drop-zone${dragging ? " dragging" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          if (!busy) setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="drop-zone"
      >
        {desktop ? (
          <>
            <span className="drop-zone-label" id={`${id}-label`}>
              {label}
            </span>
            <button
              type="button"
              onClick={() => void openDialog()}
              disabled={busy}
              aria-describedby={describedBy}
              data-autofocus
            >
              {t(multiple ? "files.chooseMany" : "files.chooseOne")}
            </button>
          </>
        ) : (
          <>
            <label htmlFor={id}>{label}</label>
            <input
              id={id}
              type="file"
              accept={accept}
              multiple={multiple}
              disabled={busy}
              aria-describedby={describedBy}
              aria-invalid={Boolean(error)}
              onChange={(e) => {
                take(fromBrowser(e.target.files), "chosen");
                // The same file chosen again (after a fix on disk) must fire a change again.
                e.target.value = "";
              }}
              data-autofocus
            />
            <p className="drop-zone-hint">
              {t(multiple ? "files.dropHint" : "files.dropHint.one")}
            </p>
          </>
        )}
      </div>
      <p className="hint" id={`${id}-hint`}>
        {hint}
      </p>
      {chosen.length > 0 && typed === "" && (
        <ul className="chosen-files" aria-label={t("files.chosenList")}>
          {chosen.map((f, i) => (
            <li key={i}>{f.name}</li>
          ))}
        </ul>
      )}
      <p className="visually-hidden" role="status">
        {announce}
      </p>
      {error && (
        <p className="error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
      <details className="advanced-path">
        <summary>{t("files.advanced")}</summary>
        <label htmlFor={`${id}-path`}>{pathLabel}</label>
        {multiple ? (
          <textarea
            id={`${id}-path`}
            rows={3}
            value={typed}
            onChange={(e) => typedPaths(e.target.value)}
            readOnly={busy}
            spellCheck={false}
            className="path-input"
            aria-describedby={`${id}-path-hint`}
          />
        ) : (
          <input
            id={`${id}-path`}
            value={typed}
            onChange={(e) => typedPaths(e.target.value)}
            readOnly={busy}
            spellCheck={false}
            autoComplete="off"
            className="path-input"
            aria-describedby={`${id}-path-hint`}
          />
        )}
        <p className="hint" id={`${id}-path-hint`}>
          {t(multiple ? "files.pathHint.many" : "files.pathHint")}
        </p>
      </details>
    </div>
  );
}
