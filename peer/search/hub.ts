// The contract's search and link calls for every community on this device: one CommunitySearch per
// community, made the first time search or links are asked for there. Not at start: a cold start
// reads one document per community (its index), and reading every story, log and map of a large
// community would cost every start of the app whether or not anyone searches. From its first use a
// community's index follows every change until the peer closes.
import type { ArgsOf, ItemType, LinkTarget, SearchResult } from "../../shared/contract.ts";
import type { CommunityId } from "../../shared/ids.ts";
import { ErrorCode, err, ok, type Result } from "../../shared/result.ts";
import { communityNotHere } from "../communities.ts";
import {
  CommunitySearch,
  MAX_QUERY_LENGTH,
  MAX_REFS,
  type Query,
  type SearchSource,
  type SearchTuning,
} from "./service.ts";

export type SearchHost = {
  changed(id: CommunityId): void;
  /** Where to keep a community's index on disk; undefined: not kept (built anew each start). */
  indexFile?(id: CommunityId): string | undefined;
};

const ITEM_TYPES: readonly ItemType[] = ["story", "entry", "node"];

/** What to do when search or links name a community that is not on this device. */
export const SEARCH_NOT_HERE_HINT =
  "Choose a community from the list, or join it with an invite first.";
const notHere = () => Promise.resolve(communityNotHere(SEARCH_NOT_HERE_HINT));

const bad = (message: string) => err<never>(ErrorCode.BadInput, message);

/** The query as asked over the contract, checked: the renderer is trusted, but a bug there must not throw here. */
export function checkQuery(args: Partial<Record<keyof Query, unknown>>): Result<Query> {
  if (typeof args.text !== "string") return bad("Type something to search for.");
  const query: Query = { text: args.text.slice(0, MAX_QUERY_LENGTH * 4) };
  if (args.types !== undefined) {
    if (!Array.isArray(args.types) || !args.types.every((t) => ITEM_TYPES.includes(t as ItemType)))
      return bad("Search can be narrowed to stories, log entries and map nodes only.");
    query.types = args.types as ItemType[];
  }
  if (args.theme !== undefined && args.theme !== null) {
    if (typeof args.theme !== "string") return bad("That theme is not one of this community's.");
    query.theme = args.theme;
  }
  if (args.limit !== undefined) {
    if (typeof args.limit !== "number" || !Number.isFinite(args.limit) || args.limit < 1)
      return bad("The number of results to show must be 1 or more.");
    query.limit = args.limit;
  }
  return ok(query);
}

export class SearchHub {
  readonly #host: SearchHost;
  readonly #tuning: Partial<SearchTuning>;
  readonly #services = new Map<CommunityId, CommunitySearch>();
  #closed = false;

  constructor(host: SearchHost, tuning: Partial<SearchTuning> = {}) {
    this.#host = host;
    this.#tuning = tuning;
  }

  /** The community's search, started on first use; undefined once the hub is closed. */
  service(source: SearchSource): CommunitySearch | undefined {
    if (this.#closed) return undefined;
    let service = this.#services.get(source.id);
    if (!service) {
      const id = source.id;
      service = new CommunitySearch(
        source,
        () => this.#host.changed(id),
        this.#tuning,
        this.#host.indexFile?.(id),
      );
      this.#services.set(id, service);
      service.start();
    }
    return service;
  }

  query(source: SearchSource, args: ArgsOf<"search:query">): Promise<Result<SearchResult>> {
    const service = this.service(source);
    if (!service) return notHere();
    const query = checkQuery(args);
    return Promise.resolve(query.ok ? ok(service.query(query.value)) : query);
  }

  describe(source: SearchSource, args: ArgsOf<"links:describe">): Promise<Result<LinkTarget[]>> {
    const service = this.service(source);
    if (!service) return notHere();
    const refs: unknown = args.refs;
    if (!Array.isArray(refs) || refs.length > MAX_REFS || !refs.every((r) => typeof r === "string"))
      return Promise.resolve(
        bad(`Links to describe must be a list of at most ${MAX_REFS} link strings.`),
      );
    return Promise.resolve(ok(service.describe(refs)));
  }

  backlinks(source: SearchSource, args: ArgsOf<"links:backlinks">): Promise<Result<LinkTarget[]>> {
    const service = this.service(source);
    if (!service) return notHere();
    if (typeof args.ref !== "string")
      return Promise.resolve(bad("Which story, entry or node? No link string was given."));
    return Promise.resolve(ok(service.backlinks(args.ref)));
  }

  /** Stops every community's search (listeners off, timers cleared); resolves once their indexes are written. */
  async close(): Promise<void> {
    this.#closed = true;
    const services = [...this.#services.values()];
    this.#services.clear();
    for (const service of services) service.close();
    await Promise.all(services.map((service) => service.closed()));
  }
}
