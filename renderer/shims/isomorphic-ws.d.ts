// What `isomorphic-ws` is in a page: the browser's own WebSocket (its "browser" entry exports
// globalThis.WebSocket). renderer/tsconfig.json maps the module here because its published types
// load @types/ws, and @types/ws loads all of Node's types (process, Buffer, node:fs) into the
// renderer's type check. @automerge/automerge-repo-network-websocket reaches it for its socket type.
declare const BrowserWebSocket: typeof globalThis.WebSocket;
type BrowserWebSocket = globalThis.WebSocket;
declare namespace BrowserWebSocket {
  type MessageEvent = globalThis.MessageEvent;
  type ErrorEvent = globalThis.Event;
  /** A page cannot listen for connections: the server adapter has no use in the renderer. */
  type WebSocketServer = never;
}
export = BrowserWebSocket;
