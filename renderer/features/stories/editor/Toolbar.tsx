// The story editor's toolbar and its link form. One tab stop for the whole toolbar (arrow keys move
// between buttons, as in every desktop toolbar), so the text is one Tab away; each button says what
// it does and, for formatting, whether it is on.
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import type { Command, EditorState } from "prosemirror-state";
import type { EditorView } from "prosemirror-view";
import type { HeadingLevel } from "../../../../shared/richtext/schema.ts";
import { t, type MessageKey } from "../../../i18n/index.ts";
import { Icon } from "../../../ui/Icon.tsx";
import {
  blockKind,
  inBlockquote,
  linkRange,
  listKind,
  markActive,
  redoCommand,
  removeLink,
  schemaTypes,
  setHeading,
  setLink,
  setParagraph,
  toggleBlockquote,
  toggleBulletList,
  toggleEm,
  toggleCode,
  insertRule,
  toggleOrderedList,
  toggleStrong,
  undoCommand,
} from "./commands.ts";

const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** A shortcut as `aria-keyshortcuts` wants it and as people read it on this platform. */
function shortcut(keys: string): { aria: string; label: string } {
  const mac = isMac();
  const parts = keys.split("-");
  const aria = parts
    .map((p) => (p === "Mod" ? (mac ? "Meta" : "Control") : p === "Alt" ? "Alt" : p))
    .join("+");
  const label = parts
    .map((p) =>
      p === "Mod"
        ? mac
          ? "⌘"
          : "Ctrl"
        : p === "Alt"
          ? mac
            ? "⌥"
            : "Alt"
          : p === "Shift"
            ? mac
              ? "⇧"
              : "Shift"
            : p,
    )
    .join(mac ? "" : "+");
  return { aria, label };
}

type Item = {
  id: string;
  /** What it does ("Heading 1"): the tooltip, and the accessible name unless `spoken` is given. */
  label: string;
  /**
   * The accessible name when the glyph is text a person can read out and say to voice control
   * ("H1", "1."): it must contain that text (WCAG 2.5.3, Label in Name), so it starts with it.
   */
  spoken?: string;
  glyph: ReactNode;
  keys?: string;
  command: Command;
  pressed?: boolean;
  /** Toggles show `aria-pressed`; actions (undo) do not, it would mean nothing for them. */
  toggle: boolean;
  /** Block types: pressing the one that is on turns the block back into a paragraph. */
  blockType?: boolean;
};

function items(state: EditorState): Item[][] {
  const kind = blockKind(state);
  const list = listKind(state);
  const heading = (level: HeadingLevel): Item => ({
    id: `h${level}`,
    label: t("editor.heading", { level }),
    spoken: t("editor.glyphAndAction", {
      glyph: `H${level}`,
      action: t("editor.heading", { level }),
    }),
    glyph: `H${level}`,
    keys: `Mod-Alt-${level}`,
    command: setHeading(level),
    pressed: kind === `heading${level}`,
    toggle: true,
    blockType: true,
  });
  return [
    [
      {
        id: "p",
        label: t("editor.paragraph"),
        glyph: "¶",
        keys: "Mod-Alt-0",
        command: setParagraph,
        pressed: kind === "paragraph",
        toggle: true,
        blockType: true,
      },
      heading(1),
      heading(2),
      heading(3),
    ],
    [
      {
        id: "bold",
        label: t("editor.bold"),
        glyph: <strong>B</strong>,
        keys: "Mod-B",
        command: toggleStrong,
        pressed: markActive(state, schemaTypes.strong),
        toggle: true,
      },
      {
        id: "italic",
        label: t("editor.italic"),
        glyph: <em>I</em>,
        keys: "Mod-I",
        command: toggleEm,
        pressed: markActive(state, schemaTypes.em),
        toggle: true,
      },
      {
        id: "code",
        label: t("editor.code"),
        glyph: <code>{"</>"}</code>,
        keys: "Mod-E",
        command: toggleCode,
        pressed: markActive(state, schemaTypes.code),
        toggle: true,
      },
    ],
    [
      {
        id: "bullets",
        label: t("editor.bulletList"),
        glyph: "•",
        keys: "Mod-Shift-8",
        command: toggleBulletList,
        pressed: list === "bullet",
        toggle: true,
      },
      {
        id: "numbers",
        label: t("editor.orderedList"),
        spoken: t("editor.glyphAndAction", { glyph: "1.", action: t("editor.orderedList") }),
        glyph: "1.",
        keys: "Mod-Shift-7",
        command: toggleOrderedList,
        pressed: list === "ordered",
        toggle: true,
      },
      {
        id: "quote",
        label: t("editor.quote"),
        glyph: "“",
        command: toggleBlockquote,
        pressed: inBlockquote(state),
        toggle: true,
      },
      {
        id: "rule",
        label: t("editor.rule"),
        glyph: "—",
        command: insertRule,
        toggle: false,
      },
    ],
    [
      {
        id: "undo",
        label: t("editor.undo"),
        glyph: "↶",
        keys: "Mod-Z",
        command: undoCommand,
        toggle: false,
      },
      {
        id: "redo",
        label: t("editor.redo"),
        glyph: "↷",
        keys: "Mod-Shift-Z",
        command: redoCommand,
        toggle: false,
      },
    ],
  ];
}

export type ToolbarProps = {
  view: EditorView;
  state: EditorState;
  readOnly: boolean;
  linkOpen: boolean;
  onLinkOpen: (open: boolean) => void;
  focusMode: boolean;
  onFocusMode: (on: boolean) => void;
  /** Given: a "Link to…" button opens the picker of stories, log entries and map nodes. */
  onInternalLink?: (() => void) | undefined;
};

export function Toolbar({
  view,
  state,
  readOnly,
  linkOpen,
  onLinkOpen,
  focusMode,
  onFocusMode,
  onInternalLink,
}: ToolbarProps) {
  const groups = items(state);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const [current, setCurrent] = useState(0);
  const flat = groups.flat();
  const linkIndex = flat.length;
  const internalIndex = onInternalLink ? flat.length + 1 : -1;
  const focusIndex = flat.length + (onInternalLink ? 2 : 1);
  const count = focusIndex + 1;

  const run = (command: Command) => {
    command(view.state, view.dispatch, view);
    view.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1 };
    let next: number | null = null;
    if (e.key in moves) next = (current + (moves[e.key] ?? 0) + count) % count;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = count - 1;
    if (next === null) return;
    e.preventDefault();
    setCurrent(next);
    buttons.current[next]?.focus();
  };

  const link = linkRange(state);

  const button = (
    index: number,
    props: {
      label: string;
      spoken?: string | undefined;
      glyph: ReactNode;
      keys?: string | undefined;
      pressed?: boolean | undefined;
      disabled?: boolean;
      onClick: () => void;
      className?: string;
      opensDialog?: boolean;
    },
  ) => {
    const keys = props.keys ? shortcut(props.keys) : null;
    return (
      <button
        key={index}
        ref={(el) => {
          buttons.current[index] = el;
        }}
        type="button"
        className={`editor-tool ${props.className ?? ""}`}
        tabIndex={index === current ? 0 : -1}
        aria-label={props.spoken ?? props.label}
        aria-pressed={props.pressed}
        aria-haspopup={props.opensDialog ? "dialog" : undefined}
        aria-keyshortcuts={keys?.aria}
        title={
          keys ? t("editor.withShortcut", { action: props.label, keys: keys.label }) : props.label
        }
        disabled={props.disabled}
        // Keeps the selection in the text: the command acts on what was selected.
        onMouseDown={(e) => e.preventDefault()}
        onFocus={() => setCurrent(index)}
        onClick={props.onClick}
      >
        <span aria-hidden="true">{props.glyph}</span>
      </button>
    );
  };

  let index = 0;
  return (
    <div
      className="editor-toolbar"
      role="toolbar"
      aria-label={t("editor.toolbar")}
      aria-controls={view.dom.id || undefined}
      onKeyDown={onKeyDown}
    >
      {groups.map((group, g) => (
        <div className="editor-tool-group" key={g}>
          {group.map((item) => {
            const command = item.blockType && item.pressed ? setParagraph : item.command;
            return button(index++, {
              label: item.label,
              spoken: item.spoken,
              glyph: item.glyph,
              keys: item.keys,
              pressed: item.toggle ? Boolean(item.pressed) : undefined,
              // A command that cannot apply here (undo with nothing to undo) is disabled; a
              // pressed block type stays enabled, so it can be seen and pressed again.
              disabled: readOnly || (!(item.blockType && item.pressed) && !command(state)),
              onClick: () => run(command),
            });
          })}
          {g === 1 &&
            button(linkIndex, {
              label: t("editor.link"),
              glyph: (
                <Icon>
                  <path d="M6.5 9.5l3-3M7 4.5l1.2-1.2a2.5 2.5 0 013.5 3.5L10.5 8M9 11.5l-1.2 1.2a2.5 2.5 0 01-3.5-3.5L5.5 8" />
                </Icon>
              ),
              keys: "Mod-K",
              pressed: link !== null || linkOpen,
              disabled: readOnly,
              onClick: () => onLinkOpen(!linkOpen),
            })}
          {g === 1 &&
            onInternalLink &&
            button(internalIndex, {
              label: t("links.picker.button"),
              // A page with a link on it: a link to something inside Meitheal.
              glyph: (
                <Icon strokeWidth={1.6} roundJoins>
                  <path d="M3.5 1.8h5.5l3.5 3.5v8.9h-9z" />
                  <path d="M9 1.8v3.5h3.5" />
                  <path d="M6 10.5l3-3M7 8h2v2" />
                </Icon>
              ),
              disabled: readOnly,
              opensDialog: true,
              onClick: onInternalLink,
            })}
        </div>
      ))}
      <div className="editor-tool-group editor-tool-group-end">
        {button(focusIndex, {
          label: t("editor.focusMode"),
          glyph: "◎",
          keys: "Mod-Shift-F",
          pressed: focusMode,
          onClick: () => onFocusMode(!focusMode),
        })}
      </div>
    </div>
  );
}

/** The link form: opens under the toolbar with the current link's address, if any. */
export function LinkForm({ view, onClose }: { view: EditorView; onClose: () => void }) {
  const id = useId();
  const existing = linkRange(view.state);
  const [address, setAddress] = useState(existing?.href ?? "");
  const [error, setError] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const close = () => {
    onClose();
    view.focus();
  };
  return (
    <form
      className="editor-link-form"
      aria-label={t("editor.link.form")}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!setLink(address)(view.state, view.dispatch, view)) {
          setError(true);
          input.current?.focus();
          return;
        }
        close();
      }}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          close();
        }
      }}
    >
      <label htmlFor={`${id}-address`}>{t("editor.link.address")}</label>
      <input
        ref={input}
        id={`${id}-address`}
        type="url"
        inputMode="url"
        autoComplete="off"
        spellCheck={false}
        value={address}
        aria-invalid={error}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
        onChange={(e) => {
          setAddress(e.target.value);
          setError(false);
        }}
      />
      <p className="hint" id={`${id}-hint`}>
        {t("editor.link.hint")}
      </p>
      {error && (
        <p className="error" id={`${id}-error`} role="alert">
          {t("editor.link.invalid")}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary">
          {t("editor.link.apply")}
        </button>
        {existing && (
          <button
            type="button"
            onClick={() => {
              removeLink(view.state, view.dispatch, view);
              close();
            }}
          >
            {t("editor.link.remove")}
          </button>
        )}
        <button type="button" onClick={close}>
          {t("common.cancel" satisfies MessageKey)}
        </button>
      </div>
    </form>
  );
}
