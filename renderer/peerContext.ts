import { createContext, useContext } from "react";
import type { PeerInfo, Profile } from "../shared/contract.ts";
import type { PeerConnection } from "./connection.ts";

export type PeerContextValue = {
  connection: PeerConnection;
  info: PeerInfo;
  /** This device's person: how their edits, comments and cursor are labelled. */
  profile: Profile;
  setProfile: (profile: Profile) => void;
};
export const PeerContext = createContext<PeerContextValue | null>(null);

export function usePeer(): PeerContextValue {
  const value = useContext(PeerContext);
  if (!value) throw new Error("usePeer outside PeerContext");
  return value;
}
