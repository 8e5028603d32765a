// @vitest-environment jsdom
// The shell's list of communities: what it shows while asking, when the list cannot be read (the
// reason and a way out, never "Loading…" for ever), and when a later read fails.
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CommunitySummary } from "../shared/contract.ts";
import { asCommunityId } from "../shared/ids.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { Shell } from "./App.tsx";
import { PeerContext } from "./peerContext.ts";
import { fakePeer, later, peerContextFor, type FakePeer } from "./testing/fakePeer.ts";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const HALL: CommunitySummary = {
  id: asCommunityId("4NMNnkMhL8jXrdJ9jamS58PAVdXu"),
  name: "Hall",
  purpose: null,
  state: "ok",
  problems: [],
  entryCount: 0,
};

let host: HTMLDivElement;
let root: Root;
let peer: FakePeer;

const render = () =>
  act(async () => {
    root.render(
      <PeerContext.Provider value={peerContextFor(peer)}>
        <Shell />
      </PeerContext.Provider>,
    );
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });
const settle = () =>
  act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });
const text = () => host.textContent ?? "";
const reloadButton = () =>
  [...host.querySelectorAll("button")].find((b) => b.textContent === "Reload");

beforeEach(() => {
  window.location.hash = "#/profile";
  peer = fakePeer({ "storage:warnings": () => ok([]) });
  host = document.createElement("div");
  document.body.append(host);
  root = createRoot(host);
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
  window.location.hash = "";
});

describe("Shell", () => {
  it("says it is loading while the list is asked for", async () => {
    window.location.hash = "";
    const slow = later<Result<CommunitySummary[]>>();
    peer.answers["communities:list"] = () => slow.promise;
    await render();
    expect(host.querySelector('[role="status"]')?.textContent).toBe("Loading…");
  });

  it("shows why the list could not be read, with Reload, instead of loading for ever", async () => {
    window.location.hash = "";
    peer.answers["communities:list"] = () =>
      err("unavailable", "The Meitheal peer did not answer in 30 s.");
    await render();
    expect(text()).not.toContain("Loading…");
    const alert = host.querySelector("main [role='alert']");
    expect(alert?.textContent).toContain("could not list the communities");
    expect(alert?.textContent).toContain("did not answer in 30 s");
    expect(reloadButton()).toBeDefined();
  });

  it("keeps the list it has when reading it again fails, and says so", async () => {
    let answer: Result<CommunitySummary[]> = ok([HALL]);
    peer.answers["communities:list"] = () => answer;
    await render();
    expect(host.querySelector(".switcher option[value='" + HALL.id + "']")?.textContent).toBe(
      "Hall",
    );
    answer = err("internal", "Something broke.");
    act(() => peer.emit("communities:changed", {}));
    await settle();
    expect(host.querySelector(".switcher")).not.toBeNull();
    expect(text()).toContain("Something broke.");
    expect(reloadButton()).toBeDefined();
  });
});
