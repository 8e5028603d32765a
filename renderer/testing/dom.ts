// A React root in jsdom for a screen test: made before each test and unmounted after it, with a way
// to let answers arrive and React draw them.
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach } from "vitest";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** Call at the top of a test file: `dom.host` and `dom.root` are fresh in every test. */
export function testRoot() {
  const at: { host?: HTMLDivElement; root?: Root } = {};
  beforeEach(() => {
    at.host = document.createElement("div");
    document.body.append(at.host);
    at.root = createRoot(at.host);
  });
  afterEach(() => {
    act(() => at.root?.unmount());
    at.host?.remove();
  });
  return {
    get host(): HTMLDivElement {
      if (!at.host) throw new Error("testRoot: used outside a test");
      return at.host;
    },
    get root(): Root {
      if (!at.root) throw new Error("testRoot: used outside a test");
      return at.root;
    },
    /** Unmounts what is drawn, as leaving the page does; later renders start afresh. */
    unmount() {
      act(() => at.root?.unmount());
      if (at.host) at.root = createRoot(at.host);
    },
  };
}

/** Lets pending answers arrive and React draw them. */
export const settle = () =>
  act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });
