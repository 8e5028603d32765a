// axe-core run in the page as a person meets it (@axe-core/playwright): the serious and critical
// violations, each with the rule, what it asks and where it is, so a failing test names the screen
// and the element that broke it.
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "playwright-core";

export type A11yFinding = { rule: string; impact: string; help: string; where: string[] };

/** Serious and critical accessibility violations on the page as it is now (empty when clean). */
export async function seriousA11yViolations(page: Page): Promise<A11yFinding[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      rule: v.id,
      impact: v.impact ?? "",
      help: v.help,
      where: v.nodes.map((n) => n.target.map(String).join(" ")),
    }));
}
