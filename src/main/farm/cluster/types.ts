/** Types shared by discovery, liveness, election and the wiring that joins them. */

/** What a node is started as: `worker` means "never coordinator" (it still encodes). */
export type NodeRole = 'auto' | 'worker';

/** What a node currently advertises (TXT `role`, hello `role`). */
export type AdvertisedRole = 'coordinator' | 'candidate' | 'worker';

export const PROTOCOL_VERSION = 1;

/** This node's mDNS advertisement, before it is encoded into TXT. */
export interface NodeAdvert {
  id: string;
  name: string;
  /** First 16 hex chars of HMAC-SHA256(farmKey, "vfo-farm-id"); never the key. */
  farm: string;
  role: AdvertisedRole;
  term: number;
  proto: number;
  /** The node's HTTP port. */
  port: number;
  encoders: string[];
  cores: number;
  /** Free encode slots right now. */
  slots: number;
}

/** A peer of this farm and protocol, as discovery saw it. */
export interface PeerAdvert extends NodeAdvert {
  /** mDNS instance name (node name + short id). */
  instance: string;
  /** The address its announcement came from. */
  address: string;
  /** `http://address:port`: where to reach it. */
  url: string;
}

export type IgnoreReason =
  | 'other farm'
  | `protocol ${number}`
  | 'malformed'
  | 'same id as this node'
  /** It advertised this farm, but its answers are not signed by a member (no farm key). */
  | 'unauthenticated';

/** A `_vfo._tcp` service this node will not talk to, kept for status with the reason. */
export interface IgnoredService {
  instance: string;
  address: string;
  reason: IgnoreReason;
  /** Why a record was malformed (which field), for the log and status. */
  detail?: string;
}

export interface NodeCapabilities {
  encoders: string[];
  cores: number;
  /** Free encode slots. */
  slots: number;
}

/** The answer of a peer's `/farm/v1/hello`. */
export interface HelloInfo {
  id: string;
  name: string;
  role: AdvertisedRole;
  term: number;
  coordinatorId: string | null;
  url: string;
  capabilities: NodeCapabilities;
  /** Encode tasks running on it now. */
  running: number;
}

export interface CoordinatorClaim {
  id: string;
  term: number;
}
