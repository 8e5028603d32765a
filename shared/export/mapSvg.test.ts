// @vitest-environment jsdom
// jsdom only for its strict XML parser, to prove the output well-formed; mapToSvg itself uses no DOM.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NODE_KINDS,
  QUESTION_STATUSES,
  RELATIONS,
  type InquiryMap,
  type MapEdge,
  type MapNode,
  type NodeKind,
} from "../schema/map.ts";
import {
  KIND_COLOURS,
  LINE_CHARS,
  NODE_WIDTH,
  escapeXml,
  mapToSvg,
  nodeHeight,
  wrapText,
  type MapSvgOptions,
} from "./mapSvg.ts";

type XmlElement = {
  tagName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
};
type XmlDocument = {
  documentElement: XmlElement;
  getElementsByTagName(name: string): ArrayLike<XmlElement>;
};
// The test project checks types without DOM types (shared/ code has none); jsdom provides it here.
const parser = new (
  globalThis as unknown as {
    DOMParser: new () => { parseFromString(text: string, type: string): XmlDocument };
  }
).DOMParser();

const parse = (svg: string): XmlDocument => {
  const doc = parser.parseFromString(svg, "image/svg+xml");
  const errors = doc.getElementsByTagName("parsererror");
  if (errors.length > 0) throw new Error(`not well-formed: ${errors[0]?.textContent}`);
  expect(doc.documentElement.tagName).toBe("svg");
  return doc;
};

const texts = (doc: XmlDocument): string[] =>
  Array.from(doc.getElementsByTagName("text")).map((t) => t.textContent ?? "");

const options: MapSvgOptions = {
  title: "What we are asking",
  labels: {
    kind: {
      question: "Question",
      insight: "Insight",
      resource: "Resource",
      practice: "Practice",
      story: "Story",
      entry: "Log entry",
    },
    relation: {
      raises: "raises",
      answers: "answers",
      supports: "supports",
      challenges: "challenges",
      relates: "relates to",
    },
    status: {
      open: "Open",
      exploring: "Exploring",
      insight: "Insight found",
      reframed: "Reframed",
    },
    empty: "This map is empty.",
  },
};

const node = (text: string, x: number, y: number, over: Partial<MapNode> = {}): MapNode => ({
  kind: "question",
  text,
  at: { x, y },
  status: "open",
  target: null,
  links: {},
  createdAt: 1,
  touchedAt: 1,
  by: "k",
  byName: "K",
  ...over,
});
const edge = (from: string, to: string, relation: MapEdge["relation"]): MapEdge => ({
  from,
  to,
  relation,
  createdAt: 1,
  by: "k",
});

const sample = (): Pick<InquiryMap, "nodes" | "edges"> => ({
  nodes: {
    q: node("How do we share the work?", 0, 0),
    i: node("Rotas help", 300, 150, { kind: "insight" }),
    s: node("Tea at four", -200, 300, { kind: "resource", createdAt: 2 }),
  },
  edges: {
    e1: edge("i", "q", "answers"),
    e2: edge("q", "s", "relates"),
    gone: edge("q", "missing", "raises"),
    loop: edge("i", "i", "supports"),
  },
});

describe("wrapText and nodeHeight", () => {
  it("wraps at word boundaries within the line width", () => {
    const lines = wrapText("How might we share the work of hosting fairly across the seasons?");
    expect(lines.every((l) => Array.from(l).length <= LINE_CHARS)).toBe(true);
    expect(lines.join(" ")).toBe(
      "How might we share the work of hosting fairly across the seasons?",
    );
    expect(lines.length).toBeGreaterThan(1);
  });

  it("keeps line breaks, cuts a word longer than a line, and never splits a surrogate pair", () => {
    expect(wrapText("one\ntwo")).toEqual(["one", "two"]);
    const n = LINE_CHARS;
    expect(wrapText("x".repeat(2 * n + 5))).toEqual(["x".repeat(n), "x".repeat(n), "x".repeat(5)]);
    expect(wrapText(`ab ${"x".repeat(n + 1)} cd`)).toEqual(["ab", "x".repeat(n), "x cd"]);
    expect(wrapText("🌱".repeat(n + 1))).toEqual(["🌱".repeat(n), "🌱"]);
  });

  it("gives an empty text one line, and heights grow with lines", () => {
    expect(wrapText("")).toEqual([""]);
    expect(nodeHeight("")).toBe(nodeHeight("short"));
    expect(nodeHeight("a ".repeat(40))).toBeGreaterThan(nodeHeight("short"));
    expect(NODE_WIDTH).toBe(220);
  });
});

describe("escapeXml", () => {
  it("escapes markup and quotes and drops what XML cannot hold", () => {
    expect(escapeXml(`<script>alert("x")</script> & 'y'`)).toBe(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;y&apos;",
    );
    expect(escapeXml("a\u0000b\u0007c\u001Fd\uFFFEe\uD800f")).toBe("abcdef");
    expect(escapeXml("tab\tand\nline")).toBe("tab\tand\nline");
    expect(escapeXml("🌱")).toBe("🌱");
  });
});

describe("mapToSvg", () => {
  it("(the check itself refuses XML that is not well-formed)", () => {
    expect(() =>
      parse(`<svg xmlns="http://www.w3.org/2000/svg"><text>a & b</text></svg>`),
    ).toThrow();
    expect(() =>
      parse(`<svg xmlns="http://www.w3.org/2000/svg"><text>\u0001</text></svg>`),
    ).toThrow();
  });

  it("writes a well-formed SVG with each node's text once and its kind label", () => {
    const svg = mapToSvg(sample(), options);
    const doc = parse(svg);
    const all = texts(doc);
    for (const text of ["How do we share the work?", "Rotas help", "Tea at four"])
      expect(all.filter((t) => t === text)).toHaveLength(1);
    expect(all).toContain("Question · Open");
    expect(all).toContain("Insight");
    expect(all).toContain("Resource");
    expect(all).toContain("What we are asking");
    expect(doc.getElementsByTagName("title")[0]?.textContent).toBe("What we are asking");
  });

  it("draws only the edges that are drawn on screen, each with its relation at the middle", () => {
    const svg = mapToSvg(sample(), options);
    const doc = parse(svg);
    const lines = Array.from(doc.getElementsByTagName("line"));
    expect(lines).toHaveLength(2);
    expect(
      texts(doc)
        .filter((t) => t === "answers" || t === "relates to")
        .sort(),
    ).toEqual(["answers", "relates to"]);
    expect(texts(doc)).not.toContain("raises");
    expect(texts(doc)).not.toContain("supports");
    for (const line of lines) expect(line.getAttribute("marker-end")).toMatch(/^url\(#arrow-/);
  });

  it("runs each edge from box edge to box edge", () => {
    // Two boxes side by side: the line leaves the right side of one and meets the left of the other.
    const svg = mapToSvg(
      {
        nodes: { a: node("A", 0, 0), b: node("B", 400, 0) },
        edges: { e: edge("a", "b", "raises") },
      },
      options,
    );
    const line = parse(svg).getElementsByTagName("line")[0]!;
    const h = nodeHeight("A");
    expect(Number(line.getAttribute("x1"))).toBe(NODE_WIDTH);
    expect(Number(line.getAttribute("x2"))).toBe(400);
    expect(Number(line.getAttribute("y1"))).toBe(h / 2);
    expect(Number(line.getAttribute("y2"))).toBe(h / 2);
  });

  it("fits the viewBox to the nodes with a margin, and sets the size to match", () => {
    const svg = mapToSvg(sample(), options);
    const root = parse(svg).documentElement;
    const [x, y, w, h] = (root.getAttribute("viewBox") ?? "").split(" ").map(Number);
    // Nodes span x -200..520 and y 0..(300 + height of "Tea at four").
    expect(x).toBeLessThan(-200);
    expect(x! + w!).toBeGreaterThan(300 + NODE_WIDTH);
    expect(y).toBeLessThan(0);
    expect(y! + h!).toBeGreaterThan(300 + nodeHeight("Tea at four"));
    expect(x! + w!).toBeLessThan(300 + NODE_WIDTH + 100);
    expect(root.getAttribute("width")).toBe(String(w));
    expect(root.getAttribute("height")).toBe(String(h));
  });

  it("shows each question's status", () => {
    const nodes: Record<string, MapNode> = {};
    QUESTION_STATUSES.forEach(
      (status, i) => (nodes[`q${i}`] = node(`Q${i}`, i * 300, 0, { status })),
    );
    const all = texts(parse(mapToSvg({ nodes, edges: {} }, options)));
    for (const status of QUESTION_STATUSES)
      expect(all).toContain(`Question · ${options.labels.status[status]}`);
  });

  it("escapes every text: titles, node text, labels; strips control characters", () => {
    const hostile = `<script>alert('x')</script> & "q" \u0001\u0008`;
    const svg = mapToSvg(
      {
        nodes: { a: node(hostile, 0, 0), b: node("b", 300, 0, { kind: "story" }) },
        edges: { e: edge("a", "b", "relates") },
      },
      {
        title: hostile,
        labels: {
          ...options.labels,
          kind: { ...options.labels.kind, story: "<b>Story</b>" },
          relation: { ...options.labels.relation, relates: `"&'` },
        },
      },
    );
    expect(svg).not.toContain("<script");
    expect(svg).not.toContain("<b>");
    expect([...svg].some((c) => c.charCodeAt(0) < 9)).toBe(false);
    const all = texts(parse(svg));
    expect(all).toContain("<b>Story</b>");
    expect(all).toContain(`"&'`);
    expect(all.join("\n")).toContain("<script>alert('x')</script>");
  });

  it("refers to nothing outside itself", () => {
    const svg = mapToSvg(sample(), options);
    expect(svg).not.toMatch(/href|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(svg.match(/url\(([^)]*)\)/g)?.every((u) => u.startsWith("url(#"))).toBe(true);
    expect(svg).not.toContain("<style");
    expect(svg).not.toContain("class=");
  });

  it("says the map is empty, in a small valid SVG", () => {
    const svg = mapToSvg({ nodes: {}, edges: { e: edge("a", "b", "raises") } }, options);
    const doc = parse(svg);
    expect(texts(doc)).toEqual(["What we are asking", "This map is empty."]);
    expect(doc.getElementsByTagName("line")).toHaveLength(0);
    expect(Number(doc.documentElement.getAttribute("width"))).toBeLessThanOrEqual(400);
  });

  it("is deterministic: the same map gives the same string, whatever the key order", () => {
    const a = sample();
    const b = {
      nodes: Object.fromEntries(Object.entries(a.nodes).reverse()),
      edges: Object.fromEntries(Object.entries(a.edges).reverse()),
    };
    expect(mapToSvg(a, options)).toBe(mapToSvg(a, options));
    expect(mapToSvg(b, options)).toBe(mapToSvg(a, options));
  });

  it("is well-formed for any text, position and edges", () => {
    const nodeArb = fc.record({
      kind: fc.constantFrom(...NODE_KINDS),
      text: fc.string({ unit: "binary", maxLength: 80 }),
      x: fc.integer({ min: -1e6, max: 1e6 }),
      y: fc.integer({ min: -1e6, max: 1e6 }),
      status: fc.constantFrom(...QUESTION_STATUSES),
    });
    fc.assert(
      fc.property(
        fc.array(nodeArb, { maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(7), fc.nat(7), fc.constantFrom(...RELATIONS)), { maxLength: 10 }),
        fc.string({ unit: "binary", maxLength: 20 }),
        (list, pairs, title) => {
          const nodes: Record<string, MapNode> = {};
          list.forEach((n, i) => (nodes[`n${i}`] = node(n.text, n.x, n.y, n)));
          const edges: Record<string, MapEdge> = {};
          pairs.forEach(([f, t, r], i) => (edges[`e${i}`] = edge(`n${f}`, `n${t}`, r)));
          const svg = mapToSvg({ nodes, edges }, { ...options, title });
          const doc = parse(svg);
          // The background, and a box per node.
          expect(doc.getElementsByTagName("rect").length).toBe(list.length + 1);
          expect(svg).not.toContain("NaN");
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("colours", () => {
  // WCAG 2 relative luminance and contrast ratio.
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const contrast = (a: string, b: string) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi! + 0.05) / (lo! + 0.05);
  };

  it.each(NODE_KINDS)(
    "%s: text and kind label read at 4.5:1 or more on the box",
    (kind: NodeKind) => {
      const { fill, label } = KIND_COLOURS[kind];
      expect(contrast("#1d2530", fill)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(label, fill)).toBeGreaterThanOrEqual(4.5);
    },
  );
});
