/** Types shared by discovery, liveness, election and the wiring that joins them. */

/** What a node is started as: `worker` means "never coordinator" (it still encodes). */
export type NodeRole = 'auto' | 'worker';

/** What a node currently advertises (TXT `role`, hello `role`). */
export type AdvertisedRole = 'coordinator' | 'candidate' | 'worker';

/**
 * The farm protocol this build speaks. Nodes of one protocol work together whatever their app versions
 * (additions within a protocol are optional fields, and receivers ignore what they do not know); a change
 * older nodes cannot follow takes a new number, and nodes of another number are listed as incompatible
 * and never talked to.
 */
export const PROTOCOL_VERSION = 1;

/** The highest term a claim, a hello or an advert may carry (nine digits in the mDNS record). */
export const MAX_TERM = 999_999_999;

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
  /** The app's version (TXT `ver`); absent from nodes that predate it. */
  version?: string;
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
  /**
   * A node of this farm that speaks another protocol: what its record says about it (as far as it can
   * be read), so status lists it as an incompatible node rather than an anonymous service.
   */
  incompatible?: { id: string; protocol: number; version: string | null; url: string | null };
}
