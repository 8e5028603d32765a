// A TCP relay on 127.0.0.1 standing in for a stretch of network between two peers: it forwards
// bytes to a target port, and the test can cut it (every piped connection is destroyed and new ones
// are refused, as when a laptop walks out of Wi-Fi range) and heal it again.
import { createConnection, createServer, type Socket } from "node:net";

export type Relay = {
  readonly port: number;
  readonly address: string;
  /** Connections relayed so far. */
  readonly accepted: number;
  /** Bytes carried so far: from the dialling side to the target, and back. */
  readonly bytes: { forward: number; back: number };
  /** Sends new connections to another port (the target restarted elsewhere). */
  retarget(port: number): void;
  cut(): void;
  heal(): void;
  close(): Promise<void>;
};

export async function startRelay(targetPort: number): Promise<Relay> {
  let open = true;
  let accepted = 0;
  let target = targetPort;
  const bytes = { forward: 0, back: 0 };
  const live = new Set<Socket>();
  const server = createServer((inbound) => {
    inbound.on("error", () => undefined);
    if (!open) return inbound.destroy();
    accepted++;
    const outbound = createConnection({ host: "127.0.0.1", port: target });
    outbound.on("error", () => undefined);
    inbound.on("data", (d: Buffer) => (bytes.forward += d.length));
    outbound.on("data", (d: Buffer) => (bytes.back += d.length));
    for (const [a, b] of [
      [inbound, outbound],
      [outbound, inbound],
    ] as const) {
      live.add(a);
      a.pipe(b);
      a.on("close", () => {
        live.delete(a);
        b.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("relay has no port");
  return {
    port: address.port,
    address: `127.0.0.1:${address.port}`,
    get accepted() {
      return accepted;
    },
    bytes,
    retarget(port) {
      target = port;
    },
    cut() {
      open = false;
      for (const socket of [...live]) socket.destroy();
    },
    heal() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        open = false;
        for (const socket of [...live]) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
