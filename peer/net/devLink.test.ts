import { describe, expect, it } from "vitest";
import {
  LOOPBACK_ONLY,
  checkLinkSecret,
  newLinkSecret,
  parseLoopbackAddress,
  planDevLink,
  sameSecret,
} from "./devLink.ts";

const ID = "49k9xVSghNVgyLzpwjn7bs4Jhpcn";

describe("loopback link flags", () => {
  it("generates secrets that can be typed after --link-secret (never starting with a dash)", () => {
    for (let i = 0; i < 500; i++) {
      const secret = newLinkSecret();
      expect(secret).toMatch(/^[0-9a-f]{48}$/);
      expect(checkLinkSecret(secret).ok).toBe(true);
    }
  });

  it("accepts only 127.0.0.1 and localhost, and says why", () => {
    expect(parseLoopbackAddress("127.0.0.1:7777")).toEqual({
      ok: true,
      value: { host: "127.0.0.1", port: 7777 },
    });
    expect(parseLoopbackAddress("LOCALHOST:80")).toEqual({
      ok: true,
      value: { host: "127.0.0.1", port: 80 },
    });
    for (const address of [
      "192.168.0.4:7777",
      "10.1.1.1:1",
      "[::1]:7777",
      "0.0.0.0:1",
      "127.0.0.2:7777",
      "meitheal.local:7777",
    ]) {
      const r = parseLoopbackAddress(address);
      expect(r.ok, address).toBe(false);
      if (!r.ok) expect(r.error.message).toContain(LOOPBACK_ONLY);
    }
    expect(parseLoopbackAddress("127.0.0.1").ok).toBe(false);
    expect(parseLoopbackAddress("127.0.0.1:0").ok).toBe(false);
  });

  it("wants a secret that looks random", () => {
    expect(checkLinkSecret(newLinkSecret()).ok).toBe(true);
    expect(newLinkSecret()).not.toBe(newLinkSecret());
    expect(checkLinkSecret("hunter2").ok).toBe(false);
    expect(checkLinkSecret("with spaces and more than sixteen").ok).toBe(false);
    expect(checkLinkSecret(undefined).ok).toBe(false);
  });

  it("compares secrets exactly", () => {
    const s = newLinkSecret();
    expect(sameSecret(s, s)).toBe(true);
    expect(sameSecret(s.slice(0, -1), s)).toBe(false);
    expect(sameSecret(`${s}x`, s)).toBe(false);
    expect(sameSecret(undefined, s)).toBe(false);
  });

  it("plans what serve starts", () => {
    expect(planDevLink({})).toEqual({ ok: true, value: {} });
    const listen = planDevLink({ "link-listen": "0" });
    expect(listen.ok && listen.value.listen?.generated).toBe(true);
    const secret = newLinkSecret();
    expect(
      planDevLink({ "link-connect": "localhost:7000", "link-secret": secret, join: [ID] }),
    ).toEqual({
      ok: true,
      value: { connect: { address: { host: "127.0.0.1", port: 7000 }, secret, join: [ID] } },
    });
    expect(planDevLink({ join: [ID] }).ok).toBe(false);
    expect(planDevLink({ "link-secret": secret }).ok).toBe(false);
    expect(
      planDevLink({ "link-connect": "127.0.0.1:7000", "link-secret": secret, join: ["nope"] }).ok,
    ).toBe(false);
    expect(planDevLink({ "link-listen": "70000" }).ok).toBe(false);
  });
});
