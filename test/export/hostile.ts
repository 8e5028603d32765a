// A collection whose titles, names and text try to break every format: markup, entities, quotes,
// YAML, Markdown syntax, control characters, lone surrogates, very long and duplicate titles,
// reserved file names, unsafe links. Written as real Automerge documents.
import type * as Automerge from "@automerge/automerge";
import { bookFromDocs, type Book, type BookWarning } from "../../shared/export/book.ts";
import { collectionDoc, newDocId, storyDoc, THEMES, type FixtureBlock } from "./fixtures.ts";

export const SCRIPT_TITLE = `<script>alert("x")</script> & "quotes" 'single' </title>`;
export const YAML_TITLE = 'key: value\n---\n- "list" # not a comment';
export const CONTROL_TITLE = "Bell\u0007 nul\u0000 escape\u001b[31m red\u007f\u0085 half\uD800";
export const LONG_TITLE = `${"Very long title ".repeat(125)}end`;
export const DUPLICATE_TITLE = "Same title";

export const HOSTILE_TEXT = [
  `</p><script>alert(1)</script><img src="https://evil.example/x.png">`,
  `]]> <![CDATA[ x ]]> &amp; &#x26; &lt; {{ template }} \${x} <!-- comment -->`,
  "*not bold* _not em_ `not code` [not](a link) # not a heading | not a table |",
  "1. not a list",
  "--- not a rule",
  "> not a quote",
  "@not-a-citation ^not-super^ ~not-sub~ $not math$ \\backslash\\",
];

const titles = [
  SCRIPT_TITLE,
  YAML_TITLE,
  CONTROL_TITLE,
  LONG_TITLE,
  DUPLICATE_TITLE,
  DUPLICATE_TITLE,
  DUPLICATE_TITLE.toUpperCase(),
  "index",
  "CON",
  "",
  "東京の物語",
];

export type HostileBook = {
  book: Book;
  warnings: BookWarning[];
  ids: string[];
  stories: Map<string, Automerge.Doc<unknown>>;
};

export function hostileBook(): HostileBook {
  const ids = titles.map(() => newDocId());
  const stories = new Map<string, Automerge.Doc<unknown>>();
  titles.forEach((title, i) => {
    const body: FixtureBlock[] = HOSTILE_TEXT.map((text) => ({ type: "paragraph", text }));
    body.push(
      { type: "heading", level: 1, text: "Heading with # and {#id} and trailing ##" },
      { type: "quote", text: "<b>not bold</b> & done" },
      { type: "bullet", text: "- item with a dash" },
      {
        type: "rich",
        runs: [
          { text: "unsafe ", strong: true },
          { text: "script link", href: "javascript:alert(1)" },
          { text: " data link", href: "data:text/html,<script>alert(1)</script>" },
          { text: " quoted href", href: `https://example.org/?q="x"&y=<z>` },
          { text: " next", story: ids[(i + 1) % ids.length] },
        ],
      },
    );
    stories.set(
      ids[i]!,
      storyDoc({
        title,
        status: "published",
        themes: ["t1"],
        contributors: [`Name <b>"&"</b>`, "Ann: --- '"],
        body,
      }),
    );
  });
  const collection = collectionDoc({
    title: `Hostile <book> & "co" ---`,
    subtitle: "---\nsubtitle: injected",
    language: "ga",
    introduction: HOSTILE_TEXT.map((text) => ({ type: "paragraph", text })),
    credits: [{ name: `<i>Editor</i> & "co"`, role: "editor" }],
    stories: ids,
  });
  const read = bookFromDocs({ id: newDocId(), doc: collection }, stories, THEMES, {
    untitled: "Untitled",
  });
  if (!read.ok) throw new Error(read.error.message);
  return { ...read.value, ids, stories };
}
