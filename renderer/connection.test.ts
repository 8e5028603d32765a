// @vitest-environment jsdom
// The desktop app's channel request, as the page sees it: a port arrives; main says the peer is
// down; or nothing comes at all. The page never waits for ever, and says why in words.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChannelRequest, DesktopBridge, PortDelivery } from "../shared/bridge.ts";
import { ConnectFailure, desktopPort, PORT_TIMEOUT_MS } from "./connection.ts";

/** A bridge whose preload answers each request with `answer` (as a window message, like the real one). */
function bridge(
  answer: (requestId: string) => { data: PortDelivery; ports?: MessagePort[] } | null,
) {
  const asked: ChannelRequest[] = [];
  const api: DesktopBridge = {
    platform: "linux",
    openChannel(requestId, request) {
      asked.push(request);
      const reply = answer(requestId);
      if (reply)
        queueMicrotask(() =>
          window.dispatchEvent(
            new MessageEvent("message", { data: reply.data, source: window, ports: reply.ports }),
          ),
        );
    },
  };
  return { api, asked };
}

const channel = (requestId: string): PortDelivery => ({
  source: "meitheal-preload",
  type: "channel",
  requestId,
});

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe("desktopPort", () => {
  it("resolves with the port delivered for its request", async () => {
    const { port1 } = new MessageChannel();
    const { api, asked } = bridge((id) => ({ data: channel(id), ports: [port1] }));
    await expect(desktopPort(api, { kind: "rpc" })).resolves.toBe(port1);
    expect(asked).toEqual([{ kind: "rpc" }]);
    port1.close();
  });

  it("rejects with main's reason, readably, when the peer is down", async () => {
    const { api } = bridge((requestId) => ({
      data: {
        source: "meitheal-preload",
        type: "channel-failed",
        requestId,
        error: "The Meitheal peer is not running.",
      },
    }));
    const failure = desktopPort(api, { kind: "sync", communityId: "c1" });
    await expect(failure).rejects.toBeInstanceOf(ConnectFailure);
    await expect(failure).rejects.toThrow(
      "Meitheal could not reach its peer: The Meitheal peer is not running. Your saved work is safe.",
    );
  });

  it("ignores deliveries for other requests, and gives up after its own timeout", async () => {
    const { api } = bridge(() => ({ data: channel("someone-else") }));
    let settled: unknown = "pending";
    desktopPort(api, { kind: "rpc" }).then(
      () => (settled = "resolved"),
      (e: unknown) => (settled = e),
    );
    await vi.advanceTimersByTimeAsync(PORT_TIMEOUT_MS - 1);
    expect(settled).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBeInstanceOf(ConnectFailure);
    expect((settled as Error).message).toContain("did not open a connection within 10 s");
  });
});
