// An inquiry map as one self-contained SVG document: the boxes where people put them, the edges
// that are drawn on screen (`visibleEdges`: never one whose end is gone), every style inline and no
// external reference, so the file opens anywhere and a browser can draw it on a canvas for a PNG.
// Plain string building, no DOM: it runs in the window and in Node alike. Everything a person (or
// a peer) wrote is escaped, and characters XML cannot hold are dropped, so no text can break the
// document or smuggle markup into it.
import { visibleEdges } from "../ops/map.ts";
import type { InquiryMap, MapNode, NodeKind, QuestionStatus, Relation } from "../schema/map.ts";

export type MapSvgLabels = {
  kind: Record<NodeKind, string>;
  relation: Record<Relation, string>;
  status: Record<QuestionStatus, string>;
  /** Said when the map has no nodes. */
  empty: string;
};

export type MapSvgOptions = { title: string; labels: MapSvgLabels };

/** Every node box is this wide; `at` is its top-left corner. */
export const NODE_WIDTH = 220;
/**
 * Characters on one line of a node's text: what fits the 196 px inside a box at 13 px even in a
 * wide fallback font (DejaVu Sans, on a Linux without system fonts).
 */
export const LINE_CHARS = 26;

const PAD_X = 12;
const PAD_TOP = 10;
const PAD_BOTTOM = 12;
const KIND_LINE = 18;
const LINE_HEIGHT = 18;
const MARGIN = 40;
const TITLE_BAND = 36;
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";
const TEXT_COLOUR = "#1d2530";

/** Calm tints with a darker line and label of the same hue; every label reads at 4.5:1 or more. */
export const KIND_COLOURS: Record<NodeKind, { fill: string; stroke: string; label: string }> = {
  question: { fill: "#e8f1fb", stroke: "#2f6db5", label: "#245a99" },
  insight: { fill: "#fdf3d8", stroke: "#b08a1e", label: "#6e5200" },
  resource: { fill: "#e7f5ec", stroke: "#3d8a5c", label: "#256340" },
  practice: { fill: "#f3ebfa", stroke: "#7a4fa3", label: "#643d8a" },
  story: { fill: "#fde9e4", stroke: "#b4512f", label: "#94401f" },
  entry: { fill: "#eef0f2", stroke: "#6b7480", label: "#4b535d" },
};

const RELATION_STYLE: Record<Relation, { colour: string; dash: string | null }> = {
  raises: { colour: "#2f6db5", dash: null },
  answers: { colour: "#3d8a5c", dash: null },
  supports: { colour: "#3d8a5c", dash: "6 4" },
  challenges: { colour: "#b4512f", dash: "2 4" },
  relates: { colour: "#6b7480", dash: "1 5" },
};

// XML 1.0 allows tab, newline, carriage return and everything from U+0020 except U+FFFE/U+FFFF
// and unpaired surrogates. The rest is removed before anything else looks at the text.
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- these control characters are what is removed
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text as XML can hold it, with markup characters escaped. */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/**
 * A node's text as the lines drawn in its box: words wrapped at `LINE_CHARS` characters, a line
 * break kept, a word longer than a line cut. Always at least one line (an empty box still has
 * room for its text).
 */
export function wrapText(text: string, width = LINE_CHARS): string[] {
  const lines: string[] = [];
  const clean = text.replace(NOT_XML, "").replace(/\r\n?/g, "\n").replace(/\t/g, " ");
  for (const paragraph of clean.split("\n")) {
    let line: string[] = [];
    for (const word of paragraph.split(" ").filter((w) => w !== "")) {
      let chars = Array.from(word);
      // Cut a word no line can hold; code points, so a pair of surrogates is never split.
      while (chars.length > width) {
        if (line.length > 0) lines.push(line.join(" "));
        line = [];
        lines.push(chars.slice(0, width).join(""));
        chars = chars.slice(width);
      }
      const piece = chars.join("");
      if (piece === "") continue;
      const length = line.reduce((n, w) => n + Array.from(w).length + 1, 0) + chars.length;
      if (line.length > 0 && length > width) {
        lines.push(line.join(" "));
        line = [];
      }
      line.push(piece);
    }
    lines.push(line.join(" "));
  }
  // Trailing empty lines say nothing; one line is the least a box has.
  while (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The height of a node's box for its text (the kind line above, then the wrapped text). */
export function nodeHeight(text: string): number {
  return PAD_TOP + KIND_LINE + wrapText(text).length * LINE_HEIGHT + PAD_BOTTOM;
}

/** Numbers as written into the SVG: one decimal at most, so output is short and stable. */
const num = (n: number): string => {
  const r = Math.round(n * 10) / 10;
  return Object.is(r, -0) ? "0" : String(r);
};

type Box = { x: number; y: number; w: number; h: number };

/** Where the line from the centre of `box` towards `to` leaves the box. */
function exitPoint(box: Box, to: { x: number; y: number }): { x: number; y: number } {
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const dx = to.x - cx;
  const dy = to.y - cy;
  if (dx === 0 && dy === 0) return { x: cx, y: cy };
  const t = Math.min(
    dx === 0 ? Number.POSITIVE_INFINITY : box.w / 2 / Math.abs(dx),
    dy === 0 ? Number.POSITIVE_INFINITY : box.h / 2 / Math.abs(dy),
  );
  return { x: cx + dx * t, y: cy + dy * t };
}

const centre = (b: Box) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

const byCreation = (nodes: Record<string, MapNode>) => (a: string, b: string) =>
  nodes[a]!.createdAt - nodes[b]!.createdAt || (a < b ? -1 : a > b ? 1 : 0);

export function mapToSvg(map: Pick<InquiryMap, "nodes" | "edges">, options: MapSvgOptions): string {
  const { labels } = options;
  const title = escapeXml(options.title);
  const ids = Object.keys(map.nodes).sort(byCreation(map.nodes));
  const font = `font-family="${escapeXml(FONT)}"`;

  if (ids.length === 0) {
    const width = 360;
    const height = 120;
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`,
      `<title>${title}</title>`,
      `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
      `<text x="${MARGIN / 2}" y="36" ${font} font-size="16" font-weight="600" fill="${TEXT_COLOUR}">${title}</text>`,
      `<text x="${MARGIN / 2}" y="76" ${font} font-size="13" fill="#4b535d">${escapeXml(labels.empty)}</text>`,
      `</svg>`,
      "",
    ].join("\n");
  }

  const boxes = new Map<string, Box>();
  const lines = new Map<string, string[]>();
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const id of ids) {
    const node = map.nodes[id]!;
    const wrapped = wrapText(node.text);
    const box = { x: node.at.x, y: node.at.y, w: NODE_WIDTH, h: nodeHeight(node.text) };
    boxes.set(id, box);
    lines.set(id, wrapped);
    minX = Math.min(minX, box.x);
    minY = Math.min(minY, box.y);
    maxX = Math.max(maxX, box.x + box.w);
    maxY = Math.max(maxY, box.y + box.h);
  }
  const vx = minX - MARGIN;
  const vy = minY - MARGIN - TITLE_BAND;
  const vw = maxX - minX + 2 * MARGIN;
  const vh = maxY - minY + 2 * MARGIN + TITLE_BAND;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(vw)}" height="${num(vh)}" viewBox="${num(vx)} ${num(vy)} ${num(vw)} ${num(vh)}" role="img">`,
    `<title>${title}</title>`,
    `<defs>`,
    ...Object.entries(RELATION_STYLE).map(
      ([relation, style]) =>
        `<marker id="arrow-${relation}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${style.colour}"/></marker>`,
    ),
    `</defs>`,
    `<rect x="${num(vx)}" y="${num(vy)}" width="${num(vw)}" height="${num(vh)}" fill="#ffffff"/>`,
    `<text x="${num(minX)}" y="${num(minY - MARGIN / 2 - 6)}" ${font} font-size="18" font-weight="600" fill="${TEXT_COLOUR}">${title}</text>`,
  ];

  // Edges first, so boxes sit over their ends; each from box edge to box edge.
  out.push(`<g fill="none" stroke-width="1.6">`);
  const labelsOut: string[] = [];
  for (const edge of visibleEdges(map)) {
    const from = boxes.get(edge.from)!;
    const to = boxes.get(edge.to)!;
    const a = exitPoint(from, centre(to));
    const b = exitPoint(to, centre(from));
    const style = RELATION_STYLE[edge.relation];
    const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : "";
    out.push(
      `<line x1="${num(a.x)}" y1="${num(a.y)}" x2="${num(b.x)}" y2="${num(b.y)}" stroke="${style.colour}"${dash} marker-end="url(#arrow-${edge.relation})"/>`,
    );
    labelsOut.push(
      `<text x="${num((a.x + b.x) / 2)}" y="${num((a.y + b.y) / 2 + 4)}" text-anchor="middle" ${font} font-size="11" fill="${style.colour}" stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke">${escapeXml(labels.relation[edge.relation])}</text>`,
    );
  }
  out.push(`</g>`);

  for (const id of ids) {
    const node = map.nodes[id]!;
    const box = boxes.get(id)!;
    const colours = KIND_COLOURS[node.kind];
    const kind =
      node.kind === "question"
        ? `${labels.kind.question} · ${labels.status[node.status]}`
        : labels.kind[node.kind];
    const textX = num(box.x + PAD_X);
    out.push(
      `<g>`,
      `<rect x="${num(box.x)}" y="${num(box.y)}" width="${box.w}" height="${box.h}" rx="10" ry="10" fill="${colours.fill}" stroke="${colours.stroke}" stroke-width="1.5"/>`,
      `<text x="${textX}" y="${num(box.y + PAD_TOP + 11)}" ${font} font-size="11" font-weight="600" letter-spacing="0.3" fill="${colours.label}">${escapeXml(kind)}</text>`,
    );
    const wrapped = lines.get(id)!;
    const firstLine = box.y + PAD_TOP + KIND_LINE + 13;
    for (const [i, line] of wrapped.entries())
      if (line !== "")
        out.push(
          `<text x="${textX}" y="${num(firstLine + i * LINE_HEIGHT)}" ${font} font-size="13" fill="${TEXT_COLOUR}">${escapeXml(line)}</text>`,
        );
    out.push(`</g>`);
  }
  out.push(...labelsOut, `</svg>`, "");
  return out.join("\n");
}
