// Named versions of a story: save one ("Day 2 evening"), look at it, see what changed since, and
// restore it. A version is a point in the story's history, so viewing one copies nothing, and
// restoring adds a new change on top of history: nothing is ever lost by it.
import { getHeads } from "@automerge/automerge";
import { encodeHeads, type DocHandle } from "@automerge/automerge-repo";
import { useId, useMemo, useState, type FormEvent } from "react";
import { systemContext } from "../../../../shared/ops/context.ts";
import {
  VERSION_NAME_MAX,
  checkVersionName,
  diffIsEmpty,
  listVersions,
  restoreVersion,
  saveVersion,
  versionDiff,
  versionView,
  type DiffBlock,
  type ListedVersion,
} from "../../../../shared/ops/versions.ts";
import { defaultColour } from "../../../../shared/palette.ts";
import { storySchemaAdapter } from "../../../../shared/richtext/schema.ts";
import type { Story } from "../../../../shared/schema/story.ts";
import { t, timeAgo } from "../../../i18n/index.ts";
import { Field, Modal } from "../../../ui/kit.tsx";
import type { Me, StoryPanelProps } from "../actions.ts";
import { StoryEditor } from "../editor/StoryEditor.tsx";

export type VersionsAuthor = Me;

/** The editor is not needed by this panel; it takes it so both side panels take the same props. */
export type VersionsPanelProps = StoryPanelProps & {
  /** Called after a restore changed the story: the story page updates the index entry then. */
  onRestored?: () => void;
};

const colourOf = (story: Story, me: VersionsAuthor, deviceKey: string) =>
  deviceKey === me.deviceKey
    ? me.colour
    : (story.contributors[deviceKey]?.colour ?? defaultColour(deviceKey));

/** "Before restoring “Day 2 evening”", kept within the name limit. */
function beforeRestoringName(name: string): string {
  const room = VERSION_NAME_MAX - t("versions.beforeRestoring", { name: "" }).length;
  const short = name.length > room ? `${name.slice(0, Math.max(0, room - 1))}…` : name;
  return t("versions.beforeRestoring", { name: short });
}

export function VersionsPanel({ handle, story, author, onRestored }: VersionsPanelProps) {
  const headingId = useId();
  const versions = useMemo(() => listVersions(story), [story]);
  const [announcement, setAnnouncement] = useState("");
  const [viewing, setViewing] = useState<ListedVersion | null>(null);
  const [restoring, setRestoring] = useState<ListedVersion | null>(null);
  const me = { deviceKey: author.deviceKey, name: author.name };

  const save = (name: string): string | null => {
    const checked = checkVersionName(name);
    if (!checked.ok) return checked.error.message;
    // The heads before the change that records the version: the version is the story as it is.
    const heads = getHeads(handle.doc());
    const out: (string | null)[] = [];
    handle.change((d) => {
      const r = saveVersion(d, { name: checked.value, heads, author: me }, systemContext());
      out.push(r.ok ? null : r.error.message);
    });
    if (out[0]) return out[0];
    setAnnouncement(t("versions.saved", { name: checked.value }));
    return null;
  };

  const restore = (version: ListedVersion, keepCurrent: boolean): string | null => {
    const doc = handle.doc();
    const old = versionView(doc, version.heads);
    if (!old) return t("versions.missingHistory");
    const heads = getHeads(doc);
    const ctx = systemContext();
    const keptAs = beforeRestoringName(version.name);
    handle.change((d) => {
      if (keepCurrent) saveVersion(d, { name: keptAs, heads, author: me }, ctx);
      restoreVersion(d, old, ctx, storySchemaAdapter.updateSpansConfig());
    });
    onRestored?.();
    setRestoring(null);
    setViewing(null);
    setAnnouncement(
      keepCurrent
        ? t("versions.restoredKept", { name: version.name, kept: keptAs })
        : t("versions.restored", { name: version.name }),
    );
    return null;
  };

  return (
    <section className="side-panel versions-panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("versions.title")}</h2>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      <SaveVersionForm onSave={save} />
      {versions.length === 0 ? (
        <p className="hint">{t("versions.empty")}</p>
      ) : (
        <ol className="version-list" aria-label={t("versions.list")}>
          {versions.map((v) => (
            <li key={v.id} className="version">
              <p className="version-name">{v.name}</p>
              <p className="comment-meta">
                <span
                  className="dot"
                  style={{ background: colourOf(story, author, v.by) }}
                  aria-hidden="true"
                />
                {t("versions.by", { name: v.byName || t("comments.someone") })}{" "}
                <time
                  dateTime={new Date(v.at).toISOString()}
                  title={new Date(v.at).toLocaleString()}
                >
                  {timeAgo(v.at)}
                </time>
              </p>
              <div className="actions">
                <button
                  type="button"
                  onClick={() => setViewing(v)}
                  aria-label={t("versions.viewNamed", { name: v.name })}
                >
                  {t("versions.view")}
                </button>
                <button
                  type="button"
                  onClick={() => setRestoring(v)}
                  aria-label={t("versions.restoreNamed", { name: v.name })}
                >
                  {t("versions.restore")}
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}
      {viewing && !restoring && (
        <VersionViewer
          handle={handle}
          story={story}
          version={viewing}
          onClose={() => setViewing(null)}
          onRestore={() => setRestoring(viewing)}
        />
      )}
      {restoring && (
        <RestoreDialog
          version={restoring}
          onRestore={(keep) => restore(restoring, keep)}
          onCancel={() => setRestoring(null)}
        />
      )}
    </section>
  );
}

function SaveVersionForm({ onSave }: { onSave: (name: string) => string | null }) {
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problem = onSave(name);
    setError(problem);
    if (!problem) setName("");
  };
  return (
    <form className="version-form" onSubmit={submit} noValidate aria-label={t("versions.save")}>
      <Field label={t("versions.name")} hint={t("versions.nameHint")} error={error}>
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder={t("versions.placeholder")}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            maxLength={VERSION_NAME_MAX * 2}
            autoComplete="off"
          />
        )}
      </Field>
      <button type="submit">{t("versions.save")}</button>
    </form>
  );
}

function VersionViewer({
  handle,
  story,
  version,
  onClose,
  onRestore,
}: {
  handle: DocHandle<Story>;
  story: Story;
  version: ListedVersion;
  onClose: () => void;
  onRestore: () => void;
}) {
  const titleId = useId();
  const [showChanges, setShowChanges] = useState(false);
  // The version as a read-only handle, for the editor; null when its history is not here.
  const viewHandle = useMemo(
    () =>
      versionView(handle.doc(), version.heads) ? handle.view(encodeHeads(version.heads)) : null,
    [handle, version.heads],
  );
  const blocks = useMemo(() => {
    if (!showChanges) return null;
    const old = versionView(handle.doc(), version.heads);
    // `story` changes with every edit, so the comparison follows the story as it is written.
    return old && story ? versionDiff(old, handle.doc()) : null;
  }, [handle, version.heads, showChanges, story]);
  return (
    <Modal labelledBy={titleId} onClose={onClose} className="version-viewer">
      <header className="modal-header">
        {/* Focus starts on the title, so it is read first and Tab walks the dialog in order. */}
        <h2 id={titleId} tabIndex={-1} data-autofocus>
          {t("versions.viewing", { name: version.name })}
        </h2>
        <p className="meta">
          {t("versions.by", { name: version.byName || t("comments.someone") })} ·{" "}
          {timeAgo(version.at)}
        </p>
      </header>
      {viewHandle ? (
        <>
          <div className="actions">
            <button
              type="button"
              aria-pressed={showChanges}
              onClick={() => setShowChanges((s) => !s)}
            >
              {t("versions.changesSince")}
            </button>
          </div>
          <div className="modal-body">
            {showChanges && blocks ? (
              <VersionDiffView blocks={blocks} />
            ) : (
              <StoryEditor handle={viewHandle} readOnly />
            )}
          </div>
        </>
      ) : (
        <p className="notice notice-warning">{t("versions.missingHistory")}</p>
      )}
      <div className="actions modal-actions">
        {viewHandle && (
          <button type="button" onClick={onRestore}>
            {t("versions.restore")}
          </button>
        )}
        <button type="button" className="primary" onClick={onClose}>
          {t("common.close")}
        </button>
      </div>
    </Modal>
  );
}

function RestoreDialog({
  version,
  onRestore,
  onCancel,
}: {
  version: ListedVersion;
  onRestore: (keepCurrent: boolean) => string | null;
  onCancel: () => void;
}) {
  const titleId = useId();
  const [keep, setKeep] = useState(true);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal labelledBy={titleId} onClose={onCancel} className="restore-dialog">
      <h2 id={titleId}>{t("versions.restoreTitle", { name: version.name })}</h2>
      <p>{t("versions.restoreExplain")}</p>
      <p>{t("versions.restoreKeeps")}</p>
      <label className="check">
        <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} />{" "}
        {t("versions.keepCurrent")}
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions modal-actions">
        <button type="button" className="primary" onClick={() => setError(onRestore(keep))}>
          {t("versions.restoreConfirm")}
        </button>
        <button type="button" onClick={onCancel} data-autofocus>
          {t("common.cancel")}
        </button>
      </div>
    </Modal>
  );
}

const blockClass = (block: DiffBlock) =>
  [
    "diff-block",
    block.type === "heading" ? "diff-heading" : "",
    block.type.endsWith("list-item") ? "diff-list-item" : "",
    block.parents.includes("blockquote") ? "diff-quote" : "",
    block.kind === "added"
      ? "diff-block-added"
      : block.kind === "removed"
        ? "diff-block-removed"
        : "",
  ]
    .filter(Boolean)
    .join(" ");

/**
 * What changed: added text green and underlined, removed text red and struck through, each with a
 * label for screen readers (which do not announce <ins> and <del> on their own).
 */
export function VersionDiffView({ blocks }: { blocks: readonly DiffBlock[] }) {
  if (diffIsEmpty(blocks)) return <p className="hint">{t("versions.noChanges")}</p>;
  const count = (kind: "added" | "removed") =>
    blocks.reduce((n, b) => n + b.parts.filter((p) => p.kind === kind && p.text.trim()).length, 0);
  return (
    <div className="version-diff">
      <p className="meta">
        {t("versions.diffSummary", { added: count("added"), removed: count("removed") })}
      </p>
      {blocks.map((block, i) => (
        <p key={i} className={blockClass(block)}>
          {block.kind !== "same" && block.parts.length === 0 && (
            <span className="diff-marker">
              {t(block.kind === "added" ? "versions.blockAdded" : "versions.blockRemoved")}
            </span>
          )}
          {block.parts.map((part, j) =>
            part.kind === "added" ? (
              <ins key={j} className="diff-added">
                <span className="visually-hidden">{t("versions.addedLabel")} </span>
                {part.text}
              </ins>
            ) : part.kind === "removed" ? (
              <del key={j} className="diff-removed">
                <span className="visually-hidden">{t("versions.removedLabel")} </span>
                {part.text}
              </del>
            ) : (
              <span key={j}>{part.text}</span>
            ),
          )}
        </p>
      ))}
    </div>
  );
}
