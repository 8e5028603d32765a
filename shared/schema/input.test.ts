import { describe, expect, it } from "vitest";
import { LIMITS } from "./community.ts";
import {
  HEX_COLOUR,
  checkColour,
  checkCommunityName,
  checkName,
  checkPurpose,
  checkThemes,
} from "./input.ts";
import type { Result } from "../result.ts";

const value = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};
const failure = <T>(r: Result<T>) => {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error;
};

describe("checkName / checkCommunityName", () => {
  it("accepts a plain name unchanged", () => {
    expect(value(checkCommunityName("Cois Farraige"))).toBe("Cois Farraige");
  });

  it.each(["", "   ", "\t\n", "\u00a0\u2003"])(
    "rejects an empty or blank name (%j) with a message saying what to do",
    (raw) => {
      const error = failure(checkCommunityName(raw));
      expect(error.code).toBe("bad-input");
      expect(error.message).toMatch(/community name is empty/);
      expect(error.message).toMatch(/Type a community name/);
    },
  );

  it("rejects what is not text", () => {
    for (const raw of [undefined, null, 5, ["a"], { name: "a" }]) {
      expect(failure(checkCommunityName(raw)).message).toMatch(/must be text/);
    }
  });

  it("folds runs of whitespace into one space and trims the ends", () => {
    expect(value(checkCommunityName("  Cois \t\n  Farraige  "))).toBe("Cois Farraige");
    expect(value(checkCommunityName("Cois\u00a0\u00a0Farraige"))).toBe("Cois Farraige");
  });

  it("normalises to NFC, so the same name typed two ways is the same string", () => {
    const decomposed = "Cafe\u0301 Cruinn"; // e + combining acute
    const composed = "Caf\u00e9 Cruinn";
    expect(decomposed).not.toBe(composed);
    expect(value(checkCommunityName(decomposed))).toBe(composed);
  });

  it("allows exactly the limit and rejects one more, saying the length and the limit", () => {
    expect(value(checkCommunityName("a".repeat(LIMITS.name)))).toHaveLength(LIMITS.name);
    const error = failure(checkCommunityName("a".repeat(LIMITS.name + 1)));
    expect(error.code).toBe("bad-input");
    expect(error.message).toContain(String(LIMITS.name + 1));
    expect(error.message).toContain(`limit is ${LIMITS.name}`);
  });

  it("measures the length after folding, so padding does not count", () => {
    expect(value(checkCommunityName(`   ${"a".repeat(LIMITS.name)}   `))).toHaveLength(LIMITS.name);
  });

  it("uses the given word and limit in its messages", () => {
    expect(failure(checkName("", "display name", 60)).message).toMatch(/display name is empty/);
    expect(failure(checkName("abcd", "nickname", 3)).message).toMatch(
      /nickname is 4 characters long; the limit is 3/,
    );
  });
});

describe("checkPurpose", () => {
  it("treats a missing purpose as empty", () => {
    expect(value(checkPurpose(undefined))).toBe("");
  });

  it("trims the ends but keeps line breaks inside (a purpose is prose)", () => {
    expect(value(checkPurpose("  We gather.\n\nWe listen.  "))).toBe("We gather.\n\nWe listen.");
  });

  it("normalises to NFC", () => {
    expect(value(checkPurpose("Cafe\u0301"))).toBe("Caf\u00e9");
  });

  it("rejects what is not text and what is too long", () => {
    expect(failure(checkPurpose(12)).message).toMatch(/must be text/);
    expect(value(checkPurpose("p".repeat(LIMITS.purpose)))).toHaveLength(LIMITS.purpose);
    const error = failure(checkPurpose("p".repeat(LIMITS.purpose + 1)));
    expect(error.code).toBe("bad-input");
    expect(error.message).toContain(`limit is ${LIMITS.purpose}`);
  });
});

describe("checkThemes", () => {
  it("treats missing themes as none", () => {
    expect(value(checkThemes(undefined))).toEqual([]);
  });

  it("cleans each label, drops blanks, and removes duplicates ignoring case, keeping the first spelling and the order", () => {
    expect(
      value(checkThemes(["  Nature ", "", "   ", "dignity", "NATURE", "Dignity", "Fair  play"])),
    ).toEqual(["Nature", "dignity", "Fair play"]);
  });

  it("treats composed and decomposed spellings as duplicates", () => {
    expect(value(checkThemes(["Caf\u00e9", "CAFE\u0301"]))).toEqual(["Caf\u00e9"]);
  });

  it("rejects a list that is not a list, and items that are not text", () => {
    expect(failure(checkThemes("nature, dignity")).message).toMatch(/list/);
    expect(failure(checkThemes(["nature", 3])).message).toMatch(/theme must be text/);
  });

  it("rejects a label over the limit", () => {
    expect(failure(checkThemes(["x".repeat(LIMITS.themeLabel + 1)])).message).toContain(
      `limit is ${LIMITS.themeLabel}`,
    );
  });

  it("allows the limit of themes, rejects one more, and counts after removing duplicates", () => {
    const many = Array.from({ length: LIMITS.themes }, (_, i) => `theme ${i}`);
    expect(value(checkThemes(many))).toHaveLength(LIMITS.themes);
    expect(value(checkThemes([...many, "THEME 0", "", "  "]))).toHaveLength(LIMITS.themes);
    const error = failure(checkThemes([...many, "one more"]));
    expect(error.code).toBe("bad-input");
    expect(error.message).toContain(String(LIMITS.themes));
  });
});

describe("checkColour", () => {
  it("accepts #rrggbb and lowercases it", () => {
    expect(value(checkColour("#2A7A5E"))).toBe("#2a7a5e");
    expect(value(checkColour("#1f6f5c"))).toBe("#1f6f5c");
  });

  it.each([
    "2a7a5e",
    "#2a7a5",
    "#2a7a5e0",
    "#gggggg",
    "red",
    "",
    " #2a7a5e",
    "#2a7a5e\n",
    null,
    0x2a7a5e,
  ])("rejects %j with a message showing the form", (raw) => {
    const error = failure(checkColour(raw));
    expect(error.code).toBe("bad-input");
    expect(error.message).toMatch(/#[0-9a-f]{6}/);
  });

  it("HEX_COLOUR has no flags that make test() stateful", () => {
    expect(HEX_COLOUR.global || HEX_COLOUR.sticky).toBe(false);
    expect(checkColour("#abcdef").ok && checkColour("#abcdef").ok).toBe(true);
  });
});
