// Discovery wired into the peers: three member devices and a stranger on one (simulated) LAN. No
// multicast leaves this machine: the mDNS layer is an in-memory "network" handing every published
// service to every browser, shaped as bonjour-service reports it (the packet's source address in
// `referer`). B and C were each invited by A and know only A's address; discovery alone links them
// to each other. The stranger's advertisement matches no community here and is never dialled, and a
// spoofed answer carrying B's key and tags but the stranger's port gets nothing.
import { EventEmitter } from "node:events";
import { afterAll, describe, expect, it } from "vitest";
import { PeerNode } from "../../peer/peerNode.ts";
import type {
  BonjourLike,
  BrowserLike,
  PublishConfig,
  PublishedService,
} from "../../peer/net/bonjour.ts";
import { inviteKeys, parseInvite } from "../../peer/trust/inviteCode.ts";
import type { Result } from "../../shared/result.ts";
import { eventually } from "../helpers/peerRpc.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";

type Answer = {
  name: string;
  type: string;
  protocol: "tcp";
  host: string;
  port: number;
  txt: Record<string, string>;
  referer: { address: string; family: "IPv4"; port: number; size: number };
};

/** One LAN: every published service reaches every browser, now and later. */
class FakeLan {
  readonly services = new Set<Answer>();
  readonly browsers = new Set<EventEmitter>();

  announce(answer: Answer) {
    this.services.add(answer);
    for (const browser of this.browsers) browser.emit("up", answer);
  }

  device(): BonjourLike {
    const own: Answer[] = [];
    return {
      publish: (config: PublishConfig): PublishedService => {
        const answer: Answer = {
          name: config.name,
          type: config.type,
          protocol: "tcp",
          host: config.host,
          port: config.port,
          txt: config.txt,
          referer: { address: "127.0.0.1", family: "IPv4", port: 5353, size: 200 },
        };
        own.push(answer);
        setImmediate(() => this.announce(answer));
        return { stop: (callback) => (this.services.delete(answer), callback?.()) };
      },
      find: (): BrowserLike => {
        const browser = new EventEmitter();
        this.browsers.add(browser);
        setImmediate(() => {
          for (const answer of this.services) browser.emit("up", answer);
        });
        return Object.assign(browser, { stop: () => void this.browsers.delete(browser) });
      },
      destroy: (callback) => {
        for (const answer of own) this.services.delete(answer);
        callback?.();
      },
      onError: () => undefined,
    };
  }
}

const unwrap = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

const nodes: PeerNode[] = [];
const dirs: string[] = [];

async function start(lan: FakeLan): Promise<PeerNode> {
  const dir = await makeTempDir("meitheal-discovery-");
  dirs.push(dir);
  const node = await PeerNode.start({
    dataDir: dir,
    sync: {
      listen: { host: "127.0.0.1", port: 0 },
      retryMs: 200,
      discovery: { bonjour: lan.device() },
    },
  });
  nodes.push(node);
  return node;
}

afterAll(async () => {
  for (const n of nodes) await n.close().catch(() => undefined);
  for (const d of dirs) await removeDir(d);
});

const peersOf = (node: PeerNode, id: string) => {
  const community = node.community(id);
  const s = community ? node.sync?.status(community) : undefined;
  return s?.ok ? s.value.peers.map((p) => p.deviceKey).sort() : [];
};

describe("discovery on the LAN", () => {
  it("links members that never exchanged addresses, and nobody else", async () => {
    const lan = new FakeLan();
    const [a, b, c, eve] = await Promise.all([start(lan), start(lan), start(lan), start(lan)]);
    const created = await a.createCommunity({ name: "Hub" });
    if (!created.ok) throw new Error(created.error.message);
    const id = created.value.id;
    const theirs = await eve.createCommunity({ name: "Eve's own" });
    if (!theirs.ok) throw new Error(theirs.error.message);
    for (const [joiner, name] of [
      [b, "Brian"],
      [c, "Ciara"],
    ] as const) {
      const invite = await a.sync!.invite(a.community(id)!);
      if (!invite.ok) throw new Error(invite.error.message);
      // A advertises the invite's hint, and nothing that names the community or a person.
      const hint = inviteKeys(unwrap(parseInvite(invite.value.code)).secret).hint;
      await eventually(
        () => ([...lan.services].some((s) => s.txt.i === hint) ? true : undefined),
        5_000,
        "A advertises the invite's hint",
      );
      const advertised = JSON.stringify([...lan.services].map((s) => [s.name, s.host, s.txt]));
      for (const secretish of [id, "Hub", invite.value.code.replace(/-/g, "")])
        expect(advertised).not.toContain(secretish);
      // The typed code alone (no address): the joiner finds A by the hint.
      const joined = await joiner.sync!.join({ code: invite.value.code, name });
      if (!joined.ok) throw new Error(joined.error.message);
      // A spent invite is no longer advertised.
      await eventually(
        () => ([...lan.services].every((s) => s.txt.i !== hint) ? true : undefined),
        5_000,
        "the spent invite's hint withdrawn",
      );
    }
    const names = unwrap(a.sync!.members(a.community(id)!));
    expect(names.map((m) => m.name)).toEqual(expect.arrayContaining(["Brian", "Ciara"]));
    expect(b.sync?.status(b.community(id)!)).toMatchObject({
      ok: true,
      value: { discovery: "on" },
    });

    // B and C know only A from their invites; they find each other by discovery.
    const keys = [a, b, c].map((n) => n.device.publicKey);
    await eventually(
      () => ([a, b, c].every((n) => peersOf(n, id).length === 2) ? true : undefined),
      20_000,
      "a full mesh of A, B and C",
    );
    for (const n of [a, b, c])
      expect(peersOf(n, id)).toEqual(keys.filter((k) => k !== n.device.publicKey).sort());

    // A spoofed answer: B's key and tags, Eve's port. Dialled with B's key expected, it fails at
    // the handshake; Eve links to nobody and nobody lists her.
    const real = [...lan.services].find((s) => s.txt.k === b.device.publicKey);
    if (!real) throw new Error("B is not advertised");
    lan.announce({ ...real, port: eve.sync!.port! });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(peersOf(eve, theirs.value.id)).toEqual([]);
    for (const n of [a, b, c]) expect(peersOf(n, id)).not.toContain(eve.device.publicKey);
    expect(peersOf(a, id)).toHaveLength(2);
  }, 60_000);
});
