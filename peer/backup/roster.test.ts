import { describe, expect, it } from "vitest";
import { asCommunityId, asDeviceKey } from "../../shared/ids.ts";
import type { Roster } from "../../shared/schema/roster.ts";
import { createRoster } from "../trust/roster.ts";
import { consentOf, describeChange, rosterChange, withoutConsent } from "./roster.ts";

const key = (c: string) => asDeviceKey(c.repeat(64));
const [aoife, aoifeLaptop, brian, mallory] = [key("a"), key("b"), key("c"), key("d")];

function roster(members: [string, string][], removed: string[] = []): Roster {
  const r = createRoster(asCommunityId("x"), { deviceKey: aoife, name: "Aoife" }, 1);
  for (const [k, name] of members) r.members[k] = { name, addedBy: aoife, addedAt: 2 };
  for (const k of removed) r.removed[k] = { by: aoife, at: 3 };
  return r;
}

describe("what a restore changes on a member list", () => {
  it("a community new here: everyone the backup names, grouped by name", () => {
    const change = rosterChange(
      undefined,
      roster([
        [aoifeLaptop, "Aoife"],
        [brian, "Brian"],
      ]),
    );
    expect(change).toEqual({
      added: [
        { name: "Aoife", deviceKeys: [aoife, aoifeLaptop] },
        { name: "Brian", deviceKeys: [brian] },
      ],
      removed: [],
    });
    expect(describeChange(change, false)).toBe(
      "Its member list (3 devices), whose devices may then sync with this one: Aoife (2 devices), Brian (1 device).",
    );
  });

  it("a merge: only devices not members here; the same list changes nothing", () => {
    const here = roster([[brian, "Brian"]]);
    expect(rosterChange(here, roster([[brian, "Brian"]]))).toEqual({ added: [], removed: [] });
    expect(
      rosterChange(
        here,
        roster([
          [brian, "Brian"],
          [mallory, "Mallory"],
        ]),
      ),
    ).toEqual({
      added: [{ name: "Mallory", deviceKeys: [mallory] }],
      removed: [],
    });
  });

  it("a removal wins, as when rosters sync: removed here stays out; removed there is taken away", () => {
    const here = roster([[brian, "Brian"]], [mallory]);
    expect(rosterChange(here, roster([[mallory, "Mallory"]])).added).toEqual([]);
    expect(rosterChange(here, roster([[brian, "Brian"]], [brian]))).toEqual({
      added: [],
      removed: [{ name: "Brian", deviceKeys: [brian] }],
    });
  });

  it("goes ahead only with consent to every device it names, and to an unsealed file", () => {
    const change = rosterChange(roster([]), roster([[mallory, "Mallory"]]));
    expect(withoutConsent(change, true, true, undefined)).toMatch(/Mallory \(1 device\)/);
    expect(withoutConsent(change, true, true, { devices: [brian], unsealed: true })).toBeDefined();
    expect(withoutConsent(change, true, true, { devices: [mallory], unsealed: false })).toBe(
      undefined,
    );
    const none = { added: [], removed: [] };
    expect(withoutConsent(none, false, true, { devices: [], unsealed: false })).toMatch(
      /not sealed/,
    );
    expect(withoutConsent(none, false, true, { devices: [], unsealed: true })).toBe(undefined);
  });

  it("reads a consent from a window without trusting its shape", () => {
    expect(consentOf(undefined)).toBe(undefined);
    expect(consentOf({ devices: [mallory, "not a key", 7], unsealed: "yes" })).toEqual({
      devices: [mallory],
      unsealed: false,
    });
  });
});
