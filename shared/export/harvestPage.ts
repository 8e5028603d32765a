// A harvest's chosen material written out as one HTML page. Like the book's HTML (html.ts): styles
// inline, no script, nothing fetched from anywhere, a print stylesheet (the PDF is printed from
// it), and everything people wrote escaped.
import type { Theme } from "../schema/community.ts";
import { ENTRY_TEXT_FIELDS } from "../schema/log.ts";
import { hrefRef } from "../links/ref.ts";
import {
  cleanText,
  cleanTitle,
  readBlocks,
  uniqueSlugs,
  type Block,
  type BookLink,
} from "./book.ts";
import { blocksMarkup, escapeXml, type MarkupStyle, type PageSize } from "./html.ts";
import { dayWriter } from "./harvestDays.ts";
import type { HarvestMaterial } from "./harvestGather.ts";
import type { HarvestLabels } from "./harvestLabels.ts";
import { mapToSvg } from "./mapSvg.ts";

const fill = (template: string, values: Record<string, string>): string =>
  template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);

/** Text people wrote in a plain field, as paragraphs with their line breaks. */
function prose(text: string): string {
  return cleanText(text)
    .trim()
    .split(/\n[ \t]*\n+/)
    .filter((p) => p.trim() !== "")
    .map((p) => `<p>${escapeXml(p.trim()).replace(/\n/g, "<br>")}</p>`)
    .join("\n");
}

/** SVG ids are document-wide when inlined in HTML: each map's arrow markers get their own. */
const ownIds = (svg: string, prefix: string): string =>
  // Only attribute values: text people wrote is escaped, so `"` never occurs in it.
  svg
    .replace(/ id="arrow-/g, ` id="${prefix}-arrow-`)
    .replace(/="url\(#arrow-/g, `="url(#${prefix}-arrow-`)
    .replace(/ role="img">/, ` role="img" aria-labelledby="${prefix}-title">`)
    .replace(/<title>/, `<title id="${prefix}-title">`);

const CSS = `
:root { color-scheme: light dark; --ink: #1f2328; --muted: #59636e; --rule: #d0d7de; --accent: #0b6e4f; --paper: #fffdf8; --card: #ffffff; }
@media (prefers-color-scheme: dark) { :root { --ink: #e6e1d6; --muted: #a8a294; --rule: #3d3a35; --accent: #7fd1ae; --paper: #1b1a18; --card: #24221f; } }
* { box-sizing: border-box; }
html { background: var(--paper); color: var(--ink); }
body { margin: 0 auto; padding: 3rem 1.25rem 5rem; max-width: 46rem; font-family: "Iowan Old Style", "Palatino Linotype", Palatino, Georgia, "Times New Roman", serif; font-size: 1.08rem; line-height: 1.6; overflow-wrap: break-word; }
h1, h2, h3, h4, h5, h6, .meta, dt { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 1.8em 0 0.5em; }
h1 { font-size: 2.1rem; margin-top: 0; }
h2 { font-size: 1.6rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.2em; }
h3 { font-size: 1.25rem; }
h4, h5, h6 { font-size: 1.05rem; }
p { margin: 0 0 0.8em; }
a { color: var(--accent); }
blockquote { margin: 1em 0; padding: 0.1em 0 0.1em 1.1em; border-left: 3px solid var(--rule); color: var(--muted); font-style: italic; }
ul, ol { padding-left: 1.6em; margin: 0 0 0.8em; }
.range { font-size: 1.2rem; color: var(--muted); margin: -0.3em 0 0.4em; }
.summary, .meta, .none { color: var(--muted); }
.meta { font-size: 0.9rem; margin: 0 0 0.8em; }
.meta span + span::before { content: " · "; }
.toc ol { margin: 0.4em 0 0; }
.entry, .story { background: var(--card); border: 1px solid var(--rule); border-radius: 8px; padding: 1rem 1.2rem 0.4rem; margin: 0 0 1.2rem; }
.entry h4, .story h3 { margin-top: 0; }
dl { margin: 0; }
dt { font-weight: 600; font-size: 0.95rem; margin-top: 0.6em; }
dd { margin: 0.2em 0 0.4em; }
figure.map { margin: 0 0 2rem; }
figure.map svg { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); border-radius: 8px; background: #fff; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
@media print {
  :root { --ink: #000; --muted: #333; --rule: #999; --accent: #000; --paper: #fff; --card: #fff; }
  body { max-width: none; padding: 0; font-size: 10.5pt; line-height: 1.4; font-family: "Noto Serif", "Noto Emoji", "Iowan Old Style", "Palatino Linotype", Palatino, Georgia, "Times New Roman", serif; }
  h1, h2, h3, h4, h5, h6, .meta, dt { font-family: inherit; }
  h1, h2, h3, h4, h5, h6 { break-after: avoid; page-break-after: avoid; }
  p, li, blockquote, dd { orphans: 3; widows: 3; }
  a { text-decoration: none; }
  .toc { display: none; }
  section.part { break-before: page; page-break-before: always; }
  .entry, figure.map { break-inside: avoid; page-break-inside: avoid; }
  .entry, .story { border: 0; border-top: 1px solid var(--rule); border-radius: 0; padding: 0.6rem 0 0; }
}
`;

const PAGE_CSS: Record<PageSize, string> = {
  A4: "@page { size: A4; margin: 20mm 18mm 22mm; }",
  A5: "@page { size: A5; margin: 14mm 12mm 16mm; }\n@media print { body { font-size: 9.5pt; } }",
};

export type PageOptions = {
  readonly community: string;
  readonly themes: Readonly<Record<string, Theme>>;
  /** Calendar days, `YYYY-MM-DD`, both included (already checked). */
  readonly from: string;
  readonly to: string;
  readonly labels: HarvestLabels;
  /** BCP 47 tag for the page and for how days are written. */
  readonly locale: string;
  readonly pageSize: PageSize;
  readonly onProgress?: (done: number, total: number) => void;
};

/** The report's page: logs by day, stories in full, maps drawn inline. */
export function harvestPage(material: HarvestMaterial, options: PageOptions): string {
  const { from, to, labels, locale } = options;
  const { days, byDay, stories, maps } = material;
  const page = options.pageSize;
  const untitled = labels.untitled;
  const writeDay = dayWriter(locale);
  const themeLabel = (ids: Readonly<Record<string, true>>) =>
    Object.entries(options.themes)
      .filter(([id]) => ids[id] === true)
      .sort(([, a], [, b]) => a.order - b.order || a.label.localeCompare(b.label))
      .map(([, t]) => cleanTitle(t.label))
      .filter((l) => l !== "");
  const slugs = uniqueSlugs(stories.map((s) => s.title));
  const slugOf = new Map(stories.map((s, i) => [s.id, slugs[i]!]));
  const resolve = (href: string): BookLink | null => {
    const ref = hrefRef(href);
    if (ref) {
      const slug = ref.type === "story" ? slugOf.get(ref.docId) : undefined;
      return slug === undefined ? null : { type: "story", slug };
    }
    return /^(https?|mailto):/i.test(href) ? { type: "external", href } : null;
  };
  const style: MarkupStyle = { xml: false, headingShift: 3, storyHref: (slug) => `#story-${slug}` };

  const total = stories.length + maps.length;
  let done = 0;
  const step = () => options.onProgress?.(++done, total);
  options.onProgress?.(0, total);

  const community = cleanTitle(options.community) || untitled;
  const title = fill(labels.title, { community });
  const rangeText = fill(from === to ? labels.oneDay : labels.range, {
    from: writeDay(from),
    to: writeDay(to),
  });
  const out: string[] = [
    "<!DOCTYPE html>",
    `<html lang="${escapeXml(locale)}">`,
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Even if something slipped through, the browser is told to fetch nothing.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="generator" content="Meitheal">',
    `<title>${escapeXml(`${title} (${from} – ${to})`)}</title>`,
    `<style>${CSS}${PAGE_CSS[page]}\n</style>`,
    "</head>",
    "<body>",
    "<header>",
    `<h1>${escapeXml(title)}</h1>`,
    `<p class="range">${escapeXml(rangeText)}</p>`,
    `<p class="summary">${escapeXml(`${labels.entries}: ${material.entries} · ${labels.stories}: ${stories.length} · ${labels.maps}: ${maps.length}`)}</p>`,
    "</header>",
    '<nav class="toc" aria-labelledby="toc-title">',
    `<h2 id="toc-title">${escapeXml(labels.contents)}</h2>`,
    "<ol>",
    `<li><a href="#logs">${escapeXml(labels.logs)}</a></li>`,
    `<li><a href="#stories">${escapeXml(labels.stories)}</a></li>`,
    `<li><a href="#maps">${escapeXml(labels.maps)}</a></li>`,
    "</ol>",
    "</nav>",
    "<main>",
  ];

  out.push(
    '<section class="part" id="logs" aria-labelledby="logs-title">',
    `<h2 id="logs-title">${escapeXml(labels.logs)}</h2>`,
  );
  if (days.length === 0) out.push(`<p class="none">${escapeXml(labels.noEntries)}</p>`);
  for (const day of days) {
    out.push(
      `<section class="day" id="day-${day}" aria-labelledby="day-${day}-title">`,
      `<h3 id="day-${day}-title"><time datetime="${day}">${escapeXml(writeDay(day))}</time></h3>`,
    );
    for (const { log, entry } of byDay.get(day)!) {
      const people = [
        ...new Set(
          Object.values(entry.participants)
            .map((p) => cleanTitle(p.name))
            .filter((n) => n !== ""),
        ),
      ].sort((a, b) => a.localeCompare(b));
      const meta: string[] = [];
      if (people.length > 0) meta.push(`${labels.participants}: ${people.join(", ")}`);
      const themes = themeLabel(entry.themes);
      if (themes.length > 0) meta.push(`${labels.themes}: ${themes.join(", ")}`);
      out.push(
        `<article class="entry" data-entry="${escapeXml(entry.id)}">`,
        `<h4>${escapeXml(`${log} · ${labels.entryKinds[entry.kind]}`)}</h4>`,
      );
      if (meta.length > 0)
        out.push(`<p class="meta">${meta.map((m) => `<span>${escapeXml(m)}</span>`).join("")}</p>`);
      const fields = ENTRY_TEXT_FIELDS.filter((f) => entry[f].trim() !== "");
      if (fields.length > 0) {
        out.push("<dl>");
        for (const field of fields)
          out.push(
            `<dt>${escapeXml(labels.fields[field])}</dt>`,
            `<dd>${prose(entry[field])}</dd>`,
          );
        out.push("</dl>");
      }
      out.push("</article>");
    }
    out.push("</section>");
  }
  out.push("</section>");

  out.push(
    '<section class="part" id="stories" aria-labelledby="stories-title">',
    `<h2 id="stories-title">${escapeXml(labels.stories)}</h2>`,
  );
  if (stories.length === 0) out.push(`<p class="none">${escapeXml(labels.noStories)}</p>`);
  for (const s of stories) {
    const slug = slugOf.get(s.id)!;
    const meta = [
      labels.statuses[s.story.status],
      s.created ? labels.created : labels.changed,
      ...(() => {
        const themes = themeLabel(s.story.themes);
        return themes.length > 0 ? [`${labels.themes}: ${themes.join(", ")}`] : [];
      })(),
    ];
    const blocks: Block[] = readBlocks(s.doc, ["body"], resolve);
    out.push(
      `<article class="story" id="story-${slug}" aria-labelledby="story-${slug}-title">`,
      `<h3 id="story-${slug}-title">${escapeXml(s.title)}</h3>`,
      `<p class="meta">${meta.map((m) => `<span>${escapeXml(m)}</span>`).join("")}</p>`,
      blocksMarkup(blocks, style),
      "</article>",
    );
    step();
  }
  out.push("</section>");

  out.push(
    '<section class="part" id="maps" aria-labelledby="maps-title">',
    `<h2 id="maps-title">${escapeXml(labels.maps)}</h2>`,
  );
  if (maps.length === 0) out.push(`<p class="none">${escapeXml(labels.noMaps)}</p>`);
  maps.forEach((m, i) => {
    const prefix = `map${i + 1}`;
    const svg = mapToSvg(m.map, { title: m.title, labels: labels.map });
    out.push(
      `<figure class="map" id="${prefix}">`,
      // For moving by headings; the drawing shows the title itself.
      `<h3 class="visually-hidden">${escapeXml(m.title)}</h3>`,
      ownIds(svg, prefix).trimEnd(),
      "</figure>",
    );
    step();
  });
  out.push("</section>", "</main>", "</body>", "</html>", "");

  return out.join("\n");
}
