// PresenceSession between two windows' repos, without a browser: who is seen, where their cursor
// is drawn, and that a window forgotten after a one-way stall comes back whole.
import {
  Repo,
  type DocHandle,
  type NetworkAdapterInterface,
  type PeerId,
} from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { next as A } from "@automerge/automerge";
import { Schema } from "prosemirror-model";
import { EditorState, type Transaction } from "prosemirror-state";
import type { EditorView } from "prosemirror-view";
import { afterEach, describe, expect, it } from "vitest";
import { presenceKey } from "./presencePlugin.ts";
import type { RemotePeer } from "./state.ts";
import { PresenceSession, type PresenceEditor } from "./useStoryPresence.ts";

const TIMING = { heartbeatMs: 100, peerTtlMs: 400 };
const KEY_A = "a".repeat(64);
const KEY_B = "b".repeat(64);

const schema = new Schema({
  nodes: { doc: { content: "paragraph+" }, paragraph: { content: "text*" }, text: {} },
});

/** Just enough of an editor: one paragraph showing `body`, Automerge index i at position i + 1. */
function fakeEditor(
  session: PresenceSession,
  handle: DocHandle<{ body: string }>,
  selection: { start: number; end: number },
) {
  const docOf = () =>
    schema.node("doc", null, [
      schema.node("paragraph", null, handle.doc().body ? [schema.text(handle.doc().body)] : []),
    ]);
  const view = {
    isDestroyed: false,
    dom: new EventTarget(),
    hasFocus: () => true,
    // Not composing, and no DOM observer: a presence redraw has no page caret to read first
    // (editor/pendingSelection.ts).
    composing: false,
    state: EditorState.create({ doc: docOf(), plugins: session.plugins }),
    dispatch(tr: Transaction) {
      view.state = view.state.apply(tr);
    },
  };
  const editor: PresenceEditor = {
    view: view as unknown as EditorView,
    selectionAm: () => selection,
    amToPm: (i) => (i <= handle.doc().body.length ? i + 1 : null),
  };
  return { editor, view, docOf };
}

const until = async (ok: () => boolean, what: string, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function twoWindows() {
  const channel = new MessageChannel();
  const adapterA = new MessageChannelNetworkAdapter(channel.port1);
  const adapterB = new MessageChannelNetworkAdapter(channel.port2);
  const a = new Repo({ network: [adapterA], isEphemeral: true, peerId: "ui-a" as PeerId });
  const b = new Repo({ network: [adapterB], isEphemeral: true, peerId: "ui-b" as PeerId });
  cleanups.push(async () => {
    await a.shutdown();
    await b.shutdown();
    channel.port1.close();
  });
  const ha = a.create<{ body: string }>({ body: "Hello world" });
  const hb = await b.find<{ body: string }>(ha.url);
  let peersA: RemotePeer[] = [];
  let peersB: RemotePeer[] = [];
  const sa = new PresenceSession(
    { deviceKey: KEY_A, name: "Aoife", colour: "#1f6f5c" },
    (p) => (peersA = p),
    TIMING,
  );
  const sb = new PresenceSession(
    { deviceKey: KEY_B, name: "Brian", colour: "#2b5d9b" },
    (p) => (peersB = p),
    TIMING,
  );
  cleanups.push(sa.attach(ha), sb.attach(hb));
  return {
    ha,
    hb,
    sa,
    sb,
    adapterA: adapterA as NetworkAdapterInterface,
    peersA: () => peersA,
    peersB: () => peersB,
  };
}

describe("PresenceSession", () => {
  it("shows each window to the other and draws the other's selection where it is", async () => {
    const w = await twoWindows();
    await until(() => w.peersA().length === 1 && w.peersB().length === 1, "both to see each other");
    expect(w.peersB()[0]).toMatchObject({
      peerId: "ui-a",
      name: "Aoife",
      colour: "#1f6f5c",
      deviceKey: KEY_A,
    });

    const onB = fakeEditor(w.sb, w.hb, { start: 0, end: 0 });
    cleanups.push(w.sb.attachEditor(onB.editor));
    // Aoife selects "world" (indexes 6–11).
    const onA = fakeEditor(w.sa, w.ha, { start: 6, end: 11 });
    cleanups.push(w.sa.attachEditor(onA.editor));
    await until(() => w.peersB()[0]?.selection?.end === 11, "Aoife's selection to arrive");
    await until(
      () => (presenceKey.getState(onB.view.state)?.find().length ?? 0) === 2,
      "a highlight and a caret",
    );
    const drawn = presenceKey.getState(onB.view.state)?.find() ?? [];
    expect(drawn.map((d) => [d.from, d.to]).sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!)).toEqual(
      [
        [7, 12],
        [12, 12],
      ],
    );

    // Brian types at the start before Aoife's selection reaches him again: her cursors (Automerge
    // cursors, not counts) still name "world".
    w.hb.change((d) => A.splice(d, ["body"], 0, 0, "Oh, "));
    expect(w.sb.cursorPeers()[0]?.selection).toEqual({ start: 10, end: 15 });
  });

  it("comes back whole after the other window forgot it in a one-way stall", async () => {
    const w = await twoWindows();
    await until(() => w.peersA().length === 1 && w.peersB().length === 1, "both to see each other");
    // Presence answers a newcomer with its state after 500 ms: let those answers go by first, so
    // that nothing but the fix under test can bring Aoife back.
    await new Promise((r) => setTimeout(r, 800));
    // Aoife's messages stop reaching Brian (Brian's still reach her) for longer than the TTL.
    const send = w.adapterA.send.bind(w.adapterA);
    let blocked = true;
    w.adapterA.send = (message) => {
      if (!blocked) send(message);
    };
    await until(() => w.peersB().length === 0, "Brian to forget Aoife", 3_000);
    expect(w.peersA().map((p) => p.name)).toEqual(["Brian"]);
    blocked = false;
    // Her heartbeats reach Brian, who announces himself; she answers with her whole state.
    await until(() => w.peersB()[0]?.name === "Aoife", "Aoife to come back with her name", 3_000);
  });
});
