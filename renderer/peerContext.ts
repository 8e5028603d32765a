import { createContext, useContext } from "react";
import type { PeerInfo } from "../shared/contract.ts";
import type { PeerConnection } from "./connection.ts";

export type PeerContextValue = { connection: PeerConnection; info: PeerInfo };
export const PeerContext = createContext<PeerContextValue | null>(null);

export function usePeer(): PeerContextValue {
  const value = useContext(PeerContext);
  if (!value) throw new Error("usePeer outside PeerContext");
  return value;
}
