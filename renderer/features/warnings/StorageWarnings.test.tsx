// @vitest-environment jsdom
// Warnings about stored data: listed, read again when the peer announces one, dismissible, and a
// list that cannot be read is said so rather than shown as "no warnings".
import { act } from "react";
import { beforeEach, describe, expect, it } from "vitest";
import type { StorageWarning } from "../../../shared/contract.ts";
import { asCommunityId } from "../../../shared/ids.ts";
import { err, ok } from "../../../shared/result.ts";
import { settle, testRoot } from "../../testing/dom.ts";
import { fakePeer, withPeer, type FakePeer } from "../../testing/fakePeer.tsx";
import { StorageWarnings } from "./StorageWarnings.tsx";

const warning = (id: string, title: string): StorageWarning => ({
  id,
  communityId: asCommunityId("4NMNnkMhL8jXrdJ9jamS58PAVdXu"),
  documentId: "doc",
  title,
  reason: "a chunk failed its checksum",
  quarantinedTo: "/data/quarantine/x",
  at: "2026-03-01T09:00:00.000Z",
});

const dom = testRoot();
let peer: FakePeer;
let listed: StorageWarning[];

const render = async () => {
  act(() => dom.root.render(withPeer(peer, <StorageWarnings />)));
  await settle();
};
const text = () => dom.host.textContent ?? "";

beforeEach(() => {
  listed = [warning("w1", "Harbour day")];
  peer = fakePeer({
    "storage:warnings": () => ok(listed),
    "storage:dismiss": () => ok(null),
  });
});

describe("StorageWarnings", () => {
  it("lists the peer's warnings and reads the list again when it announces a new one", async () => {
    await render();
    expect(dom.host.querySelector('[role="alert"]')?.textContent).toContain("Harbour day");
    listed = [warning("w2", "River notes"), ...listed];
    act(() => peer.emit("storage:warning", listed[0]!));
    await settle();
    expect(text()).toContain("River notes");
    expect(text()).toContain("Harbour day");
  });

  it("hides a dismissed warning", async () => {
    await render();
    const dismiss = [...dom.host.querySelectorAll("button")].find(
      (b) => b.textContent === "Dismiss",
    )!;
    act(() => dismiss.click());
    await settle();
    expect(peer.calls.at(-1)).toEqual({ method: "storage:dismiss", args: { id: "w1" } });
    expect(text()).not.toContain("Harbour day");
  });

  it("says the warnings could not be read, with why", async () => {
    peer.answers["storage:warnings"] = () => err("unavailable", "The peer did not answer.");
    await render();
    const alert = dom.host.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain("could not check whether any saved data failed to load");
    expect(alert?.textContent).toContain("The peer did not answer.");
  });
});
