import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { asCommunityId, asDeviceKey } from "../../shared/ids.ts";
import { rosterKind, type Roster } from "../../shared/schema/roster.ts";
import {
  addMember,
  createRoster,
  isMember,
  isRemoved,
  listMembers,
  removeMember,
  ROSTER_MESSAGES,
} from "./roster.ts";

const key = (c: string) => asDeviceKey(c.repeat(64));
const FOUNDER = key("a");
const B = key("b");
const C = key("c");
const community = asCommunityId("2sbfoHcRkXHtrKrXbwd47BJDsbv3");

const fresh = () => createRoster(community, { deviceKey: FOUNDER, name: "Founder" }, 1);

describe("roster operations", () => {
  it("starts with the founder, as a valid roster document", () => {
    const r = fresh();
    expect(rosterKind.read(r).state).toBe("ok");
    expect(isMember(r, FOUNDER)).toBe(true);
    expect(listMembers(r).map((m) => m.deviceKey)).toEqual([FOUNDER]);
  });

  it("adds a member once, added by a member", () => {
    const r = fresh();
    const added = addMember(r, { deviceKey: B, name: "Bríd", addedBy: FOUNDER, at: 2 });
    expect(added).toEqual({
      ok: true,
      value: { deviceKey: B, name: "Bríd", addedBy: FOUNDER, addedAt: 2 },
    });
    // A second add (a retried join) changes nothing.
    expect(addMember(r, { deviceKey: B, name: "Other", addedBy: FOUNDER, at: 3 }).ok).toBe(true);
    expect(r.members[B]?.name).toBe("Bríd");
    expect(isMember(r, B)).toBe(true);
  });

  it("refuses an add by someone who is not a member, and a malformed key", () => {
    const r = fresh();
    expect(addMember(r, { deviceKey: C, name: "x", addedBy: B, at: 2 })).toEqual({
      ok: false,
      error: { code: "bad-input", message: ROSTER_MESSAGES.notMember },
    });
    expect(
      addMember(r, { deviceKey: asDeviceKey("zz"), name: "x", addedBy: FOUNDER, at: 2 }).ok,
    ).toBe(false);
  });

  it("removes with a tombstone: the device is refused from then on, even if added again", () => {
    const r = fresh();
    addMember(r, { deviceKey: B, name: "Bríd", addedBy: FOUNDER, at: 2 });
    expect(removeMember(r, B, FOUNDER, 3)).toEqual({ ok: true, value: undefined });
    expect(isMember(r, B)).toBe(false);
    expect(isRemoved(r, B)).toBe(true);
    expect(addMember(r, { deviceKey: B, name: "Bríd", addedBy: FOUNDER, at: 4 })).toEqual({
      ok: false,
      error: { code: "bad-input", message: ROSTER_MESSAGES.removed },
    });
    expect(listMembers(r).map((m) => m.deviceKey)).toEqual([FOUNDER]);
    expect(listMembers(r, { includeRemoved: true })[1]).toMatchObject({
      deviceKey: B,
      removed: { by: FOUNDER, at: 3 },
    });
    // A removed device can no longer remove or add anyone.
    expect(removeMember(r, FOUNDER, B, 5).ok).toBe(false);
    expect(rosterKind.read(r).state).toBe("ok");
  });

  it("refuses to remove a device that was never on the roster", () => {
    expect(removeMember(fresh(), C, FOUNDER, 2).ok).toBe(false);
  });
});

describe("roster on concurrent Automerge forks", () => {
  const base = () => {
    let doc = A.from<Roster>(fresh());
    doc = A.change(doc, (d) => {
      addMember(d, { deviceKey: B, name: "Bríd", addedBy: FOUNDER, at: 2 });
    });
    return doc;
  };

  it("a removal and a concurrent add of another device both survive the merge", () => {
    const one = base();
    const two = A.clone(one);
    const a = A.change(one, (d) => {
      removeMember(d, B, FOUNDER, 3);
    });
    const b = A.change(two, (d) => {
      addMember(d, { deviceKey: C, name: "Ciarán", addedBy: FOUNDER, at: 3 });
    });
    for (const merged of [A.merge(A.clone(a), b), A.merge(A.clone(b), a)]) {
      expect(isMember(merged, B)).toBe(false);
      expect(isMember(merged, C)).toBe(true);
      expect(rosterKind.read(merged).state).toBe("ok");
    }
  });

  it("a removal wins over a concurrent re-add of the same device (new entry on the other fork)", () => {
    // Fork one adds C then removes it; fork two, not yet knowing C, adds C itself. The two member
    // entries conflict and either may win, but the tombstone sits in its own map and stays.
    const start = base();
    const one = A.change(A.clone(start, { actor: "01".repeat(16) }), (d) => {
      addMember(d, { deviceKey: C, name: "Ciarán", addedBy: FOUNDER, at: 3 });
    });
    const removed = A.change(one, (d) => {
      removeMember(d, C, FOUNDER, 4);
    });
    const two = A.change(A.clone(start, { actor: "ff".repeat(16) }), (d) => {
      addMember(d, { deviceKey: C, name: "Ciarán again", addedBy: B, at: 5 });
    });
    for (const merged of [A.merge(A.clone(removed), two), A.merge(A.clone(two), removed)]) {
      // The re-added entry won the conflict: a tombstone kept inside it would have been lost.
      expect(merged.members[C]?.name).toBe("Ciarán again");
      expect(isMember(merged, C)).toBe(false);
      expect(isRemoved(merged, C)).toBe(true);
    }
  });

  it("a removal and a concurrent add made by the removed device: the device stays out, its add stays", () => {
    const start = base();
    const a = A.change(A.clone(start), (d) => {
      removeMember(d, B, FOUNDER, 3);
    });
    const b = A.change(A.clone(start), (d) => {
      addMember(d, { deviceKey: C, name: "Ciarán", addedBy: B, at: 3 });
    });
    const merged = A.merge(A.clone(a), b);
    expect(isMember(merged, B)).toBe(false);
    // Documented limit: an add B made before it learnt of its removal is kept (see report).
    expect(isMember(merged, C)).toBe(true);
  });
});
