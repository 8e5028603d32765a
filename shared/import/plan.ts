// What an import would create, worked out before anything is written: each file read as a story,
// its themes matched to the community's, its links to other files of the import named. Pure, so
// the preview and the import itself plan the same way and the preview can never differ from what
// the import does.
import type { ImportCandidate } from "../contract.ts";
import type { Theme } from "../schema/community.ts";
import { wordCount } from "../richtext/text.ts";
import { fileLinks, importText } from "./blocks.ts";
import { readCollectionIndex, type CollectionIndex } from "./collectionIndex.ts";
import { parseStory, type ParsedStory } from "./markdown.ts";

/** One file to import, already read and decoded. */
export type ImportFile = {
  /** Names the file for people and in `import:run`'s `sources`. */
  readonly source: string;
  /** A "/"-separated path: links between files are resolved against it. */
  readonly path: string;
  readonly text: string;
  /** Read as plain text (a `.txt` file), not Markdown. */
  readonly plainText: boolean;
};

export type PlannedStory = {
  readonly source: string;
  readonly path: string;
  readonly story: ParsedStory;
  /** The community's theme ids the story's theme labels matched. */
  readonly themeIds: readonly string[];
  readonly candidate: ImportCandidate;
};

/**
 * A collection to make from a contents page (an `index.md` exported by Meitheal): its stories are
 * the imported files it lists, in its order.
 */
export type PlannedCollection = {
  readonly source: string;
  readonly index: CollectionIndex;
  /** Paths of imported files, in the contents page's order. */
  readonly storyPaths: readonly string[];
};

/**
 * `notes`: what the preview says beyond the stories: the collections a contents page will make,
 * and files passed over on purpose.
 */
export type ImportPlan = {
  stories: PlannedStory[];
  collections: PlannedCollection[];
  notes: string[];
};

const storyCount = (n: number) => `${n} stor${n === 1 ? "y" : "ies"}`;

const themeKey = (label: string) => label.normalize("NFC").trim().toLocaleLowerCase();

const fileName = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/**
 * Plans an import. A contents page is always read, whichever stories `only` picks: its collection
 * is made of the picked stories it lists, or not at all when it lists none of them. Themes are matched to the community's by label, ignoring case; a label the
 * community does not have is left out with a warning, never created: a community's themes are
 * its shared vocabulary, chosen together in its settings, and an import must not grow it behind
 * people's backs. `only`, when given, picks sources; links to files outside it stay plain text.
 */
export function planImport(
  files: readonly ImportFile[],
  themes: Readonly<Record<string, Theme>>,
  only?: ReadonlySet<string>,
): ImportPlan {
  const byLabel = new Map<string, string>();
  for (const [id, theme] of Object.entries(themes)) {
    const key = themeKey(theme.label);
    if (key !== "" && !byLabel.has(key)) byLabel.set(key, id);
  }
  const notes: string[] = [];
  const parsed: { file: ImportFile; story: ParsedStory }[] = [];
  const indexes: { file: ImportFile; index: CollectionIndex }[] = [];
  for (const file of files) {
    const story = parseStory(file.text, { path: file.path, plainText: file.plainText });
    if (story.kind === "collection-index") {
      indexes.push({ file, index: readCollectionIndex(file.text, story.title, story.blocks) });
      continue;
    }
    if (only && !only.has(file.source)) continue;
    parsed.push({ file, story });
  }
  const imported = new Set(parsed.map((p) => p.file.path));

  const collections: PlannedCollection[] = [];
  for (const { file, index } of indexes) {
    const storyPaths = index.order.filter((path) => imported.has(path));
    const left = index.order.length - storyPaths.length;
    if (index.order.length > 0 && storyPaths.length === 0) {
      notes.push(
        `${file.source}: the collection "${index.title}" is not made, because none of the stories its contents page lists is imported. Import them with it to make the collection.`,
      );
      continue;
    }
    collections.push({ source: file.source, index, storyPaths });
    const parts = [
      ...(index.introduction.length > 0 ? ["its introduction"] : []),
      ...(index.credits.length > 0
        ? [`${index.credits.length} credit${index.credits.length === 1 ? "" : "s"}`]
        : []),
      `${storyCount(storyPaths.length)} in order`,
    ];
    const listed =
      parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
    notes.push(
      `${file.source}: the collection "${index.title}" with ${listed} will be made.` +
        (left > 0
          ? ` ${storyCount(left)} its contents page lists ${left === 1 ? "is" : "are"} not in this import and will not be in it.`
          : "") +
        index.warnings.map((w) => ` ${w}`).join(""),
    );
  }

  const stories = parsed.map(({ file, story }): PlannedStory => {
    const warnings = [...story.warnings];
    const themeIds: string[] = [];
    const matched: string[] = [];
    for (const label of story.themes) {
      const id = byLabel.get(themeKey(label));
      if (id === undefined) {
        warnings.push(
          `The theme "${label}" is not one of this community's themes, so it was left out. Add it in the community's settings first to keep it.`,
        );
        continue;
      }
      if (!themeIds.includes(id)) {
        themeIds.push(id);
        matched.push(themes[id]?.label ?? label);
      }
    }
    for (const target of fileLinks(story.blocks))
      if (!imported.has(target))
        warnings.push(
          `A link to ${fileName(target)} was kept as plain text: that file is not part of this import.`,
        );
    return {
      source: file.source,
      path: file.path,
      story,
      themeIds,
      candidate: {
        source: file.source,
        title: story.title,
        status: story.status,
        themes: matched,
        words: wordCount(importText(story.blocks)),
        warnings,
      },
    };
  });
  return { stories, collections, notes };
}
