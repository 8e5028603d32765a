// @vitest-environment jsdom
// The one way the renderer reads from its peer: loading, then the answer or a failure to show; asked
// again when the arguments change (by value), on the events named, or on refresh; an answer to an
// older question never shown as the newer one's.
import { act } from "react";
import { beforeEach, describe, expect, it } from "vitest";
import type { ArgsOf, EventName, LinkTarget } from "../shared/contract.ts";
import { asCommunityId } from "../shared/ids.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { settle, testRoot } from "./testing/dom.ts";
import { fakePeer, later, withPeer, type FakePeer } from "./testing/fakePeer.tsx";
import { usePeerQuery, type PeerQuery } from "./usePeerQuery.ts";

const A = asCommunityId("4NMNnkMhL8jXrdJ9jamS58PAVdXu");
const B = asCommunityId("3Gwjs9RPQoaMBZjedhDJbtXWbpdr");
const target = (title: string): LinkTarget => ({
  ref: "story:x",
  type: "story",
  title,
  context: null,
  missing: false,
});

const dom = testRoot();
let peer: FakePeer;
/** Every state the hook returned, in order. */
let seen: PeerQuery<LinkTarget[]>[];

function Probe({
  args,
  refreshOn,
  refreshKey,
}: {
  args: ArgsOf<"links:backlinks"> | null;
  refreshOn?: readonly EventName[];
  refreshKey?: number;
}) {
  seen.push(usePeerQuery("links:backlinks", args, { refreshOn, refreshKey }));
  return null;
}

const render = (props: Parameters<typeof Probe>[0]) =>
  act(async () => {
    dom.root.render(withPeer(peer, <Probe {...props} />));
    await Promise.resolve();
  });
const now = () => seen[seen.length - 1]!;
const asked = () => peer.count("links:backlinks");

beforeEach(() => {
  seen = [];
  peer = fakePeer({ "links:backlinks": () => ok([target("Tide")]) });
});

describe("usePeerQuery", () => {
  it("is loading, then holds the answer", async () => {
    await render({ args: { communityId: A, ref: "story:x" } });
    expect(seen[0]).toEqual({ state: "loading", previous: null });
    await settle();
    expect(now()).toMatchObject({ state: "ok", value: [target("Tide")] });
    expect(asked()).toBe(1);
  });

  it("asks nothing for null arguments", async () => {
    await render({ args: null });
    await settle();
    expect(now()).toEqual({ state: "idle" });
    expect(asked()).toBe(0);
  });

  it("surfaces a failure, keeping the last answer to show, and a refresh can mend it", async () => {
    let answer: Result<LinkTarget[]> = ok([target("Tide")]);
    peer.answers["links:backlinks"] = () => answer;
    await render({ args: { communityId: A, ref: "story:x" } });
    await settle();
    answer = err("unavailable", "The peer did not answer.");
    const current = now();
    if (current.state !== "ok") throw new Error("expected an answer");
    act(() => current.refresh());
    await settle();
    expect(now()).toMatchObject({
      state: "failed",
      error: { code: "unavailable", message: "The peer did not answer." },
      last: [target("Tide")],
    });
    answer = ok([target("Tide, renamed")]);
    const failed = now();
    if (failed.state !== "failed") throw new Error("expected a failure");
    act(() => failed.refresh());
    await settle();
    expect(now()).toMatchObject({ state: "ok", value: [target("Tide, renamed")] });
  });

  it("fails with no last answer when the first question fails", async () => {
    peer.answers["links:backlinks"] = () => err("internal", "Broken.");
    await render({ args: { communityId: A, ref: "story:x" } });
    await settle();
    expect(now()).toMatchObject({ state: "failed", error: { message: "Broken." }, last: null });
  });

  it("drops the answer to an older question when the arguments changed meanwhile", async () => {
    const slow = later<Result<LinkTarget[]>>();
    peer.answers["links:backlinks"] = ({ ref }) =>
      ref === "story:old" ? slow.promise : ok([target("New")]);
    await render({ args: { communityId: A, ref: "story:old" } });
    await render({ args: { communityId: A, ref: "story:new" } });
    await settle();
    expect(now()).toMatchObject({ state: "ok", value: [target("New")] });
    slow.resolve(ok([target("Old")]));
    await settle();
    expect(now()).toMatchObject({ state: "ok", value: [target("New")] });
    expect(seen.some((s) => s.state === "ok" && s.value[0]?.title === "Old")).toBe(false);
  });

  it("reads as loading at once for new arguments, the old answer only as `previous`", async () => {
    await render({ args: { communityId: A, ref: "story:x" } });
    await settle();
    const before = seen.length;
    await render({ args: { communityId: B, ref: "story:x" } });
    expect(seen[before]).toEqual({ state: "loading", previous: [target("Tide")] });
  });

  it("compares arguments by value: the same question in a new object is not asked again", async () => {
    await render({ args: { communityId: A, ref: "story:x" } });
    await settle();
    await render({ args: { communityId: A, ref: "story:x" } });
    await settle();
    expect(asked()).toBe(1);
  });

  it("asks again on a named event about its community, not another's, nor on other events", async () => {
    await render({ args: { communityId: A, ref: "story:x" }, refreshOn: ["search:changed"] });
    await settle();
    act(() => peer.emit("search:changed", { communityId: B }));
    act(() => peer.emit("sync:changed", { communityId: A }));
    await settle();
    expect(asked()).toBe(1);
    peer.answers["links:backlinks"] = () => ok([target("Tide"), target("Well")]);
    act(() => peer.emit("search:changed", { communityId: A }));
    await settle();
    expect(asked()).toBe(2);
    expect(now()).toMatchObject({ state: "ok", value: [target("Tide"), target("Well")] });
  });

  it("asks again when refreshKey changes", async () => {
    await render({ args: { communityId: A, ref: "story:x" }, refreshKey: 1 });
    await settle();
    await render({ args: { communityId: A, ref: "story:x" }, refreshKey: 2 });
    await settle();
    expect(asked()).toBe(2);
  });

  it("keeps one question in flight: refreshes meanwhile ask once more, after the answer", async () => {
    const answers = [later<Result<LinkTarget[]>>(), later<Result<LinkTarget[]>>()];
    let n = 0;
    peer.answers["links:backlinks"] = () => answers[n++]!.promise;
    await render({ args: { communityId: A, ref: "story:x" }, refreshOn: ["search:changed"] });
    for (let i = 0; i < 3; i++) act(() => peer.emit("search:changed", { communityId: A }));
    expect(asked()).toBe(1);
    answers[0]!.resolve(ok([target("First")]));
    await settle();
    // The answer in flight is shown (it is to the same question), then asked once more.
    expect(seen.some((s) => s.state === "ok" && s.value[0]?.title === "First")).toBe(true);
    expect(asked()).toBe(2);
    answers[1]!.resolve(ok([target("Second")]));
    await settle();
    expect(now()).toMatchObject({ state: "ok", value: [target("Second")] });
    expect(asked()).toBe(2);
  });

  it("keeps the same object for an answer equal to the last", async () => {
    await render({ args: { communityId: A, ref: "story:x" }, refreshOn: ["search:changed"] });
    await settle();
    const first = now();
    act(() => peer.emit("search:changed", { communityId: A }));
    await settle();
    expect(asked()).toBe(2);
    expect(now()).toBe(first);
  });

  it("stops listening and drops answers once gone", async () => {
    const slow = later<Result<LinkTarget[]>>();
    peer.answers["links:backlinks"] = () => slow.promise;
    await render({ args: { communityId: A, ref: "story:x" }, refreshOn: ["search:changed"] });
    dom.unmount();
    const count = seen.length;
    slow.resolve(ok([target("Late")]));
    await settle();
    expect(seen.length).toBe(count);
    expect(peer.listeners.get("search:changed")?.size ?? 0).toBe(0);
  });
});
