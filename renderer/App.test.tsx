// @vitest-environment jsdom
// The shell's list of communities: what it shows while asking, when the list cannot be read (the
// reason and a way out, never "Loading…" for ever), and when a later read fails.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CommunitySummary } from "../shared/contract.ts";
import { asCommunityId } from "../shared/ids.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { Shell } from "./App.tsx";
import { settle, testRoot } from "./testing/dom.ts";
import { fakePeer, later, withPeer, type FakePeer } from "./testing/fakePeer.tsx";

const HALL: CommunitySummary = {
  id: asCommunityId("4NMNnkMhL8jXrdJ9jamS58PAVdXu"),
  name: "Hall",
  purpose: null,
  state: "ok",
  problems: [],
  entryCount: 0,
};

const dom = testRoot();
let peer: FakePeer;

const render = async () => {
  act(() => dom.root.render(withPeer(peer, <Shell />)));
  await settle();
};
const text = () => dom.host.textContent ?? "";
const reloadButton = () =>
  [...dom.host.querySelectorAll("button")].find((b) => b.textContent === "Reload");

beforeEach(() => {
  window.location.hash = "#/profile";
  peer = fakePeer({ "storage:warnings": () => ok([]) });
});
afterEach(() => {
  window.location.hash = "";
});

describe("Shell", () => {
  it("says it is loading while the list is asked for", async () => {
    window.location.hash = "";
    const slow = later<Result<CommunitySummary[]>>();
    peer.answers["communities:list"] = () => slow.promise;
    await render();
    expect(dom.host.querySelector('[role="status"]')?.textContent).toBe("Loading…");
  });

  it("shows why the list could not be read, with Reload, instead of loading for ever", async () => {
    window.location.hash = "";
    peer.answers["communities:list"] = () =>
      err("unavailable", "The Meitheal peer did not answer in 30 s.");
    await render();
    expect(text()).not.toContain("Loading…");
    const alert = dom.host.querySelector("main [role='alert']");
    expect(alert?.textContent).toContain("could not list the communities");
    expect(alert?.textContent).toContain("did not answer in 30 s");
    expect(reloadButton()).toBeDefined();
  });

  it("keeps the list it has when reading it again fails, and says so", async () => {
    let answer: Result<CommunitySummary[]> = ok([HALL]);
    peer.answers["communities:list"] = () => answer;
    await render();
    expect(dom.host.querySelector(".switcher option[value='" + HALL.id + "']")?.textContent).toBe(
      "Hall",
    );
    answer = err("internal", "Something broke.");
    act(() => peer.emit("communities:changed", {}));
    await settle();
    expect(dom.host.querySelector(".switcher")).not.toBeNull();
    expect(text()).toContain("Something broke.");
    expect(reloadButton()).toBeDefined();
  });
});
