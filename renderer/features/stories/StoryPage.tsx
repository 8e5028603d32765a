// One story: the co-written text in the middle; beside it its details, comments and versions; at
// the top who else is here. Focus mode leaves only the text.
import { useEffect, useMemo, useRef, useState } from "react";
import { formatRef } from "../../../shared/links/ref.ts";
import { commentAnchors } from "../../../shared/ops/comments.ts";
import { storyKind } from "../../../shared/schema/story.ts";
import { useCommunity } from "../../communityContext.tsx";
import { t, timeAgo, type MessageKey } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { useDocPage } from "../../ui/DocStates.tsx";
import { PageHeading } from "../../ui/kit.tsx";
import { TabList } from "../../ui/TabList.tsx";
import { Backlinks } from "../links/Backlinks.tsx";
import { useFocusTerms } from "../search/useFocusTerms.ts";
import { storyActions } from "./actions.ts";
import { CommentsPanel } from "./comments/CommentsPanel.tsx";
import { commentsPlugin } from "./comments/commentsPlugin.ts";
import { StoryEditor, type EditorApi } from "./editor/StoryEditor.tsx";
import { PresenceAvatars } from "./presence/PresenceAvatars.tsx";
import { useStoryPresence } from "./presence/useStoryPresence.ts";
import { StoryMeta } from "./StoryMeta.tsx";
import { VersionsPanel } from "./versions/VersionsPanel.tsx";

const TABS = ["details", "comments", "versions"] as const;
type Tab = (typeof TABS)[number];
const TAB_LABEL: Record<Tab, MessageKey> = {
  details: "story.tab.details",
  comments: "story.tab.comments",
  versions: "story.tab.versions",
};
/** Body edits move the list's "updated" and record the contributor at most this often. */
const TOUCH_EVERY_MS = 20_000;

export function StoryPage({
  storyId,
  focus,
}: {
  storyId: string;
  /** Words a search matched: the story opens with them selected and in view. */
  focus: string | null;
}) {
  const { index } = useCommunity();
  const { view: story, back, unusable } = useDocPage("stories", storyId, storyKind);
  const { info, profile } = usePeer();
  const me = useMemo(
    () => ({ deviceKey: info.deviceKey, name: profile.displayName, colour: profile.colour }),
    [info.deviceKey, profile],
  );
  const handle = story.status === "ok" ? story.handle : null;
  const actions = useMemo(
    () => (handle ? storyActions(handle, index.handle, storyId, me) : null),
    [handle, index.handle, storyId, me],
  );
  const [editor, setEditor] = useState<EditorApi | null>(null);
  const [tab, setTab] = useState<Tab>("details");
  const [focusMode, setFocusMode] = useState(false);
  const presence = useStoryPresence(handle, me, editor);
  useFocusTerms(editor, storyId, focus);
  const selfRef = formatRef({ type: "story", docId: storyId });
  const links = useMemo(() => ({ self: selfRef }), [selfRef]);
  const plugins = useMemo(
    () => (handle ? [commentsPlugin(() => commentAnchors(handle.doc())), ...presence.plugins] : []),
    [handle, presence.plugins],
  );
  const lastTouch = useRef(0);
  const onLocalChange = () => {
    const now = Date.now();
    if (now - lastTouch.current < TOUCH_EVERY_MS) return;
    lastTouch.current = now;
    actions?.touched();
  };
  // A new story (or leaving the page) starts the throttle afresh.
  useEffect(() => {
    lastTouch.current = 0;
  }, [storyId]);

  if (story.status !== "ok") return unusable;

  // What both side panels work on: this story, who is writing, and the editor's passages.
  const panel = { handle: story.handle, story: story.doc, author: me, editor };

  return (
    <article className={`story${focusMode ? " focus-mode" : ""}`}>
      <header className="story-header">
        {!focusMode && back}
        <div className="story-title-row">
          <PageHeading>{story.doc.title}</PageHeading>
          <PresenceAvatars me={me} peers={presence.peers} />
        </div>
        {!focusMode && (
          <p className="meta">
            {t(`status.${story.doc.status}`)} ·{" "}
            {t("common.created", { when: timeAgo(story.doc.createdAt) })} ·{" "}
            {t("common.updated", { when: timeAgo(story.doc.updatedAt) })}
          </p>
        )}
      </header>
      <div className="story-layout">
        <div className="story-main">
          <StoryEditor
            handle={story.handle}
            plugins={plugins}
            onReady={setEditor}
            onLocalChange={onLocalChange}
            label={t("story.textLabel")}
            focusMode={focusMode}
            onFocusModeChange={setFocusMode}
            links={links}
          />
          {/* Under the text, as a wiki shows what links to a page: where this story is cited. */}
          {!focusMode && <Backlinks target={selfRef} heading="h2" />}
        </div>
        {!focusMode && (
          <aside className="story-side" aria-label={t("story.side")}>
            <TabList
              tabs={TABS}
              current={tab}
              onChange={setTab}
              label={t("story.side")}
              tabId={(name) => `story-tab-${name}`}
              panelId={(name) => `story-panel-${name}`}
            >
              {(name) => (
                <>
                  {t(TAB_LABEL[name])}
                  {name === "comments" && <CommentCount story={story.doc} />}
                </>
              )}
            </TabList>
            <div
              role="tabpanel"
              id={`story-panel-${tab}`}
              aria-labelledby={`story-tab-${tab}`}
              className="tab-panel"
            >
              {tab === "details" && actions && (
                <StoryMeta
                  handle={story.handle}
                  story={story.doc}
                  index={index.doc}
                  actions={actions}
                />
              )}
              {tab === "comments" && <CommentsPanel {...panel} />}
              {tab === "versions" && (
                <VersionsPanel {...panel} onRestored={() => actions?.touched()} />
              )}
            </div>
          </aside>
        )}
      </div>
    </article>
  );
}

function CommentCount({ story }: { story: { comments: Record<string, { resolved: boolean }> } }) {
  const open = Object.values(story.comments).filter((c) => !c.resolved).length;
  return open > 0 ? <span className="count"> ({open})</span> : null;
}
