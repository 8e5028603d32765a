// Branded ids, as the contract (contract.ts) names what a call takes: a StoryId cannot be passed
// where a CommunityId is expected, although both are strings
// at run time. Every id that names an Automerge document is that document's automerge-repo
// DocumentId (base58check), so the id alone is enough to find the document.
import { isValidDocumentId } from "@automerge/automerge-repo";

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A community is named by the id of its index document. */
export type CommunityId = Brand<string, "CommunityId">;
export type StoryId = Brand<string, "StoryId">;
export type CollectionId = Brand<string, "CollectionId">;
/** Hex of a device's Ed25519 public key (64 hex characters). */
export type DeviceKey = Brand<string, "DeviceKey">;

/** Whether a string has the shape of an automerge-repo document id (base58check). */
export const isDocumentId = (value: unknown): value is string =>
  typeof value === "string" && isValidDocumentId(value);

export const asCommunityId = (value: string): CommunityId => value as CommunityId;
export const asDeviceKey = (value: string): DeviceKey => value as DeviceKey;
export const asStoryId = (value: string): StoryId => value as StoryId;
export const asCollectionId = (value: string): CollectionId => value as CollectionId;

/** Ids that are not documents (themes, comments) come from a generator passed in, so tests are repeatable. */
export type IdFactory = () => string;
