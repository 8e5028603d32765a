// The co-writing editor for a story's body: ProseMirror over the story's Automerge text, kept in
// step with everyone's edits by ./sync.ts. Other features hook in through `plugins` and the
// `EditorApi` handed to `onReady` (comments anchor passages, presence draws cursors).
import type { Prop } from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo";
import type { EditorState, Plugin } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { useEffect, useId, useRef, useState } from "react";
import type { Story } from "../../../../shared/schema/story.ts";
import { wordCount } from "../../../../shared/richtext/text.ts";
import { refHref } from "../../../../shared/links/ref.ts";
import { useCommunityIdIfAny } from "../../../communityContext.tsx";
import { t } from "../../../i18n/index.ts";
import { navigate } from "../../../route.ts";
import { LinkPicker } from "../../links/LinkPicker.tsx";
import { refRoute } from "../../links/navigate.ts";
import { makeEditorApi, type EditorApi } from "./api.ts";
import { createStoryEditorState, type StoryStateOptions } from "./setup.ts";
import { placeholderHint, placeholderWords } from "./placeholderWords.ts";
import { originOf } from "./sync.ts";
import { LinkForm, Toolbar } from "./Toolbar.tsx";
import { InternalLinkPopover } from "./InternalLinkPopover.tsx";
import { setLink } from "./commands.ts";
import { takePendingSelection } from "./pendingSelection.ts";

export type { EditorApi };

export type StoryEditorProps<T = Story> = {
  handle: DocHandle<T>;
  /**
   * Where the rich text lives in the document: a story's `body` unless given (a collection's
   * introduction is the same kind of text). Read when the editor is built for a handle.
   */
  path?: Prop[];
  /** A version, or a reader without write access: nothing is written, not even repairs. */
  readOnly?: boolean;
  /** Other features' plugins; a new array reconfigures the editor (keep it stable: useMemo). */
  plugins?: readonly Plugin[];
  /** Called once the editor is built (again if the handle changes). */
  onReady?: (api: EditorApi) => void;
  /** Called after each edit made here (not for others' edits arriving), at most once a tick. */
  onLocalChange?: () => void;
  /** The accessible name of the text area. */
  label?: string;
  /** Focus mode, if the page controls it; otherwise the editor keeps its own. */
  focusMode?: boolean;
  /** Told when the person turns focus mode on or off (button, or Mod-Shift-F). */
  onFocusModeChange?: (on: boolean) => void;
  /**
   * Internal links: given (inside a community), the toolbar can link to a story, log entry or map
   * node of the community (never to `self`, the story's own link string), and internal links open
   * inside Meitheal.
   */
  links?: { self?: string } | undefined;
};

/** How often the word count may change: often enough to feel live, rarely enough not to chatter. */
const WORD_COUNT_MS = 1500;

const countWords = (state: EditorState): number =>
  wordCount(
    state.doc.textBetween(0, state.doc.content.size, "\n", (leaf) =>
      leaf.type.name === "hard_break" ? "\n" : "",
    ),
  );

export function StoryEditor<T = Story>({
  handle,
  path,
  readOnly = false,
  plugins,
  onReady,
  onLocalChange,
  label,
  focusMode,
  onFocusModeChange,
  links,
}: StoryEditorProps<T>) {
  const community = useCommunityIdIfAny();
  // Outside a community (a test) there is nothing to link to.
  const linksOn = community !== null ? links : undefined;
  /** Where an internal link clicked in the text opens; nowhere without `links`. */
  const communityId = linksOn ? community : null;
  const mount = useRef<HTMLDivElement>(null);
  const id = useId();
  const [view, setView] = useState<EditorView | null>(null);
  const [state, setState] = useState<EditorState | null>(null);
  const [words, setWords] = useState<number | null>(null);
  const [linkOpen, setLinkOpen] = useState(false);
  const [pickerOpen, setPickerOpen] = useState(false);
  const [ownFocusMode, setOwnFocusMode] = useState(false);
  const focusOn = focusMode ?? ownFocusMode;
  /** The editor's own plugins come first in its state; the rest are other features'. */
  const ownPlugins = useRef(0);

  // The editor is built once per handle; these change without rebuilding it, so it reads them here.
  const now = {
    onReady,
    onLocalChange,
    onFocusModeChange,
    focusOn,
    readOnly,
    plugins,
    communityId,
    path,
  };
  const latest = useRef(now);
  useEffect(() => {
    latest.current = now;
  });

  const setFocus = (on: boolean) => {
    if (focusMode === undefined) setOwnFocusMode(on);
    latest.current.onFocusModeChange?.(on);
  };
  const setFocusRef = useRef(setFocus);
  useEffect(() => {
    setFocusRef.current = setFocus;
  });

  useEffect(() => {
    const place = mount.current;
    if (!place) return;
    let built: EditorView | null = null;
    let cancelled = false;
    let countTimer: ReturnType<typeof setTimeout> | null = null;
    let localQueued = false;

    const scheduleCount = (view: EditorView) => {
      if (countTimer !== null) return;
      countTimer = setTimeout(() => {
        countTimer = null;
        if (!view.isDestroyed) setWords(countWords(view.state));
      }, WORD_COUNT_MS);
    };

    const build = () => {
      if (cancelled) return;
      const textPath = latest.current.path;
      const options: StoryStateOptions<T> = {
        handle,
        ...(textPath ? { path: textPath } : {}),
        plugins: latest.current.plugins ?? [],
        canWrite: () => !latest.current.readOnly,
        placeholders: placeholderWords,
        onLinkRequest: () => {
          if (!latest.current.readOnly) setLinkOpen(true);
        },
        onFocusModeToggle: () => setFocusRef.current(!latest.current.focusOn),
        onInternalLink: (ref) => {
          const communityId = latest.current.communityId;
          if (communityId) navigate(refRoute(communityId, ref));
        },
        onSyncError: (error, where) =>
          console.warn(`story editor: ${where} change repaired`, error),
        // A caret the person placed a moment ago, not yet read by ProseMirror, is kept.
        beforeSyncDispatch: takePendingSelection,
      };
      const initial = createStoryEditorState(options);
      ownPlugins.current = initial.plugins.length - (options.plugins?.length ?? 0);
      // ProseMirror's own element inside ours: React never touches what ProseMirror manages.
      const view: EditorView = new EditorView(place, {
        state: initial,
        editable: () => !latest.current.readOnly,
        dispatchTransaction(tr) {
          const next = view.state.apply(tr);
          view.updateState(next);
          setState(next);
          if (!tr.docChanged) return;
          scheduleCount(view);
          if (originOf(tr) !== undefined || localQueued) return;
          // After ProseMirror and Automerge have both taken the edit, and once per tick of typing.
          localQueued = true;
          queueMicrotask(() => {
            localQueued = false;
            latest.current.onLocalChange?.();
          });
        },
      });
      built = view;
      setView(view);
      setState(view.state);
      setWords(countWords(view.state));
      latest.current.onReady?.(makeEditorApi(view, handle, textPath));
    };

    if (handle.isReady()) build();
    else void handle.whenReady().then(build, () => undefined);
    return () => {
      cancelled = true;
      if (countTimer !== null) clearTimeout(countTimer);
      built?.destroy();
      setView(null);
      setState(null);
    };
  }, [handle]);

  // Others' plugins come and go without rebuilding the editor (its history and selection stay).
  useEffect(() => {
    if (!view || view.isDestroyed) return;
    const own = view.state.plugins.slice(0, ownPlugins.current);
    const next = [...own, ...(plugins ?? [])];
    // ProseMirror rebuilds every plugin's view on a new list: only when it really is new.
    const same =
      next.length === view.state.plugins.length &&
      next.every((p, i) => view.state.plugins[i] === p);
    // The document and selection are unchanged, so what the toolbar shows is too.
    if (!same) view.updateState(view.state.reconfigure({ plugins: next }));
  }, [view, plugins]);

  useEffect(() => {
    if (!view || view.isDestroyed) return;
    view.setProps({
      attributes: {
        id: `${id}-text`,
        class: "story-text",
        role: "textbox",
        "aria-multiline": "true",
        "aria-label": label ?? t("editor.label"),
        "aria-describedby": `${id}-prompt ${id}-words`,
        ...(readOnly ? { "aria-readonly": "true" } : {}),
      },
    });
  }, [view, id, label, readOnly]);

  return (
    <div className={`story-editor${focusOn ? " story-editor-focus" : ""}`}>
      {view && state && !readOnly && (
        <Toolbar
          view={view}
          state={state}
          readOnly={readOnly}
          linkOpen={linkOpen}
          onLinkOpen={setLinkOpen}
          focusMode={focusOn}
          onFocusMode={setFocus}
          onInternalLink={linksOn ? () => setPickerOpen(true) : undefined}
        />
      )}
      {view && linkOpen && !readOnly && <LinkForm view={view} onClose={() => setLinkOpen(false)} />}
      {view && pickerOpen && linksOn && !readOnly && (
        <LinkPicker
          {...(linksOn.self ? { exclude: linksOn.self } : {})}
          onPick={(ref, hit) => {
            setLink(refHref(ref), hit.title || t("links.untitled"))(
              view.state,
              view.dispatch,
              view,
            );
            // After the picker has closed and given focus back to where it was opened.
            setTimeout(() => view.focus(), 0);
          }}
          onClose={() => setPickerOpen(false)}
        />
      )}
      {!view && (
        <p className="story-editor-loading" role="status">
          {t("editor.loading")}
        </p>
      )}
      <div ref={mount} className="story-text-frame" />
      {view && state && linksOn && !readOnly && <InternalLinkPopover view={view} state={state} />}
      {/* The prompt of the empty section the caret is in: drawn only as a placeholder, so told here. */}
      <span id={`${id}-prompt`} className="visually-hidden" aria-live="polite">
        {state && !readOnly ? placeholderHint(state) : ""}
      </span>
      <p className="story-editor-status">
        {readOnly && <span className="story-editor-readonly">{t("editor.readOnly")} · </span>}
        <span id={`${id}-words`} aria-live="polite">
          {words === null
            ? ""
            : words === 1
              ? t("editor.words.one")
              : t("editor.words", { count: words })}
        </span>
      </p>
    </div>
  );
}
