import { describe, expect, it } from "vitest";
import { ENGLISH_HARVEST_LABELS, harvestLabelsValidator } from "../../../shared/export/harvest.ts";
import { harvestLabels } from "./harvestLabels.ts";

describe("harvestLabels", () => {
  it("gives every word the peer checks, and in English the report's own English", () => {
    const labels = harvestLabels();
    expect(harvestLabelsValidator.safeParse(labels).success).toBe(true);
    expect(labels).toEqual(ENGLISH_HARVEST_LABELS);
  });
});
