// Runs the desktop app's built peer (out/main/peer.js) under plain Node, the way Electron's
// utilityProcess runs it, with no Electron: a stand-in `process.parentPort` is set before the entry
// is imported, and channels reach the peer as MessagePorts in a message event, as main sends them.
//
//   node test/smoke/utilityLauncher.mjs ENTRY [ARGS…]   (forked with IPC, serialization "advanced")
//
// Electron transfers one end of a MessageChannelMain into this process; Node cannot move a port
// between processes, so the channel is made here and its other end is relayed over the IPC channel
// to the test, which plays main and the window. The peer sees what it sees in the app: a
// `parentPort` whose "message" events carry `{ data, ports }`, and ports with on/postMessage/start/
// close. Messages from the test (IPC):
//   { kind: "channel", id, message }  a new MessageChannel; its port1 goes to the peer with `message`
//   { kind: "port", id, data }        posted on that channel (the window's side)
//   { kind: "close", id }             the window closes its side
//   { kind: "parent", data }          a message from main with no port (shutdown, a PDF answer)
// and to the test: { kind: "port", id, data }, { kind: "closed", id }, { kind: "parent", data }.
import { EventEmitter } from "node:events";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel } from "node:worker_threads";

const [entry, ...args] = process.argv.slice(2);
if (!entry || !process.send) {
  console.error("Usage: fork utilityLauncher.mjs ENTRY [ARGS…] with an IPC channel.");
  process.exit(2);
}
const send = (message) => {
  if (process.connected) process.send?.(message);
};

// utilityProcess.fork(entry, args): the entry reads its options from process.argv.
process.argv = [process.argv[0] ?? "node", resolve(entry), ...args];

/** Electron's MessagePortMain over a Node MessagePort: its events carry `{ data, ports }`. */
const portMain = (port) => ({
  on(event, listener) {
    if (event === "message") port.on("message", (data) => listener({ data, ports: [] }));
    else if (event === "close") port.on("close", listener);
    return this;
  },
  postMessage: (data) => port.postMessage(data),
  start: () => port.start(),
  close: () => port.close(),
});

// Electron queues what main sends until the process listens ("Messages received on this port will
// be queued up until a handler is registered"): main sends channels before the peer has loaded.
const fromMain = new EventEmitter();
const queued = [];
const deliver = (event) => {
  if (fromMain.listenerCount("message") === 0) queued.push(event);
  else fromMain.emit("message", event);
};
process.parentPort = {
  on(event, listener) {
    fromMain.on(event, listener);
    if (event === "message") queued.splice(0).forEach((e) => fromMain.emit("message", e));
    return this;
  },
  postMessage: (data) => send({ kind: "parent", data }),
};

/** The window's end of each channel, by the test's id. */
const windows = new Map();
process.on("message", (message) => {
  switch (message?.kind) {
    case "channel": {
      const { port1, port2 } = new MessageChannel();
      windows.set(message.id, port2);
      port2.on("message", (data) => send({ kind: "port", id: message.id, data }));
      port2.on("close", () => {
        windows.delete(message.id);
        send({ kind: "closed", id: message.id });
      });
      deliver({ data: message.message, ports: [portMain(port1)] });
      break;
    }
    case "port":
      windows.get(message.id)?.postMessage(message.data);
      break;
    case "close":
      windows.get(message.id)?.close();
      break;
    case "parent":
      deliver({ data: message.data, ports: [] });
      break;
  }
});
// Electron ends a utility process whose app has gone; so does this stand-in when its test has.
process.on("disconnect", () => process.exit(1));

await import(pathToFileURL(resolve(entry)).href);
