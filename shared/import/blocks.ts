// What an imported body is before it becomes a story's spans: blocks of runs of text with their
// marks and links, and what is read back from them (their text, the files they link to).
import type { HeadingLevel } from "../richtext/schema.ts";

/** Where a link goes: another file of the import (resolved later), or a safe web/mail/internal href. */
export type ImportLink = (
  | { readonly type: "file"; readonly path: string }
  | { readonly type: "href"; readonly href: string }
) & {
  /** The link's title (`[text](url "title")`), or null. */
  readonly title: string | null;
};

export type ImportInline =
  | {
      readonly type: "text";
      readonly text: string;
      readonly strong: boolean;
      readonly em: boolean;
      /** Inline code (`text`). */
      readonly code: boolean;
      readonly link: ImportLink | null;
    }
  | { readonly type: "break" };

export type ImportBlock =
  | {
      readonly type: "heading";
      readonly level: HeadingLevel;
      readonly content: readonly ImportInline[];
    }
  | { readonly type: "paragraph"; readonly content: readonly ImportInline[] }
  | { readonly type: "quote"; readonly blocks: readonly ImportBlock[] }
  | {
      readonly type: "list";
      readonly ordered: boolean;
      /** The first number of an ordered list (1 for a bulleted one). */
      readonly start: number;
      readonly items: readonly (readonly ImportBlock[])[];
    }
  | { readonly type: "rule" }
  /** A code block: its text exactly, every space and line end kept. */
  | { readonly type: "code"; readonly text: string };

export const sameImportLink = (a: ImportLink | null, b: ImportLink | null): boolean =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.title === b.title &&
    (a.type === "file"
      ? b.type === "file" && a.path === b.path
      : b.type === "href" && a.href === b.href));

export const hasText = (content: readonly ImportInline[]): boolean =>
  content.some((i) => i.type === "text" && i.text.trim() !== "");

export function trimBreaks(content: ImportInline[]): ImportInline[] {
  while (content[0]?.type === "break") content.shift();
  while (content[content.length - 1]?.type === "break") content.pop();
  return content;
}

export const inlineText = (content: readonly ImportInline[]): string =>
  content.map((i) => (i.type === "text" ? i.text : " ")).join("");

/** The text of blocks, a line per paragraph, heading or list item: for word counts and tests. */
export function importText(blocks: readonly ImportBlock[]): string {
  const lines: string[] = [];
  const walk = (list: readonly ImportBlock[]) => {
    for (const b of list) {
      if (b.type === "quote") walk(b.blocks);
      else if (b.type === "list") b.items.forEach(walk);
      else if (b.type === "code") lines.push(b.text);
      else if (b.type !== "rule") lines.push(inlineText(b.content).trim());
    }
  };
  walk(blocks);
  return lines.join("\n");
}

/** Every file the blocks link to (resolved paths), once each, in order. */
export function fileLinks(blocks: readonly ImportBlock[]): string[] {
  const seen = new Set<string>();
  const walk = (list: readonly ImportBlock[]) => {
    for (const b of list) {
      if (b.type === "quote") walk(b.blocks);
      else if (b.type === "list") b.items.forEach(walk);
      else if (b.type === "heading" || b.type === "paragraph")
        for (const i of b.content)
          if (i.type === "text" && i.link?.type === "file") seen.add(i.link.path);
    }
  };
  walk(blocks);
  return [...seen];
}
