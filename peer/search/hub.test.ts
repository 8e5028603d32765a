import { describe, expect, it } from "vitest";
import { checkQuery } from "./hub.ts";

describe("checkQuery", () => {
  it("passes a well-formed query through", () => {
    expect(checkQuery({ text: "tide", types: ["story", "entry"], theme: "t1", limit: 5 })).toEqual({
      ok: true,
      value: { text: "tide", types: ["story", "entry"], theme: "t1", limit: 5 },
    });
    expect(checkQuery({ text: "" })).toEqual({ ok: true, value: { text: "" } });
  });

  it.each([
    [{}, "Type something"],
    [{ text: 5 }, "Type something"],
    [{ text: "x", types: "story" }, "stories, log entries and map nodes"],
    [{ text: "x", types: ["story", "collection"] }, "stories, log entries and map nodes"],
    [{ text: "x", theme: 3 }, "theme"],
    [{ text: "x", limit: 0 }, "1 or more"],
    [{ text: "x", limit: Number.NaN }, "1 or more"],
  ])("refuses %j with a readable message", (args, message) => {
    const checked = checkQuery(args);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.error.code).toBe("bad-input");
      expect(checked.error.message).toContain(message);
    }
  });
});
