// Search benchmarks over a community of 1,000 stories (a few hundred words each) and 5,000 log
// entries in 10 logs, kept as the app keeps them: in volumes of a quarter each (four per log).
// `search.indexBuild.ms`: a peer started on that data folder, from its first
// search to a ready index (every document read from disk, validated, extracted, indexed).
// `search.query.p95.ms`: varied queries (prefix, a typo, two words, type and theme filters), each
// with its hits and snippets, as the contract answers them.
// A quick run (registry.ts): 100 stories, 2 logs of 100 entries, 40 queries after 5 to warm up.
import type { DocHandle } from "@automerge/automerge-repo";
import * as A from "@automerge/automerge";
import { availableParallelism, loadavg } from "node:os";
import { PeerNode } from "../../peer/peerNode.ts";
import { CommunitySearch } from "../../peer/search/service.ts";
import type { ItemType } from "../../shared/contract.ts";
import { addEntry } from "../../shared/ops/community.ts";
import { systemContext } from "../../shared/ops/context.ts";
import { volumeFor } from "../../shared/logs/write.ts";
import { addLogEntry, initLog } from "../../shared/ops/log.ts";
import { initStory, setSummary, setThemes } from "../../shared/ops/story.ts";
import { storySchemaAdapter } from "../../shared/richtext/schema.ts";
import { blocksToSpans } from "../../shared/richtext/text.ts";
import type { Log } from "../../shared/schema/log.ts";
import type { Story } from "../../shared/schema/story.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { afterAllBenches, median, once, quantile, quick, round, type Bench } from "./registry.ts";
import type { CommunityId } from "../../shared/ids.ts";

/** Stories are written in batches of 100, log entries in batches of 50: keep the sizes multiples. */
const stories = () => (quick() ? 100 : 1000);
const logs = () => (quick() ? 2 : 10);
const entriesPerLog = () => (quick() ? 100 : 500);
const THEMES = ["t-dignity", "t-nature", "t-connection", "t-fairness", "t-participation"];
const queryCount = () => (quick() ? 40 : 400);
const warmUp = () => (quick() ? 5 : 40);

/** A small deterministic generator (mulberry32), so every run searches the same community. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON = ("the a and of to in we our was it with for on at by from that this as were they " +
  "people time day circle garden river kitchen harvest bridge lantern commons thread meadow " +
  "neighbour gathering practice story question learned tried next walk tide stone bread soup " +
  "song fire seed water market school elder child hands work rest care trust listen").split(" ");
const SYLLABLES = "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo fa fe fi fo ga ge gi go".split(" ");

/** A vocabulary of common words and about 3,000 made-up ones, drawn with a skew like real text. */
function vocabulary(next: () => number): string[] {
  const words = new Set(COMMON);
  while (words.size < COMMON.length + 3000) {
    const n = 2 + Math.floor(next() * 3);
    let w = "";
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(next() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
}

function writer(seed: number) {
  const next = random(seed);
  const vocab = vocabulary(next);
  // Squaring skews toward the front of the list: common words are common, rare ones rare.
  const word = () => vocab[Math.floor(next() * next() * vocab.length)]!;
  const sentence = (n: number) => {
    const words = Array.from({ length: n }, word);
    const first = words[0]!;
    words[0] = first.charAt(0).toUpperCase() + first.slice(1);
    return `${words.join(" ")}.`;
  };
  const paragraph = (words: number) => {
    const out: string[] = [];
    for (let left = words; left > 0; ) {
      const n = Math.min(left, 6 + Math.floor(next() * 12));
      out.push(sentence(n));
      left -= n;
    }
    return out.join(" ");
  };
  return { next, vocab, word, sentence, paragraph };
}

type Fixture = { dataDir: string; communityId: CommunityId; vocab: string[]; buildMs: number };

const fixture = once(async (): Promise<Fixture> => {
  const dataDir = await makeTempDir("meitheal-bench-search-");
  afterAllBenches(() => removeDir(dataDir));
  return buildSearchCommunity(dataDir);
});

/** Writes the benchmark's community into an empty data folder (exported for profiling by hand). */
export async function buildSearchCommunity(dataDir: string): Promise<Fixture> {
  const started = performance.now();
  const w = writer(20_260_501);
  const ctx = systemContext();
  const node = await PeerNode.start({ dataDir });
  try {
    const created = await node.createCommunity({ name: "Search bench" });
    if (!created.ok) throw new Error(created.error.message);
    const communityId = created.value.id;
    const community = node.community(communityId)!;
    const index = community.index!;
    const theme = () => THEMES[Math.floor(w.next() * THEMES.length)]!;
    for (let start = 0; start < stories(); start += 100) {
      const listed: { id: string; title: string }[] = [];
      for (let i = start; i < start + 100; i++) {
        const title = w.sentence(2 + Math.floor(w.next() * 4)).slice(0, -1);
        const paragraphs = Array.from({ length: 3 + Math.floor(w.next() * 5) }, () =>
          w.paragraph(40 + Math.floor(w.next() * 60)),
        );
        const handle: DocHandle<Story> = community.repo.create<Story>();
        handle.change((d) => {
          initStory(d, { communityId, title }, ctx);
          A.updateSpans(
            d,
            ["body"],
            blocksToSpans(paragraphs.map((text) => ({ type: "paragraph" as const, text }))),
            storySchemaAdapter.updateSpansConfig(),
          );
          setSummary(d, w.sentence(10), ctx);
          setThemes(d, [theme()], ctx);
        });
        listed.push({ id: handle.documentId, title });
      }
      index.change((d) => {
        for (const { id, title } of listed)
          addEntry(d, id, { kind: "story", title, status: "draft", createdAt: 1, updatedAt: 1 });
      });
      await node.flush();
    }
    for (let l = 0; l < logs(); l++) {
      const handle: DocHandle<Log> = community.repo.create<Log>();
      const title = `Log ${l + 1}: ${w.sentence(3).slice(0, -1)}`;
      handle.change((d) => initLog(d, { communityId, title }, ctx));
      index.change((d) => addEntry(d, handle.documentId, { kind: "log", title, createdAt: 1, updatedAt: 1 }));
      const target = { repo: community.repo, index, communityId, logId: handle.documentId };
      // Entries arrive over time: 10 changes of 50 entries per log, each batch of one month, into
      // the volume of its quarter (made and listed by the first batch of the quarter), as
      // addEntryToLog writes one entry (shared/logs/write.ts).
      for (let batch = 0; batch < entriesPerLog() / 50; batch++) {
        const month = `2024-${String(1 + (batch % 12)).padStart(2, "0")}`;
        const volume = await volumeFor(target, `${month}-01`, ctx);
        volume.change((d) => {
          for (let e = 0; e < 50; e++) {
            const day = 1 + ((batch * 50 + e) % 28);
            addLogEntry(
              d,
              {
                date: `${month}-${String(day).padStart(2, "0")}`,
                kind: "gathering",
                by: "k",
                byName: "Bench",
                happened: w.paragraph(20 + Math.floor(w.next() * 30)),
                tried: w.paragraph(10 + Math.floor(w.next() * 20)),
                learned: w.paragraph(10 + Math.floor(w.next() * 20)),
                next: w.sentence(8),
                participants: [{ name: "Aoife" }, { name: "Brian" }],
                themes: [theme()],
              },
              ctx,
            );
          }
        });
      }
      await node.flush();
    }
    const buildMs = performance.now() - started;
    process.stderr.write(`  built ${stories()} stories and ${logs() * entriesPerLog()} entries in ${(buildMs / 1000).toFixed(1)} s\n`);
    return { dataDir, communityId, vocab: w.vocab, buildMs };
  } finally {
    await node.close();
  }
}

type Built = {
  node: PeerNode;
  communityId: CommunityId;
  vocab: string[];
  coldMs: number;
  warmMs: number;
  items: number;
  /** Documents search reads: stories, logs and their volumes. */
  documents: number;
};

/** A peer started on the fixture, and its community's search built from the documents on disk. */
const built = once(async (): Promise<Built> => {
  const { dataDir, communityId, vocab } = await fixture();
  const node = await PeerNode.start({ dataDir });
  afterAllBenches(() => node.close());
  const community = node.community(communityId)!;
  // Cold: the peer's own search (the contract's), from its first query until it says it is done
  // (polled with an empty query, which costs nothing).
  let t = performance.now();
  for (;;) {
    const r = await node.handlers["search:query"]({ communityId, text: "" });
    if (!r.ok) throw new Error(r.error.message);
    if (r.value.indexing === null) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const coldMs = performance.now() - t;
  // The same again with every document already loaded: reading, extracting and indexing alone.
  t = performance.now();
  const warm = new CommunitySearch(community, () => undefined);
  warm.start();
  await warm.idle();
  const warmMs = performance.now() - t;
  const items = warm.size;
  warm.close();
  const kinds = Object.values(community.index!.doc().entries).map((e) => e.kind);
  const documents = kinds.filter((k) => k === "story" || k === "log" || k === "log-volume").length;
  if (items !== stories() + logs() * entriesPerLog())
    throw new Error(`indexed ${items} items, expected ${stories() + logs() * entriesPerLog()}`);
  return { node, communityId, vocab, coldMs, warmMs, items, documents };
});

/** Queries people type: word beginnings, a typo, two words, some narrowed by type or theme. */
export function queries(vocab: readonly string[]): { text: string; types?: ItemType[]; theme?: string }[] {
  const next = random(7);
  const pick = () => vocab[Math.floor(next() * next() * Math.min(vocab.length, 1500))]!;
  const typo = (word: string) => {
    if (word.length < 5) return word;
    const at = 1 + Math.floor(next() * (word.length - 2));
    return `${word.slice(0, at)}${"aeiou"[Math.floor(next() * 5)]}${word.slice(at + 1)}`;
  };
  const out: { text: string; types?: ItemType[]; theme?: string }[] = [];
  for (let i = 0; i < queryCount() + warmUp(); i++) {
    const word = pick();
    switch (i % 6) {
      case 0:
        out.push({ text: word.slice(0, Math.max(3, Math.ceil(word.length * 0.6))) });
        break;
      case 1:
        out.push({ text: typo(word) });
        break;
      case 2:
        out.push({ text: `${word} ${pick()}` });
        break;
      case 3:
        out.push({ text: word, types: ["entry"] });
        break;
      case 4:
        out.push({ text: word, theme: THEMES[i % THEMES.length]! });
        break;
      default:
        out.push({ text: `${pick()} ${word.slice(0, 4)}`, types: ["story"] });
    }
  }
  return out;
}

export const benches: Bench[] = [
  {
    name: "search.indexBuild.ms",
    unit: "ms",
    async run() {
      const b = await built();
      return {
        value: b.coldMs,
        note: `${b.items} items (${stories()} stories, ${logs() * entriesPerLog()} entries in ${logs()} logs and their volumes) from a peer's data folder to a ready index; ${round(b.warmMs)} ms of it reading, extracting and indexing (measured again with the documents loaded), the rest automerge-repo loading ${b.documents} documents from disk; load average ${round(loadavg()[0] ?? 0)} on ${availableParallelism()} cores`,
      };
    },
  },
  {
    name: "search.query.p95.ms",
    unit: "ms",
    goal: "< 30 ms",
    async run() {
      const b = await built();
      const list = queries(b.vocab);
      const samples: number[] = [];
      let hits = 0;
      for (const [i, q] of list.entries()) {
        const t = performance.now();
        const result = await b.node.handlers["search:query"]({ communityId: b.communityId, ...q });
        const ms = performance.now() - t;
        if (!result.ok) throw new Error(result.error.message);
        if (result.value.indexing) throw new Error("the index was not ready");
        if (i >= warmUp()) {
          samples.push(ms);
          hits += result.value.total;
        }
      }
      return {
        value: quantile(samples, 0.95),
        note: `${samples.length} queries through the contract (prefix, typo, two words, type and theme filters; 50 hits with snippets at most); median ${round(median(samples))} ms, max ${round(Math.max(...samples))} ms; ${round(hits / samples.length)} matches per query on average`,
      };
    },
  },
];
