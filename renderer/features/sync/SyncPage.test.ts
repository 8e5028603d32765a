// @vitest-environment jsdom
// The Sync screen against a fake peer that answers the contract's sync calls: what it says for each
// state, when it asks, and the forms' busy, error and success paths. The real peer is tested in
// test/sync; this is about the screen.
import { act, createElement, type ReactElement } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type {
  EventName,
  InviteInfo,
  MemberInfo,
  Method,
  PeerEvents,
  SyncStatus,
  ValueOf,
} from "../../../shared/contract.ts";
import type { FileSource, FileTarget } from "../../../shared/contract.ts";
import { asCommunityId, asDeviceKey } from "../../../shared/ids.ts";
import { err, ok, type Result } from "../../../shared/result.ts";
import { CommunityProvider } from "../../communityContext.tsx";
import { settle, testRoot } from "../../testing/dom.ts";
import { syncStatus } from "../../testing/syncStatus.ts";
import { fakePeer, withPeer, type Answers, type FakePeer } from "../../testing/fakePeer.tsx";
import { JoinCommunity } from "./JoinCommunity.tsx";
import { SyncPage } from "./SyncPage.tsx";

// jsdom has <dialog> but not its modal methods.
Object.assign(HTMLDialogElement.prototype, {
  showModal(this: HTMLDialogElement) {
    this.setAttribute("open", "");
  },
  close(this: HTMLDialogElement) {
    this.removeAttribute("open");
  },
});

const COMMUNITY = asCommunityId("4NMNnkMhL8jXrdJ9jamS58PAVdXu");
const SELF = asDeviceKey("5e1f".padEnd(64, "0"));
const AOIFE = asDeviceKey("a0f1e000".padEnd(64, "1"));
const BRIAN = asDeviceKey("b41a0000".padEnd(64, "2"));

const baseStatus = syncStatus({ communityId: COMMUNITY, listening: ["192.168.1.5:47800"] });
const syncing: SyncStatus = {
  ...baseStatus,
  state: "syncing",
  documents: { total: 340, here: 120 },
  peers: [
    {
      deviceKey: AOIFE,
      name: "Aoife",
      address: "192.168.1.20:47800",
      since: new Date().toISOString(),
      direction: "out",
    },
  ],
  gaps: [
    { documentId: "doc1xxxxxxxx", title: "The well", peers: [AOIFE], reason: "fetching" },
    { documentId: "doc2yyyyyyyy", title: null, peers: [BRIAN], reason: "differs" },
  ],
};
const members: MemberInfo[] = [
  {
    deviceKey: SELF,
    name: "Ciara's laptop",
    addedBy: SELF,
    addedByName: "Ciara's laptop",
    addedAt: "2026-03-01T09:00:00.000Z",
    removed: null,
    self: true,
    connected: false,
  },
  {
    deviceKey: AOIFE,
    name: "Aoife",
    addedBy: SELF,
    addedByName: null,
    addedAt: "2026-03-02T09:00:00.000Z",
    removed: null,
    self: false,
    connected: true,
  },
  {
    deviceKey: BRIAN,
    name: "Brian",
    addedBy: SELF,
    addedByName: "Ciara's laptop",
    addedAt: "2026-03-02T10:00:00.000Z",
    removed: { by: SELF, byName: "Ciara's laptop", at: "2026-03-03T10:00:00.000Z" },
    self: false,
    connected: false,
  },
];

const dom = testRoot();
let peer: FakePeer;
let calls: FakePeer["calls"];
let answers: Answers;
let listeners: FakePeer["listeners"];

const emit = <E extends EventName>(name: E, data: PeerEvents[E]) =>
  act(async () => {
    peer.emit(name, data);
    await Promise.resolve();
  });

const flush = settle;

async function render(element: ReactElement) {
  await act(async () => {
    dom.root.render(
      // The Sync page of a community whose index has not arrived: only its id is known.
      withPeer(peer, createElement(CommunityProvider, { id: COMMUNITY, children: element })),
    );
    await Promise.resolve();
  });
  await flush();
}

/** Moves the fake clock on and lets the answers it caused arrive. */
const tick = async (ms: number) => {
  await act(async () => {
    vi.advanceTimersByTime(ms);
    await Promise.resolve();
  });
  await flush();
};

const text = () => dom.host.textContent ?? "";
const countCalls = (method: Method) => peer.count(method);
const button = (name: string) => {
  const found = [...dom.host.querySelectorAll<HTMLButtonElement>("button")].find(
    (b) => (b.getAttribute("aria-label") ?? b.textContent?.trim()) === name,
  );
  if (!found) throw new Error(`no button "${name}"`);
  return found;
};
const click = async (el: HTMLElement) => {
  await act(async () => {
    el.click();
    await Promise.resolve();
  });
  await flush();
};
const inputLabelled = (label: string) => {
  const l = [...dom.host.querySelectorAll("label")].find((x) => x.textContent === label);
  const input = l && (document.getElementById(l.htmlFor) as HTMLInputElement | null);
  if (!input) throw new Error(`no input "${label}"`);
  return input;
};
const type = async (input: HTMLInputElement, value: string) => {
  await act(async () => {
    // The native setter, so that React's value tracker sees a change and fires onChange.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!;
    setter.call(input, value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await Promise.resolve();
  });
};
const submit = async (input: HTMLInputElement) => {
  await act(async () => {
    input.form!.requestSubmit();
    await Promise.resolve();
  });
  await flush();
};

beforeEach(() => {
  peer = fakePeer({
    "sync:status": () => ok(baseStatus),
    "members:list": () => ok(members),
  });
  ({ calls, answers, listeners } = peer);
});

afterEach(() => {
  document.body.innerHTML = "";
  window.location.hash = "";
  vi.useRealTimers();
});

describe("SyncPage status", () => {
  it("says no one is here yet, with what to try and this device's address", async () => {
    await render(createElement(SyncPage));
    expect(dom.host.querySelector("h1")?.textContent).toBe("Sync");
    expect(dom.host.querySelector(".sync-headline")?.textContent).toBe("No one else is here yet");
    expect(text()).toContain("Meitheal open on the same network");
    expect(text()).toContain("Other devices can reach this one at 192.168.1.5:47800.");
    expect(text()).toContain("No other device is linked right now.");
    expect(dom.host.querySelector("progress")).toBeNull();
  });

  it("counts documents while syncing, with a progress bar and what is still missing", async () => {
    answers["sync:status"] = () => ok(syncing);
    await render(createElement(SyncPage));
    const headline = dom.host.querySelector(".sync-headline")!;
    expect(headline.textContent).toBe("Syncing 120 / 340 documents");
    const bar = dom.host.querySelector("progress")!;
    expect(bar.value).toBe(120);
    expect(bar.max).toBe(340);
    expect(bar.getAttribute("aria-labelledby")).toBe(headline.id);
    const gaps = dom.host.querySelector("details.sync-gaps")!;
    expect(gaps.querySelector("summary")!.textContent).toBe("What is still missing (2)");
    const items = [...gaps.querySelectorAll("li")].map((li) => li.textContent);
    expect(items).toEqual([
      "The well — still arriving from Aoife",
      "Untitled document (doc2yyyy) — different on Unknown device b41a0000",
    ]);
    const row = dom.host.querySelector(".sync-peers tbody tr")!;
    expect(row.textContent).toContain("Aoife");
    expect(row.textContent).toContain("192.168.1.20:47800");
    expect(row.textContent).toMatch(/since \d/);
    expect(row.textContent).toContain("This device connected");
  });

  it("asks every second, at once on this community's sync:changed, and never after unmount", async () => {
    vi.useFakeTimers();
    await render(createElement(SyncPage));
    expect(countCalls("sync:status")).toBe(1);
    for (let i = 0; i < 3; i++) await tick(1000);
    expect(countCalls("sync:status")).toBe(4);
    await emit("sync:changed", { communityId: asCommunityId("another") });
    expect(countCalls("sync:status")).toBe(4);
    await emit("sync:changed", { communityId: COMMUNITY });
    expect(countCalls("sync:status")).toBe(5);
    dom.unmount();
    await act(async () => {
      vi.advanceTimersByTime(5000);
      await Promise.resolve();
    });
    expect(countCalls("sync:status")).toBe(5);
    expect(listeners.get("sync:changed")?.size ?? 0).toBe(0);
  });

  it("announces a change of state politely, but not the first state or every count", async () => {
    vi.useFakeTimers();
    let current = syncing;
    answers["sync:status"] = () => ok(current);
    await render(createElement(SyncPage));
    const live = dom.host.querySelector('[aria-live="polite"]')!;
    expect(live.textContent).toBe("");
    current = { ...syncing, documents: { total: 340, here: 200 } };
    await act(async () => {
      vi.advanceTimersByTime(1000);
      await Promise.resolve();
    });
    await flush();
    expect(dom.host.querySelector(".sync-headline")!.textContent).toBe(
      "Syncing 200 / 340 documents",
    );
    expect(live.textContent).toBe("");
    current = { ...syncing, state: "in-sync", gaps: [], documents: { total: 340, here: 340 } };
    await act(async () => {
      vi.advanceTimersByTime(1000);
      await Promise.resolve();
    });
    await flush();
    expect(live.textContent).toBe("In sync — safe to leave");
    expect(dom.host.querySelector(".sync-status-in-sync .sync-badge")!.textContent).toContain(
      "In sync",
    );
  });

  it("shows why the status cannot be read", async () => {
    answers["sync:status"] = () => err("unavailable", "The peer is gone.");
    await render(createElement(SyncPage));
    expect(dom.host.querySelector('[role="alert"]')!.textContent).toContain("The peer is gone.");
  });
});

describe("Connect by address", () => {
  it("asks for an address, shows the peer's refusal under the field, then says it is connecting", async () => {
    answers["sync:connect"] = ({ address }) =>
      address === "nowhere" ? err("bad-input", "“nowhere” is not host:port.") : ok(null);
    await render(createElement(SyncPage));
    const input = inputLabelled("Connect to a device by address");
    expect(input.placeholder).toBe("192.168.1.20:47800");
    await submit(input);
    expect(countCalls("sync:connect")).toBe(0);
    await type(input, "nowhere");
    await submit(input);
    const error = document.getElementById(
      input.getAttribute("aria-describedby")!.split(" ").at(-1)!,
    )!;
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.textContent).toBe("“nowhere” is not host:port.");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    await type(input, " 192.168.1.20:47800 ");
    await submit(input);
    expect(calls.at(-1)).toEqual({
      method: "sync:connect",
      args: { address: "192.168.1.20:47800" },
    });
    expect(text()).toContain("Connecting… It appears under");
  });
});

describe("Invite a device", () => {
  const invite = (expiresAt: string): InviteInfo => ({
    communityId: COMMUNITY,
    code: "7K3M-Q9PX-2B4D-HJ6R",
    uri: "meitheal://join?i=7K3MQ9PX2B4DHJ6R",
    expiresAt,
    addresses: ["192.168.1.5:47800"],
  });

  it("opens a dialog with the QR code, the code, the addresses and the time left; Escape closes it", async () => {
    answers["sync:invite"] = () => ok(invite(new Date(Date.now() + 581_500).toISOString()));
    await render(createElement(SyncPage));
    const open = button("Invite a device");
    open.focus();
    await click(open);
    await flush();
    const dialog = dom.host.querySelector("dialog")!;
    expect(dialog.hasAttribute("open")).toBe(true);
    expect(document.activeElement).toBe(dialog.querySelector("h2"));
    expect(dialog.textContent).toContain("The code works once, for 10 minutes.");
    expect(dialog.querySelector(".invite-code")!.textContent).toBe("7K3M-Q9PX-2B4D-HJ6R");
    expect(dialog.textContent).toContain("192.168.1.5:47800");
    expect(dialog.textContent).toMatch(/Expires in 9:4\d/);
    const img = dialog.querySelector("img")!;
    expect(img.alt).toBe("QR code of the invite");
    expect(img.src.startsWith("data:image/svg+xml")).toBe(true);
    await act(async () => {
      dialog.dispatchEvent(new Event("cancel", { cancelable: true }));
      await Promise.resolve();
    });
    expect(dom.host.querySelector("dialog")).toBeNull();
    expect(document.activeElement).toBe(open);
  });

  it("says when the invite has expired and makes a new one", async () => {
    let n = 0;
    answers["sync:invite"] = () =>
      ok(
        n++ === 0
          ? invite(new Date(Date.now() - 1000).toISOString())
          : invite(new Date(Date.now() + 600_000).toISOString()),
      );
    await render(createElement(SyncPage));
    await click(button("Invite a device"));
    expect(text()).toContain("This invite has expired");
    expect(dom.host.querySelector(".invite-code")).toBeNull();
    await click(button("Make a new invite"));
    expect(countCalls("sync:invite")).toBe(2);
    expect(dom.host.querySelector(".invite-code")).not.toBeNull();
  });

  it("shows why an invite could not be made", async () => {
    answers["sync:invite"] = () => err("unavailable", "LAN sync is off.");
    await render(createElement(SyncPage));
    await click(button("Invite a device"));
    expect(dom.host.querySelector("dialog [role='alert']")!.textContent).toContain(
      "LAN sync is off.",
    );
  });
});

describe("Members", () => {
  it("lists members with markers and removed devices apart; removing asks first", async () => {
    answers["members:remove"] = () => ok(null);
    await render(createElement(SyncPage));
    const [current, removed] = [...dom.host.querySelectorAll("ul.members")];
    const rows = [...current!.querySelectorAll(":scope > li")].map((li) => li.textContent);
    expect(rows[0]).toContain("This device");
    expect(rows[0]).toContain("Started the community");
    expect(rows[1]).toContain("Linked now");
    expect(rows[1]).toContain("Added by Ciara's laptop");
    expect(removed!.textContent).toContain("Brian");
    expect(removed!.textContent).toContain("Removed by Ciara's laptop");
    expect(() => button("Remove device Ciara's laptop")).toThrow();
    await click(button("Remove device Aoife"));
    expect(text()).toContain(
      "Aoife will be refused from now on and its open links close. What it already received stays on it — removing a device cannot take back what it has.",
    );
    expect(countCalls("members:remove")).toBe(0);
    expect(document.activeElement?.textContent).toBe("Cancel");
    await click(button("Remove Aoife"));
    expect(calls.find((c) => c.method === "members:remove")?.args).toEqual({
      communityId: COMMUNITY,
      deviceKey: AOIFE,
    });
    expect(text()).toContain("Removed Aoife.");
  });

  it("shows why a removal failed", async () => {
    answers["members:remove"] = () => err("bad-input", "Only members can remove devices.");
    await render(createElement(SyncPage));
    await click(button("Remove device Aoife"));
    await click(button("Remove Aoife"));
    expect(dom.host.querySelector(".member [role='alert']")!.textContent).toBe(
      "Only members can remove devices.",
    );
  });
});

/** The path a file argument names ("" for an upload or a download). */
const pathIn = (file: FileSource | FileTarget) => (file.kind === "path" ? file.path : "");

describe("Offline bundle", () => {
  it("writes and reads a bundle and says what it did", async () => {
    answers["sync:writeBundle"] = ({ target }) =>
      ok({
        path: pathIn(target),
        download: null,
        communityId: COMMUNITY,
        documents: 340,
        bytes: 2_100_000,
      });
    answers["sync:readBundle"] = ({ source }) =>
      pathIn(source).endsWith("bad")
        ? err("damaged", "That file is not a bundle.")
        : ok({
            path: pathIn(source),
            download: null,
            communityId: COMMUNITY,
            documents: 1,
            bytes: 10,
          });
    await render(createElement(SyncPage));
    // A typed path on the peer's computer is the advanced way (uploads and downloads are tested in
    // the browser: test/e2e/files.test.ts).
    await act(async () => {
      for (const summary of dom.host.querySelectorAll(".bundle-form summary"))
        (summary as HTMLElement).click();
      await Promise.resolve();
    });
    await flush();
    const write = inputLabelled("Save the bundle to");
    expect(write.placeholder).toBe("/media/usb/retreat.meitheal-sync");
    await type(write, " ");
    await submit(write);
    expect(text()).toContain("Type the full path of the bundle file.");
    await type(write, "/media/usb/retreat.meitheal-sync");
    await submit(write);
    expect(text()).toContain("Wrote 340 documents (2.1 MB) to /media/usb/retreat.meitheal-sync.");
    const read = inputLabelled("Path of the bundle file");
    await type(read, "/media/usb/bad");
    await submit(read);
    expect(text()).toContain("That file is not a bundle.");
    await type(read, "/media/usb/retreat.meitheal-sync");
    await submit(read);
    expect(text()).toContain("Merged 1 document from /media/usb/retreat.meitheal-sync.");
  });
});

describe("JoinCommunity", () => {
  it("pairs with a code, shows the peer's refusal, and opens the joined community's Sync page", async () => {
    let release: (r: Result<ValueOf<"sync:join">>) => void = () => {};
    answers["sync:join"] = () => new Promise((resolve) => (release = resolve));
    await render(createElement(JoinCommunity));
    const input = inputLabelled("Invite code or link");
    expect(input.getAttribute("autocomplete")).toBe("off");
    expect(input.getAttribute("spellcheck")).toBe("false");
    await type(input, " 7k3m-q9px ");
    // The profile's name was never chosen: the name field starts empty, and is asked for.
    const name = inputLabelled("Your name, as others will see it");
    expect(name.value).toBe("");
    const before = calls.length;
    await submit(input);
    expect(calls.length).toBe(before);
    expect(text()).toContain("Type the name others in the community will see for you.");
    await type(name, " Brigid ");
    await submit(input);
    expect(calls.at(-1)).toEqual({
      method: "sync:join",
      args: { code: "7k3m-q9px", name: "Brigid" },
    });
    expect(text()).toContain("Pairing…");
    expect(button("Join").disabled).toBe(true);
    expect(input.form!.getAttribute("aria-busy")).toBe("true");
    await act(async () => {
      release(err("bad-input", "That code has expired."));
      await Promise.resolve();
    });
    await flush();
    expect(dom.host.querySelector('[role="alert"]')!.textContent).toBe("That code has expired.");
    expect(button("Join").disabled).toBe(false);
    answers["sync:join"] = () =>
      ok({
        id: COMMUNITY,
        name: null,
        purpose: null,
        state: "damaged",
        problems: [],
        entryCount: 0,
      });
    await submit(input);
    expect(window.location.hash).toBe(`#/c/${COMMUNITY}/sync`);
  });
});
