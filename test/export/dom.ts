// jsdom for the export tests, typed by hand for the little they use: this project's Node-side
// TypeScript has no DOM types (peer/ must not use them), and @types/jsdom would bring them in.
import { createRequire } from "node:module";

export type TestElement = {
  readonly tagName: string;
  readonly id: string;
  readonly textContent: string | null;
  readonly outerHTML: string;
  readonly children: ArrayLike<TestElement> & Iterable<TestElement>;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<TestElement> & Iterable<TestElement>;
  replaceWith(text: string): void;
};

export type TestDocument = TestElement & {
  readonly title: string;
  readonly documentElement: TestElement;
  getElementById(id: string): TestElement | null;
};

type JsdomModule = {
  JSDOM: new (
    markup: string,
    options?: { contentType?: string },
  ) => { window: { document: TestDocument } };
};

const { JSDOM } = createRequire(import.meta.url)("jsdom") as JsdomModule;

/** Parses HTML, or XML when `contentType` says so (then it throws if not well formed). */
export const parseDocument = (markup: string, contentType?: string): TestDocument =>
  new JSDOM(markup, contentType ? { contentType } : undefined).window.document;
