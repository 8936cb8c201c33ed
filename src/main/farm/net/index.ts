/**
 * The farm's secure network layer: keys, identities, signatures, its server and client, the blob cache.
 * What the rest of the farm uses; the layer's own parts (signing, nonces, patterns) are imported from
 * their files by the few that need them (the security tests sign requests of their own).
 */
export { type BlobCache, type BlobLease, createBlobCache } from './blob-cache.ts';
export { createFarmClient, type FarmClient, type Peer } from './client.ts';
export { FarmHttpError } from './errors.ts';
export { createFarmServer, type FarmServer, type FarmServerOptions } from './farm-server.ts';
export { ephemeralIdentity, loadNodeIdentity, NodeIdentity } from './identity.ts';
export { FarmKey, farmHmac, farmIdOf, farmKeyFromText, generateFarmKey, readFarmKey } from './key.ts';
export { FARM_HEADER, signReply, signRequest } from './signing.ts';
export { certificateFingerprint, parseFingerprint, TlsTrust } from './tls-trust.ts';
export { FarmTrust } from './trust.ts';
