// One collection: its stories in order (reordered by drag or by keyboard), its introduction
// (co-written rich text, in the story editor), its title, subtitle, language and credits, and the
// way out: Export.
import type { DocHandle } from "@automerge/automerge-repo";
import { useId, useMemo, useState, type FormEvent, type ReactNode } from "react";
import { orderedStories } from "../../../shared/ops/collection.ts";
import {
  collectionKind,
  isLanguageTag,
  type Collection,
} from "../../../shared/schema/collection.ts";
import { checkTitle } from "../../../shared/schema/input.ts";
import { useCommunity } from "../../communityContext.tsx";
import { t, timeAgo } from "../../i18n/index.ts";
import { useTitleFocus } from "../../newDoc.ts";
import { ProblemsNotice, useDocPage } from "../../ui/DocStates.tsx";
import { SaveActions, TextField } from "../../ui/fields.tsx";
import { PageHeading } from "../../ui/kit.tsx";
import { StoryEditor } from "../stories/editor/StoryEditor.tsx";
import { ExportDialog } from "../transfer/ExportDialog.tsx";
import { collectionActions, type CollectionActions } from "./actions.ts";
import { AddStoriesDialog } from "./AddStoriesDialog.tsx";
import { Credits } from "./Credits.tsx";
import { storyRows } from "./order.ts";
import { StoryOrder } from "./StoryOrder.tsx";
import type { CollectionId } from "../../../shared/ids.ts";

const INTRODUCTION_PATH = ["introduction"];
/** Internal links on, to anything (an introduction is not itself a link target). */
const NO_SELF = {};

export function CollectionPage({ collectionId }: { collectionId: CollectionId }) {
  const { view, back, unusable } = useDocPage("collections", collectionId, collectionKind);
  if (view.status !== "ok") return unusable;
  return (
    <CollectionView
      back={back}
      handle={view.handle}
      collection={view.doc}
      problems={view.problems}
      collectionId={collectionId}
    />
  );
}

function CollectionView({
  back,
  handle,
  collection,
  problems,
  collectionId,
}: {
  back: ReactNode;
  handle: DocHandle<Collection>;
  collection: Collection;
  problems: readonly string[];
  collectionId: CollectionId;
}) {
  const { index } = useCommunity();
  const actions = useMemo(
    () => collectionActions(handle, index.handle, collectionId),
    [handle, index.handle, collectionId],
  );
  const order = useMemo(() => orderedStories(collection), [collection]);
  const rows = useMemo(() => storyRows(order, index.doc.entries), [order, index.doc.entries]);
  const [dialog, setDialog] = useState<"add" | "export" | null>(null);
  const storiesHeading = useId();
  const introHeading = useId();
  const ready = rows.filter((r) => r.title !== null && !r.leftOut).length;

  return (
    <article className="collection-page">
      {back}
      <div className="collection-title-row">
        <div>
          <PageHeading>{collection.title}</PageHeading>
          {collection.subtitle && <p className="collection-subtitle">{collection.subtitle}</p>}
        </div>
        <button
          type="button"
          className="primary"
          onClick={() => setDialog("export")}
          aria-haspopup="dialog"
        >
          {t("collection.export")}
        </button>
      </div>
      <p className="meta">
        {rows.length === 1
          ? t("collection.stories.one")
          : t("collection.stories.many", { count: rows.length })}{" "}
        · {t("common.updated", { when: timeAgo(collection.updatedAt) })}
      </p>
      <ProblemsNotice
        problems={problems}
        title={t("collection.problems", { count: problems.length })}
        body={t("collection.problemsBody")}
      />
      <CollectionDetails collectionId={collectionId} collection={collection} actions={actions} />

      <section aria-labelledby={storiesHeading} className="collection-section">
        <div className="collection-section-head">
          <h2 id={storiesHeading}>{t("collection.storiesHeading")}</h2>
          <button type="button" onClick={() => setDialog("add")} aria-haspopup="dialog">
            {t("collection.add")}
          </button>
        </div>
        {rows.length === 0 ? (
          <div className="empty-inline">
            <p>{t("collection.noStories")}</p>
          </div>
        ) : (
          <StoryOrder
            rows={rows}
            labelledBy={storiesHeading}
            onMove={actions.move}
            onRemove={actions.removeStory}
          />
        )}
      </section>

      <section aria-labelledby={introHeading} className="collection-section">
        <h2 id={introHeading}>{t("collection.introduction")}</h2>
        <p className="hint">{t("collection.introductionHint")}</p>
        <StoryEditor
          handle={handle}
          path={INTRODUCTION_PATH}
          label={t("collection.introduction")}
          links={NO_SELF}
          onLocalChange={actions.introductionTyped}
        />
      </section>

      <Credits collection={collection} actions={actions} />

      {dialog === "add" && (
        <AddStoriesDialog
          inCollection={order}
          onAdd={(ids) => actions.addStories(ids)}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === "export" && (
        <ExportDialog
          collectionId={collectionId}
          title={collection.title}
          counts={{ all: rows.length, ready }}
          onClose={() => setDialog(null)}
        />
      )}
    </article>
  );
}

/** Title, subtitle and language: each set whole (a concurrent change shows, it is never blended). */
function CollectionDetails({
  collectionId,
  collection,
  actions,
}: {
  collectionId: CollectionId;
  collection: Collection;
  actions: CollectionActions;
}) {
  const titleRef = useTitleFocus<HTMLInputElement>(collectionId);
  const [title, setTitle] = useState(collection.title);
  const [subtitle, setSubtitleText] = useState(collection.subtitle);
  const [language, setLanguageText] = useState(collection.language);
  const [titleError, setTitleError] = useState<string | null>(null);
  const [languageError, setLanguageError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  // A change from another laptop shows in a field unless the person is changing that field here.
  const [shown, setShown] = useState({
    title: collection.title,
    subtitle: collection.subtitle,
    language: collection.language,
  });
  if (
    shown.title !== collection.title ||
    shown.subtitle !== collection.subtitle ||
    shown.language !== collection.language
  ) {
    if (title === shown.title) setTitle(collection.title);
    if (subtitle === shown.subtitle) setSubtitleText(collection.subtitle);
    if (language === shown.language) setLanguageText(collection.language);
    setShown({
      title: collection.title,
      subtitle: collection.subtitle,
      language: collection.language,
    });
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkTitle(title);
    if (!checked.ok) return setTitleError(checked.error.message);
    setTitleError(null);
    const tag = language.trim();
    if (!isLanguageTag(tag)) return setLanguageError(t("collection.languageInvalid"));
    setLanguageError(null);
    if (checked.value !== collection.title) actions.rename(checked.value);
    if (subtitle.trim() !== collection.subtitle) actions.setSubtitle(subtitle.trim());
    if (tag !== collection.language) actions.setLanguage(tag);
    setTitle(checked.value);
    setSubtitleText(subtitle.trim());
    setLanguageText(tag);
    setSaved(true);
  };

  return (
    <details className="collection-details">
      <summary>{t("collection.details")}</summary>
      <form onSubmit={submit} noValidate onChange={() => setSaved(false)}>
        <TextField
          label={t("collection.titleLabel")}
          error={titleError}
          value={title}
          onChange={setTitle}
          inputRef={titleRef}
        />
        <TextField label={t("collection.subtitle")} value={subtitle} onChange={setSubtitleText} />
        <TextField
          label={t("collection.language")}
          hint={t("collection.languageHint")}
          error={languageError}
          value={language}
          onChange={setLanguageText}
          spellCheck={false}
          className="short-input"
        />
        <SaveActions saved={saved} primary={false} />
      </form>
    </details>
  );
}
