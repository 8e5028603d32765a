// Shape checks for everything a remote device sends over the secure link, before automerge-repo
// sees it. automerge-repo trusts its network adapters: a missing documentId throws inside the
// collection synchronizer, a non-Uint8Array `data` reaches the Automerge decoder, and unknown types
// are passed along. So each message is rebuilt here from checked fields only (no extra keys, no
// prototypes from the decoder), or refused.
import {
  cbor,
  isValidDocumentId,
  type PeerId,
  type RepoMessage,
  type SessionId,
  type StorageId,
} from "@automerge/automerge-repo";

export const REPO_MESSAGE_TYPES = [
  "sync",
  "request",
  "doc-unavailable",
  "ephemeral",
  "remote-subscription-change",
  "remote-heads-changed",
] as const;

/** Longest id string (peer, session, storage, head) accepted; real ones are under 80 characters. */
const MAX_ID = 128;
/** Longest list inside a message (storage ids, heads per storage, storages per heads message). */
const MAX_LIST = 1_000;

const HELLO = "meitheal/hello";
export const HELLO_VERSION = 1;

/**
 * The first frame each side sends after the handshake: which community this connection is for (a
 * device may be in several; each has its own repo and roster) and the peer metadata automerge-repo
 * asks for in "peer-candidate". The receiver takes `storageId` only as "keep my sync state": it
 * keeps it under an id derived from the sender's proven key (secureAdapter.ts, storageIdOfKey).
 */
export type Hello = {
  community: string;
  storageId?: StorageId;
  isEphemeral: boolean;
  /**
   * The sender speaks the catch-up exchange below. Older devices leave it out, and a link with one
   * goes straight to automerge-repo's sync; a newer device ignores what it does not know.
   */
  catchUp?: boolean;
};

type Fields = Record<string, unknown>;

const isRecord = (value: unknown): value is Fields =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof Uint8Array);

const isId = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= MAX_ID;

const isIdList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length <= MAX_LIST && value.every(isId);

/** CBOR bytes → value, or undefined for anything the decoder rejects (or that blows its stack). */
export function decodeFrame(bytes: Uint8Array): unknown {
  try {
    return cbor.decode(bytes);
  } catch {
    return undefined;
  }
}

export const encodeFrame = (value: unknown): Uint8Array => cbor.encode(value);

export const encodeHello = (hello: Hello): Uint8Array =>
  encodeFrame({
    type: HELLO,
    v: HELLO_VERSION,
    community: hello.community,
    isEphemeral: hello.isEphemeral,
    ...(hello.storageId === undefined ? {} : { storageId: hello.storageId }),
    ...(hello.catchUp ? { catchUp: 1 } : {}),
  });

export function validateHello(value: unknown): Hello | undefined {
  if (!isRecord(value) || value.type !== HELLO || value.v !== HELLO_VERSION) return undefined;
  if (typeof value.community !== "string" || !isValidDocumentId(value.community)) return undefined;
  if (typeof value.isEphemeral !== "boolean") return undefined;
  if (value.storageId !== undefined && !isId(value.storageId)) return undefined;
  const hello: Hello = { community: value.community, isEphemeral: value.isEphemeral };
  if (value.storageId !== undefined) hello.storageId = value.storageId as StorageId;
  if (value.catchUp === 1) hello.catchUp = true;
  return hello;
}

/**
 * "Where do you stand on these documents?" and its answer: our own small exchange beside
 * automerge-repo's, for the "in sync" check. A device's heads are otherwise known only from the
 * sync messages it happens to send, and after two devices got the same change from a third, neither
 * may send the other one again.
 */
const HEADS_QUERY = "meitheal/heads?";
const HEADS = "meitheal/heads";
/** Documents per query or answer. */
export const MAX_HEADS_DOCUMENTS = 64;

export type HeadsFrame =
  { kind: "query"; documents: string[] } | { kind: "answer"; heads: Record<string, string[]> };

export const encodeHeadsQuery = (documents: readonly string[]): Uint8Array =>
  encodeFrame({ type: HEADS_QUERY, documents: documents.slice(0, MAX_HEADS_DOCUMENTS) });

export const encodeHeadsAnswer = (heads: Record<string, string[]>): Uint8Array =>
  encodeFrame({ type: HEADS, heads });

export function validateHeadsFrame(value: unknown): HeadsFrame | undefined {
  if (!isRecord(value)) return undefined;
  if (value.type === HEADS_QUERY) {
    const { documents } = value;
    if (!Array.isArray(documents) || documents.length > MAX_HEADS_DOCUMENTS) return undefined;
    if (!documents.every((d) => typeof d === "string" && isValidDocumentId(d))) return undefined;
    return { kind: "query", documents: [...(documents as string[])] };
  }
  if (value.type === HEADS) {
    if (!isRecord(value.heads)) return undefined;
    const entries = Object.entries(value.heads);
    if (entries.length > MAX_HEADS_DOCUMENTS) return undefined;
    const heads: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const [id, list] of entries) {
      if (!isValidDocumentId(id) || !isIdList(list) || list.length > MAX_HEADS_DOCUMENTS)
        return undefined;
      heads[id] = [...list];
    }
    return { kind: "answer", heads };
  }
  return undefined;
}

/**
 * Catch-up (docs/DESIGN.md, "First sync"): right after the hellos, each device tells the other
 * which documents it has ("ask"), and the other sends every listed document missing there whole,
 * as saved Automerge bytes, a batch per frame ("docs"), then "end"; once a device has kept all the
 * other sent, it says "done", with the heads of what it took (so the sender, which sent stored
 * bytes without loading them, knows them too). When both have said it, each hands the link to
 * automerge-repo, whose
 * sync carries every change after that. A new device thus loads a community in one stream instead
 * of one sync exchange per document.
 */
const CATCH_UP_ASK = "meitheal/catch-up?";
const CATCH_UP_DOCS = "meitheal/catch-up";
const CATCH_UP_END = "meitheal/catch-up.";
const CATCH_UP_DONE = "meitheal/catch-up!";
/** Document ids one "ask" may name: a device never holds more for one link (maxDocumentsPerPeer). */
export const MAX_CATCH_UP_HAVE = 20_000;
/** Documents whose heads an "ask" carries (the index and the member list, which always differ). */
const MAX_CATCH_UP_HEADS = 8;
/** Documents per "docs" frame. */
export const MAX_CATCH_UP_BATCH = 256;

export type CatchUpFrame =
  | { kind: "ask"; have: string[]; heads: Record<string, string[]> }
  | { kind: "docs"; docs: [string, Uint8Array][] }
  | { kind: "end"; sent: number }
  | { kind: "done"; heads: Record<string, string[]> };

export const encodeCatchUp = (frame: CatchUpFrame): Uint8Array => {
  switch (frame.kind) {
    case "ask":
      return encodeFrame({ type: CATCH_UP_ASK, have: frame.have, heads: frame.heads });
    case "docs":
      return encodeFrame({ type: CATCH_UP_DOCS, docs: frame.docs });
    case "end":
      return encodeFrame({ type: CATCH_UP_END, sent: frame.sent });
    default:
      return encodeFrame({ type: CATCH_UP_DONE, heads: frame.heads });
  }
};

/** document id → heads, at most `max` documents, rebuilt from checked fields; else undefined. */
function validHeadsMap(value: unknown, max: number): Record<string, string[]> | undefined {
  if (!isRecord(value)) return undefined;
  const entries = Object.entries(value);
  if (entries.length > max) return undefined;
  const checked: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [id, list] of entries) {
    if (!isValidDocumentId(id) || !isIdList(list) || list.length > MAX_HEADS_DOCUMENTS)
      return undefined;
    checked[id] = [...list];
  }
  return checked;
}

/** A decoded frame → a checked catch-up frame, or undefined (not one, or malformed). */
export function validateCatchUp(value: unknown, maxData: number): CatchUpFrame | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case CATCH_UP_ASK: {
      const { have, heads } = value;
      if (!Array.isArray(have) || have.length > MAX_CATCH_UP_HAVE) return undefined;
      if (!have.every((id) => typeof id === "string" && isValidDocumentId(id))) return undefined;
      const checked = validHeadsMap(heads, MAX_CATCH_UP_HEADS);
      if (!checked) return undefined;
      return { kind: "ask", have: [...(have as string[])], heads: checked };
    }
    case CATCH_UP_DOCS: {
      const { docs } = value;
      if (!Array.isArray(docs) || docs.length > MAX_CATCH_UP_BATCH) return undefined;
      const out: [string, Uint8Array][] = [];
      for (const pair of docs as unknown[]) {
        if (!Array.isArray(pair) || pair.length !== 2) return undefined;
        const [id, data] = pair as unknown[];
        if (typeof id !== "string" || !isValidDocumentId(id)) return undefined;
        if (!(data instanceof Uint8Array) || data.byteLength === 0 || data.byteLength > maxData)
          return undefined;
        out.push([id, data]);
      }
      return { kind: "docs", docs: out };
    }
    case CATCH_UP_END: {
      const { sent } = value;
      if (typeof sent !== "number" || !Number.isSafeInteger(sent) || sent < 0) return undefined;
      return { kind: "end", sent };
    }
    case CATCH_UP_DONE: {
      const heads = validHeadsMap(value.heads, MAX_CATCH_UP_HAVE);
      return heads ? { kind: "done", heads } : undefined;
    }
    default:
      return undefined;
  }
}

function validHeads(
  value: unknown,
): Record<StorageId, { heads: string[]; timestamp: number }> | undefined {
  if (!isRecord(value)) return undefined;
  const entries = Object.entries(value);
  if (entries.length > MAX_LIST) return undefined;
  const out: Record<StorageId, { heads: string[]; timestamp: number }> = Object.create(
    null,
  ) as Record<StorageId, { heads: string[]; timestamp: number }>;
  for (const [storageId, entry] of entries) {
    if (!isId(storageId) || !isRecord(entry)) return undefined;
    if (!isIdList(entry.heads)) return undefined;
    if (typeof entry.timestamp !== "number" || !Number.isFinite(entry.timestamp)) return undefined;
    out[storageId as StorageId] = { heads: [...entry.heads], timestamp: entry.timestamp };
  }
  return out;
}

/**
 * A decoded frame → a fresh RepoMessage with checked fields, or undefined. `maxData` caps `data`.
 * senderId/targetId are only shape-checked here; the adapter compares them to the link's identity.
 */
export function validateRepoMessage(value: unknown, maxData: number): RepoMessage | undefined {
  if (!isRecord(value)) return undefined;
  const { type, senderId, targetId } = value;
  if (typeof type !== "string" || !(REPO_MESSAGE_TYPES as readonly string[]).includes(type))
    return undefined;
  if (!isId(senderId) || !isId(targetId)) return undefined;
  const base = { senderId: senderId as PeerId, targetId: targetId as PeerId };
  const documentId =
    typeof value.documentId === "string" && isValidDocumentId(value.documentId)
      ? value.documentId
      : undefined;
  const data =
    value.data instanceof Uint8Array && value.data.byteLength <= maxData ? value.data : undefined;

  switch (type) {
    case "sync":
    case "request":
      if (!documentId || !data) return undefined;
      return { type, ...base, documentId, data };
    case "doc-unavailable":
      if (!documentId) return undefined;
      return { type, ...base, documentId };
    case "ephemeral": {
      const { count, sessionId } = value;
      if (!documentId || !data || !isId(sessionId)) return undefined;
      if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) return undefined;
      return { type, ...base, documentId, data, count, sessionId: sessionId as SessionId };
    }
    case "remote-subscription-change": {
      const { add, remove } = value;
      if (add !== undefined && !isIdList(add)) return undefined;
      if (remove !== undefined && !isIdList(remove)) return undefined;
      return {
        type,
        ...base,
        ...(add === undefined ? {} : { add: add as StorageId[] }),
        ...(remove === undefined ? {} : { remove: remove as StorageId[] }),
      };
    }
    case "remote-heads-changed": {
      const newHeads = validHeads(value.newHeads);
      if (!documentId || !newHeads) return undefined;
      return { type, ...base, documentId, newHeads };
    }
    default:
      return undefined;
  }
}
