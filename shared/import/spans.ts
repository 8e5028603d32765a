// An imported body as the spans a story stores. richtext/text.ts `blocksToSpans` marks whole blocks
// only; an import has emphasis on some words, links, line breaks, nested lists and quotes. So the
// blocks are built into a ProseMirror document of the story schema and encoded the way the editor
// encodes (richtext/body.ts `encodeBody`): what is stored is exactly what the editor would write,
// and opening the story changes nothing.
import type { Span } from "@automerge/automerge";
import type { Mark, Node as PmNode } from "prosemirror-model";
import { refHref } from "../links/ref.ts";
import { encodeBody } from "../richtext/body.ts";
import { sanitizeHref, storySchema, storySchemaAdapter } from "../richtext/schema.ts";
import type { ImportBlock, ImportInline, ImportLink } from "./blocks.ts";

/** The story document id a file of the import became, or null when that file is not imported. */
export type ResolveFile = (path: string) => string | null;

const nodes = storySchema.nodes;
const marks = storySchema.marks;

function hrefOf(link: ImportLink | null, resolve: ResolveFile): string | null {
  if (!link) return null;
  if (link.type === "href") return sanitizeHref(link.href);
  const docId = resolve(link.path);
  return docId === null ? null : sanitizeHref(refHref({ type: "story", docId }));
}

function inlineNodes(content: readonly ImportInline[], resolve: ResolveFile): PmNode[] {
  const out: PmNode[] = [];
  for (const run of content) {
    if (run.type === "break") {
      out.push(nodes.hard_break!.create());
      continue;
    }
    if (run.text === "") continue;
    const set: Mark[] = [];
    if (run.strong) set.push(marks.strong!.create());
    if (run.em) set.push(marks.em!.create());
    if (run.code) set.push(marks.code!.create());
    const href = hrefOf(run.link, resolve);
    if (href !== null) set.push(marks.link!.create({ href, title: run.link?.title ?? null }));
    out.push(storySchema.text(run.text, set));
  }
  return out;
}

const paragraph = (content: PmNode[] = []): PmNode => nodes.paragraph!.createChecked(null, content);

function blockNodes(blocks: readonly ImportBlock[], resolve: ResolveFile): PmNode[] {
  const out: PmNode[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case "heading":
        out.push(
          nodes.heading!.createChecked({ level: block.level }, inlineNodes(block.content, resolve)),
        );
        break;
      case "paragraph":
        out.push(paragraph(inlineNodes(block.content, resolve)));
        break;
      case "quote": {
        const inner = blockNodes(block.blocks, resolve);
        out.push(nodes.blockquote!.createChecked(null, inner.length > 0 ? inner : [paragraph()]));
        break;
      }
      case "list": {
        const type = block.ordered ? nodes.ordered_list! : nodes.bullet_list!;
        const items = block.items.map((item) => {
          const inner = blockNodes(item, resolve);
          // A list item opens with a paragraph: a heading there is read as one, anything else
          // (a quote, a list) goes under an empty first line, as the editor would hold it.
          const first = inner[0];
          if (first?.type.name === "heading") inner[0] = paragraph(first.content.content.slice());
          else if (first?.type.name !== "paragraph") inner.unshift(paragraph());
          return nodes.list_item!.createChecked(null, inner);
        });
        out.push(type.createChecked(block.ordered ? { order: block.start } : null, items));
        break;
      }
      case "rule":
        out.push(nodes.horizontal_rule!.create());
        break;
      case "code":
        out.push(nodes.code_block!.createChecked(null, storySchema.text(block.text)));
        break;
    }
  }
  return out;
}

/** The imported body as a ProseMirror document of the story schema. */
export function importDoc(blocks: readonly ImportBlock[], resolve: ResolveFile): PmNode {
  const content = blockNodes(blocks, resolve);
  return nodes.doc!.createChecked(null, content.length > 0 ? content : [paragraph()]);
}

/**
 * The spans of a story body made of `blocks`, as the editor writes them; [] for an empty body (a
 * new story's body is an empty text). Write with
 * `updateSpans(doc, ["body"], spans, storySchemaAdapter.updateSpansConfig())`.
 */
export function importSpans(blocks: readonly ImportBlock[], resolve: ResolveFile): Span[] {
  if (blocks.length === 0) return [];
  return encodeBody(storySchemaAdapter, importDoc(blocks, resolve));
}
